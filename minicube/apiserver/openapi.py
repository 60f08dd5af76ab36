"""A small /openapi/v3, generated from the kind registry.

kubectl apply/create/replace download it to learn that the server validates fields itself
(`fieldValidation`); with it they send `fieldValidation=Strict` and validate nothing locally.
Strategic merge patch is deliberately not listed: kubectl then computes it from its built-in
types, which is right for built-in kinds (see KUBECTL-API.md §3).

`kubectl explain` reads the same documents: the path's x-kubernetes-group-version-kind gives
its GROUP/KIND/VERSION header, and each schema's and property's `description` its texts. Those
come from api/descriptions, merged into copies of the kinds' schemas. A document is built once
per group-version and kept until that group-version's kinds change (custom resources).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from minicube.api import descriptions
from minicube.api.registry import Kind, Registry

V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
# Strategic merge patch is left out on purpose: listed without schemas it makes kubectl apply
# warn; left out, kubectl computes SMPs from its built-in types (KUBECTL-API.md §3).
_PATCH_BODIES: dict[str, dict[str, Any]] = {
    "application/apply-patch+yaml": {}, "application/merge-patch+json": {},
    "application/json-patch+json": {}}


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _schema_name(kind: Kind) -> str:
    return f"io.minicube.{kind.group or 'core'}.{kind.version}.{kind.kind}"


def _item_path(kind: Kind) -> str:
    base = "/" + _gv_path(kind.group, kind.version)
    if kind.namespaced:
        base += "/namespaces/{namespace}"
    return f"{base}/{kind.plural}/{{name}}"


# Built-in kinds' int-or-string and quantity fields point at these, as upstream's do: kubectl
# explain then shows their type as <IntOrString> / <Quantity> (it prints a $ref's last name
# segment when the referenced schema has no `type`).
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_NAMED_TYPES = {_INT_OR_STRING: {"x-kubernetes-int-or-string": True, "format": "int-or-string"},
                _QUANTITY: {"x-kubernetes-int-or-string": True, "format": "quantity"}}


def _named(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (modified in place) with every int-or-string field made a reference."""
    if schema.get("x-kubernetes-int-or-string"):
        name = _QUANTITY if schema.get("format") == "quantity" else _INT_OR_STRING
        kept = {k: v for k, v in schema.items() if k in ("description", "default")}
        return {"allOf": [{"$ref": f"#/components/schemas/{name}"}], **kept}
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            schema[key] = _named(schema[key])
    for name, sub in (schema.get("properties") or {}).items():
        schema["properties"][name] = _named(sub)
    return schema


def _described_schema(kind: Kind) -> dict[str, Any]:
    """A private copy of the kind's schema with its descriptions added. The JSON round
    trip un-shares sub-schemas the declaration reuses (one probe schema serves three probes),
    so each field gets its own text."""
    if not kind.schema:
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    schema: dict[str, Any] = json.loads(json.dumps(kind.schema))
    for path, text in descriptions.for_kind(kind.group, kind.version, kind.kind).items():
        node = descriptions.field_schema(schema, path)
        if node is not None:
            node.setdefault("description", text)  # a custom resource's own texts win
    built_in = descriptions.table_key(kind.group, kind.version, kind.kind) is not None
    return _named(schema) if built_in else schema


def _build(kinds: list[Kind]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for kind in kinds:
        gvk = {"group": kind.group, "version": kind.version, "kind": kind.kind}
        paths[_item_path(kind)] = {"patch": {
            "x-kubernetes-group-version-kind": gvk,
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                           {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                           {"name": "fieldManager", "in": "query", "schema": {"type": "string"}}],
            "requestBody": {"content": dict(_PATCH_BODIES)},
            "responses": {"200": {"description": "OK"}},
        }}
        schema = _described_schema(kind)
        schema["x-kubernetes-group-version-kind"] = [gvk]
        schemas[_schema_name(kind)] = schema
    schemas.update(_NAMED_TYPES)
    return {"openapi": "3.0.0", "info": {"title": "minicube", "version": "v1.32.0"},
            "paths": paths, "components": {"schemas": schemas}}


# (group, version) -> (the kinds it was built from, document, digest). Kinds are compared by
# identity: a custom kind that changes is a new Kind object, so its document is rebuilt.
_cache: dict[tuple[str, str], tuple[tuple[Kind, ...], dict[str, Any], str]] = {}


def _document(registry: Registry, group: str, version: str) -> tuple[dict[str, Any], str] | None:
    kinds = tuple(k for k in registry if k.group == group and k.version == version)
    if not kinds:
        return None
    cached = _cache.get((group, version))
    if cached and len(cached[0]) == len(kinds) and all(a is b for a, b in zip(cached[0], kinds)):
        return cached[1], cached[2]
    doc = _build(list(kinds))
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
    _cache[(group, version)] = (kinds, doc, digest)
    return doc, digest


def group_version_document(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """The document for one group-version; shared between requests, so never mutate it."""
    found = _document(registry, group, version)
    return found[0] if found else None


def root_document(registry: Registry) -> dict[str, Any]:
    paths = {}
    for group, versions in registry.group_versions().items():
        for version in versions:
            found = _document(registry, group, version)
            if found:
                path = _gv_path(group, version)
                paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={found[1]}"}
    return {"paths": paths}
