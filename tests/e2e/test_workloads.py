"""Deployments, ReplicaSets, garbage collection and namespace deletion on a real cluster,
with the real kubectl (run in order: later steps build on the Deployment of earlier ones)."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

NS = "wl"
MANIFEST = f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {NS}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: hello
        image: {HELLO_IMAGE}
        imagePullPolicy: Never
"""


def _pods(cluster: Cluster, *selector: str) -> list[dict]:
    items = cluster.get_json("pods", "-n", NS, *selector)["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


def _rollout(cluster: Cluster) -> str:
    return cluster.kubectl("rollout", "status", "deploy/web", "-n", NS, "--timeout=120s",
                           timeout=150).stdout


def test_deployment_rolls_out_with_hashed_pod_names(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)
    cluster.kubectl("apply", "-f", "-", stdin=MANIFEST)
    assert 'deployment "web" successfully rolled out' in _rollout(cluster)
    [rs] = cluster.get_json("rs", "-n", NS)["items"]
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pod_hash}"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    names = [p["metadata"]["name"] for p in _pods(cluster)]
    assert len(names) == 3 and all(re.fullmatch(rf"web-{pod_hash}-[a-z0-9]{{5}}", n) for n in names)
    table = cluster.kubectl("get", "deploy", "web", "-n", NS).stdout.split()
    assert table[:5] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"] and table[6:9] == ["3/3", "3", "3"]


def test_scale_up_and_down(cluster: Cluster) -> None:
    cluster.kubectl("scale", "deploy/web", "-n", NS, "--replicas=5")
    wait_for("5 ready pods", lambda: cluster.get_json("deploy", "web", "-n", NS)["status"]
             .get("readyReplicas") == 5)
    cluster.kubectl("scale", "deploy/web", "-n", NS, "--replicas=2")
    wait_for("2 pods left", lambda: len(_pods(cluster)) == 2)
    scale = cluster.get_json("deploy", "web", "-n", NS, "--subresource=scale")
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 2


def _lowest_ready_until_rolled_out(cluster: Cluster, timeout: float = 120) -> int:
    """Poll the pods while the rollout runs: the fewest ready (not deleting) pods seen."""
    lowest, deadline = 1 << 30, time.monotonic() + timeout
    while time.monotonic() < deadline:
        lowest = min(lowest, sum(1 for p in _pods(cluster) if any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in p.get("status", {}).get("conditions", []))))
        d = cluster.get_json("deploy", "web", "-n", NS)
        s, want = d.get("status", {}), d["spec"]["replicas"]
        if s.get("observedGeneration", 0) >= d["metadata"]["generation"] and \
                s.get("updatedReplicas") == s.get("replicas") == s.get("availableReplicas") == want:
            return lowest
    pytest.fail(f"the rollout did not finish in {timeout}s", pytrace=False)


def test_rolling_update_keeps_availability_and_undo_returns(cluster: Cluster) -> None:
    cluster.kubectl("set", "env", "deploy/web", "-n", NS, "GREETING=hi")
    # 2 replicas with maxUnavailable 25% (rounded down: 0): never fewer than 2 ready pods.
    assert _lowest_ready_until_rolled_out(cluster) >= 2
    _rollout(cluster)
    envs = [c.get("env") for p in _pods(cluster) for c in p["spec"]["containers"]]
    assert envs == [[{"name": "GREETING", "value": "hi"}]] * 2
    history = cluster.kubectl("rollout", "history", "deploy/web", "-n", NS).stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M)
    cluster.kubectl("rollout", "undo", "deploy/web", "-n", NS)
    _rollout(cluster)
    assert [c.get("env") for p in _pods(cluster) for c in p["spec"]["containers"]] == [None] * 2
    revisions = sorted(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                       for rs in cluster.get_json("rs", "-n", NS)["items"])
    assert revisions == ["2", "3"]


def test_orphan_cascade_leaves_replicasets_and_pods_which_a_new_owner_adopts(
        cluster: Cluster) -> None:
    cluster.kubectl("delete", "deploy/web", "-n", NS, "--cascade=orphan")
    sets = cluster.get_json("rs", "-n", NS)["items"]
    assert len(sets) == 2 and not any(rs["metadata"].get("ownerReferences") for rs in sets)
    assert len(_pods(cluster)) == 2
    cluster.kubectl("apply", "-f", "-", stdin=MANIFEST)
    wait_for("the replicasets adopted", lambda: all(
        rs["metadata"].get("ownerReferences") for rs in cluster.get_json("rs", "-n", NS)["items"]))
    _rollout(cluster)


def test_deleting_the_deployment_removes_its_replicasets_and_pods(cluster: Cluster) -> None:
    cluster.kubectl("delete", "deploy/web", "-n", NS)
    wait_for("no replicasets", lambda: not cluster.get_json("rs", "-n", NS)["items"])
    wait_for("no pods", lambda: not cluster.get_json("pods", "-n", NS)["items"])


def test_deleting_the_namespace_removes_its_content_and_itself(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", stdin=MANIFEST)
    cluster.kubectl("create", "configmap", "settings", "-n", NS, "--from-literal=a=b")
    wait_for("pods of the new deployment", lambda: _pods(cluster))
    cluster.kubectl("delete", "namespace", NS, "--timeout=120s", timeout=150)
    gone = cluster.kubectl("get", "namespace", NS, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
    leftovers = [f"{o['kind']}/{o['metadata']['name']}" for o in cluster.get_json("pods,rs,cm", "-A")["items"]
                 if o["metadata"]["namespace"] == NS]
    assert leftovers == []
