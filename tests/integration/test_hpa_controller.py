"""The HorizontalPodAutoscaler controller against an in-process API server, with the
Deployment and ReplicaSet controllers, and a fake metrics.k8s.io the test sets usage on.

No kubelet runs here: the test marks pods Running and Ready itself."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any, Iterator

import pytest
from aiohttp import web

from minicube.api import selectors
from minicube.client import Client
from minicube.client.clock import rfc3339
from minicube.controllers.deployment import DeploymentController
from minicube.controllers.horizontalpodautoscaler import (HorizontalPodAutoscalerController,
                                                          ResourceMetrics)
from minicube.controllers.replicaset import ReplicaSetController
from tests.integration.conftest import Cluster, _free_port
from tests.integration.test_batch_storage_controllers import get, wait_for

NS = "hpa"


class FakeMetricsServer:
    """metrics.k8s.io/v1beta1 PodMetrics for the pods the API server lists, each using
    `cpu` (404 while `serving` is False, as an API server without the group answers)."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.serving = False
        self.cpu = "0"

    async def pods(self, request: web.Request) -> web.Response:
        if not self.serving:
            return web.json_response({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                      "message": "the server could not find the requested resource",
                                      "reason": "NotFound", "code": 404}, status=404)
        ns, selector = request.match_info["ns"], request.query.get("labelSelector", "")
        async with Client(self.api_url) as client:
            pods = (await client.list("v1", "pods", namespace=ns, label_selector=selector))["items"]
        matches = selectors.parse(selector).matches
        items = [{"metadata": {"name": p["metadata"]["name"], "namespace": ns,
                               "labels": p["metadata"].get("labels", {})},
                  "timestamp": rfc3339(), "window": "15s",
                  "containers": [{"name": "app", "usage": {"cpu": self.cpu, "memory": "10Mi"}}]}
                 for p in pods if matches(p["metadata"].get("labels", {}))]
        return web.json_response({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                                  "metadata": {}, "items": items})


@pytest.fixture(scope="module")
def fake_metrics(cluster: Cluster) -> Iterator[FakeMetricsServer]:
    cluster.kubectl("create", "namespace", NS, check=False)
    fake = FakeMetricsServer(cluster.http_url)
    port = _free_port()
    loop = asyncio.new_event_loop()

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods", fake.pods)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with Client(cluster.http_url) as client, \
                Client(f"http://127.0.0.1:{port}") as metrics_client:
            try:
                await asyncio.gather(
                    DeploymentController(client).run(), ReplicaSetController(client).run(),
                    HorizontalPodAutoscalerController(
                        client, metrics=ResourceMetrics(metrics_client), sync_period=0.5).run())
            finally:
                await runner.cleanup()

    task = loop.create_task(main())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield fake
    loop.call_soon_threadsafe(task.cancel)
    time.sleep(0.3)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def make_pods_ready(cluster: Cluster) -> None:
    """Play the kubelet: every pod Running and Ready since ten minutes ago."""
    long_ago = rfc3339(time.time() - 600)
    for p in get(cluster, f"/api/v1/namespaces/{NS}/pods")["items"]:
        if p.get("status", {}).get("phase") == "Running":
            continue
        status = {"phase": "Running", "startTime": long_ago, "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": long_ago}]}
        cluster.api("PATCH", f"/api/v1/namespaces/{NS}/pods/{p['metadata']['name']}/status",
                    data=json.dumps({"status": status}),
                    headers={"Content-Type": "application/merge-patch+json"})


def condition(hpa: dict[str, Any], type_: str) -> dict[str, Any]:
    return next((c for c in hpa.get("status", {}).get("conditions", []) if c["type"] == type_), {})


def events(cluster: Cluster, name: str) -> list[dict[str, Any]]:
    return [e for e in get(cluster, f"/api/v1/namespaces/{NS}/events")["items"]
            if e["involvedObject"]["name"] == name and e["involvedObject"]["kind"] == "HorizontalPodAutoscaler"]


DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": NS},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                 {"name": "app", "image": "minicube/hello:1",
                  "resources": {"requests": {"cpu": "100m"}}}]}}}}
HPA = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": NS},
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
             "minReplicas": 1, "maxReplicas": 8,
             "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                 "type": "Utilization", "averageUtilization": 50}}}],
             "behavior": {"scaleDown": {"stabilizationWindowSeconds": 3},
                          "scaleUp": {"policies": [{"type": "Pods", "value": 10, "periodSeconds": 1}]}}}}


def test_hpa_scales_a_deployment_on_cpu(cluster: Cluster, fake_metrics: FakeMetricsServer) -> None:
    dep_path = f"/apis/apps/v1/namespaces/{NS}/deployments/web"
    hpa_path = f"/apis/autoscaling/v2/namespaces/{NS}/horizontalpodautoscalers/web"
    cluster.kubectl("apply", "-f", "-", input=json.dumps(DEPLOYMENT))
    wait_for("one ready pod", lambda: make_pods_ready(cluster)
             or get(cluster, dep_path).get("status", {}).get("readyReplicas") == 1)
    cluster.kubectl("apply", "-f", "-", input=json.dumps(HPA))

    # no metrics API: the HPA says why and leaves the target alone
    hpa = wait_for("ScalingActive=False", lambda: (h := get(cluster, hpa_path))
                   and condition(h, "ScalingActive").get("status") == "False" and h)
    active = condition(hpa, "ScalingActive")
    assert active["reason"] == "FailedGetResourceMetric"
    assert active["message"] == (
        "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to "
        "get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server "
        "could not find the requested resource (get pods.metrics.k8s.io)")
    assert condition(hpa, "AbleToScale")["reason"] == "SucceededGetScale"
    assert hpa["status"]["currentReplicas"] == 1
    wait_for("warning events", lambda: {"FailedGetResourceMetric", "FailedComputeMetricsReplicas"}
             <= {e["reason"] for e in events(cluster, "web") if e["type"] == "Warning"})
    assert get(cluster, dep_path)["spec"]["replicas"] == 1

    # 200m of 100m requested = 200% against 50%: 4 pods
    fake_metrics.cpu, fake_metrics.serving = "200m", True
    hpa = wait_for("scaled to 4", lambda: (h := get(cluster, hpa_path))
                   and h["status"].get("desiredReplicas") == 4 and h)
    assert get(cluster, dep_path)["spec"]["replicas"] == 4
    assert condition(hpa, "ScalingActive")["reason"] == "ValidMetricFound"
    assert condition(hpa, "ScalingActive")["message"] == (
        "the HPA was able to successfully calculate a replica count from cpu resource "
        "utilization (percentage of request)")
    assert condition(hpa, "ScalingLimited")["reason"] == "DesiredWithinRange"
    assert condition(hpa, "AbleToScale")["reason"] == "SucceededRescale"
    assert hpa["status"]["lastScaleTime"]
    assert hpa["status"]["observedGeneration"] == hpa["metadata"]["generation"]
    rescales = [e["message"] for e in events(cluster, "web") if e["reason"] == "SuccessfulRescale"]
    assert rescales == ["New size: 4; reason: cpu resource utilization (percentage of request) above target"]
    wait_for("4 ready pods", lambda: make_pods_ready(cluster)
             or get(cluster, dep_path).get("status", {}).get("readyReplicas") == 4)

    # 54% against 50% is within tolerance (without it: ceil(1.08 x 4) = 5): it stays at 4
    fake_metrics.cpu = "54m"
    hpa = wait_for("54% seen", lambda: (h := get(cluster, hpa_path))
                   and h["status"]["currentMetrics"][0]["resource"]["current"].get("averageUtilization") == 54
                   and h)
    time.sleep(1.2)  # two more sync periods
    hpa = get(cluster, hpa_path)
    assert hpa["status"]["currentMetrics"][0] == {"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 54, "averageValue": "54m"}}}
    assert (hpa["status"]["currentReplicas"], hpa["status"]["desiredReplicas"]) == (4, 4)
    assert get(cluster, dep_path)["spec"]["replicas"] == 4

    # 300%: 24 wanted, capped at maxReplicas 8
    fake_metrics.cpu = "300m"
    hpa = wait_for("scaled to 8", lambda: (h := get(cluster, hpa_path))
                   and h["status"].get("desiredReplicas") == 8 and h)
    assert get(cluster, dep_path)["spec"]["replicas"] == 8
    assert condition(hpa, "ScalingLimited")["status"] == "True"
    assert condition(hpa, "ScalingLimited")["reason"] == "TooManyReplicas"
    wait_for("8 ready pods", lambda: make_pods_ready(cluster)
             or get(cluster, dep_path).get("status", {}).get("readyReplicas") == 8)

    # 10%: ceil(0.2 x 8) = 2 pods, but only once the 3 s scale-down window has passed
    fake_metrics.cpu = "10m"
    low_since = time.monotonic()
    hpa = wait_for("10% seen", lambda: (h := get(cluster, hpa_path))
                   and h["status"]["currentMetrics"][0]["resource"]["current"].get("averageUtilization") == 10
                   and h)
    if time.monotonic() - low_since < 2.5:
        assert get(cluster, dep_path)["spec"]["replicas"] == 8
        assert condition(hpa, "AbleToScale")["reason"] == "ScaleDownStabilized"
    wait_for("scaled to 2", lambda: get(cluster, dep_path)["spec"]["replicas"] == 2)
    assert time.monotonic() - low_since >= 2.5
    wait_for("status at 2", lambda: (h := get(cluster, hpa_path))
             and h["status"].get("desiredReplicas") == 2 and h)
    rescales = [e["message"] for e in events(cluster, "web") if e["reason"] == "SuccessfulRescale"]
    assert rescales[-1] == "New size: 2; reason: All metrics below target"
    v1 = get(cluster, f"/apis/autoscaling/v1/namespaces/{NS}/horizontalpodautoscalers/web")
    assert v1["status"]["currentCPUUtilizationPercentage"] == 10
    described = cluster.kubectl("describe", "hpa", "web", "-n", NS).stdout
    assert "resource cpu on pods  (as a percentage of request):  10% (10m) / 50%" in described
    assert "SuccessfulRescale" in described and "ValidMetricFound" in described

    # a count above maxReplicas is brought back at once, whatever the metrics say
    cluster.kubectl("scale", "deployment", "web", "-n", NS, "--replicas=11")
    wait_for("back to 8", lambda: any(e["message"] == "New size: 8; reason: Current number of "
                                      "replicas above Spec.MaxReplicas" for e in events(cluster, "web")))


def test_hpa_on_a_missing_target_reports_failed_get_scale(cluster: Cluster,
                                                          fake_metrics: FakeMetricsServer) -> None:
    hpa = {**HPA, "metadata": {"name": "ghost", "namespace": NS},
           "spec": {**HPA["spec"], "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                      "name": "ghost"}}}
    cluster.kubectl("apply", "-f", "-", input=json.dumps(hpa))
    path = f"/apis/autoscaling/v2/namespaces/{NS}/horizontalpodautoscalers/ghost"
    got = wait_for("AbleToScale=False", lambda: (h := get(cluster, path))
                   and condition(h, "AbleToScale").get("status") == "False" and h)
    assert condition(got, "AbleToScale")["reason"] == "FailedGetScale"
    assert condition(got, "AbleToScale")["message"].startswith(
        "the HPA controller was unable to get the target's current scale: ")
    wait_for("FailedGetScale event", lambda: any(e["reason"] == "FailedGetScale"
                                                 for e in events(cluster, "ghost")))
