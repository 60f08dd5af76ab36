"""CRD validation, CRD -> Kind, structural constraints, pruning and printer-column paths."""

from __future__ import annotations

import copy

import pytest

from minicube.api import crd_schema, jsonpath
from minicube.api.kinds.customresourcedefinitions import (CLEANUP_FINALIZER,
                                                          CUSTOM_RESOURCE_DEFINITION,
                                                          crd_status, custom_kinds,
                                                          storage_version, version_priority)
from minicube.api.schema import apply_defaults, type_errors

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wg"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "subresources": {"status": {}},
            "additionalPrinterColumns": [
                {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                {"name": "App", "type": "string",
                 "jsonPath": ".metadata.labels['app.kubernetes.io/name']"}],
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "blue"],
                                  "default": "red"},
                        "name": {"type": "string", "pattern": "^[a-z]+$"},
                        "port": {"x-kubernetes-int-or-string": True},
                        "extra": {"type": "object",
                                  "x-kubernetes-preserve-unknown-fields": True}}},
                    "status": {"type": "object", "properties": {
                        "ready": {"type": "boolean"}}}}}},
        }],
    },
}


def crd(**spec_changes: object) -> dict:
    out = copy.deepcopy(CRD)
    out["spec"].update(spec_changes)
    return out


def admit(crd_obj: dict) -> list:
    CUSTOM_RESOURCE_DEFINITION.default(crd_obj)
    return CUSTOM_RESOURCE_DEFINITION.validate(crd_obj)


def fields(causes: list) -> set[str]:
    return {c["field"] for c in causes}


def test_valid_crd_is_defaulted_with_names_and_cleanup_finalizer() -> None:
    obj = crd()
    assert admit(obj) == []
    assert obj["spec"]["names"]["singular"] == "widget"
    assert obj["spec"]["names"]["listKind"] == "WidgetList"
    assert CLEANUP_FINALIZER in obj["metadata"]["finalizers"]
    assert storage_version(obj) == "v1"


def test_name_must_be_plural_dot_group() -> None:
    obj = crd()
    obj["metadata"]["name"] = "gadgets.example.com"
    assert "metadata.name" in fields(admit(obj))


@pytest.mark.parametrize("change,field", [
    ({"group": "nodots"}, "spec.group"),
    ({"scope": "Global"}, "spec.scope"),
    ({"names": {"plural": "Widgets", "kind": "Widget"}}, "spec.names.plural"),
    ({"names": {"plural": "widgets"}}, "spec.names.kind"),
])
def test_bad_spec_fields_are_named(change: dict, field: str) -> None:
    obj = crd(**change)
    if "group" in change:
        obj["metadata"]["name"] = f"widgets.{change['group']}"
    assert field in fields(admit(obj))


def test_exactly_one_storage_version() -> None:
    obj = crd()
    second = copy.deepcopy(obj["spec"]["versions"][0])
    second["name"] = "v2"
    obj["spec"]["versions"].append(second)
    assert "spec.versions" in fields(admit(obj))
    second["storage"] = False
    assert admit(obj) == []


def test_schema_required_and_structural() -> None:
    obj = crd()
    del obj["spec"]["versions"][0]["schema"]
    assert "spec.versions[0].schema.openAPIV3Schema" in fields(admit(obj))
    obj = crd()
    obj["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "properties"]["size"] = {"minimum": 1}
    assert ("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type"
            in fields(admit(obj)))


def test_printer_column_needs_a_simple_json_path_and_known_type() -> None:
    obj = crd()
    obj["spec"]["versions"][0]["additionalPrinterColumns"] = [
        {"name": "X", "type": "float", "jsonPath": "spec.size"}]
    assert fields(admit(obj)) == {"spec.versions[0].additionalPrinterColumns[0].type",
                                  "spec.versions[0].additionalPrinterColumns[0].jsonPath"}


def test_scope_and_group_are_immutable() -> None:
    old, new = crd(), crd(scope="Cluster")
    assert fields(CUSTOM_RESOURCE_DEFINITION.validate_update(new, old)) == {"spec.scope"}


def test_custom_kind_from_crd() -> None:
    (kind,) = custom_kinds(crd())
    assert (kind.group, kind.version, kind.kind, kind.plural) == ("example.com", "v1", "Widget",
                                                                   "widgets")
    assert kind.namespaced and kind.short_names == ("wg",) and kind.subresources == ("status",)
    assert [c.name for c in kind.columns] == ["Size", "App", "Age"]
    obj = {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "shop"}},
           "spec": {"size": 3}}
    assert [c.cell(obj) for c in kind.columns[:2]] == [3, "shop"]


def test_unserved_versions_are_not_kinds() -> None:
    obj = crd()
    obj["spec"]["versions"][0]["served"] = False
    assert custom_kinds(obj) == []


def test_custom_object_admission_types_defaults_constraints_and_pruning() -> None:
    (kind,) = custom_kinds(crd())
    obj = {"apiVersion": "example.com/v1", "kind": "Widget",
           "metadata": {"name": "a", "namespace": "default"},
           "spec": {"size": 11, "name": "Bad", "port": "http", "junk": 1,
                    "extra": {"anything": {"goes": True}}},
           "top": "dropped"}
    assert kind.schema and kind.default and type_errors(kind.schema, obj) == []
    kind.default(obj)
    assert obj["spec"]["color"] == "red"
    assert "junk" not in obj["spec"] and "top" not in obj
    assert obj["spec"]["extra"] == {"anything": {"goes": True}}
    assert fields(kind.validate(obj)) == {"spec.size", "spec.name"}
    del obj["spec"]["size"]
    assert "spec.size" in fields(kind.validate(obj))  # required


def test_wrong_type_names_the_field() -> None:
    (kind,) = custom_kinds(crd())
    obj = {"metadata": {"name": "a"}, "spec": {"size": "three", "port": 1.5}}
    assert kind.schema
    assert fields(type_errors(kind.schema, obj)) == {"spec.size", "spec.port"}


def test_constraints() -> None:
    schema = {"type": "object", "properties": {
        "n": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
        "s": {"type": "string", "minLength": 2, "maxLength": 3},
        "l": {"type": "array", "maxItems": 1, "items": {"type": "integer", "maximum": 5}}}}
    assert crd_schema.constraint_errors(schema, {"n": 1, "s": "ab", "l": [5]}) == []
    causes = crd_schema.constraint_errors(schema, {"n": 0, "s": "abcd", "l": [6, 1]})
    assert fields(causes) == {"n", "s", "l", "l[0]"}


def test_prune_keeps_declared_and_preserved_fields() -> None:
    schema = {"type": "object", "properties": {
        "m": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "a": {"type": "string"}}}},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "k": {"type": "string"}}}}}}
    value = {"m": {"x": {"a": "1", "b": "2"}}, "items": [{"k": "v", "z": 1}], "gone": 1}
    assert crd_schema.prune(schema, value) == {"m": {"x": {"a": "1"}}, "items": [{"k": "v"}]}


def test_jsonpath_subset() -> None:
    obj = {"a": {"b": [{"c": 1}]}, "m": {"x.y/z": "v"}}
    assert jsonpath.evaluate(".a.b[0].c", obj) == 1
    assert jsonpath.evaluate("{.m['x.y/z']}", obj) == "v"
    assert jsonpath.evaluate(".a.missing", obj) is None
    assert jsonpath.parse("a.b") is None and jsonpath.parse(".a[?(@.x)]") is None


def test_status_accepts_names_and_establishes_the_crd() -> None:
    status = crd_status(CRD, "", "2026-01-01T00:00:00Z")
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "NamesAccepted": "True", "Established": "True"}
    assert status["acceptedNames"]["plural"] == "widgets"
    assert status["storedVersions"] == ["v1"]
    # a later reconcile keeps the transition times
    again = crd_status({**CRD, "status": status}, "", "2027-01-01T00:00:00Z")
    assert again == status


def test_status_reports_a_name_conflict_and_termination() -> None:
    status = crd_status(CRD, '"widgets" is already in use', "2026-01-01T00:00:00Z")
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("NamesAccepted", "False", "NameConflict")]
    deleting = copy.deepcopy(CRD)
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    conds = crd_status(deleting, "", "2026-01-01T00:00:00Z")["conditions"]
    assert ("Terminating", "True") in [(c["type"], c["status"]) for c in conds]


def test_versions_in_discovery_priority_order() -> None:
    names = ["v1alpha1", "v2", "v1beta2", "foo", "v1", "v1beta1", "v10"]
    assert sorted(names, key=version_priority) == [
        "v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]


def test_versions_share_storage_and_convert_the_api_version() -> None:
    crd = copy.deepcopy(CRD)
    beta = copy.deepcopy(crd["spec"]["versions"][0])
    beta.update(name="v1beta1", storage=False)
    crd["spec"]["versions"].insert(0, beta)
    preferred, older = custom_kinds(crd)
    assert (preferred.version, older.version) == ("v1", "v1beta1")
    obj = {"apiVersion": "example.com/v1beta1", "kind": "Widget"}
    assert older.to_storage and older.from_storage
    older.to_storage(obj)
    assert obj["apiVersion"] == "example.com/v1"
    older.from_storage(obj)
    assert obj["apiVersion"] == "example.com/v1beta1"
    assert not older.strategic_merge and older.singular == "widget"
