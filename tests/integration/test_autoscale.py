"""`kubectl autoscale` (an autoscaling/v1 protobuf create) and one HorizontalPodAutoscaler read
through both served versions: kubectl, autoscaling/v1 and /v2 over HTTP, and the Python
client's AutoscalingV1Api and AutoscalingV2Api."""

from __future__ import annotations

import json

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.integration.conftest import Cluster

pytestmark = pytest.mark.integration

NS = "autoscale"
V1 = f"/apis/autoscaling/v1/namespaces/{NS}/horizontalpodautoscalers"
V2 = f"/apis/autoscaling/v2/namespaces/{NS}/horizontalpodautoscalers"


@pytest.fixture(scope="module", autouse=True)
def namespace(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)
    cluster.kubectl("create", "deployment", "web", "-n", NS, "--image=minicube/hello:1")


def test_kubectl_autoscale_is_stored_and_listed(cluster: Cluster) -> None:
    out = cluster.kubectl("autoscale", "deployment", "web", "-n", NS, "--min=2", "--max=5",
                          "--cpu-percent=80").stdout
    assert out.strip() == "horizontalpodautoscaler.autoscaling/web autoscaled"
    rows = cluster.kubectl("get", "hpa", "-n", NS).stdout.splitlines()
    assert rows[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert rows[1].split()[:7] == ["web", "Deployment/web", "cpu:", "<unknown>/80%", "2", "5", "0"]
    v2 = cluster.api("GET", f"{V2}/web").json()
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    assert "annotations" not in v2["metadata"]
    v1 = cluster.api("GET", f"{V1}/web").json()
    assert v1["apiVersion"] == "autoscaling/v1" and v1["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2, "maxReplicas": 5, "targetCPUUtilizationPercentage": 80}
    assert v1["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    # the same table through the v1 endpoint (upstream prints both from one form)
    table = cluster.api("GET", f"{V1}/web", headers={
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}).json()
    assert table["rows"][0]["cells"][1:6] == ["Deployment/web", "cpu: <unknown>/80%", 2, 5, 0]
    # one resource in two versions: `get all` lists it once
    listed = cluster.kubectl("get", "all", "-n", NS, "-o", "name").stdout.split()
    assert listed.count("horizontalpodautoscaler.autoscaling/web") == 1


def test_v2_only_metrics_survive_a_v1_read_modify_write(cluster: Cluster) -> None:
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
           "metadata": {"name": "mixed", "namespace": NS},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "maxReplicas": 4, "metrics": [
                        {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                                  "target": {"type": "AverageValue", "averageValue": "10"}}},
                        {"type": "Resource", "resource": {"name": "cpu", "target": {
                            "type": "Utilization", "averageUtilization": 60}}}],
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 30}}}}
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(hpa))
    v1 = cluster.api("GET", f"{V1}/mixed").json()
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 60
    notes = v1["metadata"]["annotations"]
    assert json.loads(notes["autoscaling.alpha.kubernetes.io/metrics"]) == [
        {"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10"}}]
    behavior = json.loads(notes["autoscaling.alpha.kubernetes.io/behavior"])  # (defaulted)
    assert behavior["ScaleDown"] == {"StabilizationWindowSeconds": 30, "SelectPolicy": "Max",
                                     "Policies": [{"Type": "Percent", "Value": 100,
                                                   "PeriodSeconds": 15}]}
    assert behavior["ScaleUp"]["StabilizationWindowSeconds"] == 0
    v1["spec"]["maxReplicas"] = 6
    assert cluster.api("PUT", f"{V1}/mixed", json=v1).status_code == 200
    v2 = cluster.api("GET", f"{V2}/mixed").json()
    assert v2["spec"]["maxReplicas"] == 6
    assert [m["type"] for m in v2["spec"]["metrics"]] == ["Pods", "Resource"]
    assert v2["spec"]["metrics"][0]["pods"]["target"] == {"type": "AverageValue", "averageValue": "10"}
    assert v2["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 30
    assert not any(k.startswith("autoscaling.alpha") for k in v2["metadata"]["annotations"])


def test_v1_writes_are_validated_and_watched_as_v1(cluster: Cluster) -> None:
    bad = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
           "metadata": {"name": "bad"},
           "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 0}}
    r = cluster.api("POST", V1, json=bad)
    assert r.status_code == 422 and r.json()["details"]["causes"][0]["field"] == "spec.maxReplicas"
    watch = cluster.api("GET", f"{V1}?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dweb")
    event = json.loads(watch.text.splitlines()[0])
    assert event["type"] == "ADDED" and event["object"]["apiVersion"] == "autoscaling/v1"
    assert event["object"]["spec"]["targetCPUUtilizationPercentage"] == 80
    good = {**bad, "metadata": {"name": "applied"},
            "spec": {**bad["spec"], "maxReplicas": 3, "targetCPUUtilizationPercentage": 50}}
    cluster.kubectl("apply", "-n", NS, "-f", "-", input=yaml.safe_dump(good))  # validated by /openapi/v3
    assert "cpu: <unknown>/50%" in cluster.kubectl("get", "hpa", "applied", "-n", NS).stdout


def test_python_client_reads_both_versions(cluster: Cluster) -> None:
    api_client = k8s_config.new_client_from_config(config_file=str(cluster.kubeconfig))
    v1 = k8s.AutoscalingV1Api(api_client).read_namespaced_horizontal_pod_autoscaler("web", NS)
    assert v1.spec.target_cpu_utilization_percentage == 80 and v1.spec.min_replicas == 2
    v2 = k8s.AutoscalingV2Api(api_client).read_namespaced_horizontal_pod_autoscaler("web", NS)
    assert v2.spec.metrics[0].resource.target.average_utilization == 80
    listed = k8s.AutoscalingV1Api(api_client).list_namespaced_horizontal_pod_autoscaler(NS)
    assert "web" in {h.metadata.name for h in listed.items}
