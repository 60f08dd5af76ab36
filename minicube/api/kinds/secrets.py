"""core/v1 Secret: base64 data; stringData is folded into data on write and never stored."""

from __future__ import annotations

import base64

from minicube.api.kinds.common import kind_schema
from minicube.api.kinds.configmaps import (MAX_SIZE, validate_base64, validate_immutable,
                                           validate_keys)
from minicube.api.meta import (immutable, is_dns1123_subdomain, required, too_long,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import boolean, map_of, string
from minicube.api.tables import AGE

SCHEMA = kind_schema(data=map_of(string), stringData=map_of(string), type=string,
                     immutable=boolean)

# Keys each built-in Secret type must carry in data (ValidateSecret).
REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _default(secret: Obj) -> None:
    if not secret.get("type"):
        secret["type"] = "Opaque"
    if string_data := secret.pop("stringData", None):
        data = secret.get("data") or {}
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        secret["data"] = data


def _validate(secret: Obj) -> list[Cause]:
    data, type_ = secret.get("data") or {}, secret.get("type") or "Opaque"
    out = validate_object_meta(secret, namespaced=True, name_validator=is_dns1123_subdomain)
    out += validate_keys(data, "data") + validate_base64(data, "data")
    if sum(len(v) * 3 // 4 for v in data.values()) > MAX_SIZE:
        out.append(too_long("data", MAX_SIZE))
    out += [required(f"data[{k}]") for k in REQUIRED_KEYS.get(type_, ()) if k not in data]
    if type_ == "kubernetes.io/basic-auth" and "username" not in data and "password" not in data:
        out += [required("data[username]"), required("data[password]")]
    annotations = (secret.get("metadata") or {}).get("annotations") or {}
    if (type_ == "kubernetes.io/service-account-token"
            and not annotations.get("kubernetes.io/service-account.name")):
        out.append(required("metadata.annotations[kubernetes.io/service-account.name]"))
    return out


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    return (immutable(new.get("type") or "Opaque", old.get("type") or "Opaque", "type")
            + validate_immutable(new, old, ("data",)))


SECRET = Kind(
    group="", version="v1", kind="Secret", plural="secrets",
    columns=(Column("Type", lambda s: s.get("type", ""), description="The secret's type."),
             Column("Data", lambda s: len(s.get("data") or {}),
                    description="Number of keys in data."), AGE),
    schema=SCHEMA, default=_default, validate=_validate, validate_update=_validate_update,
    selectable_fields=lambda s: {"type": s.get("type", "")},
)
