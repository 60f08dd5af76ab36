"""Kinds charts carry that the cluster mostly stores: LimitRange,
ResourceQuota, PriorityClass, Lease, HorizontalPodAutoscaler (autoscaling/v2, stored, and
autoscaling/v1 converted from and to it) and PodDisruptionBudget.

They apply, list, describe and round-trip exactly; nothing enforces quotas or limits and
nothing evicts (the README says so). HorizontalPodAutoscalers are acted on by
controllers/horizontalpodautoscaler.py.
"""

from __future__ import annotations

import copy
from typing import Any

from minicube.api.kinds.common import condition, get, kind_schema
from minicube.api.kinds.hpa_behavior_defaults import scaling_rules
from minicube.api.kinds.hpa_conversion import to_v1, to_v2
from minicube.api.kinds.replication import label_selector
from minicube.api.meta import (invalid, is_dns1123_subdomain, not_supported, required,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import (arr, boolean, int32, int64, int_or_string, map_of, obj_,
                                 open_object, quantity, string, time)
from minicube.api.tables import AGE


def _meta(obj: Obj, *, namespaced: bool = True) -> list[Cause]:
    return validate_object_meta(obj, namespaced=namespaced, name_validator=is_dns1123_subdomain)


def _join(values: Any) -> str:
    return ", ".join(f"{k}: {v}" for k, v in (values or {}).items())


LIMIT_RANGE = Kind(
    group="", version="v1", kind="LimitRange", plural="limitranges", short_names=("limits",),
    schema=kind_schema(spec=obj_({"limits": arr(obj_({
        "type": string, "max": map_of(quantity), "min": map_of(quantity), "default": map_of(quantity),
        "defaultRequest": map_of(quantity), "maxLimitRequestRatio": map_of(quantity)}, required=["type"]))})),
    validate=_meta,
)

RESOURCE_QUOTA = Kind(
    group="", version="v1", kind="ResourceQuota", plural="resourcequotas", short_names=("quota",),
    subresources=("status",),
    columns=(AGE,
             Column("Request", lambda q: _join({k: f"{get(q, 'status', 'used', k, default=0)}/{v}"
                                                for k, v in (get(q, "spec", "hard") or {}).items()
                                                if not k.startswith("limits.")}),
                    description="Used/hard requests."),
             Column("Limit", lambda q: _join({k: f"{get(q, 'status', 'used', k, default=0)}/{v}"
                                              for k, v in (get(q, "spec", "hard") or {}).items()
                                              if k.startswith("limits.")}),
                    description="Used/hard limits.")),
    schema=kind_schema(spec=obj_({"hard": map_of(quantity), "scopes": arr(string),
                                  "scopeSelector": open_object}),
                       status=obj_({"hard": map_of(quantity), "used": map_of(quantity)})),
    validate=_meta,
)


def _validate_priority_class(pc: Obj) -> list[Cause]:
    out = _meta(pc, namespaced=False)
    if pc.get("value") is None:
        out.append(required("value"))
    policy = pc.get("preemptionPolicy")
    if policy not in (None, "PreemptLowerPriority", "Never"):
        out.append(not_supported("preemptionPolicy", policy, ["Never", "PreemptLowerPriority"]))
    return out


def _default_priority_class(pc: Obj) -> None:
    pc.setdefault("preemptionPolicy", "PreemptLowerPriority")


PRIORITY_CLASS = Kind(
    group="scheduling.k8s.io", version="v1", kind="PriorityClass", plural="priorityclasses",
    namespaced=False, short_names=("pc",),
    columns=(Column("Value", lambda pc: pc.get("value"), type="integer",
                    description="The priority of pods of this class."),
             Column("Global-Default", lambda pc: bool(pc.get("globalDefault")), type="boolean",
                    description="Whether pods with no class get this one."),
             AGE,
             Column("PreemptionPolicy", lambda pc: pc.get("preemptionPolicy", ""),
                    description="Whether pods of this class preempt others.")),
    schema=kind_schema(value=int32, globalDefault=boolean, description=string,
                       preemptionPolicy=string),
    default=_default_priority_class, validate=_validate_priority_class,
)

LEASE = Kind(
    group="coordination.k8s.io", version="v1", kind="Lease", plural="leases",
    columns=(Column("Holder", lambda lease: get(lease, "spec", "holderIdentity", default=""),
                    description="The current holder of the lease."), AGE),
    schema=kind_schema(spec=obj_({
        "holderIdentity": string, "leaseDurationSeconds": int32, "acquireTime": time,
        "renewTime": time, "leaseTransitions": int32, "strategy": string, "preferredHolder": string})),
    validate=_meta,
)


def _hpa_reference(hpa: Obj) -> str:
    ref = get(hpa, "spec", "scaleTargetRef") or {}
    return f"{ref.get('kind', '')}/{ref.get('name', '')}"


def _hpa_metric(spec: Obj, status: Obj) -> str:
    """One metric as kubectl shows it: `cpu: 12%/50%`, `memory: 80Mi/100Mi`, `3/5 (avg)`."""
    kind = spec.get("type", "")
    field = kind[:1].lower() + kind[1:]
    source = spec.get(field) or {}
    target = source.get("target") or {}
    current = (status.get(field) or {}).get("current") or {}
    if kind in ("Resource", "ContainerResource"):
        name = source.get("name")
        if "averageValue" in target:
            return f"{name}: {current.get('averageValue') or '<unknown>'}/{target['averageValue']}"
        now, goal = current.get("averageUtilization"), target.get("averageUtilization")
        return (f"{name}: {'<unknown>' if now is None else f'{now}%'}/"
                f"{'<auto>' if goal is None else f'{goal}%'}")
    if kind == "Pods":
        return f"{current.get('averageValue') or '<unknown>'}/{target.get('averageValue')}"
    if kind in ("Object", "External"):
        if "averageValue" in target:
            return f"{current.get('averageValue') or '<unknown>'}/{target['averageValue']} (avg)"
        return f"{current.get('value') or '<unknown>'}/{target.get('value')}"
    return "<unknown type>"


def _hpa_targets(hpa: Obj) -> str:
    """kubectl's TARGETS: each metric's current/target (statuses match specs by position),
    the first two shown."""
    specs = get(hpa, "spec", "metrics") or []
    if not specs:
        return "<none>"
    statuses = get(hpa, "status", "currentMetrics") or []
    cells = [_hpa_metric(m, statuses[i] if i < len(statuses) else {}) for i, m in enumerate(specs)]
    more = f" + {len(cells) - 2} more..." if len(cells) > 2 else ""
    return ", ".join(cells[:2]) + more


def _validate_hpa(hpa: Obj) -> list[Cause]:
    out = _meta(hpa)
    spec = hpa.get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    for field in ("kind", "name"):
        if not ref.get(field):
            out.append(required(f"spec.scaleTargetRef.{field}"))
    max_replicas, min_replicas = spec.get("maxReplicas"), spec.get("minReplicas", 1)
    if not isinstance(max_replicas, int) or max_replicas < 1:
        out.append(invalid("spec.maxReplicas", max_replicas, "must be greater than or equal to 1"))
    elif isinstance(min_replicas, int) and min_replicas > max_replicas:
        out.append(invalid("spec.maxReplicas", max_replicas,
                           "must be greater than or equal to `minReplicas`"))
    for i, metric in enumerate(spec.get("metrics") or []):
        utilization = get(metric, "resource", "target", "averageUtilization")
        if isinstance(utilization, int) and utilization < 1:
            out.append(invalid(f"spec.metrics[{i}].resource.target.averageUtilization", utilization,
                               "must be greater than 0"))
    return out


def _default_hpa(hpa: Obj) -> None:
    spec = hpa.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):  # upstream's v2 default: 80% CPU
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):  # a given behavior is completed; none stays none
        for direction in ("scaleUp", "scaleDown"):
            behavior[direction] = scaling_rules(behavior.get(direction), direction)


_HPA_COLUMNS = (
    Column("Reference", _hpa_reference, description="The scaled object."),
    Column("Targets", _hpa_targets, description="Current/target metric values."),
    Column("MinPods", lambda h: get(h, "spec", "minReplicas", default=1), type="integer",
           description="Lower limit of replicas."),
    Column("MaxPods", lambda h: get(h, "spec", "maxReplicas"), type="integer",
           description="Upper limit of replicas."),
    Column("Replicas", lambda h: get(h, "status", "currentReplicas", default=0), type="integer",
           description="Current replicas."),
    AGE)


def _as_v2(hpa: Obj) -> Obj:
    out = copy.deepcopy(hpa)
    to_v2(out)
    return out


def _on_v2(column: Column) -> Column:
    """A v2 column for a v1 object: upstream prints both versions from one internal form."""
    return Column(column.name, lambda h: column.cell(_as_v2(h)), type=column.type,
                  format=column.format, description=column.description, priority=column.priority)


HORIZONTAL_POD_AUTOSCALER = Kind(
    group="autoscaling", version="v2", kind="HorizontalPodAutoscaler", plural="horizontalpodautoscalers",
    short_names=("hpa",), categories=("all",), subresources=("status",),
    columns=_HPA_COLUMNS,
    schema=kind_schema(
        spec=obj_({"scaleTargetRef": obj_({"apiVersion": string, "kind": string, "name": string}),
                   "minReplicas": int32, "maxReplicas": int32, "metrics": arr(open_object),
                   "behavior": open_object}),
        status=obj_({"observedGeneration": int64, "lastScaleTime": time, "currentReplicas": int32,
                     "desiredReplicas": int32, "currentMetrics": arr(open_object),
                     "conditions": arr(condition())})),
    default=_default_hpa, validate=_validate_hpa,
)


def _default_hpa_v1(hpa: Obj) -> None:
    hpa.setdefault("spec", {}).setdefault("minReplicas", 1)


HORIZONTAL_POD_AUTOSCALER_V1 = Kind(
    group="autoscaling", version="v1", kind="HorizontalPodAutoscaler", plural="horizontalpodautoscalers",
    short_names=("hpa",), categories=("all",), subresources=("status",),
    columns=tuple(c if c is AGE else _on_v2(c) for c in _HPA_COLUMNS),
    schema=kind_schema(
        spec=obj_({"scaleTargetRef": obj_({"apiVersion": string, "kind": string, "name": string}),
                   "minReplicas": int32, "maxReplicas": int32,
                   "targetCPUUtilizationPercentage": int32}),
        status=obj_({"observedGeneration": int64, "lastScaleTime": time, "currentReplicas": int32,
                     "desiredReplicas": int32, "currentCPUUtilizationPercentage": int32})),
    default=_default_hpa_v1,
    # upstream validates the internal (v2) form: field paths name v2's fields
    validate=lambda hpa: _validate_hpa(_as_v2(hpa)),
    to_storage=to_v2, from_storage=to_v1,
)


def _validate_pdb(pdb: Obj) -> list[Cause]:
    out = _meta(pdb)
    spec = pdb.get("spec") or {}
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        out.append(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"))
    return out


POD_DISRUPTION_BUDGET = Kind(
    group="policy", version="v1", kind="PodDisruptionBudget", plural="poddisruptionbudgets",
    short_names=("pdb",), subresources=("status",),
    columns=(Column("Min Available", lambda p: get(p, "spec", "minAvailable", default="N/A"),
                    description="Pods that must stay available."),
             Column("Max Unavailable", lambda p: get(p, "spec", "maxUnavailable", default="N/A"),
                    description="Pods that may be unavailable."),
             Column("Allowed Disruptions", lambda p: get(p, "status", "disruptionsAllowed", default=0),
                    type="integer", description="Disruptions allowed now."),
             AGE),
    schema=kind_schema(
        spec=obj_({"minAvailable": int_or_string, "maxUnavailable": int_or_string,
                   "selector": label_selector, "unhealthyPodEvictionPolicy": string}),
        status=obj_({"observedGeneration": int64, "disruptedPods": map_of(time),
                     "disruptionsAllowed": int32, "currentHealthy": int32, "desiredHealthy": int32,
                     "expectedPods": int32, "conditions": arr(condition())})),
    validate=_validate_pdb,
)
