"""metrics.k8s.io against a fake kubelet: the API server joins the kubelet's samples with the
stored Nodes and Pods, and the real `kubectl top` reads the result."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import yaml
from aiohttp import web

from minicube.apiserver.app import ApiServer, ApiServerConfig
from minicube.node import pki
from minicube.store.sqlite import SqliteStore
from tests.integration.conftest import Cluster, _free_port, _kubeconfig, _wait_ready

NS = "mx"
STAMP = "2026-01-02T03:04:05Z"


class FakeKubelet:
    """Serves /stats/resource with whatever document the test sets."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {"node": None, "pods": []}

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.doc)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, FakeKubelet]]:
    root = tmp_path_factory.mktemp("metrics")
    pki_dir = root / "pki"
    pki.ensure(pki_dir, "testnode", ["127.0.0.1"])
    https_port, http_port, kubelet_port = _free_port(), _free_port(), _free_port()
    config = ApiServerConfig(pki_dir=pki_dir, https_host="127.0.0.1", https_port=https_port,
                             http_port=http_port, kubelet_url=f"http://127.0.0.1:{kubelet_port}")
    kubelet = FakeKubelet()
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/stats/resource", kubelet.stats)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", kubelet_port).start()
        try:
            await ApiServer(SqliteStore(root / "state.db"), config).serve()
        finally:
            await runner.cleanup()

    task = loop.create_task(serve())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    _wait_ready(f"http://127.0.0.1:{http_port}/readyz", task)
    kubeconfig = root / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(_kubeconfig(f"https://127.0.0.1:{https_port}", pki_dir)))
    cluster = Cluster(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}",
                      kubeconfig, pki_dir, root / "cache")
    _objects(cluster, kubelet)
    yield cluster, kubelet
    loop.call_soon_threadsafe(task.cancel)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def _objects(cluster: Cluster, kubelet: FakeKubelet) -> dict[str, str]:
    """A node, a namespace with three pods (two measured), and the kubelet's samples."""
    cluster.api("POST", "/api/v1/nodes", json={"metadata": {"name": "node1", "labels": {"zone": "a"}},
                                               "status": {"allocatable": {"cpu": "2", "memory": "4Gi"}}})
    cluster.api("PATCH", "/api/v1/nodes/node1/status", data=json.dumps(
        {"status": {"allocatable": {"cpu": "2", "memory": "4Gi"}, "capacity": {"cpu": "2", "memory": "4Gi"}}}),
        headers={"Content-Type": "application/merge-patch+json"})
    cluster.api("POST", "/api/v1/namespaces", json={"metadata": {"name": NS}})
    uids = {}
    for name, app in (("web", "front"), ("db", "back"), ("new", "front")):
        pod = {"metadata": {"name": name, "labels": {"app": app}},
               "spec": {"containers": [{"name": "main", "image": "x"}, {"name": "aux", "image": "x"}]}}
        uids[name] = cluster.api("POST", f"/api/v1/namespaces/{NS}/pods", json=pod).json()["metadata"]["uid"]

    def pod_sample(name: str, cpu: list[int], memory: list[int]) -> dict[str, Any]:
        # the kubelet's order need not be the pod's: the API follows the pod spec
        return {"namespace": NS, "name": name, "uid": uids[name], "timestamp": STAMP, "window": 15.012,
                "containers": [{"name": n, "cpuNanoCores": c, "memoryWorkingSetBytes": m}
                               for n, c, m in zip(("aux", "main"), cpu, memory)]}

    kubelet.doc = {
        "node": {"name": "node1", "timestamp": STAMP, "window": 15.0, "cpuNanoCores": 500_000_000,
                 "memoryWorkingSetBytes": 1024 * 1024 * 1024},
        "pods": [pod_sample("web", [1_000_000, 250_000_000], [2 * 1024 * 1024, 10_000_000]),
                 pod_sample("db", [0, 1234567], [4096, 12345]),
                 # a pod deleted and made again under the same name has another uid: not this one
                 {**pod_sample("new", [5, 5], [5, 5]), "uid": "gone"}]}
    return uids


def _get(cluster: Cluster, path: str) -> requests.Response:
    return cluster.api("GET", "/apis/metrics.k8s.io/v1beta1" + path)


def test_pod_metrics_in_upstream_shape(setup: tuple[Cluster, FakeKubelet]) -> None:
    cluster, _ = setup
    doc = _get(cluster, f"/namespaces/{NS}/pods/web").json()
    assert doc["kind"] == "PodMetrics" and doc["apiVersion"] == "metrics.k8s.io/v1beta1"
    assert doc["metadata"]["name"] == "web" and doc["metadata"]["namespace"] == NS
    assert doc["metadata"]["labels"] == {"app": "front"} and doc["metadata"]["creationTimestamp"]
    assert (doc["timestamp"], doc["window"]) == (STAMP, "15.012s")
    assert doc["containers"] == [{"name": "main", "usage": {"cpu": "250m", "memory": "10000000"}},
                                 {"name": "aux", "usage": {"cpu": "1m", "memory": "2Mi"}}]
    db = _get(cluster, f"/namespaces/{NS}/pods/db").json()
    assert db["containers"][0]["usage"] == {"cpu": "1234567n", "memory": "12345"}
    assert db["containers"][1]["usage"] == {"cpu": "0", "memory": "4Ki"}


def test_lists_leave_out_pods_without_a_sample_and_follow_selectors(setup: tuple[Cluster, FakeKubelet]) -> None:
    cluster, _ = setup
    names = lambda r: [i["metadata"]["name"] for i in r.json()["items"]]  # noqa: E731
    listed = _get(cluster, f"/namespaces/{NS}/pods")
    assert listed.json()["kind"] == "PodMetricsList" and sorted(names(listed)) == ["db", "web"]
    assert names(_get(cluster, f"/namespaces/{NS}/pods?labelSelector=app%3Dfront")) == ["web"]
    assert names(_get(cluster, "/pods?fieldSelector=metadata.name%3Ddb")) == ["db"]
    assert names(_get(cluster, "/namespaces/default/pods")) == []
    bad = _get(cluster, "/pods?fieldSelector=spec.nodeName%3Dx")
    assert bad.status_code == 400 and "spec.nodeName" in bad.json()["message"]


def test_missing_metrics_and_objects_are_404_and_writes_405(setup: tuple[Cluster, FakeKubelet]) -> None:
    cluster, _ = setup
    unmeasured = _get(cluster, f"/namespaces/{NS}/pods/new")
    assert unmeasured.status_code == 404
    assert unmeasured.json()["message"] == f'podmetrics.metrics.k8s.io "{NS}/new" not found'
    assert _get(cluster, f"/namespaces/{NS}/pods/nope").json()["message"] == 'pods "nope" not found'
    assert _get(cluster, "/nodes/other").status_code == 404
    created = cluster.api("POST", f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods", json={})
    assert created.status_code == 405
    assert _get(cluster, f"/namespaces/{NS}/pods?watch=true").status_code == 405


def test_node_metrics_and_discovery(setup: tuple[Cluster, FakeKubelet]) -> None:
    cluster, _ = setup
    doc = _get(cluster, "/nodes/node1").json()
    assert doc["kind"] == "NodeMetrics" and doc["metadata"]["labels"] == {"zone": "a"}
    assert "namespace" not in doc["metadata"]
    assert doc["usage"] == {"cpu": "500m", "memory": "1Gi"} and doc["window"] == "15s"
    resources = cluster.api("GET", "/apis/metrics.k8s.io/v1beta1").json()["resources"]
    assert [(r["name"], r["kind"], r["namespaced"], r["verbs"]) for r in resources] == [
        ("nodes", "NodeMetrics", False, ["get", "list"]), ("pods", "PodMetrics", True, ["get", "list"])]


def test_kubectl_top(setup: tuple[Cluster, FakeKubelet]) -> None:
    cluster, _ = setup
    pods = cluster.kubectl("top", "pods", "-n", NS, "--no-headers").stdout.split("\n")
    assert [line.split() for line in pods if line] == [["db", "2m", "0Mi"], ["web", "251m", "11Mi"]]
    containers = cluster.kubectl("top", "pods", "-n", NS, "web", "--containers", "--no-headers").stdout
    assert [line.split() for line in containers.splitlines()] == [
        ["web", "aux", "1m", "2Mi"], ["web", "main", "250m", "9Mi"]]
    labelled = cluster.kubectl("top", "pods", "-A", "-l", "app=back", "--no-headers").stdout
    assert labelled.split() == [NS, "db", "2m", "0Mi"]
    nodes = cluster.kubectl("top", "nodes", "--no-headers").stdout.split()
    assert nodes == ["node1", "500m", "25%", "1024Mi", "25%"]


def test_a_silent_kubelet_is_503(setup: tuple[Cluster, FakeKubelet], tmp_path: Path) -> None:
    pki.ensure(tmp_path / "pki", "testnode", ["127.0.0.1"])
    server = ApiServer(SqliteStore(tmp_path / "s.db"),
                       ApiServerConfig(pki_dir=tmp_path / "pki", kubelet_url=f"http://127.0.0.1:{_free_port()}"))
    server.bootstrap()

    async def ask() -> int:
        from aiohttp.test_utils import TestClient, TestServer
        async with TestClient(TestServer(server.app())) as client:
            answer = await client.get("/apis/metrics.k8s.io/v1beta1/nodes")
            return answer.status
    assert asyncio.run(ask()) == 503
