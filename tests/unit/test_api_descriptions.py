"""Every description names a field its kind declares, and every built-in kind is described."""

from __future__ import annotations

import pytest

from minicube.api import descriptions
from minicube.api.descriptions.base import under
from minicube.api.kinds import BUILTIN
from minicube.api.registry import Kind
from minicube.api.schema import obj_, string, type_errors, unknown_fields


def _kind_id(kind: Kind) -> str:
    return f"{kind.api_version}/{kind.kind}"


@pytest.mark.parametrize("kind", BUILTIN, ids=_kind_id)
def test_every_path_names_a_declared_field(kind: Kind) -> None:
    assert kind.schema is not None
    missing = [path for path in descriptions.for_kind(kind.group, kind.version, kind.kind)
               if descriptions.field_schema(kind.schema, path) is None]
    assert missing == []


@pytest.mark.parametrize("kind", BUILTIN, ids=_kind_id)
def test_every_builtin_kind_and_its_top_level_fields_are_described(kind: Kind) -> None:
    table = descriptions.for_kind(kind.group, kind.version, kind.kind)
    assert table.get("", "").strip(), "no description of the kind itself"
    assert kind.schema is not None
    undescribed = [name for name in kind.schema["properties"] if name not in table]
    assert undescribed == []


def test_tables_cover_every_described_kind_exactly_once() -> None:
    builtin = {(k.group, k.kind) for k in BUILTIN} | {(k.group, k.version, k.kind) for k in BUILTIN}
    assert set(descriptions.DESCRIPTIONS) <= builtin


def test_field_schema_steps_through_arrays_and_maps() -> None:
    port = obj_({"name": string})
    schema = obj_({"spec": obj_({"ports": {"type": "array", "items": port},
                                 "byName": {"type": "object", "additionalProperties": port}})})
    assert descriptions.field_schema(schema, "spec.ports.name") is string
    assert descriptions.field_schema(schema, "spec.byName.name") is string
    assert descriptions.field_schema(schema, "") is schema
    assert descriptions.field_schema(schema, "spec.ports.nmae") is None
    assert descriptions.field_schema(schema, "spec.ports.name.more") is None


def test_under_reroots_a_shared_table() -> None:
    assert under("spec.template", {"": "pod", "spec": "spec"}) == {
        "spec.template": "pod", "spec.template.spec": "spec"}


def test_custom_kinds_get_the_common_fields_only() -> None:
    assert set(descriptions.for_kind("example.com", "v1", "Widget")) >= {"apiVersion", "kind", "metadata"}
    assert "spec" not in descriptions.for_kind("example.com", "v1", "Widget")


def test_descriptions_do_not_change_validation() -> None:
    # The validator ignores `description`; a property named "description" stays a field.
    schema = obj_({"description": {"type": "string", "description": "text"}}, description="x")
    assert unknown_fields(schema, {"description": "a"}) == []
    assert unknown_fields(schema, {"other": 1}) == ["other"]
    assert type_errors(schema, {"description": 1})


def _declared_paths(schema: dict, prefix: str = "") -> list[str]:
    out = []
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}.{name}" if prefix else name
        out.append(path)
        while "properties" not in sub and isinstance(
                sub.get("items") or sub.get("additionalProperties"), dict):
            sub = sub.get("items") or sub.get("additionalProperties")
        out += _declared_paths(sub, path)
    return out


@pytest.mark.parametrize("kind", BUILTIN, ids=_kind_id)
def test_every_declared_field_is_described(kind: Kind) -> None:
    # A field added to a kind's schema needs a text in minicube/api/descriptions too.
    assert kind.schema is not None
    table = descriptions.for_kind(kind.group, kind.version, kind.kind)
    assert [path for path in _declared_paths(kind.schema) if path not in table] == []
