"""The HorizontalPodAutoscaler's replica calculation for Resource and ContainerResource
metrics (upstream's replica_calculator), as pure functions of the pods, their PodMetrics and
the time.

Usage and requests are summed per pod in milli-units. Pods being deleted or Failed are
ignored; Pending pods, and (for cpu) pods whose readiness is too recent for their samples to
count, are unready; pods without a sample are missing. When the answer depends on them,
missing pods are assumed to use 0 on a scale-up and their full request (or the target) on a
scale-down, and unready pods 0 on a scale-up, so neither exaggerates a change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from minicube.api import quantity
from minicube.api.kinds.common import get
from minicube.client.clock import parse_rfc3339

Obj = dict[str, Any]

TOLERANCE = 0.1                    # --horizontal-pod-autoscaler-tolerance
CPU_INITIALIZATION_PERIOD = 300.0  # --horizontal-pod-autoscaler-cpu-initialization-period
INITIAL_READINESS_DELAY = 30.0     # --horizontal-pod-autoscaler-initial-readiness-delay


class MetricError(Exception):
    """A metric that yields no proposal; `reason` names the Event and the condition."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class PodMetric:
    value: int        # milli-units, summed over the pod's (selected) containers
    timestamp: float
    window: float


@dataclass(frozen=True)
class Proposal:
    replicas: int
    name: str         # what the rescale reason calls the metric
    status: Obj       # the entry for status.currentMetrics
    timestamp: float


def _duration(text: Any) -> float:
    """A metav1.Duration as the metrics API prints it (`15s`, `1m0s`, `500ms`)."""
    if not isinstance(text, str):
        return 0.0
    total, number = 0.0, ""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit() or ch == ".":
            number += ch
            i += 1
            continue
        unit = next((u for u in ("ms", "us", "µs", "ns", "h", "m", "s") if text.startswith(u, i)), "")
        if not unit or not number:
            return 0.0
        total += float(number) * units[unit]
        number, i = "", i + len(unit)
    return total


def pod_metrics(items: list[Obj], resource: str, container: str | None = None) -> dict[str, PodMetric]:
    """Per-pod usage from PodMetrics items; a pod lacking the resource in a container is left out."""
    if not items:
        raise ValueError("no metrics returned from resource metrics API")
    out = {}
    for item in items:
        containers = [c for c in item.get("containers") or []
                      if container is None or c.get("name") == container]
        usages = [get(c, "usage", resource) for c in containers]
        if not usages or any(u is None for u in usages):
            continue
        try:
            total = sum(quantity.milli_value(u) for u in usages)
        except (ValueError, TypeError):
            continue
        out[get(item, "metadata", "name", default="")] = PodMetric(
            total, parse_rfc3339(item.get("timestamp")) or 0.0, _duration(item.get("window")))
    return out


def _containers(pod: Obj) -> list[Obj]:
    # restartable init containers (sidecars) run beside the app containers, so they count
    sidecars = [c for c in get(pod, "spec", "initContainers", default=[]) or []
                if c.get("restartPolicy") == "Always"]
    return list(get(pod, "spec", "containers", default=[]) or []) + sidecars


def pod_requests(pods: list[Obj], resource: str, container: str | None = None) -> dict[str, int]:
    """Each pod's request for the resource in milli-units; ValueError naming the first
    container that requests none."""
    out = {}
    for pod in pods:
        name, total = pod["metadata"]["name"], 0
        for c in _containers(pod):
            if container is not None and c.get("name") != container:
                continue
            request = get(c, "resources", "requests", resource)
            if request is None:
                raise ValueError(f"missing request for {resource} in container "
                                 f"{c.get('name', '')} of Pod {name}")
            total += quantity.milli_value(request)
        out[name] = total
    return out


def _ready_condition(pod: Obj) -> Obj | None:
    return next((c for c in get(pod, "status", "conditions", default=[]) or []
                 if c.get("type") == "Ready"), None)


def _cpu_unready(pod: Obj, metric: PodMetric, now: float) -> bool:
    """Whether a cpu sample may predate the pod's readiness (and so its warm-up burst)."""
    cond, start = _ready_condition(pod), parse_rfc3339(get(pod, "status", "startTime"))
    if cond is None or start is None:
        return True
    transition = parse_rfc3339(cond.get("lastTransitionTime")) or 0.0
    if start + CPU_INITIALIZATION_PERIOD > now:
        return cond.get("status") == "False" or metric.timestamp < transition + metric.window
    return cond.get("status") == "False" and start + INITIAL_READINESS_DELAY > transition


@dataclass
class Groups:
    ready: int
    unready: set[str]
    missing: set[str]
    ignored: set[str]


def group_pods(pods: list[Obj], metrics: dict[str, PodMetric], resource: str, now: float) -> Groups:
    groups = Groups(0, set(), set(), set())
    for pod in pods:
        name, phase = pod["metadata"]["name"], get(pod, "status", "phase")
        if get(pod, "metadata", "deletionTimestamp") or phase == "Failed":
            groups.ignored.add(name)
        elif phase == "Pending":
            groups.unready.add(name)
        elif name not in metrics:
            groups.missing.add(name)
        elif resource == "cpu" and _cpu_unready(pod, metrics[name], now):
            groups.unready.add(name)
        else:
            groups.ready += 1
    return groups


def _replicas(current: int, metrics: dict[str, PodMetric], groups: Groups,
              ratio_of: Callable[[dict[str, PodMetric]], float],
              scale_down_fill: Callable[[str], int]) -> int:
    """The replica count a usage ratio asks for, with missing and unready pods weighed in
    only when they cannot turn the direction of the change."""
    ratio = ratio_of(metrics)
    up_with_unready = bool(groups.unready) and ratio > 1.0
    if not up_with_unready and not groups.missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current
        return math.ceil(ratio * groups.ready)
    filled = dict(metrics)
    for name in groups.missing:
        if ratio < 1.0:
            filled[name] = PodMetric(scale_down_fill(name), 0.0, 0.0)
        elif ratio > 1.0:
            filled[name] = PodMetric(0, 0.0, 0.0)
    if up_with_unready:
        for name in groups.unready:
            filled[name] = PodMetric(0, 0.0, 0.0)
    new_ratio = ratio_of(filled)
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current
    replicas = math.ceil(new_ratio * len(filled))
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return current
    return replicas


def _utilization(metrics: dict[str, PodMetric], requests: dict[str, int]) -> tuple[int, int]:
    """(percent of the requests used, average usage in milli-units) over pods with requests."""
    used = [(m.value, requests[name]) for name, m in metrics.items() if name in requests]
    total_request = sum(r for _, r in used)
    if total_request == 0:
        raise ValueError("no metrics returned matched known pods")
    total_usage = sum(u for u, _ in used)
    return total_usage * 100 // total_request, total_usage // len(used)


def _usable(target: int, resource: str, pods: list[Obj], metrics: dict[str, PodMetric],
            now: float) -> tuple[Groups, dict[str, PodMetric]]:
    """The pods' groups and the samples that count (ignored and unready pods' left out)."""
    if target <= 0:
        raise ValueError(f"invalid target {target} for {resource}")
    if not pods:
        raise ValueError("no pods returned by selector while calculating replica count")
    groups = group_pods(pods, metrics, resource, now)
    metrics = {n: m for n, m in metrics.items() if n not in groups.ignored | groups.unready}
    if not metrics:
        raise ValueError("did not receive metrics for targeted pods (pods might be unready)")
    return groups, metrics


def utilization_replicas(current: int, target: int, resource: str, pods: list[Obj],
                         metrics: dict[str, PodMetric], now: float,
                         container: str | None = None) -> tuple[int, int, int]:
    """(replicas, utilization %, average usage) for a target percent of the requests."""
    groups, metrics = _usable(target, resource, pods, metrics, now)
    requests = pod_requests(pods, resource, container)
    utilization, average = _utilization(metrics, requests)
    fill_percent = max(100, target)
    replicas = _replicas(current, metrics, groups,
                         lambda ms: _utilization(ms, requests)[0] / target,
                         lambda name: requests.get(name, 0) * fill_percent // 100)
    return replicas, utilization, average


def average_value_replicas(current: int, target: int, resource: str, pods: list[Obj],
                           metrics: dict[str, PodMetric], now: float) -> tuple[int, int]:
    """(replicas, average usage) for a target average usage per pod (milli-units)."""
    groups, metrics = _usable(target, resource, pods, metrics, now)

    def average(ms: dict[str, PodMetric]) -> int:
        return sum(m.value for m in ms.values()) // len(ms)

    replicas = _replicas(current, metrics, groups, lambda ms: average(ms) / target,
                         lambda _name: target)
    return replicas, average(metrics)


_CUSTOM = {  # metric types served by APIs minicube has no adapter for
    "Pods": ("FailedGetPodsMetric", "failed to get pods metric value: unable to get metric {name}: "
             "no custom metrics API (custom.metrics.k8s.io) registered"),
    "Object": ("FailedGetObjectMetric", "failed to get object metric value: unable to get metric "
               "{name}: no custom metrics API (custom.metrics.k8s.io) registered"),
    "External": ("FailedGetExternalMetric", "failed to get external metric value: unable to get "
                 "external metric {name}: no external metrics API (external.metrics.k8s.io) registered"),
}


def propose(spec: Obj, current: int, pods: list[Obj], items: list[Obj] | None,
            fetch_error: str | None, now: float) -> Proposal:
    """One metric's proposal from the pods and their PodMetrics (`items`, or `fetch_error`
    when the resource metrics API could not be read); MetricError when there is none."""
    kind = spec.get("type")
    if kind in _CUSTOM:
        reason, message = _CUSTOM[kind]
        name = get(spec, kind[0].lower() + kind[1:], "metric", "name", default="")
        raise MetricError(reason, message.format(name=name))
    if kind not in ("Resource", "ContainerResource"):
        raise MetricError("InvalidMetricSourceType", f"unknown metric source type {kind!r}")
    source = spec.get("resource" if kind == "Resource" else "containerResource") or {}
    resource, target = source.get("name", ""), source.get("target") or {}
    container = source.get("container") if kind == "ContainerResource" else None
    reason = "FailedGetResourceMetric" if container is None else "FailedGetContainerResourceMetric"
    by_percent = target.get("type") == "Utilization" or (
        target.get("type") != "AverageValue" and target.get("averageUtilization") is not None)
    what = ("utilization" if by_percent else "usage") if container is None else \
        ("container utilization" if by_percent else "container usage")
    try:
        try:
            if fetch_error is not None:
                raise ValueError(f"unable to fetch metrics from resource metrics API: {fetch_error}")
            metrics = pod_metrics(items or [], resource, container)
        except ValueError as e:
            raise ValueError(f"unable to get metrics for resource {resource}: {e}") from None
        if by_percent:
            replicas, percent, average = utilization_replicas(
                current, int(target.get("averageUtilization") or 0), resource, pods, metrics, now,
                container)
            current_value: Obj = {"averageUtilization": percent,
                                  "averageValue": quantity.format_millicores(average)}
        else:
            replicas, average = average_value_replicas(
                current, quantity.milli_value(target.get("averageValue") or 0), resource, pods,
                metrics, now)
            current_value = {"averageValue": quantity.format_millicores(average)}
    except ValueError as e:
        raise MetricError(reason, f"failed to get {resource} {what}: {e}") from None
    key = "resource" if container is None else "containerResource"
    body = {"name": resource, "current": current_value}
    if container is not None:
        body["container"] = container
    name = f"{resource} resource utilization (percentage of request)" if by_percent else \
        f"{resource} resource"
    if container is not None:
        name = f"{resource} container resource" + (" utilization (percentage of request)"
                                                   if by_percent else "")
    stamp = max((m.timestamp for m in metrics.values()), default=now)
    return Proposal(replicas, name, {"type": kind, key: body}, stamp)
