"""core/v1 PersistentVolume (cluster-scoped) and PersistentVolumeClaim: storage and the claims
that bind to it. The binder and provisioner controllers own `status` and the binding fields
(`pv.spec.claimRef`, `pvc.spec.volumeName`); this module is their schema, defaults,
validation and columns.
"""

from __future__ import annotations

from typing import Any, Callable

from minicube.api import quantity
from minicube.api.kinds.common import condition, get, kind_schema, object_reference, spec
from minicube.api.kinds.pod_schema import resources
from minicube.api.kinds.replication import label_selector, validate_label_selector
from minicube.api.meta import (forbidden, invalid, is_dns1123_subdomain, not_supported, required,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, map_of, obj_, open_object, string, strings, time
from minicube.api.schema import quantity as quantity_schema
from minicube.api.tables import AGE

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
_SHORT_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                "ReadWriteOncePod": "RWOP"}
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
# Added on create (StorageObjectInUseProtection); controllers/protection.py removes them.
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
VOLUME_MODES = ("Block", "Filesystem")
# Volume sources a PV may carry; minicube's kubelet mounts hostPath (and local) ones.
_PV_SOURCES = ("hostPath", "local", "nfs", "csi", "iscsi", "fc", "cephfs", "rbd", "cinder",
               "gcePersistentDisk", "awsElasticBlockStore", "azureDisk", "azureFile",
               "glusterfs", "flexVolume", "vsphereVolume", "quobyte", "photonPersistentDisk",
               "portworxVolume", "scaleIO", "storageos", "flocker")

_typed_ref = obj_({"apiGroup": string, "kind": string, "name": string, "namespace": string},
                  required=["kind", "name"])

pvc_spec = obj_({
    "accessModes": strings, "selector": label_selector, "resources": resources,
    "volumeName": string, "storageClassName": string, "volumeMode": string,
    "dataSource": _typed_ref, "dataSourceRef": _typed_ref, "volumeAttributesClassName": string,
})
pvc_status = obj_({
    "phase": string, "accessModes": strings, "capacity": map_of(quantity_schema),
    "conditions": arr(condition(lastProbeTime=time)),
    "allocatedResources": map_of(quantity_schema),
    "allocatedResourceStatuses": map_of(string), "currentVolumeAttributesClassName": string,
    "modifyVolumeStatus": open_object,
})
# A claim as it appears in a StatefulSet's volumeClaimTemplates.
pvc_template = obj_({"apiVersion": string, "kind": string, "metadata": open_object,
                     "spec": pvc_spec, "status": pvc_status})

_pv_spec_fields = {
    "capacity": map_of(quantity_schema), "accessModes": strings, "claimRef": object_reference,
    "persistentVolumeReclaimPolicy": string, "storageClassName": string,
    "mountOptions": strings, "volumeMode": string, "nodeAffinity": open_object,
    "volumeAttributesClassName": string,
    **{s: open_object for s in _PV_SOURCES},
}
_pv_spec_fields["hostPath"] = obj_({"path": string, "type": string}, required=["path"])
PV_SCHEMA = kind_schema(spec=obj_(_pv_spec_fields), status=obj_({
    "phase": string, "message": string, "reason": string, "lastPhaseTransitionTime": time}))
PVC_SCHEMA = kind_schema(spec=pvc_spec, status=pvc_status)


def short_modes(modes: list[str] | None) -> str:
    """`RWO,ROX` as upstream's printer abbreviates access modes."""
    return ",".join(_SHORT_MODES.get(m, m) for m in modes or [])


_ATTRIBUTES_CLASS = Column(
    "VolumeAttributesClass",
    lambda o: get(o, "spec", "volumeAttributesClassName", default="<unset>"),
    description="The VolumeAttributesClass (mutable parameters) asked for.")
_VOLUME_MODE = Column("VolumeMode", lambda o: get(o, "spec", "volumeMode", default="Filesystem"),
                      priority=1, description="Filesystem or Block.")


def _on_create(finalizer: str) -> Callable[[Obj], None]:
    def on_create(obj: Obj) -> None:
        """A new volume or claim starts Pending (the binder moves it on), protected from
        deletion while in use."""
        obj["status"] = {"phase": "Pending"}
        meta = obj.setdefault("metadata", {})
        finalizers = meta.get("finalizers") if isinstance(meta, dict) else ()
        if finalizers is None or isinstance(finalizers, list) and finalizer not in finalizers:
            meta["finalizers"] = [*(finalizers or []), finalizer]
    return on_create


def storage_of(resource_map: Any) -> str:
    return (resource_map or {}).get("storage", "") if isinstance(resource_map, dict) else ""


def _validate_access_modes(modes: Any, path: str) -> list[Cause]:
    if not modes:
        return [required(path)]
    out = [not_supported(path, m, ACCESS_MODES) for m in modes if m not in ACCESS_MODES]
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        out.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return out


def _validate_storage(resource_map: Any, path: str) -> list[Cause]:
    value = (resource_map or {}).get("storage")
    if value is None:
        return [required(f"{path}[storage]")]
    if not quantity.is_valid(value):
        return [invalid(f"{path}[storage]", value, "must be a valid quantity")]
    if quantity.parse(value) <= 0:
        return [invalid(f"{path}[storage]", value, "must be greater than zero")]
    return []


def _validate_mode(s: Obj, path: str) -> list[Cause]:
    mode = s.get("volumeMode")
    return [not_supported(f"{path}.volumeMode", mode, VOLUME_MODES)] if (
        mode and mode not in VOLUME_MODES) else []


# --- PersistentVolume -------------------------------------------------------------------------


def _default_pv(pv: Obj) -> None:
    s = spec(pv)
    s.setdefault("persistentVolumeReclaimPolicy", "Retain")
    s.setdefault("volumeMode", "Filesystem")
    if isinstance(s.get("hostPath"), dict):
        s["hostPath"].setdefault("type", "")


def _validate_pv(pv: Obj) -> list[Cause]:
    s = pv.get("spec") or {}
    out = validate_object_meta(pv, namespaced=False, name_validator=is_dns1123_subdomain)
    out += _validate_access_modes(s.get("accessModes"), "spec.accessModes")
    out += _validate_storage(s.get("capacity"), "spec.capacity")
    policy = s.get("persistentVolumeReclaimPolicy")
    if policy not in RECLAIM_POLICIES:
        out.append(not_supported("spec.persistentVolumeReclaimPolicy", policy,
                                 RECLAIM_POLICIES))
    sources = [src for src in _PV_SOURCES if s.get(src) is not None]
    if not sources:
        out.append(required("spec", "must specify a volume type"))
    elif len(sources) > 1:
        out.append(forbidden(f"spec.{sources[1]}", "may not specify more than 1 volume type"))
    path = get(s, "hostPath", "path")
    if s.get("hostPath") is not None and not path:
        out.append(required("spec.hostPath.path"))
    elif path and ".." in path.split("/"):
        out.append(invalid("spec.hostPath.path", path, "must not contain '..'"))
    return out + _validate_mode(s, "spec")


def _validate_pv_update(new: Obj, old: Obj) -> list[Cause]:
    out = []
    for field in ("volumeMode", *_PV_SOURCES):
        if get(new, "spec", field) != get(old, "spec", field):
            out.append(invalid(f"spec.{field}", get(new, "spec", field),
                               "field is immutable"))
    return out


def _claim(pv: Obj) -> str:
    ref = get(pv, "spec", "claimRef")
    return f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""


PERSISTENT_VOLUME = Kind(
    group="", version="v1", kind="PersistentVolume", plural="persistentvolumes",
    namespaced=False, short_names=("pv",), subresources=("status",),
    columns=(
        Column("Capacity", lambda o: storage_of(get(o, "spec", "capacity")),
               description="The volume's size."),
        Column("Access Modes", lambda o: short_modes(get(o, "spec", "accessModes")),
               description="How the volume can be mounted."),
        Column("Reclaim Policy", lambda o: get(o, "spec", "persistentVolumeReclaimPolicy",
                                               default=""),
               description="What happens to the volume when its claim is released."),
        Column("Status", lambda o: get(o, "status", "phase", default=""),
               description="Available, Bound, Released or Failed."),
        Column("Claim", _claim, description="The claim bound to this volume."),
        Column("StorageClass", lambda o: get(o, "spec", "storageClassName", default=""),
               description="The class the volume belongs to."),
        _ATTRIBUTES_CLASS,
        Column("Reason", lambda o: get(o, "status", "reason", default=""),
               description="Why the volume is in its phase."),
        AGE, _VOLUME_MODE,
    ),
    schema=PV_SCHEMA, default=_default_pv, on_create=_on_create(PV_PROTECTION),
    validate=_validate_pv, validate_update=_validate_pv_update,
)


# --- PersistentVolumeClaim --------------------------------------------------------------------


def _default_pvc(pvc: Obj) -> None:
    spec(pvc).setdefault("volumeMode", "Filesystem")


def validate_claim_spec(s: Obj, path: str = "spec") -> list[Cause]:
    out = _validate_access_modes(s.get("accessModes"), f"{path}.accessModes")
    out += _validate_storage(get(s, "resources", "requests"), f"{path}.resources")
    out += validate_label_selector(s.get("selector"), f"{path}.selector")
    return out + _validate_mode(s, path)


def _validate_pvc(pvc: Obj) -> list[Cause]:
    return (validate_object_meta(pvc, namespaced=True, name_validator=is_dns1123_subdomain)
            + validate_claim_spec(pvc.get("spec") or {}))


def _validate_pvc_update(new: Obj, old: Obj) -> list[Cause]:
    """The spec is fixed but for the requested size, and binding-time fields that were
    unset: volumeName (the binder) and storageClassName (the default class, retroactively)."""
    ns, os_ = dict(new.get("spec") or {}), dict(old.get("spec") or {})
    for s in (ns, os_):
        s["resources"] = {k: v for k, v in (s.get("resources") or {}).items() if k != "requests"}
        s.pop("volumeAttributesClassName", None)
    if not os_.get("volumeName"):
        os_["volumeName"] = ns.get("volumeName")
    if os_.get("storageClassName") is None:
        os_["storageClassName"] = ns.get("storageClassName")
    if {k: v for k, v in ns.items() if v is not None} == {k: v for k, v in os_.items()
                                                         if v is not None}:
        return []
    return [forbidden("spec", "spec is immutable after creation except resources.requests "
                              "and volumeAttributesClassName for bound claims")]


PERSISTENT_VOLUME_CLAIM = Kind(
    group="", version="v1", kind="PersistentVolumeClaim", plural="persistentvolumeclaims",
    short_names=("pvc",), subresources=("status",),
    columns=(
        Column("Status", lambda o: get(o, "status", "phase", default=""),
               description="Pending, Bound or Lost."),
        Column("Volume", lambda o: get(o, "spec", "volumeName", default=""),
               description="The volume bound to this claim."),
        Column("Capacity", lambda o: storage_of(get(o, "status", "capacity")),
               description="The bound volume's size."),
        Column("Access Modes", lambda o: short_modes(get(o, "status", "accessModes")),
               description="How the bound volume can be mounted."),
        Column("StorageClass", lambda o: get(o, "spec", "storageClassName", default=""),
               description="The class the claim asks for."),
        _ATTRIBUTES_CLASS,
        AGE, _VOLUME_MODE,
    ),
    schema=PVC_SCHEMA, default=_default_pvc, on_create=_on_create(PVC_PROTECTION),
    validate=_validate_pvc, validate_update=_validate_pvc_update,
)
