"""Custom resources on a real cluster: `minicube apply` of a CRD with its object in one file,
printer columns through kubectl, and the controllers treating custom objects like any other
(the garbage collector follows ownerReferences to them, namespace deletion removes them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cluster, wait_for

pytestmark = pytest.mark.e2e

CRONTABS = Path(__file__).parent / "manifests" / "crontabs.yaml"
NS = "crds-e2e"


def _gone(cluster: Cluster, *args: str) -> bool:
    result = cluster.kubectl("get", *args, check=False)
    return result.returncode != 0 and "NotFound" in result.stderr


def test_custom_objects_are_served_collected_and_removed_with_their_namespace(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)
    try:
        cluster.mc("apply", "-f", str(CRONTABS), "-n", NS)
        table = cluster.kubectl("get", "ct", "-n", NS).stdout.splitlines()
        assert table[0].split() == ["NAME", "SPEC", "REPLICAS", "AGE"]
        assert table[1].split()[:2] == ["my-new-cron-object", "*"]
        assert table[1].split()[-2] == "1"  # defaulted by the schema
        owner = cluster.get_json("crontab", "my-new-cron-object", "-n", NS)
        owned = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "owned-by-crontab", "namespace": NS, "ownerReferences": [{
                     "apiVersion": "stable.example.com/v1", "kind": "CronTab",
                     "name": "my-new-cron-object", "uid": owner["metadata"]["uid"]}]}}
        cluster.kubectl("apply", "-f", "-", stdin=json.dumps(owned))
        cluster.kubectl("delete", "crontab", "my-new-cron-object", "-n", NS)
        wait_for("the garbage collector to delete the CronTab's ConfigMap",
                 lambda: _gone(cluster, "configmap", "owned-by-crontab", "-n", NS), timeout=30)
        cluster.mc("apply", "-f", str(CRONTABS), "-n", NS)
    finally:
        cluster.kubectl("delete", "namespace", NS, "--timeout=60s")
    listing = cluster.kubectl("get", "crontabs", "-A", "-o", "name").stdout
    assert listing.strip() == ""
    cluster.kubectl("delete", "crd", "crontabs.stable.example.com", "--timeout=30s")
