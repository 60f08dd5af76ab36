"""apps/v1 DaemonSet: one pod on every eligible node (controllers/daemonset.py)."""

from __future__ import annotations

from minicube.api import selectors
from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.kinds.pod_schema import pod_template
from minicube.api.kinds.replication import (CONTAINERS, IMAGES, SELECTOR, default_template,
                                            int_or_percent_error, label_selector, non_negative,
                                            validate_selector_and_template)
from minicube.api.meta import (immutable, invalid, is_dns1123_subdomain, not_supported,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, int32, int64, int_or_string, obj_, string
from minicube.api.tables import AGE

STRATEGIES = ("RollingUpdate", "OnDelete")

SCHEMA = kind_schema(
    spec=obj_({
        "selector": label_selector, "template": pod_template, "minReadySeconds": int32,
        "revisionHistoryLimit": int32,
        "updateStrategy": obj_({"type": string, "rollingUpdate": obj_({
            "maxUnavailable": int_or_string, "maxSurge": int_or_string})}),
    }, required=["selector", "template"]),
    status=obj_({k: int32 for k in (
        "currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
        "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount")} | {
        "observedGeneration": int64, "conditions": arr(condition())},
        required=["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                  "numberReady"]),
)


def _default(ds: Obj) -> None:
    s = spec(ds)
    s.setdefault("revisionHistoryLimit", 10)
    strategy = s.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    default_template(s)


def _on_create(ds: Obj) -> None:
    ds["status"] = {"currentNumberScheduled": 0, "numberMisscheduled": 0,
                    "desiredNumberScheduled": 0, "numberReady": 0}


def _validate(ds: Obj) -> list[Cause]:
    s = ds.get("spec") or {}
    out = validate_object_meta(ds, namespaced=True, name_validator=is_dns1123_subdomain)
    strategy = s.get("updateStrategy") or {}
    if strategy.get("type") not in STRATEGIES:
        out.append(not_supported("spec.updateStrategy.type", strategy.get("type"), STRATEGIES))
    for field in ("maxUnavailable", "maxSurge"):
        value = get(strategy, "rollingUpdate", field)
        if msg := int_or_percent_error(value):
            out.append(invalid(f"spec.updateStrategy.rollingUpdate.{field}", value, msg))
    out += non_negative(s, "minReadySeconds") + non_negative(s, "revisionHistoryLimit")
    return out + validate_selector_and_template(s)


def _count(title: str, field: str, description: str) -> Column:
    return Column(title, lambda o: get(o, "status", field, default=0), type="integer",
                  description=description)


DAEMON_SET = Kind(
    group="apps", version="v1", kind="DaemonSet", plural="daemonsets", short_names=("ds",),
    categories=("all",), subresources=("status",),
    columns=(
        _count("Desired", "desiredNumberScheduled", "Number of nodes that should run the pod."),
        _count("Current", "currentNumberScheduled", "Number of nodes running the pod."),
        _count("Ready", "numberReady", "Number of nodes whose pod is ready."),
        _count("Up-to-date", "updatedNumberScheduled", "Number of nodes with the newest pod."),
        _count("Available", "numberAvailable", "Number of nodes with an available pod."),
        Column("Node Selector", lambda o: selectors.to_string(
            {"matchLabels": get(o, "spec", "template", "spec", "nodeSelector")}) or "<none>",
            description="The template's nodeSelector."),
        AGE, CONTAINERS, IMAGES, SELECTOR),
    schema=SCHEMA, default=_default, on_create=_on_create, validate=_validate,
    validate_update=lambda new, old: immutable(get(new, "spec", "selector"),
                                               get(old, "spec", "selector"), "spec.selector"),
)
