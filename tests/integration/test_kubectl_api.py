"""The real kubectl against the in-process API server: pagination, server-side apply, protobuf
bodies, deletion options and describe with events (KUBECTL-API.md §4, §6, §8, §9)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
import time
from typing import Callable

import pytest

from tests.integration.conftest import Cluster, manifest

pytestmark = pytest.mark.integration


def _configmap(name: str, namespace: str = "default", **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace}, "data": data}


@pytest.fixture(scope="module")
def paged(cluster: Cluster) -> str:
    """A namespace with five configmaps p0..p4 (p1 and p3 labelled odd=yes)."""
    cluster.kubectl("create", "namespace", "paged")
    for i in range(5):
        cm = _configmap(f"p{i}", "paged", i=str(i))
        if i % 2:
            cm["metadata"]["labels"] = {"odd": "yes"}
        cluster.kubectl("apply", "-f", "-", input=manifest(cm))
    return "paged"


def test_chunked_get_lists_every_object(cluster: Cluster, paged: str) -> None:
    result = cluster.kubectl("get", "configmaps", "-n", paged, "--chunk-size=2", "-v=6")
    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert [n for n in names if n.startswith("p")] == ["p0", "p1", "p2", "p3", "p4"]
    assert result.stderr.count("continue=") >= 2  # kubectl really followed the tokens


def test_pages_are_one_snapshot_with_remaining_count(cluster: Cluster, paged: str) -> None:
    first = cluster.api("GET", f"/api/v1/namespaces/{paged}/configmaps?limit=2").json()
    assert [o["metadata"]["name"] for o in first["items"]] == ["p0", "p1"]
    total = len(cluster.api("GET", f"/api/v1/namespaces/{paged}/configmaps").json()["items"])
    assert first["metadata"]["remainingItemCount"] == total - 2
    cluster.kubectl("delete", "configmap", "p4", "-n", paged)
    try:
        rest, token = [], first["metadata"]["continue"]
        while token:
            page = cluster.api("GET", f"/api/v1/namespaces/{paged}/configmaps",
                               params={"limit": 2, "continue": token}).json()
            assert page["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
            rest += [o["metadata"]["name"] for o in page["items"]]
            token = page["metadata"].get("continue")
        assert "p4" in rest  # deleted after the first page: still in that snapshot
    finally:
        cluster.kubectl("apply", "-f", "-", input=manifest(_configmap("p4", paged, i="4")))


def test_filtered_pages_fill_up_and_omit_remaining_count(cluster: Cluster, paged: str) -> None:
    page = cluster.api("GET", f"/api/v1/namespaces/{paged}/configmaps",
                       params={"limit": 1, "labelSelector": "odd=yes"}).json()
    assert [o["metadata"]["name"] for o in page["items"]] == ["p1"]
    assert "remainingItemCount" not in page["metadata"]
    page = cluster.api("GET", f"/api/v1/namespaces/{paged}/configmaps",
                       params={"limit": 1, "labelSelector": "odd=yes",
                               "continue": page["metadata"]["continue"]}).json()
    assert [o["metadata"]["name"] for o in page["items"]] == ["p3"]


def test_bad_list_options_are_rejected(cluster: Cluster) -> None:
    bad = cluster.api("GET", "/api/v1/configmaps", params={"continue": "garbage!"})
    assert bad.status_code == 400 and "continue key is not valid" in bad.json()["message"]
    both = cluster.api("GET", "/api/v1/configmaps", params={"continue": "x", "resourceVersion": "5"})
    assert both.status_code == 400
    match = cluster.api("GET", "/api/v1/configmaps", params={"resourceVersionMatch": "Exact"})
    assert match.status_code == 422 and "resourceVersionMatch" in match.json()["message"]
    future = cluster.api("GET", "/api/v1/configmaps", params={"resourceVersion": "999999999"})
    assert future.status_code == 504 and "Too large resource version" in future.json()["message"]


def test_exact_resource_version_lists_the_past(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(_configmap("then", a="1")))
    rv = cluster.api("GET", "/api/v1/namespaces/default/configmaps").json()["metadata"]["resourceVersion"]
    cluster.kubectl("apply", "-f", "-", input=manifest(_configmap("then", a="2")))
    past = cluster.api("GET", "/api/v1/namespaces/default/configmaps",
                       params={"resourceVersion": rv, "resourceVersionMatch": "Exact"}).json()
    assert past["metadata"]["resourceVersion"] == rv
    assert next(o for o in past["items"] if o["metadata"]["name"] == "then")["data"] == {"a": "1"}


# -- protobuf bodies (kubectl create <sub> uses client-go's typed clients) ----------------------
def test_create_namespace_configmap_secret_send_protobuf(cluster: Cluster) -> None:
    created = cluster.kubectl("create", "namespace", "proto", "-v=8")
    assert "application/vnd.kubernetes.protobuf" in created.stderr  # really protobuf
    ns = json.loads(cluster.kubectl("get", "namespace", "proto", "-o", "json").stdout)
    assert ns["status"]["phase"] == "Active" and "creationTimestamp" in ns["metadata"]
    cluster.kubectl("create", "configmap", "pcm", "-n", "proto", "--from-literal=a=1",
                    "--from-literal=b=two words")
    cm = json.loads(cluster.kubectl("get", "configmap", "pcm", "-n", "proto", "-o", "json").stdout)
    assert cm["data"] == {"a": "1", "b": "two words"} and "binaryData" not in cm
    cluster.kubectl("create", "secret", "generic", "psec", "-n", "proto", "--from-literal=pw=s3cr=t")
    secret = json.loads(cluster.kubectl("get", "secret", "psec", "-n", "proto", "-o", "json").stdout)
    assert secret["type"] == "Opaque"
    assert secret["data"] == {"pw": base64.b64encode(b"s3cr=t").decode()}


def test_create_workloads_and_services_send_protobuf(cluster: Cluster) -> None:
    cluster.kubectl("create", "deployment", "pb-web", "--image=minicube/hello:1", "--replicas=0",
                    "--port=8080")
    deploy = json.loads(cluster.kubectl("get", "deployment", "pb-web", "-o", "json").stdout)
    assert deploy["spec"]["replicas"] == 0  # a pointer field: the explicit zero survives
    assert deploy["spec"]["selector"] == {"matchLabels": {"app": "pb-web"}}
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "minicube/hello:1" and container["ports"][0]["containerPort"] == 8080
    cluster.kubectl("create", "service", "clusterip", "pb-svc", "--tcp=80:8080")
    port = json.loads(cluster.kubectl("get", "service", "pb-svc", "-o", "json").stdout)["spec"]["ports"][0]
    assert (port["port"], port["targetPort"], port["protocol"]) == (80, 8080, "TCP")
    cluster.kubectl("create", "job", "pb-job", "--image=minicube/hello:1", "--", "echo", "hi")
    job = json.loads(cluster.kubectl("get", "job", "pb-job", "-o", "json").stdout)
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["echo", "hi"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    cluster.kubectl("create", "cronjob", "pb-cron", "--image=minicube/hello:1", "--schedule=*/5 * * * *")
    cron = json.loads(cluster.kubectl("get", "cronjob", "pb-cron", "-o", "json").stdout)
    assert cron["spec"]["schedule"] == "*/5 * * * *"


def test_create_with_labels_and_dry_run_decodes_metadata(cluster: Cluster) -> None:
    out = cluster.kubectl("create", "configmap", "dry", "--from-literal=k=v", "--dry-run=server",
                          "-o", "json").stdout
    assert json.loads(out)["data"] == {"k": "v"}
    assert cluster.kubectl("get", "configmap", "dry", check=False).returncode == 1


def test_protobuf_only_accept_is_not_acceptable(cluster: Cluster) -> None:
    r = cluster.api("GET", "/api/v1/namespaces", headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert r.status_code == 406 and r.json()["reason"] == "NotAcceptable"
    r = cluster.api("GET", "/api/v1/namespaces",
                    headers={"Accept": "application/vnd.kubernetes.protobuf,application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"


# -- server-side apply ---------------------------------------------------------------------------
def _managers(cluster: Cluster, *args: str) -> dict[str, dict]:
    obj = json.loads(cluster.kubectl("get", *args, "-o", "json", "--show-managed-fields").stdout)
    return {f"{e['manager']}/{e['operation']}": e["fieldsV1"] for e in obj["metadata"]["managedFields"]}


def test_server_side_apply_creates_updates_and_removes(cluster: Cluster) -> None:
    out = cluster.kubectl("apply", "--server-side", "-f", "-",
                          input=manifest(_configmap("ssa", a="1", b="2"))).stdout
    assert "serverside-applied" in out
    owners = _managers(cluster, "configmap", "ssa")
    assert owners["kubectl/Apply"] == {"f:data": {"f:a": {}, "f:b": {}}}
    cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest(_configmap("ssa", a="3")))
    live = json.loads(cluster.kubectl("get", "configmap", "ssa", "-o", "json").stdout)
    assert live["data"] == {"a": "3"}  # b was applied before and is no longer: removed
    cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest(_configmap("ssa", a="3")))
    again = json.loads(cluster.kubectl("get", "configmap", "ssa", "-o", "json").stdout)
    assert again["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]  # a no-op


def test_server_side_apply_conflicts_until_forced(cluster: Cluster) -> None:
    cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest(_configmap("owned", a="1")))
    cluster.kubectl("patch", "configmap", "owned", "--type=merge", "-p", '{"data":{"a":"2"}}')
    owners = _managers(cluster, "configmap", "owned")
    assert owners["kubectl-patch/Update"] == {"f:data": {"f:a": {}}}
    assert "kubectl/Apply" not in owners  # the update took the only field it owned
    other = cluster.kubectl("apply", "--server-side", "--field-manager=other", "-f", "-",
                            input=manifest(_configmap("owned", a="3")), check=False)
    assert other.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.a' in other.stderr
    assert "--force-conflicts" in other.stderr
    cluster.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-",
                    input=manifest(_configmap("owned", a="3")))
    owners = _managers(cluster, "configmap", "owned")
    assert owners["other/Apply"] == {"f:data": {"f:a": {}}} and "kubectl-patch/Update" not in owners


def test_server_side_apply_of_pod_merges_containers_by_name(cluster: Cluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ssa-pod", "labels": {"a": "1"}},
           "spec": {"containers": [{"name": "app", "image": "minicube/hello:1",
                                    "ports": [{"containerPort": 8080}]}]}}
    cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest(pod))
    owners = _managers(cluster, "pod", "ssa-pod")
    containers = owners["kubectl/Apply"]["f:spec"]["f:containers"]
    item = containers['k:{"name":"app"}']
    assert item["."] == {} and 'k:{"containerPort":8080,"protocol":"TCP"}' in item["f:ports"]
    pod["metadata"]["labels"] = {"b": "2"}
    cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest(pod))
    live = json.loads(cluster.kubectl("get", "pod", "ssa-pod", "-o", "json").stdout)
    assert live["metadata"]["labels"] == {"b": "2"}
    assert live["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"  # defaults stay


def test_apply_without_field_manager_is_invalid(cluster: Cluster) -> None:
    r = cluster.api("PATCH", "/api/v1/namespaces/default/configmaps/nobody",
                    headers={"Content-Type": "application/apply-patch+yaml"},
                    data="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nobody}\n")
    assert r.status_code == 422 and "fieldManager: Required value" in r.json()["message"]
    r = cluster.api("PATCH", "/api/v1/namespaces/default/configmaps/nobody?force=true",
                    headers={"Content-Type": "application/merge-patch+json"}, data="{}")
    assert r.status_code == 422 and "force" in r.json()["message"]


def test_every_write_records_its_manager(cluster: Cluster) -> None:
    cluster.kubectl("create", "configmap", "managed", "--from-literal=x=1")
    cluster.kubectl("label", "configmap", "managed", "team=a")
    owners = _managers(cluster, "configmap", "managed")
    assert owners["kubectl-create/Update"] == {"f:data": {"f:x": {}}}
    assert owners["kubectl-label/Update"] == {"f:metadata": {"f:labels": {"f:team": {}}}}
    before = json.loads(cluster.kubectl("get", "configmap", "managed", "-o", "json").stdout)
    cluster.kubectl("label", "configmap", "managed", "team=a", "--overwrite")
    after = json.loads(cluster.kubectl("get", "configmap", "managed", "-o", "json").stdout)
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]  # no-op


# -- deletion ------------------------------------------------------------------------------------
def test_delete_wait_returns_once_finalizers_are_gone(cluster: Cluster) -> None:
    cm = _configmap("held", a="1")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    cluster.kubectl("apply", "-f", "-", input=manifest(cm))
    waiting = subprocess.Popen(
        ["kubectl", f"--kubeconfig={cluster.kubeconfig}", f"--cache-dir={cluster.cache_dir}",
         "delete", "configmap", "held", "--wait", "--timeout=30s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        marked = _wait_for(lambda: cluster.api("GET", "/api/v1/namespaces/default/configmaps/held")
                           .json()["metadata"].get("deletionTimestamp"))
        assert marked and waiting.poll() is None  # still waiting while the finalizer holds
        cluster.kubectl("patch", "configmap", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
        out, err = waiting.communicate(timeout=20)
    finally:
        waiting.kill()
    assert waiting.returncode == 0, err
    assert 'configmap "held" deleted' in out
    assert cluster.kubectl("get", "configmap", "held", check=False).returncode == 1


def test_delete_options_in_body_and_query(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(_configmap("opts", a="1")))
    uid = cluster.api("GET", "/api/v1/namespaces/default/configmaps/opts").json()["metadata"]["uid"]
    path = "/api/v1/namespaces/default/configmaps/opts"
    wrong = cluster.api("DELETE", path, json={"preconditions": {"uid": "not-" + uid}})
    assert wrong.status_code == 409 and "Precondition failed" in wrong.json()["message"]
    bad = cluster.api("DELETE", path + "?propagationPolicy=Sideways")
    assert bad.status_code == 422 and "propagationPolicy" in bad.json()["message"]
    dry = cluster.kubectl("delete", "configmap", "opts", "--dry-run=server")
    assert "(server dry run)" in dry.stdout
    assert cluster.api("GET", path).status_code == 200  # a dry run deletes nothing
    assert cluster.api("DELETE", path, json={"preconditions": {"uid": uid},
                                             "propagationPolicy": "Background"}).status_code == 200
    assert cluster.api("GET", path).status_code == 404


def test_delete_all_all_spares_other_kinds(cluster: Cluster) -> None:
    ns = "sweep"
    cluster.kubectl("create", "namespace", ns)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns},
           "spec": {"containers": [{"name": "app", "image": "minicube/hello:1"}]}}
    cluster.kubectl("apply", "-f", "-", input=manifest(pod))
    cluster.kubectl("apply", "-f", "-", input=manifest(_configmap("keep", ns, a="1")))
    out = cluster.kubectl("delete", "all", "--all", "-n", ns).stdout
    assert 'pod "p" deleted' in out
    assert "No resources found" in cluster.kubectl("get", "all", "-n", ns).stderr
    assert cluster.kubectl("get", "configmap", "keep", "-n", ns).returncode == 0


# -- describe and get ----------------------------------------------------------------------------
def test_describe_pod_shows_its_events(cluster: Cluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "described"},
           "spec": {"containers": [{"name": "app", "image": "minicube/hello:1"}]}}
    cluster.kubectl("apply", "-f", "-", input=manifest(pod))
    assert re.search(r"Events:\s+<none>", cluster.kubectl("describe", "pod", "described").stdout)
    live = cluster.api("GET", "/api/v1/namespaces/default/pods/described").json()
    for name, uid in (("described.1", live["metadata"]["uid"]), ("described.2", "another-uid")):
        event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
                 "involvedObject": {"kind": "Pod", "name": "described", "namespace": "default", "uid": uid},
                 "reason": "Pulled" if uid != "another-uid" else "Stale", "message": f"event {name}",
                 "type": "Normal", "source": {"component": "kubelet"}, "count": 1,
                 "firstTimestamp": live["metadata"]["creationTimestamp"],
                 "lastTimestamp": live["metadata"]["creationTimestamp"]}
        assert cluster.api("POST", "/api/v1/namespaces/default/events", json=event).status_code == 201
    out = cluster.kubectl("describe", "pod", "described").stdout
    events = out[out.index("Events:"):]
    assert "Pulled" in events and "event described.1" in events and "Stale" not in events
    listed = cluster.api("GET", "/api/v1/namespaces/default/events",
                         params={"fieldSelector": "involvedObject.kind=Pod,involvedObject.name=described"})
    assert sorted(e["reason"] for e in listed.json()["items"]) == ["Pulled", "Stale"]


def test_get_sort_by_custom_columns_labels_and_all_namespaces(cluster: Cluster) -> None:
    for name, value in (("zz-sort", "1"), ("aa-sort", "2")):
        cm = _configmap(name, a=value)
        cm["metadata"]["labels"] = {"sort": "yes"}
        cluster.kubectl("apply", "-f", "-", input=manifest(cm))
    sorted_out = cluster.kubectl("get", "configmaps", "-l", "sort=yes", "--sort-by=.data.a").stdout
    assert [line.split()[0] for line in sorted_out.splitlines()[1:]] == ["zz-sort", "aa-sort"]
    custom = cluster.kubectl("get", "configmaps", "-l", "sort=yes",
                             "-o", "custom-columns=NAME:.metadata.name,VALUE:.data.a").stdout
    assert custom.splitlines() == ["NAME      VALUE", "aa-sort   2", "zz-sort   1"]
    labels = cluster.kubectl("get", "configmap", "aa-sort", "--show-labels").stdout.splitlines()
    assert labels[0].split()[-1] == "LABELS" and labels[1].split()[-1] == "sort=yes"
    everywhere = cluster.kubectl("get", "configmaps", "-A", "-l", "sort=yes").stdout.splitlines()
    assert everywhere[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert {tuple(line.split()[:2]) for line in everywhere[1:]} == {("default", "aa-sort"),
                                                                    ("default", "zz-sort")}


def test_get_watch_prints_existing_then_new_rows(cluster: Cluster) -> None:
    first = _configmap("w-before", a="1")
    first["metadata"]["labels"] = {"watch-test": "yes"}
    cluster.kubectl("apply", "-f", "-", input=manifest(first))
    watching = subprocess.Popen(
        ["kubectl", f"--kubeconfig={cluster.kubeconfig}", f"--cache-dir={cluster.cache_dir}",
         "get", "configmaps", "-w", "-l", "watch-test=yes"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(watching.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        assert _wait_for(lambda: any(line.startswith("w-before") for line in lines))
        second = _configmap("w-after", a="1", b="2")
        second["metadata"]["labels"] = {"watch-test": "yes"}
        cluster.kubectl("apply", "-f", "-", input=manifest(second))
        assert _wait_for(lambda: any(line.startswith("w-after") for line in lines))
        assert watching.poll() is None  # the stream stays open
    finally:
        watching.terminate()
        watching.communicate(timeout=10)
    assert lines[0].split() == ["NAME", "DATA", "AGE"]
    assert next(line for line in lines if line.startswith("w-after")).split()[:2] == ["w-after", "2"]


def _wait_for(check: Callable[[], object], timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    return None


# -- client-side apply: kubectl's own strategic merge patches ------------------------------------
def _deployment(env: list[dict], strategy: dict, volume: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "csa"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "csa"}}, "strategy": strategy,
                     "template": {"metadata": {"labels": {"app": "csa"}}, "spec": {
                         "containers": [{"name": "app", "image": "minicube/hello:1", "env": env,
                                         "ports": [{"containerPort": 8080}]}],
                         "volumes": [{"name": "data", **volume}]}}}}


def test_client_side_apply_directives_from_real_kubectl(cluster: Cluster) -> None:
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    first = _deployment([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], rolling, {"emptyDir": {}})
    cluster.kubectl("apply", "-f", "-", input=manifest(first))
    # removes env A ($patch: delete + $setElementOrder), switches the strategy ($retainKeys)
    # and the volume source (volumes are retainKeys too)
    second = _deployment([{"name": "B", "value": "2"}], {"type": "Recreate"},
                         {"configMap": {"name": "settings"}})
    result = cluster.kubectl("apply", "-f", "-", "-v=8", input=manifest(second))
    assert "$retainKeys" in result.stderr and "$patch" in result.stderr  # the directives went out
    live = json.loads(cluster.kubectl("get", "deployment", "csa", "-o", "json").stdout)
    container = live["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "B", "value": "2"}]
    assert container["ports"][0]["containerPort"] == 8080  # untouched lists stay
    assert live["spec"]["strategy"] == {"type": "Recreate"}
    assert live["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] == "settings"
    assert "emptyDir" not in live["spec"]["template"]["spec"]["volumes"][0]


def test_client_side_apply_deletes_from_primitive_lists(cluster: Cluster) -> None:
    cm = _configmap("prims", a="1")
    cm["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    cluster.kubectl("apply", "-f", "-", input=manifest(cm))
    cm["metadata"]["finalizers"] = ["example.com/a"]
    result = cluster.kubectl("apply", "-f", "-", "-v=8", input=manifest(cm))
    assert "$deleteFromPrimitiveList/finalizers" in result.stderr
    live = json.loads(cluster.kubectl("get", "configmap", "prims", "-o", "json").stdout)
    assert live["metadata"]["finalizers"] == ["example.com/a"]
    cluster.kubectl("patch", "configmap", "prims", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')


def test_server_side_apply_takes_over_a_client_side_applied_object(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(_configmap("migrated", a="1", b="2")))
    # kubectl migrates kubectl-client-side-apply's fields to its own (a JSON patch of
    # managedFields), so changing them is no conflict; b, no longer listed, goes away
    cluster.kubectl("apply", "--server-side", "-f", "-", input=manifest(_configmap("migrated", a="3")))
    live = json.loads(cluster.kubectl("get", "configmap", "migrated", "-o", "json",
                                      "--show-managed-fields").stdout)
    assert live["data"] == {"a": "3"}
    managers = {e["manager"] for e in live["metadata"]["managedFields"]}
    assert "kubectl" in managers and "kubectl-client-side-apply" not in managers


def test_python_client_pages_and_reads_managed_fields(cluster: Cluster, paged: str) -> None:
    from kubernetes import client, config
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(cluster.kubeconfig)))
    names, token = [], None
    while True:
        page = api.list_namespaced_config_map(paged, limit=2, _continue=token)
        names += [cm.metadata.name for cm in page.items]
        assert len(page.items) <= 2
        token = page.metadata._continue
        if not token:
            break
    assert [n for n in names if n.startswith("p")] == ["p0", "p1", "p2", "p3", "p4"]
    entry = api.read_namespaced_config_map("p1", paged).metadata.managed_fields[0]
    assert entry.manager == "kubectl-client-side-apply" and entry.operation == "Update"
