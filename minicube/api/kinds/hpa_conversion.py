"""HorizontalPodAutoscaler autoscaling/v1 <-> autoscaling/v2 (the stored form), as upstream
converts them (pkg/apis/autoscaling/v1/conversion.go).

v1 knows one metric, `spec.targetCPUUtilizationPercentage` (v2's Resource cpu Utilization
target) and `status.currentCPUUtilizationPercentage`. So that a read-modify-write through v1
loses nothing, what v1 cannot say travels in annotations: the other metrics and the current
metrics in v1's older metric shapes (`targetAverageValue`, `metricName`, ...), the conditions,
and the behavior in upstream's (Go field name) spelling. Writing v1 lifts them back out.
Both functions work in place on a copy the caller owns.
"""

from __future__ import annotations

import json
from typing import Any, Callable

Obj = dict[str, Any]

METRICS = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
ROUND_TRIP = (METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR)
DEFAULT_CPU_UTILIZATION = 80

_V1_SOURCE = {"Object": "object", "Pods": "pods", "Resource": "resource",
              "ContainerResource": "containerResource", "External": "external"}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _set(out: Obj, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _is_cpu_utilization(metric: Obj) -> bool:
    res = metric.get("resource") or {}
    return (metric.get("type") == "Resource" and res.get("name") == "cpu"
            and (res.get("target") or {}).get("averageUtilization") is not None)


def _metric_id(src: Obj) -> tuple[Any, Any]:
    metric = src.get("metric") or {}
    return metric.get("name", ""), metric.get("selector")


def _identifier(name: Any, selector: Any) -> Obj:
    out: Obj = {"name": name or ""}
    _set(out, "selector", selector)
    return out


# -- metrics: a v2 MetricSpec (side "target") or MetricStatus (side "current") in v1's shape ---
# v1 spells the values with the side as prefix (targetAverageValue, currentValue, ...); the
# Object source's average is plain `averageValue` on both sides. The status side's values are
# non-optional in v1, so absent ones read "0" as upstream's JSON shows them.

def _convert(metric: Obj, side: str, body: Callable[[str, Obj, str], Obj]) -> Obj:
    """`{type, <source>: body}`; an unknown type keeps only its name (upstream's too)."""
    kind = metric.get("type", "")
    field = _V1_SOURCE.get(kind)
    out: Obj = {"type": kind}
    if field:
        out[field] = body(kind, metric.get(field) or {}, side)
    return out


def _body_to_v1(kind: str, src: Obj, side: str) -> Obj:
    values = src.get(side) or {}
    status = side == "current"
    name, selector = _metric_id(src)
    if kind == "Object":
        body: Obj = {"target": src.get("describedObject") or {}, "metricName": name,
                     f"{side}Value": values.get("value") or "0"}
        _set(body, "selector", selector)
        _set(body, "averageValue", values.get("averageValue"))
    elif kind == "Pods":
        body = {"metricName": name, f"{side}AverageValue": values.get("averageValue") or "0"}
        _set(body, "selector", selector)
    elif kind in ("Resource", "ContainerResource"):
        body = {"name": src.get("name", "")}
        _set(body, f"{side}AverageUtilization", values.get("averageUtilization"))
        _set(body, f"{side}AverageValue", values.get("averageValue") or ("0" if status else None))
        if kind == "ContainerResource":
            body["container"] = src.get("container", "")
    else:  # External
        body = {"metricName": name}
        _set(body, "metricSelector", selector)
        _set(body, f"{side}Value", values.get("value") or ("0" if status else None))
        _set(body, f"{side}AverageValue", values.get("averageValue"))
    return body


def _body_from_v1(kind: str, src: Obj, side: str) -> Obj:
    status = side == "current"
    values: Obj = {}
    if kind == "Object":
        values = {"value": src.get(f"{side}Value", "0")}
        _set(values, "averageValue", src.get("averageValue"))
        target_type = "Value" if src.get("averageValue") is None else "AverageValue"
        body: Obj = {"describedObject": src.get("target") or {},
                     "metric": _identifier(src.get("metricName"), src.get("selector"))}
    elif kind == "Pods":
        values = {"averageValue": src.get(f"{side}AverageValue", "0")}
        target_type = "AverageValue"
        body = {"metric": _identifier(src.get("metricName"), src.get("selector"))}
    elif kind in ("Resource", "ContainerResource"):
        _set(values, "averageValue", src.get(f"{side}AverageValue", "0" if status else None))
        _set(values, "averageUtilization", src.get(f"{side}AverageUtilization"))
        target_type = "AverageValue" if values.get("averageUtilization") is None else "Utilization"
        body = {"name": src.get("name", "")}
        if kind == "ContainerResource":
            body["container"] = src.get("container", "")
    else:  # External
        _set(values, "value", src.get(f"{side}Value", "0" if status else None))
        _set(values, "averageValue", src.get(f"{side}AverageValue"))
        target_type = "AverageValue" if values.get("value") is None else "Value"
        body = {"metric": _identifier(src.get("metricName"), src.get("metricSelector"))}
    body[side] = values if status else {"type": target_type, **values}
    return body


# -- behavior: upstream marshals its internal type, so the keys are Go field names ---------

_RULES = ("stabilizationWindowSeconds", "selectPolicy", "policies")
_POLICY = ("type", "value", "periodSeconds")


def _go_name(name: str) -> str:
    return name[:1].upper() + name[1:]


def _behavior_to_v1(behavior: Obj) -> Obj:
    def rules(r: Obj | None) -> Obj | None:
        if r is None:
            return None
        out = {_go_name(k): r.get(k) for k in _RULES}
        if r.get("policies") is not None:
            out["Policies"] = [{_go_name(k): p.get(k) for k in _POLICY} for p in r["policies"]]
        return out
    return {"ScaleUp": rules(behavior.get("scaleUp")), "ScaleDown": rules(behavior.get("scaleDown"))}


def _pick(obj: Obj, names: tuple[str, ...]) -> Obj:
    """Go's decoding: keys match field names case-insensitively; nulls mean unset."""
    lower = {k.lower(): v for k, v in obj.items()}
    return {n: lower[n.lower()] for n in names if lower.get(n.lower()) is not None}


def _behavior_from_v1(encoded: Obj) -> Obj:
    out: Obj = {}
    for name, value in _pick(encoded, ("scaleUp", "scaleDown")).items():
        if isinstance(value, dict):
            r = _pick(value, _RULES)
            if isinstance(r.get("policies"), list):
                r["policies"] = [_pick(p, _POLICY) for p in r["policies"] if isinstance(p, dict)]
            out[name] = r
    return out


def _annotation(annotations: Obj, key: str, kind: type) -> Any:
    """A round-trip annotation's decoded value, or None (upstream ignores what does not parse)."""
    try:
        value = json.loads(annotations[key])
    except (KeyError, TypeError, ValueError):
        return None
    return value if isinstance(value, kind) else None


# -- whole objects ------------------------------------------------------------------------

def to_v1(obj: Obj) -> None:
    """The stored (v2) object as autoscaling/v1 serves it, in place."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    md = obj.setdefault("metadata", {})
    annotations = {k: v for k, v in (md.get("annotations") or {}).items() if k not in ROUND_TRIP}
    metrics = spec.get("metrics") or []
    others = [_convert(m, "target", _body_to_v1) for m in metrics if not _is_cpu_utilization(m)]
    if others:
        annotations[METRICS] = _dumps(others)
    if status.get("currentMetrics"):
        annotations[CURRENT_METRICS] = _dumps([_convert(m, "current", _body_to_v1)
                                            for m in status["currentMetrics"]])
    if spec.get("behavior") is not None:
        annotations[BEHAVIOR] = _dumps(_behavior_to_v1(spec["behavior"]))
    if status.get("conditions"):
        annotations[CONDITIONS] = _dumps(status["conditions"])
    if annotations:
        md["annotations"] = annotations
    else:
        md.pop("annotations", None)

    v1_spec: Obj = {"scaleTargetRef": spec.get("scaleTargetRef") or {}}
    _set(v1_spec, "minReplicas", spec.get("minReplicas"))
    v1_spec["maxReplicas"] = spec.get("maxReplicas", 0)
    cpu = next((m for m in metrics if _is_cpu_utilization(m)), None)
    if cpu:
        v1_spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"]["averageUtilization"]
    obj["spec"] = v1_spec

    v1_status: Obj = {}
    _set(v1_status, "observedGeneration", status.get("observedGeneration"))
    _set(v1_status, "lastScaleTime", status.get("lastScaleTime"))
    v1_status["currentReplicas"] = status.get("currentReplicas", 0)
    v1_status["desiredReplicas"] = status.get("desiredReplicas", 0)
    for m in status.get("currentMetrics") or []:
        res = m.get("resource") or {}
        utilization = (res.get("current") or {}).get("averageUtilization")
        if m.get("type") == "Resource" and res.get("name") == "cpu" and utilization is not None:
            v1_status["currentCPUUtilizationPercentage"] = utilization
    obj["status"] = v1_status
    obj["apiVersion"] = "autoscaling/v1"


def to_v2(obj: Obj) -> None:
    """An autoscaling/v1 object in the stored (v2) form, in place."""
    spec, status = obj.get("spec") or {}, obj.get("status")
    md = obj.setdefault("metadata", {})
    annotations = md.get("annotations") or {}

    v2_spec: Obj = {"scaleTargetRef": spec.get("scaleTargetRef") or {}}
    _set(v2_spec, "minReplicas", spec.get("minReplicas"))
    v2_spec["maxReplicas"] = spec.get("maxReplicas")
    metrics = [_convert(m, "target", _body_from_v1) for m in _annotation(annotations, METRICS, list) or []
               if isinstance(m, dict)]
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    if not metrics:  # v1's implicit default, made explicit as upstream's conversion does
        metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    v2_spec["metrics"] = metrics
    behavior = _annotation(annotations, BEHAVIOR, dict)
    if behavior is not None and (decoded := _behavior_from_v1(behavior)):
        v2_spec["behavior"] = decoded
    obj["spec"] = v2_spec

    current = _annotation(annotations, CURRENT_METRICS, list)
    conditions = _annotation(annotations, CONDITIONS, list)
    if status is not None or current is not None or conditions is not None:
        status = status or {}
        v2_status: Obj = {}
        _set(v2_status, "observedGeneration", status.get("observedGeneration"))
        _set(v2_status, "lastScaleTime", status.get("lastScaleTime"))
        if status.get("currentReplicas"):  # omitted when 0 in v2, as upstream's JSON does
            v2_status["currentReplicas"] = status["currentReplicas"]
        v2_status["desiredReplicas"] = status.get("desiredReplicas", 0)
        if current is not None:  # the annotation has more than the CPU percentage
            v2_status["currentMetrics"] = [_convert(m, "current", _body_from_v1) for m in current
                                           if isinstance(m, dict)]
        elif status.get("currentCPUUtilizationPercentage") is not None:
            v2_status["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
        if conditions is not None:
            v2_status["conditions"] = conditions
        obj["status"] = v2_status

    kept = {k: v for k, v in annotations.items() if k not in ROUND_TRIP}
    if kept:
        md["annotations"] = kept
    else:
        md.pop("annotations", None)
    obj["apiVersion"] = "autoscaling/v2"


__all__ = ["BEHAVIOR", "CONDITIONS", "CURRENT_METRICS", "METRICS", "to_v1", "to_v2"]
