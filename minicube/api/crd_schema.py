"""Structural OpenAPI v3 schemas of CustomResourceDefinitions: constraints, pruning, shape.

Upstream's order for a custom object is: prune unknown fields, apply defaults, validate.
Types, enums, required and defaults reuse `api.schema` (the checks every kind gets from its
`Kind.schema`); this module adds what only CRD schemas use. Errors are 422 causes naming the
field path as upstream does (`spec.replicas`).
"""

from __future__ import annotations

import re
from typing import Any

from minicube.api.errors import cause
from minicube.api.meta import invalid, not_supported, required
from minicube.api.registry import Cause, Obj

_TYPE_NAMES = ("array", "boolean", "integer", "number", "object", "string")


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def constraint_errors(schema: Obj, value: Any, path: str = "") -> list[Cause]:
    """pattern/length/minimum/maximum/items-count violations. Types, enums, required fields
    and defaults are the shared `api.schema` checks every kind gets from `Kind.schema`."""
    out: list[Cause] = []
    if isinstance(value, str):
        out += _string_errors(schema, value, path)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out += _number_errors(schema, value, path)
    elif isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            sub = props.get(k, extra if isinstance(extra, dict) else None)
            if sub is not None:
                out += constraint_errors(sub, v, _child(path, k))
    elif isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(too_many(path, len(value), schema["maxItems"]))
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(invalid(path, len(value),
                               f"{path} in body should have at least {schema['minItems']} items"))
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(value):
                out += constraint_errors(schema["items"], item, f"{path}[{i}]")
    return out


def too_many(path: str, n: int, limit: int) -> Cause:
    return cause(path, f"Too many: {n}: must have at most {limit} items", "FieldValueTooMany")


def _string_errors(schema: Obj, value: str, path: str) -> list[Cause]:
    out = []
    if "pattern" in schema and not re.search(schema["pattern"], value):
        out.append(invalid(path, value, f"{path} in body should match '{schema['pattern']}'"))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(invalid(path, value,
                           f"{path} in body may not be longer than {schema['maxLength']}"))
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(invalid(path, value, f"{path} in body should be at least "
                                        f"{schema['minLength']} chars long"))
    return out


def _number_errors(schema: Obj, value: float, path: str) -> list[Cause]:
    out = []
    if "minimum" in schema:
        low, excl = schema["minimum"], schema.get("exclusiveMinimum", False)
        if value < low or (excl and value == low):
            op = "greater than" if excl else "greater than or equal to"
            out.append(invalid(path, value, f"{path} in body should be {op} {low}"))
    if "maximum" in schema:
        high, excl = schema["maximum"], schema.get("exclusiveMaximum", False)
        if value > high or (excl and value == high):
            op = "less than" if excl else "less than or equal to"
            out.append(invalid(path, value, f"{path} in body should be {op} {high}"))
    return out


def prune(schema: Obj, value: Any) -> Any:
    """Drops fields the schema does not declare, in place, unless preserve-unknown-fields."""
    if isinstance(value, dict) and (schema.get("type") == "object" or "properties" in schema):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        keep = schema.get("x-kubernetes-preserve-unknown-fields") or extra is True
        for k in list(value):
            if k in props:
                prune(props[k], value[k])
            elif isinstance(extra, dict):
                prune(extra, value[k])
            elif not keep:
                del value[k]
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            prune(schema["items"], item)
    return value


def structural_errors(schema: Any, path: str) -> list[Cause]:
    """Why a CRD version schema is not structural: every node needs a type (upstream rule)."""
    if not isinstance(schema, dict):
        return [required(path)]
    out: list[Cause] = []
    if ("type" not in schema and not schema.get("x-kubernetes-int-or-string")
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        out.append(required(_child(path, "type"), "must not be empty for specified object fields"))
    elif "type" in schema and schema["type"] not in _TYPE_NAMES:
        out.append(not_supported(_child(path, "type"), schema["type"], list(_TYPE_NAMES)))
    for k, sub in (schema.get("properties") or {}).items():
        out += structural_errors(sub, f"{path}.properties[{k}]")
    if isinstance(schema.get("items"), dict):
        out += structural_errors(schema["items"], f"{path}.items")
    if isinstance(schema.get("additionalProperties"), dict):
        out += structural_errors(schema["additionalProperties"], f"{path}.additionalProperties")
    return out
