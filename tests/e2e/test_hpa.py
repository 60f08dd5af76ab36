"""The HorizontalPodAutoscaler on a real cluster: a busy pod's cpu, sampled by the kubelet and
served by metrics.k8s.io, makes the controller scale its Deployment up."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "hpa-e2e"

MANIFEST = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "burn", "namespace": NS},
     "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "burn"}},
              "template": {"metadata": {"labels": {"app": "burn"}}, "spec": {
                  "terminationGracePeriodSeconds": 0,
                  "containers": [{"name": "main", "image": HELLO_IMAGE,
                                  "command": ["sh", "-c", "while :; do :; done"],
                                  # capped at 200m (200% of the request): light on shared cores
                                  "resources": {"requests": {"cpu": "100m"},
                                                "limits": {"cpu": "200m"}}}]}}}},
    {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
     "metadata": {"name": "burn", "namespace": NS},
     "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "burn"},
              "minReplicas": 1, "maxReplicas": 2,
              "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                  "type": "Utilization", "averageUtilization": 50}}}]}},
]}


@pytest.fixture(scope="module")
def burning(cluster: Cluster) -> Iterator[None]:
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(MANIFEST))
    yield
    cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def _condition(hpa: dict[str, Any], type_: str) -> dict[str, Any]:
    return next((c for c in hpa.get("status", {}).get("conditions", []) if c["type"] == type_), {})


def test_busy_deployment_scales_up_to_max(cluster: Cluster, burning: None) -> None:
    def scaled() -> dict[str, Any] | None:
        hpa = cluster.get_json("hpa", "burn", "-n", NS)
        return hpa if hpa.get("status", {}).get("desiredReplicas") == 2 else None

    hpa = wait_for("the HPA to scale burn to 2", scaled, timeout=150, interval=2)
    assert _condition(hpa, "ScalingActive")["reason"] == "ValidMetricFound"
    assert _condition(hpa, "ScalingLimited")["reason"] == "TooManyReplicas"
    assert hpa["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"] > 55
    assert cluster.get_json("deployment", "burn", "-n", NS)["spec"]["replicas"] == 2
    events = cluster.get_json("events", "-n", NS,
                              "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler")
    assert any(e["reason"] == "SuccessfulRescale" and e["message"].startswith("New size: 2; reason: "
               "cpu resource utilization (percentage of request) above target")
               for e in events["items"])
