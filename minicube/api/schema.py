"""A validator for the OpenAPI v3 subset that kinds declare in `Kind.schema`.

Supported keywords: type (object, array, string, integer, number, boolean), properties,
items, additionalProperties, required, default, nullable, format (int32, int64, quantity,
date-time), enum, x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields.
JSON `null` is treated as absent (the built-in decoder and CRD pruning both drop it).

The builders at the bottom keep kind declarations short:
`obj_({"name": string, "ports": arr(obj_({"containerPort": int32}))}, required=["name"])`.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

from minicube.api.errors import cause
from minicube.api.meta import required as required_cause
from minicube.api.meta import show
from minicube.api.registry import Cause, Obj

Schema = dict[str, Any]

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null" if v is None else type(v).__name__


def _is_int(v: Any) -> bool:
    # Unstructured JSON numbers are floats upstream too: 3.0 is an integer, 3.5 is not.
    return (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and v.is_integer())


def _type_ok(schema: Schema, v: Any) -> bool:
    if schema.get("x-kubernetes-int-or-string"):
        # Quantities also accept JSON numbers (`cpu: 0.5`), as resource.Quantity decodes them.
        numeric = isinstance(v, (int, float)) if schema.get("format") == "quantity" else _is_int(v)
        return isinstance(v, str) or (numeric and not isinstance(v, bool))
    t = schema.get("type")
    if t is None:
        return True
    if t == "integer":
        return _is_int(v)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return _json_type(v) == t


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(schema: Schema, obj: Any, path: str = "") -> Iterator[tuple[Schema, Any, str]]:
    """Every (schema, value, path) pair where the value's type matches its schema, outside
    preserve-unknown-fields subtrees' unknown keys; null values are skipped."""
    if obj is None or not _type_ok(schema, obj):
        yield schema, obj, path
        return
    yield schema, obj, path
    if isinstance(obj, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for k, v in obj.items():
            sub = props.get(k, extra if isinstance(extra, dict) else None)
            if sub is not None:
                yield from _walk(sub, v, _child(path, k))
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(obj):
            yield from _walk(schema["items"], v, f"{path}[{i}]")


def type_errors(schema: Schema, obj: Obj) -> list[Cause]:
    """Values of the wrong JSON type (or out of an integer format's range, or not in an enum)."""
    out: list[Cause] = []
    for sub, v, path in _walk(schema, obj):
        if v is None:
            continue
        where = path or "body"
        if not _type_ok(sub, v):
            want = "integer or string" if sub.get("x-kubernetes-int-or-string") else sub["type"]
            out.append(cause(path, f"Invalid value: {show(v)}: {where} in body must be of type "
                                   f"{want}: \"{_json_type(v)}\"", "FieldValueTypeInvalid"))
        elif _is_int(v) and sub.get("format") in ("int32", "int64"):
            lo, hi = _INT32 if sub["format"] == "int32" else _INT64
            if not lo <= v <= hi:
                out.append(cause(path, f"Invalid value: {show(v)}: {where} in body must be of "
                                       f"type {sub['format']}: \"{v}\"", "FieldValueTypeInvalid"))
        elif "enum" in sub and v not in sub["enum"]:
            values = ", ".join(show(e) for e in sub["enum"])
            out.append(cause(path, f"Unsupported value: {show(v)}: supported values: {values}",
                             "FieldValueNotSupported"))
    return out


def unknown_fields(schema: Schema, obj: Obj) -> list[str]:
    """Dotted paths of fields no schema declares (for fieldValidation=Strict)."""
    out: list[str] = []
    for sub, v, path in _walk(schema, obj):
        if (isinstance(v, dict) and "properties" in sub and "additionalProperties" not in sub
                and not sub.get("x-kubernetes-preserve-unknown-fields")):
            out += [_child(path, k) for k in v if k not in sub["properties"]]
    return out


def required_errors(schema: Schema, obj: Obj) -> list[Cause]:
    """`<path>: Required value` for each missing required property of a present object."""
    out: list[Cause] = []
    for sub, v, path in _walk(schema, obj):
        if isinstance(v, dict) and _type_ok(sub, v):
            out += [required_cause(_child(path, k)) for k in sub.get("required", ())
                    if v.get(k) is None]
    return out


def apply_defaults(schema: Schema, obj: Any) -> Any:
    """Fill `default:` values for absent (or null, unless nullable) properties, in place;
    returns obj. Defaults apply top-down, so a defaulted object gets its own defaults too."""
    if isinstance(obj, dict) and _type_ok(schema, obj):
        props = schema.get("properties") or {}
        for k, sub in props.items():
            if "default" in sub and obj.get(k) is None and not (k in obj and sub.get("nullable")):
                obj[k] = copy.deepcopy(sub["default"])
        extra = schema.get("additionalProperties")
        for k, v in obj.items():
            sub = props.get(k, extra if isinstance(extra, dict) else None)
            if sub is not None:
                apply_defaults(sub, v)
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for v in obj:
            apply_defaults(schema["items"], v)
    return obj


# --- builders ---------------------------------------------------------------------------------

string: Schema = {"type": "string"}
integer: Schema = {"type": "integer"}
int32: Schema = {"type": "integer", "format": "int32"}
int64: Schema = {"type": "integer", "format": "int64"}
number: Schema = {"type": "number"}
boolean: Schema = {"type": "boolean"}
time: Schema = {"type": "string", "format": "date-time"}
int_or_string: Schema = {"x-kubernetes-int-or-string": True}
quantity: Schema = {"x-kubernetes-int-or-string": True, "format": "quantity"}
open_object: Schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
strings: Schema = {"type": "array", "items": string}


def obj_(props: dict[str, Schema], required: list[str] | tuple[str, ...] = (),
         **extra: Any) -> Schema:
    """A closed object: only `props` are known."""
    out: Schema = {"type": "object", "properties": props, **extra}
    if required:
        out["required"] = list(required)
    return out


def arr(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def map_of(values: Schema) -> Schema:
    return {"type": "object", "additionalProperties": values}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def with_default(schema: Schema, value: Any) -> Schema:
    return {**schema, "default": value}
