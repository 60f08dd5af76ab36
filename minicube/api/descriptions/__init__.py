"""Descriptions of the built-in kinds' fields, which /openapi/v3 serves for `kubectl explain`.

Pure data: per kind (group, kind), a table of dotted field path -> text (see base.py), and
for a kind whose versions differ in shape, per (group, version, kind). The API server merges
them into copies of the kinds' schemas; validation never reads them.
"""

from __future__ import annotations

from typing import Any

from minicube.api.descriptions import (access, batch, cluster, metrics, network, pods, storage,
                                        workloads)
from minicube.api.descriptions.base import TOP_LEVEL, Descriptions

DESCRIPTIONS: dict[tuple[str, ...], Descriptions] = {
    **pods.KINDS, **workloads.KINDS, **batch.KINDS, **network.KINDS, **storage.KINDS,
    **cluster.KINDS, **access.KINDS, **metrics.KINDS,
}


def table_key(group: str, version: str, kind: str) -> tuple[str, ...] | None:
    """Where the kind's table is: by version when that version has its own, else by kind;
    None for kinds without one (custom resources)."""
    for key in ((group, version, kind), (group, kind)):
        if key in DESCRIPTIONS:
            return key
    return None


def for_kind(group: str, version: str, kind: str) -> Descriptions:
    """The kind's table; kinds without one (custom resources) get the fields every object
    has (apiVersion, kind, metadata)."""
    key = table_key(group, version, kind)
    return DESCRIPTIONS[key] if key else TOP_LEVEL


def field_schema(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The schema of the field at `path` (stepping through array items and map values, as
    `kubectl explain` does); `schema` itself for ""; None when no such field is declared."""
    node = schema
    for name in path.split(".") if path else ():
        while "properties" not in node:
            inner = node.get("items") or node.get("additionalProperties")
            if not isinstance(inner, dict):
                return None
            node = inner
        field = (node.get("properties") or {}).get(name)
        if not isinstance(field, dict):
            return None
        node = field
    return node
