"""Helpers for e2e files that keep their objects in one namespace of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.e2e.conftest import Cluster


@contextmanager
def own_namespace(cluster: Cluster, namespace: str) -> Iterator[Cluster]:
    """For a module fixture: the namespace exists while the module's tests run."""
    cluster.kubectl("create", "namespace", namespace)
    try:
        yield cluster
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def apply_in(c: Cluster, namespace: str, *objects: dict[str, Any]) -> None:
    """kubectl apply of objects (one List) into namespace."""
    items = [{**o, "metadata": {**o["metadata"], "namespace": namespace}} for o in objects]
    c.kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                    "items": items}))
