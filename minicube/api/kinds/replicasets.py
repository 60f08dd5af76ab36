"""apps/v1 ReplicaSet: keeps `replicas` pods matching its selector (controllers/replicaset.py)."""

from __future__ import annotations

from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.kinds.pod_schema import pod_template
from minicube.api.kinds.replication import (CONTAINERS, IMAGES, SELECTOR, default_template,
                                            label_selector, non_negative,
                                            validate_selector_and_template)
from minicube.api.meta import immutable, is_dns1123_subdomain, validate_object_meta
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, int32, int64, obj_
from minicube.api.tables import AGE

SCHEMA = kind_schema(
    spec=obj_({"replicas": int32, "minReadySeconds": int32, "selector": label_selector,
               "template": pod_template}, required=["selector"]),
    status=obj_({"replicas": int32, "fullyLabeledReplicas": int32, "readyReplicas": int32,
                 "availableReplicas": int32, "terminatingReplicas": int32,
                 "observedGeneration": int64, "conditions": arr(condition())},
                required=["replicas"]),
)


def _default(rs: Obj) -> None:
    s = spec(rs)
    if s.get("replicas") is None:
        s["replicas"] = 1
    default_template(s)


def _on_create(rs: Obj) -> None:
    rs["status"] = {"replicas": 0}


def _validate(rs: Obj) -> list[Cause]:
    s = rs.get("spec") or {}
    return (validate_object_meta(rs, namespaced=True, name_validator=is_dns1123_subdomain)
            + non_negative(s, "replicas") + non_negative(s, "minReadySeconds")
            + validate_selector_and_template(s))


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    return immutable(get(new, "spec", "selector"), get(old, "spec", "selector"), "spec.selector")


REPLICA_SET = Kind(
    group="apps", version="v1", kind="ReplicaSet", plural="replicasets", short_names=("rs",),
    categories=("all",), subresources=("status", "scale"),
    columns=(Column("Desired", lambda o: get(o, "spec", "replicas", default=0), type="integer",
                    description="Number of desired pods."),
             Column("Current", lambda o: get(o, "status", "replicas", default=0), type="integer",
                    description="Number of actually running pods."),
             Column("Ready", lambda o: get(o, "status", "readyReplicas", default=0),
                    type="integer", description="Number of ready pods."),
             AGE, CONTAINERS, IMAGES, SELECTOR),
    schema=SCHEMA, default=_default, on_create=_on_create, validate=_validate,
    validate_update=_validate_update,
)
