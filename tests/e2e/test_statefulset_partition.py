"""A StatefulSet rolling update held by a partition, against a real cluster: a pod below the
partition that is deleted comes back on the current revision (its old template); the pod at
or above it runs the update revision."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for
from tests.e2e.namespaced import apply_in, own_namespace

pytestmark = pytest.mark.e2e

NS = "e2e-sts-partition"


@pytest.fixture(scope="module")
def ns(cluster: Cluster) -> Iterator[Cluster]:
    with own_namespace(cluster, NS) as c:
        yield c


def statefulset(version: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "part"},
            "spec": {"replicas": 2, "podManagementPolicy": "Parallel", "serviceName": "part",
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
                     "selector": {"matchLabels": {"app": "part"}},
                     "template": {"metadata": {"labels": {"app": "part"}}, "spec": {
                         "terminationGracePeriodSeconds": 1,
                         "containers": [{"name": "app", "image": HELLO_IMAGE,
                                         "command": ["sh", "-c", "exec sleep 3600"],
                                         "env": [{"name": "VERSION", "value": version}]}]}}}}


def ready_pod(c: Cluster, name: str, not_uid: str = "") -> dict[str, Any] | None:
    """Pod name once Ready (and, with not_uid, once it is a new pod)."""
    found = c.kubectl("get", "pod", name, "-n", NS, "-o", "json", check=False)
    if found.returncode != 0:
        return None
    pod = json.loads(found.stdout)
    ok = any(x["type"] == "Ready" and x["status"] == "True"
             for x in pod["status"].get("conditions") or [])
    return pod if ok and pod["metadata"]["uid"] != not_uid and \
        not pod["metadata"].get("deletionTimestamp") else None


def version(pod: dict[str, Any]) -> str:
    return str(pod["spec"]["containers"][0]["env"][0]["value"])


def test_a_pod_below_the_partition_is_recreated_from_the_current_revision(ns: Cluster) -> None:
    apply_in(ns, NS, statefulset("1"))
    for name in ("part-0", "part-1"):
        wait_for(f"{name} Ready", lambda: ready_pod(ns, name), timeout=60)
    old = ready_pod(ns, "part-1")
    assert old is not None
    apply_in(ns, NS, statefulset("2"))
    updated = wait_for("part-1 on version 2", lambda: (p := ready_pod(ns, "part-1", old["metadata"]["uid"]))
                       and version(p) == "2" and p, timeout=60)
    status = wait_for("status with both revisions", lambda: (s := ns.get_json(
        "statefulset", "part", "-n", NS)["status"]).get("updatedReplicas") == 1 and s)
    assert updated["metadata"]["labels"]["controller-revision-hash"] == status["updateRevision"]

    before = ready_pod(ns, "part-0")
    assert before is not None and version(before) == "1"
    ns.kubectl("delete", "pod", "part-0", "-n", NS, "--wait=false")
    again = wait_for("part-0 re-created", lambda: ready_pod(ns, "part-0", before["metadata"]["uid"]),
                     timeout=60)
    assert version(again) == "1"
    assert again["metadata"]["labels"]["controller-revision-hash"] == status["currentRevision"]
    assert status["currentRevision"] != status["updateRevision"]
