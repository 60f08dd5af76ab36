"""CustomResourceDefinitions served: discovery, CRUD, printer columns, validation, defaults,
status and scale subresources, watch, versions, and deletion with the CRD — through the real
kubectl and the official Python client."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient

from minicube.api.kinds import REGISTRY
from minicube.apiserver.app import ApiServer, ApiServerConfig
from minicube.node import pki
from minicube.store.sqlite import SqliteStore
from tests.integration.conftest import Cluster

NS = "crds"
GROUP = "stable.example.com"


def crd(plural: str, kind: str, versions: tuple[str, ...] = ("v1",)) -> dict[str, Any]:
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 1},
            "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
            "replicas": {"type": "integer"}}},
        "status": {"type": "object", "properties": {
            "phase": {"type": "string"}, "replicas": {"type": "integer"},
            "selector": {"type": "string"}}}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {"group": GROUP, "scope": "Namespaced",
                 "names": {"plural": plural, "singular": kind.lower(), "kind": kind,
                           "shortNames": [plural[:2]]},
                 "versions": [{
                     "name": v, "served": True, "storage": v == versions[0],
                     "schema": {"openAPIV3Schema": schema},
                     "subresources": {"status": {}, "scale": {
                         "specReplicasPath": ".spec.replicas",
                         "statusReplicasPath": ".status.replicas",
                         "labelSelectorPath": ".status.selector"}},
                     "additionalPrinterColumns": [
                         {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                         {"name": "Color", "type": "string", "jsonPath": ".spec.color"}]}
                     for v in versions]}}


def widget(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/v1", "kind": "Widget",
            "metadata": {"name": name, "namespace": NS}, "spec": spec}


def until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.fixture(scope="module")
def widgets(cluster: Cluster) -> Cluster:
    """The Widget CRD, established, and a namespace for its objects."""
    cluster.kubectl("create", "namespace", NS)
    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd("widgets", "Widget")))
    cluster.kubectl("wait", "--for=condition=Established", f"crd/widgets.{GROUP}", "--timeout=10s")
    return cluster


@pytest.fixture(scope="module")
def api(cluster: Cluster) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(cluster.kubeconfig))


def test_a_crd_is_established_and_discovered(widgets: Cluster) -> None:
    status = json.loads(widgets.kubectl("get", "crd", f"widgets.{GROUP}", "-o", "json").stdout)["status"]
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "NamesAccepted": "True", "Established": "True"}
    assert status["acceptedNames"]["kind"] == "Widget" and status["storedVersions"] == ["v1"]
    resources = widgets.kubectl("api-resources", f"--api-group={GROUP}").stdout
    assert "widgets" in resources and " wi " in resources and "Widget" in resources
    explain = widgets.kubectl("explain", "widgets.spec").stdout
    assert "size" in explain and "integer" in explain


def test_custom_objects_are_created_listed_with_printer_columns_and_defaulted(widgets: Cluster) -> None:
    widgets.kubectl("apply", "-f", "-", input=json.dumps(widget("small", size=2)))
    table = widgets.kubectl("get", "widgets", "-n", NS).stdout.splitlines()
    assert table[0].split() == ["NAME", "SIZE", "COLOR", "AGE"]
    assert table[1].split()[:3] == ["small", "2", "red"]  # color from the schema default
    assert widgets.kubectl("get", "wi", "small", "-n", NS, "-o", "name").stdout.strip() == \
        f"widget.{GROUP}/small"
    # re-applying an edited manifest patches it (kubectl falls back to a merge patch)
    widgets.kubectl("apply", "-f", "-", input=json.dumps(widget("small", size=3, color="blue")))
    spec = json.loads(widgets.kubectl("get", "widget", "small", "-n", NS, "-o", "json").stdout)["spec"]
    assert spec == {"size": 3, "color": "blue"}


def test_invalid_custom_objects_are_refused_naming_the_field(widgets: Cluster) -> None:
    wrong_type = widgets.kubectl("apply", "-f", "-", check=False,
                                 input=json.dumps(widget("bad", size="big")))
    assert wrong_type.returncode != 0 and "spec.size" in wrong_type.stderr
    assert "Invalid value" in wrong_type.stderr
    too_small = widgets.kubectl("create", "-f", "-", check=False,
                                input=json.dumps(widget("bad", size=0)))
    assert too_small.returncode != 0
    assert "spec.size in body should be greater than or equal to 1" in too_small.stderr
    missing = widgets.kubectl("create", "-f", "-", check=False, input=json.dumps(widget("bad")))
    assert missing.returncode != 0 and "spec.size: Required value" in missing.stderr
    unknown = widgets.kubectl("create", "-f", "-", check=False,
                              input=json.dumps(widget("bad", size=1, shape="round")))
    assert unknown.returncode != 0 and 'unknown field "spec.shape"' in unknown.stderr
    assert widgets.kubectl("get", "widget", "bad", "-n", NS, check=False).returncode != 0


def test_unknown_fields_are_pruned_when_not_validated(widgets: Cluster) -> None:
    body = widget("pruned", size=1, shape="round")
    r = widgets.api("POST", f"/apis/{GROUP}/v1/namespaces/{NS}/widgets",
                    params={"fieldValidation": "Ignore"}, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["spec"] == {"size": 1, "color": "red"}


def test_status_and_scale_subresources(widgets: Cluster) -> None:
    with_status = {**widget("scaled", size=1, replicas=1), "status": {"phase": "Sneaked"}}
    widgets.kubectl("apply", "-f", "-", input=json.dumps(with_status))
    base = f"/apis/{GROUP}/v1/namespaces/{NS}/widgets/scaled"
    obj = widgets.api("GET", base).json()
    assert "status" not in obj  # not settable on create either
    obj["status"] = {"phase": "Ready", "replicas": 1, "selector": "app=scaled"}
    assert widgets.api("PUT", base, json=obj).json().get("status") is None  # main ignores status
    obj = widgets.api("GET", base).json()
    obj["status"] = {"phase": "Ready", "replicas": 1, "selector": "app=scaled"}
    r = widgets.api("PUT", base + "/status", json=obj)
    assert r.status_code == 200 and r.json()["status"]["phase"] == "Ready"
    widgets.kubectl("scale", "widget", "scaled", "-n", NS, "--replicas=4")
    scale = widgets.api("GET", base + "/scale").json()
    assert scale["spec"]["replicas"] == 4 and scale["status"] == {"replicas": 1,
                                                                  "selector": "app=scaled"}
    assert widgets.api("GET", base).json()["spec"]["replicas"] == 4


def test_strategic_merge_patch_is_refused_merge_patch_works(widgets: Cluster) -> None:
    widgets.kubectl("apply", "-f", "-", input=json.dumps(widget("patched", size=1)))
    strategic = widgets.kubectl("patch", "widget", "patched", "-n", NS, "-p", '{"spec":{"size":5}}',
                                check=False)
    assert strategic.returncode != 0
    widgets.kubectl("patch", "widget", "patched", "-n", NS, "--type=merge", "-p", '{"spec":{"size":5}}')
    widgets.kubectl("patch", "widget", "patched", "-n", NS, "--type=json",
                    "-p", '[{"op":"replace","path":"/spec/color","value":"blue"}]')
    out = widgets.kubectl("get", "widget", "patched", "-n", NS, "-o",
                          "jsonpath={.spec.size} {.spec.color}").stdout
    assert out == "5 blue"


def test_server_side_apply_of_a_custom_object(widgets: Cluster) -> None:
    manifest = json.dumps(widget("ssa", size=1))
    widgets.kubectl("apply", "--server-side", "-f", "-", input=manifest)
    obj = json.loads(widgets.kubectl("get", "widget", "ssa", "-n", NS, "-o", "json",
                                     "--show-managed-fields").stdout)
    assert obj["metadata"]["managedFields"][0]["manager"] == "kubectl"
    widgets.kubectl("patch", "widget", "ssa", "-n", NS, "--type=merge", "-p", '{"spec":{"size":2}}',
                    "--field-manager=other")
    conflict = widgets.kubectl("apply", "--server-side", "-f", "-", input=manifest, check=False)
    assert conflict.returncode != 0 and "conflict" in conflict.stderr.lower()


def test_python_client_custom_objects_and_watch(widgets: Cluster, api: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api)
    listed = custom.list_namespaced_custom_object(GROUP, "v1", NS, "widgets")
    rv = listed["metadata"]["resourceVersion"]
    custom.create_namespaced_custom_object(GROUP, "v1", NS, "widgets", widget("py", size=1))
    custom.patch_namespaced_custom_object(GROUP, "v1", NS, "widgets", "py", {"spec": {"size": 9}})
    assert custom.get_namespaced_custom_object(GROUP, "v1", NS, "widgets", "py")["spec"]["size"] == 9
    seen = []
    w = watch.Watch()
    for event in w.stream(custom.list_namespaced_custom_object, GROUP, "v1", NS, "widgets",
                          resource_version=rv, timeout_seconds=5):
        seen.append((event["type"], event["object"]["metadata"]["name"]))
        if seen[-1] == ("MODIFIED", "py"):
            w.stop()
    assert ("ADDED", "py") in seen and ("MODIFIED", "py") in seen
    custom.delete_namespaced_custom_object(GROUP, "v1", NS, "widgets", "py")
    with pytest.raises(ApiException) as missing:
        custom.get_namespaced_custom_object(GROUP, "v1", NS, "widgets", "py")
    assert missing.value.status == 404


def test_dynamic_client_finds_the_custom_kind(widgets: Cluster, api: client.ApiClient) -> None:
    dyn = DynamicClient(api)
    resource = dyn.resources.get(api_version=f"{GROUP}/v1", kind="Widget")
    resource.create(body=widget("dyn", size=4), namespace=NS)
    assert resource.get(name="dyn", namespace=NS).spec.size == 4
    assert "dyn" in {i.metadata.name for i in resource.get(namespace=NS).items}


def test_every_served_version_reads_the_same_objects(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd("gadgets", "Gadget", ("v1", "v1beta1"))))
    cluster.kubectl("wait", "--for=condition=Established", f"crd/gadgets.{GROUP}", "--timeout=10s")
    cluster.kubectl("create", "namespace", "gadgets")
    beta = {"apiVersion": f"{GROUP}/v1beta1", "kind": "Gadget",
            "metadata": {"name": "g"}, "spec": {"size": 1}}
    cluster.kubectl("apply", "-n", "gadgets", "-f", "-", input=json.dumps(beta))
    as_v1 = cluster.api("GET", f"/apis/{GROUP}/v1/namespaces/gadgets/gadgets/g").json()
    as_beta = cluster.api("GET", f"/apis/{GROUP}/v1beta1/namespaces/gadgets/gadgets/g").json()
    assert (as_v1["apiVersion"], as_beta["apiVersion"]) == (f"{GROUP}/v1", f"{GROUP}/v1beta1")
    group = cluster.api("GET", f"/apis/{GROUP}").json()
    assert group["preferredVersion"]["version"] == "v1"
    cluster.kubectl("delete", "crd", f"gadgets.{GROUP}")


def test_a_crd_taking_a_kind_in_use_is_not_accepted(widgets: Cluster) -> None:
    clash = crd("widgetses", "Widget")  # another plural, the same kind in the same group
    widgets.kubectl("apply", "-f", "-", input=json.dumps(clash))

    def names_accepted() -> dict[str, Any]:
        crd_obj = json.loads(widgets.kubectl("get", "crd", f"widgetses.{GROUP}", "-o", "json").stdout)
        return next((c for c in crd_obj.get("status", {}).get("conditions", [])
                     if c["type"] == "NamesAccepted"), {})
    condition = until(names_accepted)
    assert condition["status"] == "False" and condition["reason"] == "NameConflict"
    assert '"Widget" is already in use' in condition["message"]
    assert widgets.api("GET", f"/apis/{GROUP}/v1/widgetses").status_code == 404
    assert widgets.api("GET", f"/apis/{GROUP}/v1/widgets").json()["kind"] == "WidgetList"
    widgets.kubectl("delete", "crd", f"widgetses.{GROUP}")
    assert widgets.api("GET", f"/apis/{GROUP}/v1/widgets").json()["kind"] == "WidgetList"


def test_deleting_the_crd_deletes_its_objects(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd("doomeds", "Doomed")))
    cluster.kubectl("wait", "--for=condition=Established", f"crd/doomeds.{GROUP}", "--timeout=10s")
    cluster.kubectl("create", "namespace", "crd-cleanup")
    for name in ("a", "b"):
        obj = {"apiVersion": f"{GROUP}/v1", "kind": "Doomed", "metadata": {"name": name},
               "spec": {"size": 1}}
        cluster.kubectl("create", "-n", "crd-cleanup", "-f", "-", input=json.dumps(obj))
    cluster.kubectl("delete", "crd", f"doomeds.{GROUP}", "--timeout=20s")
    assert cluster.api("GET", f"/apis/{GROUP}/v1/namespaces/crd-cleanup/doomeds").status_code == 404
    gone = cluster.kubectl("get", "doomeds", "-A", check=False)
    assert gone.returncode != 0 and "doomeds" in gone.stderr  # (kubectl's cache may still know it)
    # created again, it starts empty
    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd("doomeds", "Doomed")))
    cluster.kubectl("wait", "--for=condition=Established", f"crd/doomeds.{GROUP}", "--timeout=10s")
    assert cluster.api("GET", f"/apis/{GROUP}/v1/doomeds").json()["items"] == []
    cluster.kubectl("delete", "crd", f"doomeds.{GROUP}")


def test_objects_holding_finalizers_keep_a_deleted_crd_terminating(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd("helds", "Held")))
    cluster.kubectl("wait", "--for=condition=Established", f"crd/helds.{GROUP}", "--timeout=10s")
    base = f"/apis/{GROUP}/v1/namespaces/default/helds"
    held = {"apiVersion": f"{GROUP}/v1", "kind": "Held", "spec": {"size": 1},
            "metadata": {"name": "held", "finalizers": ["example.com/hold"]}}
    assert cluster.api("POST", base, json=held).status_code == 201
    cluster.kubectl("delete", "crd", f"helds.{GROUP}", "--wait=false")

    def terminating() -> bool:
        conds = cluster.api("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                                   f"helds.{GROUP}").json()["status"]["conditions"]
        return any(c["type"] == "Terminating" for c in conds)
    assert until(terminating)
    refused = cluster.api("POST", base, json={**held, "metadata": {"name": "late"}})
    assert refused.status_code == 405 and "terminating" in refused.json()["message"]
    assert cluster.api("GET", base + "/held").json()["metadata"]["deletionTimestamp"]
    cluster.api("PATCH", base + "/held", json={"metadata": {"finalizers": None}},
                headers={"Content-Type": "application/merge-patch+json"})
    assert until(lambda: cluster.api("GET", f"/apis/apiextensions.k8s.io/v1/"
                                            f"customresourcedefinitions/helds.{GROUP}").status_code == 404)


def test_stored_crds_are_served_again_after_a_restart(tmp_path: Path) -> None:
    pki.ensure(tmp_path / "pki", "testnode", ["127.0.0.1"])
    settings = ApiServerConfig(pki_dir=tmp_path / "pki")
    store = SqliteStore(tmp_path / "state.db")
    first = ApiServer(store, settings)
    first.bootstrap()
    crd_kind = first.custom_resources.crd_kind
    first.objects.create(crd_kind, "", crd("widgets", "Widget"))
    first.custom_resources.reconcile(f"widgets.{GROUP}")
    kind = first.registry.get(GROUP, "v1", "widgets")
    assert kind is not None
    first.custom_resources.reconcile(f"widgets.{GROUP}")  # after its own status write
    assert first.registry.get(GROUP, "v1", "widgets") is kind  # served as it was: not rebuilt
    first.objects.create(kind, NS, widget("kept", size=1))
    second = ApiServer(store, settings)  # as after a restart of the node
    second.bootstrap()
    served = second.registry.get(GROUP, "v1", "widgets")
    assert served is not None and second.objects.get(served, NS, "kept")["spec"]["size"] == 1
    assert REGISTRY.get(GROUP, "v1", "widgets") is None  # never in the process-wide built-ins
