"""The HPA's replica calculation (upstream's replica_calculator) and its behavior rules."""

from __future__ import annotations

import pytest

from minicube.client.clock import rfc3339
from minicube.controllers import hpa_behavior as hb
from minicube.controllers.hpa_replicas import (MetricError, PodMetric, pod_metrics, propose,
                                               utilization_replicas, average_value_replicas)
from minicube.controllers.horizontalpodautoscaler import set_condition

NOW = 1_800_000_000.0
LONG_AGO = NOW - 3600


def pod(name: str, *, cpu: str | None = "100m", memory: str = "100Mi", phase: str = "Running",
        started: float | None = LONG_AGO, ready: str | None = "True",
        ready_since: float = LONG_AGO, deleting: bool = False) -> dict:
    requests = {"memory": memory} | ({"cpu": cpu} if cpu else {})
    status: dict = {"phase": phase}
    if started is not None:
        status["startTime"] = rfc3339(started)
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready,
                                 "lastTransitionTime": rfc3339(ready_since)}]
    meta: dict = {"name": name}
    if deleting:
        meta["deletionTimestamp"] = rfc3339(NOW)
    return {"metadata": meta, "status": status,
            "spec": {"containers": [{"name": "app", "resources": {"requests": requests}}]}}


def m(value: int, *, at: float = NOW - 10, window: float = 15) -> PodMetric:
    return PodMetric(value, at, window)


def cpu(current: int, target: int, pods: list[dict], metrics: dict[str, PodMetric]) -> int:
    return utilization_replicas(current, target, "cpu", pods, metrics, NOW)[0]


# -- utilization -----------------------------------------------------------------------------
def test_scale_up_is_ratio_times_ready_pods() -> None:
    # 200m of 100m requested = 200% against 50%: ratio 4
    replicas, percent, average = utilization_replicas(
        2, 50, "cpu", [pod("a"), pod("b")], {"a": m(200), "b": m(200)}, NOW)
    assert (replicas, percent, average) == (8, 200, 200)


def test_within_tolerance_keeps_the_current_count() -> None:
    assert cpu(3, 50, [pod("a"), pod("b"), pod("c")], {p: m(54) for p in "abc"}) == 3
    assert cpu(3, 50, [pod("a"), pod("b"), pod("c")], {p: m(46) for p in "abc"}) == 3
    assert cpu(3, 50, [pod("a"), pod("b"), pod("c")], {p: m(56) for p in "abc"}) == 4


def test_scale_down_rounds_up() -> None:
    assert cpu(2, 50, [pod("a"), pod("b")], {"a": m(10), "b": m(10)}) == 1


def test_missing_metrics_count_as_zero_on_scale_up() -> None:
    # 200% + 200% + 0% over 3 pods = 133% against 100%
    assert cpu(3, 100, [pod("a"), pod("b"), pod("c")], {"a": m(200), "b": m(200)}) == 4


def test_missing_metrics_count_as_full_request_on_scale_down() -> None:
    # 10% + 10% + 100% over 3 pods = 40% against 80%
    assert cpu(3, 80, [pod("a"), pod("b"), pod("c")], {"a": m(10), "b": m(10)}) == 2


def test_missing_metrics_that_flip_the_direction_keep_the_current_count() -> None:
    # 40% alone would scale down; with the missing pod at 100% the average is 70% > 60%
    assert cpu(2, 60, [pod("a"), pod("b")], {"a": m(40)}) == 2


def test_unready_pods_count_as_zero_on_scale_up() -> None:
    pods = [pod("a"), pod("b"), pod("p", phase="Pending")]
    # (300 + 300 + 0) / 300 = 200% against 100%: 2 x 3 pods
    assert cpu(2, 100, pods, {"a": m(300), "b": m(300), "p": m(900)}) == 6


def test_unready_pods_are_left_out_of_a_scale_down() -> None:
    pods = [pod("a"), pod("b"), pod("p", phase="Pending")]
    assert cpu(3, 50, pods, {"a": m(10), "b": m(10)}) == 1


def test_cpu_samples_from_before_readiness_do_not_count() -> None:
    fresh = pod("new", started=NOW - 60, ready_since=NOW - 5)  # ready after the sample window began
    assert cpu(2, 100, [pod("a"), fresh], {"a": m(300), "new": m(900, at=NOW - 1)}) == 3
    settled = pod("new", started=NOW - 60, ready_since=NOW - 50)
    assert cpu(2, 100, [pod("a"), settled], {"a": m(300), "new": m(900, at=NOW - 1)}) == 12
    no_start = pod("new", started=None)
    assert cpu(2, 100, [pod("a"), no_start], {"a": m(300), "new": m(900)}) == 3


def test_memory_ignores_readiness_timing() -> None:
    fresh = pod("new", started=NOW - 60, ready_since=NOW - 5)
    mi = 100 * 2**20 * 1000
    replicas, _, _ = utilization_replicas(1, 100, "memory", [fresh], {"new": m(3 * mi)}, NOW)
    assert replicas == 3


def test_deleted_and_failed_pods_are_ignored() -> None:
    pods = [pod("a"), pod("d", deleting=True), pod("f", phase="Failed")]
    assert cpu(3, 50, pods, {"a": m(100), "d": m(1000), "f": m(1000)}) == 2


def test_errors_are_upstreams() -> None:
    with pytest.raises(ValueError, match="no pods returned by selector"):
        cpu(1, 50, [], {})
    with pytest.raises(ValueError, match=r"did not receive metrics for targeted pods \(pods might be unready\)"):
        cpu(1, 50, [pod("p", phase="Pending")], {"p": m(10)})
    with pytest.raises(ValueError, match="missing request for cpu in container app of Pod a"):
        cpu(1, 50, [pod("a", cpu=None)], {"a": m(10)})


def test_average_value_is_the_mean_usage_per_pod() -> None:
    mi = 2**20 * 1000
    assert average_value_replicas(2, 100 * mi, "memory", [pod("a"), pod("b")],
                                  {"a": m(200 * mi), "b": m(200 * mi)}, NOW) == (4, 200 * mi)
    # missing pod on a scale-down is assumed at the target
    assert average_value_replicas(3, 100 * mi, "memory", [pod("a"), pod("b"), pod("c")],
                                  {"a": m(10 * mi), "b": m(10 * mi)}, NOW)[0] == 2


# -- PodMetrics and proposals -------------------------------------------------------------------
def item(name: str, **usage: str) -> dict:
    return {"metadata": {"name": name, "namespace": "ns"}, "timestamp": rfc3339(NOW - 5),
            "window": "15s", "containers": [{"name": "app", "usage": usage}]}


def test_pod_metrics_reads_upstream_quantities() -> None:
    got = pod_metrics([item("a", cpu="1234567n", memory="1Ki"), item("b", memory="1Ki")], "cpu")
    assert got == {"a": PodMetric(2, NOW - 5, 15.0)}
    assert pod_metrics([item("a", memory="1Ki")], "memory")["a"].value == 1024_000
    with pytest.raises(ValueError, match="no metrics returned from resource metrics API"):
        pod_metrics([], "cpu")


CPU_50 = {"type": "Resource", "resource": {"name": "cpu", "target": {
    "type": "Utilization", "averageUtilization": 50}}}


def test_propose_reports_the_metric_status() -> None:
    p = propose(CPU_50, 2, [pod("a"), pod("b")], [item("a", cpu="150m"), item("b", cpu="50m")], None, NOW)
    assert p.replicas == 4
    assert p.name == "cpu resource utilization (percentage of request)"
    assert p.status == {"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 100, "averageValue": "100m"}}}
    avg = {"type": "Resource", "resource": {"name": "memory", "target": {
        "type": "AverageValue", "averageValue": "50Mi"}}}
    p = propose(avg, 1, [pod("a")], [item("a", memory="100Mi")], None, NOW)
    assert (p.replicas, p.name) == (2, "memory resource")
    assert p.status["resource"]["current"] == {"averageValue": "104857600"}


def test_container_resource_counts_only_that_container() -> None:
    two = pod("a")
    two["spec"]["containers"].append({"name": "side", "resources": {"requests": {"cpu": "1"}}})
    metrics = [{**item("a"), "containers": [{"name": "app", "usage": {"cpu": "200m"}},
                                            {"name": "side", "usage": {"cpu": "0"}}]}]
    spec = {"type": "ContainerResource", "containerResource": {
        "name": "cpu", "container": "app", "target": {"type": "Utilization", "averageUtilization": 100}}}
    p = propose(spec, 1, [two], metrics, None, NOW)
    assert p.replicas == 2 and p.status["containerResource"]["container"] == "app"


def test_propose_errors_name_the_cause() -> None:
    with pytest.raises(MetricError) as e:
        propose(CPU_50, 1, [pod("a")], None,
                "the server could not find the requested resource (get pods.metrics.k8s.io)", NOW)
    assert e.value.reason == "FailedGetResourceMetric"
    assert e.value.message == (
        "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch "
        "metrics from resource metrics API: the server could not find the requested resource "
        "(get pods.metrics.k8s.io)")
    with pytest.raises(MetricError, match="failed to get cpu utilization: unable to get metrics for "
                                          "resource cpu: no metrics returned from resource metrics API"):
        propose(CPU_50, 1, [pod("a")], [], None, NOW)
    with pytest.raises(MetricError, match="failed to get cpu utilization: no pods returned"):
        propose(CPU_50, 1, [], [item("x", cpu="1m")], None, NOW)
    with pytest.raises(MetricError) as e:
        propose({"type": "Pods", "pods": {"metric": {"name": "qps"}}}, 1, [], None, None, NOW)
    assert e.value.reason == "FailedGetPodsMetric" and "qps" in e.value.message


# -- behavior --------------------------------------------------------------------------------
def test_rules_fill_defaults_field_by_field() -> None:
    up, down = hb.rules(None, "scaleUp"), hb.rules(None, "scaleDown")
    assert (up.window, up.select, len(up.policies)) == (0, "Max", 2)
    assert (down.window, down.select, down.policies) == (
        300, "Max", ({"type": "Percent", "value": 100, "periodSeconds": 15},))
    custom = hb.rules({"scaleDown": {"stabilizationWindowSeconds": 5, "selectPolicy": "Disabled"}}, "scaleDown")
    assert (custom.window, custom.select, len(custom.policies)) == (5, "Disabled", 1)


def test_without_behavior_limits_scale_up_to_double_or_four() -> None:
    d = hb.without_behavior(hb.History(), 1, 10, 1, 20, NOW)
    assert d.replicas == 4 and d.limited[:2] == ("True", "ScaleUpLimit")
    d = hb.without_behavior(hb.History(), 5, 30, 1, 8, NOW)
    assert d.replicas == 8 and d.limited[:2] == ("True", "TooManyReplicas")
    d = hb.without_behavior(hb.History(), 5, 6, 1, 8, NOW)
    assert d.replicas == 6 and d.limited == hb.WITHIN_RANGE and d.able[1] == "ReadyForNewScale"


def test_without_behavior_scale_down_waits_five_minutes() -> None:
    h = hb.History()
    hb.without_behavior(h, 10, 10, 1, 20, NOW)
    d = hb.without_behavior(h, 10, 3, 1, 20, NOW + 100)
    assert d.replicas == 10 and d.able[1] == "ScaleDownStabilized"
    assert hb.without_behavior(h, 10, 3, 1, 20, NOW + 301).replicas == 3


def test_default_behavior_scale_up_policies() -> None:
    h, behavior = hb.History(), {}
    d = hb.with_behavior(h, behavior, 2, 20, 1, 50, NOW)
    assert d.replicas == 6 and d.limited[:2] == ("True", "ScaleUpLimit")  # max(2+4, 2*2)
    hb.record_scale(h, behavior, 2, 6, NOW)
    assert hb.with_behavior(h, behavior, 6, 20, 1, 50, NOW + 5).replicas == 6  # this period is spent
    assert hb.with_behavior(h, behavior, 6, 20, 1, 50, NOW + 16).replicas == 12  # 100% of 6
    assert hb.with_behavior(hb.History(), behavior, 2, 20, 1, 5, NOW).limited[1] == "TooManyReplicas"


def test_select_policy_min_and_disabled() -> None:
    up_min = {"scaleUp": {"selectPolicy": "Min"}}
    assert hb.with_behavior(hb.History(), up_min, 2, 20, 1, 50, NOW).replicas == 4
    off = {"scaleDown": {"selectPolicy": "Disabled", "stabilizationWindowSeconds": 0}}
    d = hb.with_behavior(hb.History(), off, 5, 1, 1, 50, NOW)
    assert d.replicas == 5 and d.limited[1] == "ScaleDownLimit"


def test_scale_down_stabilization_window_and_rate() -> None:
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 30, "policies": [
        {"type": "Pods", "value": 1, "periodSeconds": 60}]}}
    h = hb.History()
    d = hb.with_behavior(h, behavior, 5, 1, 1, 10, NOW)  # a fresh controller remembers 5 now
    assert d.replicas == 5 and d.able[1] == "ScaleDownStabilized"
    d = hb.with_behavior(h, behavior, 5, 1, 1, 10, NOW + 31)
    assert d.replicas == 4 and d.limited[:2] == ("True", "ScaleDownLimit")
    hb.record_scale(h, behavior, 5, 4, NOW + 31)
    assert hb.with_behavior(h, behavior, 4, 1, 1, 10, NOW + 40).replicas == 4
    assert hb.with_behavior(h, behavior, 4, 1, 3, 10, NOW + 92).limited[1] == "TooFewReplicas"


def test_scale_up_stabilization_takes_the_lowest_recent_recommendation() -> None:
    behavior = {"scaleUp": {"stabilizationWindowSeconds": 60}}
    h = hb.History()
    hb.with_behavior(h, behavior, 3, 3, 1, 10, NOW)
    d = hb.with_behavior(h, behavior, 3, 8, 1, 10, NOW + 10)
    assert d.replicas == 3 and d.able[1] == "ScaleUpStabilized"
    assert hb.with_behavior(h, behavior, 3, 8, 1, 10, NOW + 61).replicas == 7  # up 4 per 15 s


def test_set_condition_moves_transition_time_only_on_status_change() -> None:
    status: dict = {}
    set_condition(status, "AbleToScale", "True", "A", "a", NOW)
    set_condition(status, "AbleToScale", "True", "B", "b", NOW + 10)
    assert status["conditions"] == [{"type": "AbleToScale", "status": "True", "reason": "B",
                                     "message": "b", "lastTransitionTime": rfc3339(NOW)}]
    set_condition(status, "AbleToScale", "False", "C", "c", NOW + 20)
    assert status["conditions"][0]["lastTransitionTime"] == rfc3339(NOW + 20)
