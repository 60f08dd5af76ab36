"""Deployment API pieces without controllers: the scale subresource, deletion finalizers
and a namespace that stays Terminating until it is finalized."""

from __future__ import annotations

from tests.integration.conftest import Cluster

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api-web"},
          "spec": {"selector": {"matchLabels": {"app": "api-web"}},
                   "template": {"metadata": {"labels": {"app": "api-web"}},
                                "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"


def test_scale_subresource_reads_and_writes_replicas(cluster: Cluster) -> None:
    cluster.api("POST", DEPLOYS, json=DEPLOY).raise_for_status()
    cluster.kubectl("scale", "deploy/api-web", "--replicas=4")
    scale = cluster.api("GET", f"{DEPLOYS}/api-web/scale").json()
    assert scale["apiVersion"] == "autoscaling/v1" and scale["spec"]["replicas"] == 4
    assert scale["status"]["selector"] == "app=api-web"
    bad = cluster.api("PUT", f"{DEPLOYS}/api-web/scale", json={**scale, "spec": {"replicas": -1}})
    assert bad.status_code == 422 and "spec.replicas" in bad.json()["message"]


def test_orphan_propagation_leaves_a_finalizer_for_the_collector(cluster: Cluster) -> None:
    cluster.api("POST", DEPLOYS, json={**DEPLOY, "metadata": {"name": "orphaned"}}).raise_for_status()
    cluster.api("DELETE", f"{DEPLOYS}/orphaned", json={"propagationPolicy": "Orphan"}).raise_for_status()
    md = cluster.api("GET", f"{DEPLOYS}/orphaned").json()["metadata"]
    assert md["finalizers"] == ["orphan"] and md["deletionTimestamp"]


def test_a_deleted_namespace_terminates_refuses_content_and_goes_once_finalized(
        cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", "doomed")
    cluster.kubectl("delete", "namespace", "doomed", "--wait=false")
    ns = cluster.api("GET", "/api/v1/namespaces/doomed").json()
    assert ns["status"]["phase"] == "Terminating" and ns["spec"]["finalizers"] == ["kubernetes"]
    refused = cluster.kubectl("create", "configmap", "x", "-n", "doomed", check=False)
    assert "unable to create new content in namespace doomed because it is being terminated" \
        in refused.stderr
    cluster.api("PUT", "/api/v1/namespaces/doomed/finalize",
                json={**ns, "spec": {"finalizers": []}}).raise_for_status()
    assert cluster.api("GET", "/api/v1/namespaces/doomed").status_code == 404
