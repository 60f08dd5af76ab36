"""storage.k8s.io/v1 StorageClass: cluster-scoped; names a provisioner for dynamic volumes.

The class annotated `storageclass.kubernetes.io/is-default-class: "true"` serves claims that
name no class; minicube boots with one, `standard`, served by its hostPath provisioner.
"""

from __future__ import annotations

from minicube.api.kinds.common import get, kind_schema
from minicube.api.meta import (forbidden, is_dns1123_subdomain, is_qualified_name, invalid,
                               not_supported, required, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, boolean, map_of, open_object, string, strings
from minicube.api.tables import AGE

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
_IMMUTABLE = ("parameters", "provisioner", "reclaimPolicy", "volumeBindingMode")

SCHEMA = kind_schema(
    provisioner=string, parameters=map_of(string), reclaimPolicy=string, mountOptions=strings,
    allowVolumeExpansion=boolean, volumeBindingMode=string, allowedTopologies=arr(open_object),
)


def is_default(sc: Obj) -> bool:
    return get(sc, "metadata", "annotations", DEFAULT_CLASS_ANNOTATION) == "true"


def standard_class() -> Obj:
    """The class every minicube cluster starts with (minikube's `standard`)."""
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard",
                         "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
                         "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"}},
            "provisioner": "minicube.io/hostpath", "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate"}


def _default(sc: Obj) -> None:
    if not sc.get("reclaimPolicy"):
        sc["reclaimPolicy"] = "Delete"
    if not sc.get("volumeBindingMode"):
        sc["volumeBindingMode"] = "Immediate"


def _validate(sc: Obj) -> list[Cause]:
    out = validate_object_meta(sc, namespaced=False, name_validator=is_dns1123_subdomain)
    provisioner = sc.get("provisioner") or ""
    if not provisioner:
        out.append(required("provisioner"))
    elif msg := is_qualified_name(provisioner.lower()):
        out.append(invalid("provisioner", provisioner, msg))
    if sc.get("reclaimPolicy") not in RECLAIM_POLICIES:
        out.append(not_supported("reclaimPolicy", sc.get("reclaimPolicy"), RECLAIM_POLICIES))
    if sc.get("volumeBindingMode") not in BINDING_MODES:
        out.append(not_supported("volumeBindingMode", sc.get("volumeBindingMode"),
                                 BINDING_MODES))
    return out


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    return [forbidden(f, f"updates to {f} are forbidden.") for f in _IMMUTABLE
            if new.get(f) != old.get(f)]


def _name(sc: Obj) -> str:
    name = get(sc, "metadata", "name", default="")
    return f"{name} (default)" if is_default(sc) else name


STORAGE_CLASS = Kind(
    group="storage.k8s.io", version="v1", kind="StorageClass", plural="storageclasses",
    namespaced=False, short_names=("sc",),
    columns=(
        Column("Name", _name, format="name", description="The class's name."),
        Column("Provisioner", lambda o: o.get("provisioner", ""),
               description="The volume plugin that provisions volumes of this class."),
        Column("ReclaimPolicy", lambda o: o.get("reclaimPolicy") or "Delete",
               description="What happens to a provisioned volume when its claim goes."),
        Column("VolumeBindingMode", lambda o: o.get("volumeBindingMode") or "Immediate",
               description="When claims are bound and provisioned."),
        Column("AllowVolumeExpansion", lambda o: bool(o.get("allowVolumeExpansion")),
               type="boolean", description="Whether claims may grow."),
        AGE,
    ),
    schema=SCHEMA, default=_default, validate=_validate, validate_update=_validate_update,
)
