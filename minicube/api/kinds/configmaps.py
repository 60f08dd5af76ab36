"""core/v1 ConfigMap: string data plus base64 binaryData; `immutable: true` freezes both."""

from __future__ import annotations

import base64
import binascii

from minicube.api.kinds.common import kind_schema
from minicube.api.meta import (forbidden, invalid, is_config_map_key, is_dns1123_subdomain,
                               too_long, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import boolean, map_of, string
from minicube.api.tables import AGE

MAX_SIZE = 1024 * 1024  # ConfigMaps and Secrets share etcd's 1 MiB object budget

SCHEMA = kind_schema(data=map_of(string), binaryData=map_of(string), immutable=boolean)


def validate_keys(data: dict[str, str] | None, field: str) -> list[Cause]:
    return [invalid(f"{field}[{k}]", k, msg) for k in (data or {})
            if (msg := is_config_map_key(k))]


def validate_base64(data: dict[str, str] | None, field: str) -> list[Cause]:
    """Values that are not standard base64 (upstream rejects them while decoding)."""
    out = []
    for k, v in (data or {}).items():
        try:
            base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError, TypeError) as e:
            out.append(invalid(f"{field}[{k}]", "<value omitted>",
                               f"illegal base64 data: {e}"))
    return out


def validate_immutable(new: Obj, old: Obj, fields: tuple[str, ...]) -> list[Cause]:
    """Once `immutable: true`, the flag and the data fields can no longer change."""
    if not old.get("immutable"):
        return []
    out = [] if new.get("immutable") else [
        forbidden("immutable", "field is immutable when `immutable` is set")]
    return out + [forbidden(f, "field is immutable when `immutable` is set") for f in fields
                  if (new.get(f) or {}) != (old.get(f) or {})]


def _validate(cm: Obj) -> list[Cause]:
    data, binary = cm.get("data") or {}, cm.get("binaryData") or {}
    out = validate_object_meta(cm, namespaced=True, name_validator=is_dns1123_subdomain)
    out += validate_keys(data, "data") + validate_keys(binary, "binaryData")
    out += [invalid(f"data[{k}]", k, "duplicate of key present in binaryData")
            for k in data if k in binary]
    out += validate_base64(binary, "binaryData")
    size = sum(len(v) for v in data.values()) + sum(len(v) * 3 // 4 for v in binary.values())
    if size > MAX_SIZE:
        out.append(too_long("", MAX_SIZE))
    return out


CONFIG_MAP = Kind(
    group="", version="v1", kind="ConfigMap", plural="configmaps", short_names=("cm",),
    columns=(Column("Data", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                    description="Number of keys in data and binaryData."), AGE),
    schema=SCHEMA, validate=_validate,
    validate_update=lambda new, old: validate_immutable(new, old, ("data", "binaryData")),
)
