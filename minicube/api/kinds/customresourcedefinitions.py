"""apiextensions.k8s.io/v1 CustomResourceDefinition, and `custom_kind`: a CRD as a `Kind`.

A CRD declares `<plural>.<group>` served at /apis/<group>/<version>/<plural>. Upstream's
essentials are enforced: names, one storage version, structural schemas, printer columns
with simple JSONPaths. `custom_kind` is pure: the apiserver calls it on every CRD write and
keeps its registry in step.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from minicube.api import crd_schema, jsonpath
from minicube.api.kinds.common import get, kind_schema, object_meta
from minicube.api.meta import (duplicate, forbidden, invalid, is_dns1123_label,
                               is_dns1123_subdomain, not_supported, required,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj, ScalePaths
from minicube.api.schema import apply_defaults, open_object, required_errors, string
from minicube.api.tables import AGE

GROUP = "apiextensions.k8s.io"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
SCOPES = ("Cluster", "Namespaced")
COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")

SCHEMA = kind_schema(spec=open_object, status=open_object)


def _versions(crd: Obj) -> list[Obj]:
    return [v for v in get(crd, "spec", "versions", default=[]) if isinstance(v, dict)]


def storage_version(crd: Obj) -> str:
    return next((v.get("name", "") for v in _versions(crd) if v.get("storage")), "")


def _validate_names(crd: Obj) -> list[Cause]:
    names = get(crd, "spec", "names", default={})
    out: list[Cause] = []
    for field in ("plural", "kind"):
        if not names.get(field):
            out.append(required(f"spec.names.{field}"))
    for field in ("plural", "singular"):
        if (value := names.get(field)) and (msg := is_dns1123_label(value)):
            out.append(invalid(f"spec.names.{field}", value, msg))
    for i, short in enumerate(names.get("shortNames") or []):
        if msg := is_dns1123_label(short):
            out.append(invalid(f"spec.names.shortNames[{i}]", short, msg))
    group, plural = get(crd, "spec", "group", default=""), names.get("plural", "")
    name = get(crd, "metadata", "name", default="")
    if plural and group and name != f"{plural}.{group}":
        out.append(invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"))
    return out


def _validate_version(v: Obj, i: int) -> list[Cause]:
    path = f"spec.versions[{i}]"
    out: list[Cause] = []
    if msg := is_dns1123_label(v.get("name") or ""):
        out.append(invalid(f"{path}.name", v.get("name"), msg))
    schema = get(v, "schema", "openAPIV3Schema")
    if schema is None:
        out.append(required(f"{path}.schema.openAPIV3Schema", "schemas are required"))
    else:
        out += crd_schema.structural_errors(schema, f"{path}.schema.openAPIV3Schema")
        if isinstance(schema, dict) and schema.get("type") != "object":
            out.append(invalid(f"{path}.schema.openAPIV3Schema.type", schema.get("type"),
                               "must be object at the root"))
    for j, col in enumerate(v.get("additionalPrinterColumns") or []):
        cpath = f"{path}.additionalPrinterColumns[{j}]"
        if not col.get("name"):
            out.append(required(f"{cpath}.name"))
        if col.get("type") not in COLUMN_TYPES:
            out.append(not_supported(f"{cpath}.type", col.get("type"), COLUMN_TYPES))
        if jsonpath.parse(col.get("jsonPath") or "") is None:
            out.append(invalid(f"{cpath}.jsonPath", col.get("jsonPath"),
                               "must be a simple json path starting with ."))
    scale = get(v, "subresources", "scale")
    if isinstance(scale, dict):
        for field in ("specReplicasPath", "statusReplicasPath"):
            if not str(scale.get(field) or "").startswith("."):
                out.append(invalid(f"{path}.subresources.scale.{field}", scale.get(field),
                                   "should be a json path starting with ."))
    return out


def _validate(crd: Obj) -> list[Cause]:
    out = validate_object_meta(crd, namespaced=False, name_validator=is_dns1123_subdomain)
    group = get(crd, "spec", "group", default="")
    if not group:
        out.append(required("spec.group"))
    elif "." not in group:
        out.append(invalid("spec.group", group, "should be a domain with at least one dot"))
    if get(crd, "spec", "scope") not in SCOPES:
        out.append(not_supported("spec.scope", get(crd, "spec", "scope"), SCOPES))
    out += _validate_names(crd)
    versions = _versions(crd)
    if not versions:
        out.append(required("spec.versions", "must have exactly one version marked as storage"))
    seen: set[str] = set()
    for i, v in enumerate(versions):
        name = str(v.get("name") or "")
        if name in seen:
            out.append(duplicate(f"spec.versions[{i}].name", name))
        seen.add(name)
        out += _validate_version(v, i)
    if versions and sum(1 for v in versions if v.get("storage")) != 1:
        out.append(invalid("spec.versions", [v.get("name") for v in versions],
                           "must have exactly one version marked as storage version"))
    if versions and not any(v.get("served") for v in versions):
        out.append(invalid("spec.versions", [v.get("name") for v in versions],
                           "must have at least one version marked as served"))
    return out


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    out = []
    if get(new, "spec", "scope") != get(old, "spec", "scope"):
        out.append(forbidden("spec.scope", "field is immutable"))
    if get(new, "spec", "group") != get(old, "spec", "group"):
        out.append(forbidden("spec.group", "field is immutable"))
    return out


def _default(crd: Obj) -> None:
    names = get(crd, "spec", "names", default=None)
    if isinstance(names, dict):
        if not names.get("singular") and names.get("kind"):
            names["singular"] = names["kind"].lower()
        if not names.get("listKind") and names.get("kind"):
            names["listKind"] = names["kind"] + "List"
    spec = crd.get("spec")
    if isinstance(spec, dict):
        spec.setdefault("conversion", {"strategy": "None"})
    meta = crd.setdefault("metadata", {})
    if CLEANUP_FINALIZER not in (meta.get("finalizers") or []) and not meta.get(
            "deletionTimestamp"):
        meta["finalizers"] = [*(meta.get("finalizers") or []), CLEANUP_FINALIZER]


CUSTOM_RESOURCE_DEFINITION = Kind(
    group=GROUP, version="v1", kind="CustomResourceDefinition",
    plural="customresourcedefinitions", namespaced=False, short_names=("crd", "crds"),
    categories=("api-extensions",), subresources=("status",),
    columns=(Column("Created At", lambda o: get(o, "metadata", "creationTimestamp"), type="date",
                    description="When the CRD was created."),),
    schema=SCHEMA, default=_default, validate=_validate, validate_update=_validate_update,
)


# --- a CRD as a Kind ---------------------------------------------------------------------------

def _root_schema(version: Obj) -> Obj:
    """The version's schema with apiVersion/kind/metadata declared as for every object."""
    root = copy.deepcopy(get(version, "schema", "openAPIV3Schema", default={}))
    root.setdefault("type", "object")
    props = root.setdefault("properties", {})
    props.update({"apiVersion": string, "kind": string, "metadata": object_meta})
    return root


def _cell(col: Obj) -> Callable[[Obj], Any]:
    path = col.get("jsonPath", "")

    def cell(obj: Obj) -> Any:
        value = jsonpath.evaluate(path, obj)
        if isinstance(value, (dict, list)):
            return json.dumps(value, separators=(",", ":"))
        return value
    return cell


def _columns(version: Obj) -> tuple[Column, ...]:
    cols = tuple(Column(c.get("name", ""), _cell(c), type=c.get("type", "string"),
                        format=c.get("format", ""), description=c.get("description", ""),
                        priority=int(c.get("priority") or 0))
                 for c in version.get("additionalPrinterColumns") or [])
    # Upstream appends AGE only when no column is itself the creation timestamp.
    if any(c.get("jsonPath") == ".metadata.creationTimestamp"
           for c in version.get("additionalPrinterColumns") or []):
        return cols
    return (*cols, AGE)


def _custom_validate(schema: Obj, namespaced: bool) -> Callable[[Obj], list[Cause]]:
    def validate(obj: Obj) -> list[Cause]:
        out = validate_object_meta(obj, namespaced=namespaced,
                                   name_validator=is_dns1123_subdomain)
        return out + required_errors(schema, obj) + crd_schema.constraint_errors(schema, obj)
    return validate


def _custom_default(schema: Obj) -> Callable[[Obj], None]:
    def default(obj: Obj) -> None:
        # Upstream's order for custom objects: drop undeclared fields, then fill defaults
        # (types were checked before, as for every kind).
        crd_schema.prune(schema, obj)
        apply_defaults(schema, obj)
    return default


_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(name: str) -> tuple[int, int, int, str]:
    """Sort key putting versions in upstream's discovery order: GA before beta before alpha,
    higher numbers first, anything not shaped like a Kubernetes version last by name."""
    m = _VERSION.match(name)
    if not m:
        return (3, 0, 0, name)
    stage = {"": 0, "beta": 1, "alpha": 2}[m.group(2) or ""]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0), name)


def _api_version_setter(api_version: str) -> Callable[[Obj], None]:
    def set_api_version(obj: Obj) -> None:
        # conversion strategy None: versions differ only in their apiVersion
        obj["apiVersion"] = api_version
    return set_api_version


def _drop_status(obj: Obj) -> None:
    # with a status subresource, status is written only there, even on create (upstream)
    obj.pop("status", None)


def _scale_paths(version: Obj) -> ScalePaths:
    scale = get(version, "subresources", "scale", default=None) or {}
    return ScalePaths(spec_replicas=scale.get("specReplicasPath", ".spec.replicas"),
                      status_replicas=scale.get("statusReplicasPath", ".status.replicas"),
                      label_selector=scale.get("labelSelectorPath", ""))


def custom_kinds(crd: Obj) -> list[Kind]:
    """One Kind per served version of a CRD (the registry keys kinds by version), the
    preferred version first."""
    names = get(crd, "spec", "names", default={})
    group = get(crd, "spec", "group", default="")
    namespaced = get(crd, "spec", "scope") == "Namespaced"
    to_storage = _api_version_setter(f"{group}/{storage_version(crd)}")
    out = []
    for v in sorted(_versions(crd), key=lambda v: version_priority(str(v.get("name")))):
        if not v.get("served"):
            continue
        schema = _root_schema(v)
        subs = tuple(s for s in ("status", "scale") if s in (v.get("subresources") or {}))
        out.append(Kind(
            group=group, version=v.get("name", ""),
            kind=names.get("kind", ""), plural=names.get("plural", ""), namespaced=namespaced,
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()), subresources=subs,
            columns=_columns(v), schema=schema, default=_custom_default(schema),
            validate=_custom_validate(schema, namespaced),
            on_create=_drop_status if "status" in subs else None,
            singular_name=names.get("singular", ""), strategic_merge=False,
            scale_paths=_scale_paths(v), to_storage=to_storage,
            from_storage=_api_version_setter(f"{group}/{v.get('name', '')}"),
        ))
    return out


def _accepted_names(crd: Obj) -> Obj:
    names = get(crd, "spec", "names", default={})
    return {k: v for k, v in names.items()
            if k in ("plural", "singular", "shortNames", "kind", "listKind", "categories")}


def _condition(old: list[Obj], type_: str, status: str, reason: str, message: str,
               now: str) -> Obj:
    """A condition that keeps its lastTransitionTime while its status stays the same."""
    prev = next((c for c in old if c.get("type") == type_), {})
    since = prev.get("lastTransitionTime", now) if prev.get("status") == status else now
    return {"type": type_, "status": status, "reason": reason, "message": message,
            "lastTransitionTime": since}


def crd_status(crd: Obj, conflict: str, now: str) -> Obj:
    """The status upstream's naming, establishing and finalizer controllers give a CRD:
    names accepted unless `conflict` says which is taken, Established once they are,
    Terminating while its objects are deleted, and every storage version ever used."""
    status = crd.get("status") or {}
    old = status.get("conditions") or []
    established = any(c.get("type") == "Established" and c.get("status") == "True" for c in old)
    if conflict:
        conds = [_condition(old, "NamesAccepted", "False", "NameConflict", conflict, now)]
        accepted = status.get("acceptedNames") or {"plural": "", "kind": ""}
    else:
        conds = [_condition(old, "NamesAccepted", "True", "NoConflicts", "no conflicts found",
                            now)]
        accepted = _accepted_names(crd)
    if not conflict or established:  # an established CRD stays established
        conds.append(_condition(old, "Established", "True", "InitialNamesAccepted",
                                "the initial names have been accepted", now))
    if get(crd, "metadata", "deletionTimestamp"):
        conds.append(_condition(old, "Terminating", "True", "InstanceDeletionInProgress",
                                "CustomResource deletion is in progress", now))
    stored = list(status.get("storedVersions") or [])
    if (version := storage_version(crd)) and version not in stored:
        stored.append(version)
    return {"conditions": conds, "acceptedNames": accepted, "storedVersions": stored}


__all__ = ["CLEANUP_FINALIZER", "CUSTOM_RESOURCE_DEFINITION", "crd_status", "custom_kinds",
           "storage_version", "version_priority"]
