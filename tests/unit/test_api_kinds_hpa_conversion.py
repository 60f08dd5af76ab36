from __future__ import annotations

import copy
import json
from typing import Any

from minicube.api.kinds.hpa_conversion import (BEHAVIOR, CONDITIONS, CURRENT_METRICS, METRICS,
                                               to_v1, to_v2)
from minicube.api.kinds.policies import HORIZONTAL_POD_AUTOSCALER, HORIZONTAL_POD_AUTOSCALER_V1

REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
CPU = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                   "averageUtilization": 70}}}


def _v2(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 5, **spec}}


def _converted(obj: dict[str, Any], convert: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    convert(out)
    return out


def test_v1_without_a_target_gets_upstreams_80_percent_cpu() -> None:
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
          "spec": {"scaleTargetRef": REF, "maxReplicas": 3}}
    v2 = _converted(v1, to_v2)
    assert v2["apiVersion"] == "autoscaling/v2" and "status" not in v2
    assert v2["spec"] == {"scaleTargetRef": REF, "maxReplicas": 3, "metrics": [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                     "averageUtilization": 80}}}]}


def test_cpu_target_and_status_map_to_v1_fields() -> None:
    v2 = _v2(metrics=[CPU])
    v2["status"] = {"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 55,
                                                                    "averageValue": "120m"}}}]}
    v1 = _converted(v2, to_v1)
    assert v1["spec"] == {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 5,
                          "targetCPUUtilizationPercentage": 70}
    assert v1["status"] == {"currentReplicas": 2, "desiredReplicas": 3, "currentCPUUtilizationPercentage": 55}
    # the raw value is kept too: the current metrics always travel in the annotation
    assert json.loads(v1["metadata"]["annotations"][CURRENT_METRICS]) == [
        {"type": "Resource", "resource": {"name": "cpu", "currentAverageUtilization": 55,
                                          "currentAverageValue": "120m"}}]
    assert METRICS not in v1["metadata"]["annotations"]
    assert _converted(v1, to_v2) == v2


def test_every_metric_kind_round_trips_through_v1_annotations() -> None:
    selector = {"matchLabels": {"app": "web"}}
    metrics = [
        {"type": "Object", "object": {"describedObject": {"apiVersion": "v1", "kind": "Service", "name": "s"},
                                      "metric": {"name": "rps", "selector": selector},
                                      "target": {"type": "Value", "value": "100"}}},
        {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                  "target": {"type": "AverageValue", "averageValue": "10"}}},
        {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                       "averageValue": "1Gi"}}},
        {"type": "ContainerResource", "containerResource": {
            "name": "cpu", "container": "app", "target": {"type": "Utilization", "averageUtilization": 50}}},
        {"type": "External", "external": {"metric": {"name": "queue", "selector": selector},
                                          "target": {"type": "AverageValue", "averageValue": "30"}}},
        CPU,
    ]
    v2 = _v2(metrics=metrics, behavior={"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [
        {"type": "Percent", "value": 10, "periodSeconds": 60}]}})
    v2["status"] = {"desiredReplicas": 1, "conditions": [
        {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale",
         "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    v1 = _converted(v2, to_v1)
    notes = v1["metadata"]["annotations"]
    encoded = json.loads(notes[METRICS])
    assert [m["type"] for m in encoded] == ["Object", "Pods", "Resource", "ContainerResource", "External"]
    assert encoded[0]["object"] == {"target": {"apiVersion": "v1", "kind": "Service", "name": "s"},
                                    "metricName": "rps", "targetValue": "100", "selector": selector}
    assert encoded[4]["external"] == {"metricName": "queue", "metricSelector": selector,
                                      "targetAverageValue": "30"}
    assert json.loads(notes[BEHAVIOR])["ScaleDown"]["Policies"] == [
        {"Type": "Percent", "Value": 10, "PeriodSeconds": 60}]
    assert json.loads(notes[CONDITIONS]) == v2["status"]["conditions"]
    back = _converted(v1, to_v2)
    # upstream's conversion puts the CPU target (v1's own field) after the others
    assert back["spec"] == v2["spec"] and back["status"] == v2["status"]
    assert "annotations" not in back["metadata"]


def test_stale_round_trip_annotations_are_replaced_and_broken_ones_ignored() -> None:
    v2 = _v2(metrics=[CPU])
    v2["metadata"]["annotations"] = {METRICS: "[{]", "team": "a"}
    assert _converted(v2, to_v1)["metadata"]["annotations"] == {"team": "a"}
    v1 = {"apiVersion": "autoscaling/v1", "metadata": {"annotations": {METRICS: "not json", "team": "a"}},
          "spec": {"scaleTargetRef": REF, "maxReplicas": 2, "targetCPUUtilizationPercentage": 40}}
    back = _converted(v1, to_v2)
    assert back["metadata"]["annotations"] == {"team": "a"}
    assert back["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 40


def test_behavior_annotation_is_read_case_insensitively_as_go_does() -> None:
    v1 = {"metadata": {"annotations": {BEHAVIOR: json.dumps(
        {"scaleUp": {"selectPolicy": "Disabled"}, "ScaleDown": None})}},
        "spec": {"scaleTargetRef": REF, "maxReplicas": 2}}
    assert _converted(v1, to_v2)["spec"]["behavior"] == {"scaleUp": {"selectPolicy": "Disabled"}}


def test_v1_kind_validates_the_converted_form() -> None:
    assert HORIZONTAL_POD_AUTOSCALER_V1.validate is not None
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
          "metadata": {"name": "web", "namespace": "default"},
          "spec": {"scaleTargetRef": REF, "maxReplicas": 2, "targetCPUUtilizationPercentage": 0}}
    causes = HORIZONTAL_POD_AUTOSCALER_V1.validate(v1)
    assert [c["field"] for c in causes] == ["spec.metrics[0].resource.target.averageUtilization"]
    targets = next(c for c in HORIZONTAL_POD_AUTOSCALER_V1.columns if c.name == "Targets")
    assert targets.cell({**v1, "spec": {**v1["spec"], "targetCPUUtilizationPercentage": 65}}) == "cpu: <unknown>/65%"


def test_targets_show_current_over_target_per_metric_as_kubectl_does() -> None:
    targets = next(c for c in HORIZONTAL_POD_AUTOSCALER.columns if c.name == "Targets")
    cpu = {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 50}}}
    memory = {"type": "Resource", "resource": {"name": "memory", "target": {
        "type": "AverageValue", "averageValue": "100Mi"}}}
    pods = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {
        "type": "AverageValue", "averageValue": "10"}}}
    hpa = {"spec": {"metrics": [cpu, memory, pods]}, "status": {"currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 12}}}]}}
    assert targets.cell(hpa) == "cpu: 12%/50%, memory: <unknown>/100Mi + 1 more..."
    assert targets.cell({"spec": {}}) == "<none>"


def test_a_given_behavior_is_completed_with_upstreams_defaults() -> None:
    assert HORIZONTAL_POD_AUTOSCALER.default is not None
    hpa = {"spec": {"maxReplicas": 3, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 30}}}}
    HORIZONTAL_POD_AUTOSCALER.default(hpa)
    behavior = hpa["spec"]["behavior"]
    assert behavior["scaleDown"] == {"stabilizationWindowSeconds": 30, "selectPolicy": "Max",
                                     "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert [p["type"] for p in behavior["scaleUp"]["policies"]] == ["Pods", "Percent"]
    none = {"spec": {"maxReplicas": 3}}
    HORIZONTAL_POD_AUTOSCALER.default(none)
    assert "behavior" not in none["spec"]
