"""`kubectl explain` against our /openapi/v3: headers, descriptions, field lists with types,
--recursive, and custom resources (their own texts win, metadata gets the common one)."""

from __future__ import annotations

import json

from minicube.api.descriptions import for_kind
from tests.integration.conftest import Cluster

DEPLOYMENT = for_kind("apps", "v1", "Deployment")
POD = for_kind("", "v1", "Pod")


def _flat(text: str) -> str:
    """kubectl wraps descriptions at 76-80 columns: compare with whitespace collapsed."""
    return " ".join(text.split())


def _field(out: str, name: str) -> str:
    """The `name <type>` line and its (flattened) description from a FIELDS list."""
    block = out.split(f"\n  {name}\t", 1)[1].split("\n\n", 1)[0]
    first, _, rest = block.partition("\n")
    return f"{name} {first} | {_flat(rest)}"


def test_a_field_shows_its_description_and_its_fields_with_types(cluster: Cluster) -> None:
    out = cluster.kubectl("explain", "deployment.spec.strategy").stdout
    assert out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n")
    assert "FIELD: strategy <Object>" in out
    description = out.split("DESCRIPTION:\n", 1)[1].split("FIELDS:", 1)[0]
    assert _flat(description) == _flat(DEPLOYMENT["spec.strategy"])
    assert _field(out, "type") == (
        f"type <string> | {_flat(DEPLOYMENT['spec.strategy.type'])}")
    assert _field(out, "rollingUpdate") == (
        f"rollingUpdate <Object> | {_flat(DEPLOYMENT['spec.strategy.rollingUpdate'])}")


def test_a_kind_shows_its_description(cluster: Cluster) -> None:
    out = cluster.kubectl("explain", "pods").stdout
    assert out.startswith("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n")  # no GROUP: core
    assert _flat(POD[""]) in _flat(out)
    assert _field(out, "spec") == f"spec <Object> | {_flat(POD['spec'])}"
    assert "<no description>" not in out and "<empty>" not in out


def test_int_or_string_and_quantity_fields_are_named_as_upstream_does(cluster: Cluster) -> None:
    ports = cluster.kubectl("explain", "svc.spec.ports").stdout
    assert "  targetPort\t<IntOrString>\n" in ports
    assert "  port\t<integer> -required-\n" in ports
    resources = cluster.kubectl("explain", "pod.spec.containers.resources").stdout
    assert "  limits\t<map[string]Quantity>\n" in resources
    surge = cluster.kubectl("explain", "deploy.spec.strategy.rollingUpdate.maxSurge").stdout
    assert "FIELD: maxSurge <IntOrString>" in surge
    assert "25%" in surge


def test_sub_schemas_shared_by_the_declaration_get_their_own_texts(cluster: Cluster) -> None:
    # One probe schema serves all three probes, one container schema every container list.
    liveness = cluster.kubectl("explain", "pod.spec.containers.livenessProbe").stdout
    readiness = cluster.kubectl("explain", "pod.spec.containers.readinessProbe").stdout
    assert "restarts" in _flat(liveness) and "restarts" not in _flat(readiness)
    init = cluster.kubectl("explain", "sts.spec.template.spec.initContainers").stdout
    assert "in order" in _flat(init)


def test_recursive_lists_nested_fields_without_descriptions(cluster: Cluster) -> None:
    out = cluster.kubectl("explain", "cronjob.spec", "--recursive").stdout
    assert "\n  schedule\t<string> -required-\n" in out
    assert "\n  jobTemplate\t<Object> -required-\n    metadata\t<Object>\n" in out
    assert "\n          containers\t<[]Object> -required-\n" in out  # ...template.spec
    body = out.split("FIELDS:\n", 1)[1]
    assert "Cron expression" not in body


def test_custom_resources_keep_their_own_descriptions(cluster: Cluster) -> None:
    schema = {"type": "object", "description": "A gadget of ours.", "properties": {
        "spec": {"type": "object", "description": "What the gadget should do.",
                 "properties": {"speed": {"type": "integer", "description": "Turns a second."}}},
        "metadata": {"type": "object"}}}
    cluster.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.explain.example.com"},
        "spec": {"group": "explain.example.com", "scope": "Namespaced",
                 "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": schema}}]}}))
    try:
        cluster.kubectl("wait", "--for=condition=Established", "crd/gadgets.explain.example.com",
                        "--timeout=10s")
        out = cluster.kubectl("explain", "gadgets").stdout
        assert out.startswith("GROUP:      explain.example.com\nKIND:       Gadget\n")
        assert "A gadget of ours." in out
        assert _field(out, "spec") == "spec <Object> | What the gadget should do."
        metadata = for_kind("", "v1", "Pod")["metadata"]
        assert _field(out, "metadata") == f"metadata <Object> | {_flat(metadata)}"
        speed = cluster.kubectl("explain", "gadgets.spec.speed").stdout
        assert "FIELD: speed <integer>" in speed and "Turns a second." in speed
    finally:
        cluster.kubectl("delete", "crd", "gadgets.explain.example.com", "--wait=false")


def test_the_document_is_stable_between_requests(cluster: Cluster) -> None:
    root = cluster.api("GET", "/openapi/v3").json()
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    first, second = cluster.api("GET", url), cluster.api("GET", url)
    assert first.content == second.content
    assert cluster.api("GET", "/openapi/v3").json() == root
    schemas = first.json()["components"]["schemas"]
    deployment = schemas["io.minicube.apps.v1.Deployment"]
    assert deployment["description"] == DEPLOYMENT[""]
    surge = deployment["properties"]["spec"]["properties"]["strategy"]["properties"][
        "rollingUpdate"]["properties"]["maxSurge"]
    ref = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    assert surge["allOf"] == [{"$ref": f"#/components/schemas/{ref}"}]
    assert "type" not in schemas[ref]  # kubectl names a $ref's type only when it has none
