"""A small /openapi/v3, generated from the kind registry.

kubectl apply/create/replace download it to learn that the server validates fields itself
(`fieldValidation`); with it they send `fieldValidation=Strict` and validate nothing locally.
Strategic merge patch is deliberately not listed: kubectl then computes it from its built-in
types, which is right for built-in kinds (see KUBECTL-API.md §3).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from minicube.api.registry import Kind, Registry

V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
# Strategic merge patch is left out on purpose: listed without schemas it makes kubectl apply
# warn; left out, kubectl computes SMPs from its built-in types (KUBECTL-API.md §3).
_PATCH_BODIES = {"application/apply-patch+yaml": {}, "application/merge-patch+json": {},
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


def group_version_document(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    kinds = [k for k in registry if k.group == group and k.version == version]
    if not kinds:
        return None
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
        schema = dict(kind.schema or {"type": "object", "x-kubernetes-preserve-unknown-fields": True})
        schema["x-kubernetes-group-version-kind"] = [gvk]
        schemas[_schema_name(kind)] = schema
    return {"openapi": "3.0.0", "info": {"title": "minicube", "version": "v1.32.0"},
            "paths": paths, "components": {"schemas": schemas}}


def root_document(registry: Registry) -> dict[str, Any]:
    paths = {}
    for group, versions in registry.group_versions().items():
        for version in versions:
            doc = group_version_document(registry, group, version)
            digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
