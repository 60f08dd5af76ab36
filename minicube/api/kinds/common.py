"""Schema pieces every kind shares (ObjectMeta, references, conditions) and small helpers."""

from __future__ import annotations

from typing import Any

from minicube.api.schema import (Schema, arr, boolean, int64, map_of, obj_, open_object, string,
                                 strings, time)

owner_reference = obj_({
    "apiVersion": string, "kind": string, "name": string, "uid": string,
    "controller": boolean, "blockOwnerDeletion": boolean,
}, required=["apiVersion", "kind", "name", "uid"])

object_meta = obj_({
    "name": string, "generateName": string, "namespace": string, "selfLink": string,
    "uid": string, "resourceVersion": string, "generation": int64,
    "creationTimestamp": time, "deletionTimestamp": time, "deletionGracePeriodSeconds": int64,
    "labels": map_of(string), "annotations": map_of(string),
    "ownerReferences": arr(owner_reference), "finalizers": strings,
    "managedFields": arr(obj_({
        "manager": string, "operation": string, "apiVersion": string, "time": time,
        "fieldsType": string, "fieldsV1": open_object, "subresource": string,
    })),
})

object_reference = obj_({
    "kind": string, "namespace": string, "name": string, "uid": string, "apiVersion": string,
    "resourceVersion": string, "fieldPath": string,
})

local_object_reference = obj_({"name": string})


def condition(**extra: Schema) -> Schema:
    """A status condition: type, status, reason, message, lastTransitionTime (+ extras)."""
    return obj_({"type": string, "status": string, "reason": string, "message": string,
                 "lastTransitionTime": time, **extra}, required=["type", "status"])


def kind_schema(**fields: Schema) -> Schema:
    """A whole object: apiVersion, kind, metadata, plus the kind's own top-level fields."""
    return obj_({"apiVersion": string, "kind": string, "metadata": object_meta, **fields})


def get(obj: Any, *path: str | int, default: Any = None) -> Any:
    """obj[path0][path1]...; default when any step is missing or null."""
    for step in path:
        try:
            obj = obj[step]
        except (KeyError, IndexError, TypeError):
            return default
        if obj is None:
            return default
    return obj


def spec(obj: dict[str, Any]) -> dict[str, Any]:
    """obj["spec"], created if missing (for defaulting in place)."""
    out = obj.get("spec")
    if not isinstance(out, dict):
        out = obj["spec"] = {}
    return out
