"""The real kubectl against the in-process API server: what a user sees."""

from __future__ import annotations

import json
import threading

import pytest
import requests

from tests.integration.conftest import Cluster, manifest

pytestmark = pytest.mark.integration


def _configmap(name: str, **data: str) -> str:
    return manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})


def _pod(name: str, **container: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "minicube/hello:1", **container}]}}


def test_version_reports_kubernetes_1_32(cluster: Cluster) -> None:
    out = cluster.kubectl("version", "-o", "json").stdout
    assert json.loads(out)["serverVersion"]["minor"] == "32"


def test_system_namespaces_exist_and_are_active(cluster: Cluster) -> None:
    out = cluster.kubectl("get", "namespaces").stdout
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert any(line.split()[:2] == [ns, "Active"] for line in out.splitlines())


def test_apply_configmap_then_reapply_edited(cluster: Cluster) -> None:
    assert "created" in cluster.kubectl("apply", "-f", "-", input=_configmap("cfg", a="1")).stdout
    assert "unchanged" in cluster.kubectl("apply", "-f", "-", input=_configmap("cfg", a="1")).stdout
    assert "configured" in cluster.kubectl("apply", "-f", "-", input=_configmap("cfg", b="2")).stdout
    data = json.loads(cluster.kubectl("get", "configmap", "cfg", "-o", "json").stdout)["data"]
    assert data == {"b": "2"}


def test_pod_table_has_upstream_columns(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(_pod("table-pod")))
    lines = cluster.kubectl("get", "pods").stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    row = next(line.split() for line in lines if line.startswith("table-pod "))
    assert row[1:4] == ["0/1", "Pending", "0"]
    wide = cluster.kubectl("get", "pods", "-o", "wide").stdout.splitlines()[0]
    assert "NOMINATED NODE" in wide and "IP" in wide.split()


def test_jsonpath_reads_defaults(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(_pod("defaults-pod")))
    out = cluster.kubectl("get", "pod", "defaults-pod", "-o",
                          "jsonpath={.spec.restartPolicy} {.spec.containers[0].imagePullPolicy}").stdout
    assert out == "Always IfNotPresent"


def test_get_missing_pod_says_not_found(cluster: Cluster) -> None:
    result = cluster.kubectl("get", "pod", "nope", check=False)
    assert result.returncode == 1
    assert 'Error from server (NotFound): pods "nope" not found' in result.stderr


def test_debug_adds_an_ephemeral_container_and_only_adding_is_allowed(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(_pod("debug-pod")))
    out = cluster.kubectl("debug", "debug-pod", "--image=minicube/hello:1", "--profile=general",
                          "--target=app")
    assert "Defaulting debug container name to debugger-" in out.stdout + out.stderr
    pod = json.loads(cluster.kubectl("get", "pod", "debug-pod", "-o", "json").stdout)
    (debugger,) = pod["spec"]["ephemeralContainers"]
    assert debugger["targetContainerName"] == "app" and debugger["image"] == "minicube/hello:1"
    path = "/api/v1/namespaces/default/pods/debug-pod/ephemeralcontainers"
    assert cluster.api("GET", path).json()["kind"] == "Pod"
    removed = {"spec": {"ephemeralContainers": []}}
    r = cluster.api("PATCH", path, json=removed, headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 422 and "may not be removed" in r.json()["message"]
    serving = {"spec": {"ephemeralContainers": [debugger, {
        "name": "web", "image": "minicube/hello:1", "ports": [{"containerPort": 80}]}]}}
    r = cluster.api("PATCH", path, json=serving, headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 422
    assert "spec.ephemeralContainers[1].ports: Forbidden" in r.json()["message"]
    r = cluster.api("PATCH", "/api/v1/namespaces/default/pods/debug-pod", json={
        "spec": {"ephemeralContainers": [{**debugger, "image": "other:1"}]}},
        headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 422  # nor may an update of the pod itself change them


def test_create_existing_says_already_exists(cluster: Cluster) -> None:
    cluster.kubectl("create", "-f", "-", input=_configmap("twice"))
    result = cluster.kubectl("create", "-f", "-", input=_configmap("twice"), check=False)
    assert 'Error from server (AlreadyExists)' in result.stderr and 'configmaps "twice" already exists' in result.stderr


@pytest.mark.parametrize("pod, expected", [
    (_pod("Bad_Name"), 'metadata.name: Invalid value: "Bad_Name"'),
    ({**_pod("no-image"), "spec": {"containers": [{"name": "app"}]}}, "spec.containers[0].image: Required value"),
    (_pod("bad-port", ports=[{"containerPort": "eighty"}]), "spec.containers[0].ports[0].containerPort"),
])
def test_invalid_pods_are_rejected_naming_the_field(cluster: Cluster, pod: dict, expected: str) -> None:
    result = cluster.kubectl("apply", "-f", "-", input=manifest(pod), check=False)
    assert result.returncode == 1 and expected in result.stderr, result.stderr
    assert pod["metadata"]["name"] not in cluster.kubectl("get", "pods", "-o", "name").stdout


def test_unknown_field_is_rejected_by_strict_validation(cluster: Cluster) -> None:
    pod = _pod("typo-pod", imagePullPolicyy="Never")
    result = cluster.kubectl("apply", "-f", "-", input=manifest(pod), check=False)
    assert result.returncode == 1 and 'unknown field "spec.containers[0].imagePullPolicyy"' in result.stderr


def test_unknown_kind_is_named(cluster: Cluster) -> None:
    doc = manifest({"apiVersion": "v1", "kind": "Gadget", "metadata": {"name": "g"}})
    result = cluster.kubectl("apply", "-f", "-", input=doc, check=False)
    assert result.returncode == 1 and 'no matches for kind "Gadget"' in result.stderr


def test_delete_removes_the_object(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=_configmap("gone"))
    assert 'configmap "gone" deleted' in cluster.kubectl("delete", "-f", "-", input=_configmap("gone")).stdout
    assert cluster.kubectl("get", "configmap", "gone", check=False).returncode == 1


def test_secret_string_data_is_stored_as_data(cluster: Cluster) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"token": "hunter2"}}
    cluster.kubectl("apply", "-f", "-", input=manifest(secret))
    cluster.kubectl("apply", "-f", "-", input=_configmap("pair"))
    out = cluster.kubectl("get", "secret", "s", "-o", "jsonpath={.type} {.data.token}").stdout
    assert out == "Opaque aHVudGVyMg=="
    both = cluster.kubectl("get", "configmap,secret").stdout
    assert "secret/s" in both and "configmap/pair" in both


def test_https_without_client_certificate_is_unauthorized(cluster: Cluster) -> None:
    response = requests.get(cluster.https_url + "/api/v1/pods", verify=str(cluster.pki_dir / "ca.crt"), timeout=5)
    assert response.status_code == 401 and response.json()["reason"] == "Unauthorized"
    assert requests.get(cluster.https_url + "/readyz", verify=str(cluster.pki_dir / "ca.crt"), timeout=5).ok


def test_update_with_stale_resource_version_conflicts(cluster: Cluster) -> None:
    cm = cluster.api("POST", "/api/v1/namespaces/default/configmaps",
                     json={"metadata": {"name": "rv"}, "data": {"a": "1"}}).json()
    cluster.api("PUT", "/api/v1/namespaces/default/configmaps/rv", json={**cm, "data": {"a": "2"}}).raise_for_status()
    stale = cluster.api("PUT", "/api/v1/namespaces/default/configmaps/rv", json={**cm, "data": {"a": "3"}})
    assert stale.status_code == 409 and stale.json()["reason"] == "Conflict"


def test_malformed_body_is_a_bad_request(cluster: Cluster) -> None:
    response = cluster.api("POST", "/api/v1/namespaces/default/configmaps", data=b"{not json")
    assert response.status_code == 400 and response.json()["kind"] == "Status"


def test_watch_streams_changes_after_a_resource_version(cluster: Cluster) -> None:
    listed = cluster.api("GET", "/api/v1/namespaces/default/configmaps").json()
    rv = listed["metadata"]["resourceVersion"]
    events: list[dict] = []

    def read() -> None:
        with requests.get(cluster.http_url + "/api/v1/namespaces/default/configmaps",
                          params={"watch": "true", "resourceVersion": rv, "timeoutSeconds": "5"},
                          stream=True, timeout=10) as r:
            for line in r.iter_lines():
                events.append(json.loads(line))
                if len(events) == 2:
                    return
    reader = threading.Thread(target=read)
    reader.start()
    cluster.api("POST", "/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "w1"}})
    cluster.api("DELETE", "/api/v1/namespaces/default/configmaps/w1")
    reader.join(timeout=10)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "w1"), ("DELETED", "w1")]


def test_filtered_watch_sees_objects_enter_and_leave_its_selector(cluster: Cluster) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    rv = cluster.api("GET", path).json()["metadata"]["resourceVersion"]
    cluster.api("POST", path, json={"metadata": {"name": "tr", "labels": {"tier": "db"}}})
    for tier in ("web", "db"):
        cluster.api("PATCH", f"{path}/tr", json={"metadata": {"labels": {"tier": tier}}},
                    headers={"Content-Type": "application/merge-patch+json"})
    with requests.get(cluster.http_url + path, stream=True, timeout=10, params={
            "watch": "true", "resourceVersion": rv, "labelSelector": "tier=web", "timeoutSeconds": "2"}) as r:
        events = [json.loads(line) for line in r.iter_lines()]
    cluster.api("DELETE", f"{path}/tr")
    assert [e["type"] for e in events] == ["ADDED", "DELETED"]


def test_label_selector_filters_lists(cluster: Cluster) -> None:
    for name, tier in (("sel-a", "web"), ("sel-b", "db")):
        cluster.api("POST", "/api/v1/namespaces/default/configmaps",
                    json={"metadata": {"name": name, "labels": {"tier": tier}}})
    out = cluster.kubectl("get", "configmaps", "-l", "tier in (web)", "-o", "name").stdout.split()
    assert out == ["configmap/sel-a"]


def test_create_in_missing_namespace_is_not_found(cluster: Cluster) -> None:
    result = cluster.kubectl("create", "-n", "nowhere", "-f", "-", input=_configmap("x"), check=False)
    assert 'namespaces "nowhere" not found' in result.stderr


def test_python_client_reads_namespaces(cluster: Cluster) -> None:
    from kubernetes import client, config
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(cluster.kubeconfig)))
    names = {ns.metadata.name for ns in api.list_namespace().items}
    assert {"default", "kube-system"} <= names
