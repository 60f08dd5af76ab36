"""The resource-metrics pipeline on a real cluster: the kubelet samples cgroups, the API
server serves metrics.k8s.io, and `kubectl top` reads it as with metrics-server."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "metrics"


def _pod(name: str, command: list[str], cpu: str = "100m") -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": {"app": "top", "role": name}},
            "spec": {"terminationGracePeriodSeconds": 0, "containers": [
                {"name": "main", "image": HELLO_IMAGE, "command": command,
                 "resources": {"requests": {"cpu": cpu}}},
                {"name": "side", "image": HELLO_IMAGE, "command": ["sleep", "3600"]}]}}


MANIFEST = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
    _pod("burn", ["sh", "-c", "while :; do :; done"]),
    _pod("idle", ["sleep", "3600"]),
]}


def _millicores(text: str) -> int:
    return int(text[:-1]) if text.endswith("m") else int(text) * 1000


def _top_pods(cluster: Cluster, *args: str) -> dict[str, list[str]]:
    out = cluster.kubectl("top", "pods", "-n", NS, "--no-headers", *args, check=False)
    if out.returncode != 0:
        return {}
    return {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def pods(cluster: Cluster):  # type: ignore[no-untyped-def]
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(MANIFEST))
    yield
    cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def test_top_pods_shows_a_busy_pod_above_an_idle_one(cluster: Cluster, pods: None) -> None:
    def both() -> dict[str, list[str]] | None:
        rows = _top_pods(cluster)
        return rows if {"burn", "idle"} <= set(rows) and _millicores(rows["burn"][0]) >= 200 else None

    rows = wait_for("kubectl top pods to show the burning pod busy", both, timeout=60, interval=2)
    assert _millicores(rows["idle"][0]) < 50
    assert rows["burn"][1].endswith("Mi")

    by_label = _top_pods(cluster, "-l", "role=idle")
    assert set(by_label) == {"idle"}

    everywhere = cluster.kubectl("top", "pods", "-A", "--no-headers").stdout
    assert any(line.split()[:2] == [NS, "burn"] for line in everywhere.splitlines())


def test_top_pods_containers_and_the_raw_documents(cluster: Cluster, pods: None) -> None:
    wait_for("metrics of the idle pod", lambda: _top_pods(cluster, "idle") or None, timeout=60, interval=2)
    out = cluster.kubectl("top", "pods", "-n", NS, "--containers", "--no-headers", "burn").stdout
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.splitlines()}
    assert set(rows) == {("burn", "main"), ("burn", "side")}
    assert _millicores(rows[("burn", "main")][0]) > _millicores(rows[("burn", "side")][0])

    doc = json.loads(cluster.kubectl("get", "--raw", f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods/idle").stdout)
    assert doc["kind"] == "PodMetrics" and doc["metadata"]["labels"]["role"] == "idle"
    assert doc["window"].endswith("s") and doc["timestamp"].endswith("Z")
    assert [c["name"] for c in doc["containers"]] == ["main", "side"]
    assert all(c["usage"]["cpu"] and c["usage"]["memory"] for c in doc["containers"])


def test_top_nodes_shows_the_node(cluster: Cluster, pods: None) -> None:
    def node_row() -> list[str] | None:
        out = cluster.kubectl("top", "nodes", "--no-headers", check=False)
        return out.stdout.split() if out.returncode == 0 and out.stdout.strip() else None

    row = wait_for("kubectl top nodes", node_row, timeout=60, interval=2)
    assert row[0] == cluster.profile
    assert row[1].endswith("m") and row[2].endswith("%") and row[3].endswith("Mi")
