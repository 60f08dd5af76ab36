"""apps/v1 Deployment: declarative rollouts of ReplicaSets (controllers/deployment.py)."""

from __future__ import annotations

from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.kinds.pod_schema import pod_template
from minicube.api.kinds.replication import (CONTAINERS, IMAGES, SELECTOR, default_template,
                                            int_or_percent_error, label_selector, non_negative,
                                            validate_selector_and_template)
from minicube.api.meta import (forbidden, immutable, invalid, is_dns1123_subdomain,
                               not_supported, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, boolean, int32, int64, int_or_string, obj_, string, time
from minicube.api.tables import AGE

STRATEGIES = ("Recreate", "RollingUpdate")

SCHEMA = kind_schema(
    spec=obj_({
        "replicas": int32, "selector": label_selector, "template": pod_template,
        "strategy": obj_({"type": string, "rollingUpdate": obj_({
            "maxUnavailable": int_or_string, "maxSurge": int_or_string})}),
        "minReadySeconds": int32, "revisionHistoryLimit": int32, "paused": boolean,
        "progressDeadlineSeconds": int32,
    }, required=["selector", "template"]),
    status=obj_({
        "observedGeneration": int64, "replicas": int32, "updatedReplicas": int32,
        "readyReplicas": int32, "availableReplicas": int32, "unavailableReplicas": int32,
        "terminatingReplicas": int32, "conditions": arr(condition(lastUpdateTime=time)),
        "collisionCount": int32,
    }),
)


def _default(d: Obj) -> None:
    """SetDefaults_Deployment (apps/v1) plus the template's pod-spec defaults."""
    s = spec(d)
    for field, value in (("replicas", 1), ("revisionHistoryLimit", 10),
                         ("progressDeadlineSeconds", 600)):
        if s.get(field) is None:
            s[field] = value
    strategy = s.get("strategy")
    if not isinstance(strategy, dict):
        strategy = s["strategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        for field in ("maxUnavailable", "maxSurge"):
            if rolling.get(field) is None:
                rolling[field] = "25%"
    default_template(s)


def _validate_int_or_percent(value: object, path: str) -> list[Cause]:
    if msg := int_or_percent_error(value):
        return [invalid(path, value, msg)]
    if isinstance(value, int) and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


def _validate_strategy(strategy: Obj, path: str = "spec.strategy") -> list[Cause]:
    kind, rolling = strategy.get("type"), strategy.get("rollingUpdate")
    if kind == "Recreate":
        return [forbidden(f"{path}.rollingUpdate",
                          "may not be specified when strategy `type` is 'Recreate'")] if rolling else []
    if kind != "RollingUpdate":
        return [not_supported(f"{path}.type", kind, STRATEGIES)]
    rolling = rolling or {}
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    p = f"{path}.rollingUpdate"
    out = (_validate_int_or_percent(unavailable, f"{p}.maxUnavailable")
           + _validate_int_or_percent(surge, f"{p}.maxSurge"))
    if out:
        return out
    if unavailable in (0, "0%") and surge in (0, "0%"):
        out.append(invalid(f"{p}.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0"))
    if isinstance(unavailable, str) and int(unavailable.rstrip("%")) > 100:
        out.append(invalid(f"{p}.maxUnavailable", unavailable, "must not be greater than 100%"))
    return out


def _validate(d: Obj) -> list[Cause]:
    s = d.get("spec") or {}
    out = validate_object_meta(d, namespaced=True, name_validator=is_dns1123_subdomain)
    for field in ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
        out += non_negative(s, field)
    out += validate_selector_and_template(s)
    out += _validate_strategy(s.get("strategy") or {})
    deadline = s.get("progressDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= (s.get("minReadySeconds") or 0):
        out.append(invalid("spec.progressDeadlineSeconds", deadline,
                           "must be greater than minReadySeconds"))
    return out


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    return immutable(get(new, "spec", "selector"), get(old, "spec", "selector"), "spec.selector")


def _ready(d: Obj) -> str:
    return f"{get(d, 'status', 'readyReplicas', default=0)}/{get(d, 'spec', 'replicas', default=0)}"


DEPLOYMENT = Kind(
    group="apps", version="v1", kind="Deployment", plural="deployments", short_names=("deploy",),
    categories=("all",), subresources=("status", "scale"),
    columns=(Column("Ready", _ready, description="Number of the pod with ready state"),
             Column("Up-to-date", lambda d: get(d, "status", "updatedReplicas", default=0),
                    type="integer", description="Total number of non-terminated pods targeted "
                    "by this deployment that have the desired template spec."),
             Column("Available", lambda d: get(d, "status", "availableReplicas", default=0),
                    type="integer", description="Total number of available pods (ready for at "
                    "least minReadySeconds) targeted by this deployment."),
             AGE, CONTAINERS, IMAGES, SELECTOR),
    schema=SCHEMA, default=_default, validate=_validate, validate_update=_validate_update,
)
