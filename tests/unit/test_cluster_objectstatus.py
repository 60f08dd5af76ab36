from __future__ import annotations

from typing import Any

from minicube.cluster.objectstatus import FAILED, READY, WAITING, assess, selector_string


def deployment(replicas: int = 2, generation: int = 2, **status: Any) -> dict[str, Any]:
    return {"kind": "Deployment", "metadata": {"generation": generation}, "spec": {"replicas": replicas},
            "status": {"observedGeneration": 2, **status}}


def crashing_pod() -> dict[str, Any]:
    return {"metadata": {"name": "web-1"}, "status": {"containerStatuses": [
        {"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}


def test_a_deployment_is_ready_when_every_replica_is_updated_and_available() -> None:
    done = deployment(replicas=2, updatedReplicas=2, availableReplicas=2)
    done["status"]["replicas"] = 2
    assert assess(done, []).state == READY
    assert assess(deployment(updatedReplicas=2, availableReplicas=1, replicas=2), []).state == WAITING
    assert assess(deployment(generation=3, updatedReplicas=2, availableReplicas=2, replicas=2), []).state == WAITING


def test_a_crashing_pod_fails_an_unfinished_rollout_and_names_the_reason() -> None:
    result = assess(deployment(updatedReplicas=2, availableReplicas=1, replicas=2), [crashing_pod()])
    assert result.state == FAILED and "CrashLoopBackOff" in result.summary
    assert result.failing_pods[0]["metadata"]["name"] == "web-1"


def test_progress_deadline_exceeded_is_a_failure() -> None:
    stuck = deployment(conditions=[{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                    "message": "ReplicaSet web-1 has timed out progressing."}])
    assert assess(stuck, []).state == FAILED


def test_jobs_complete_or_fail_by_their_conditions() -> None:
    job = {"kind": "Job", "spec": {"completions": 2}, "status": {"succeeded": 1}}
    assert assess(job, []).summary == "1/2 succeeded"
    job["status"]["conditions"] = [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]
    assert assess(job, []).state == FAILED


def test_pods_services_and_claims() -> None:
    unschedulable = {"kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "Insufficient cpu"}]}}
    assert assess(unschedulable, []).state == FAILED
    svc = {"kind": "Service", "spec": {"selector": {"app": "web"}}}
    assert assess(svc, [], {"subsets": []}).state == WAITING
    assert assess(svc, [], {"subsets": [{"addresses": [{"ip": "10.244.0.5"}]}]}).state == READY
    assert assess({"kind": "PersistentVolumeClaim", "status": {"phase": "Bound"}}, []).state == READY
    assert assess({"kind": "ConfigMap"}, []).state == READY


def test_selector_string_covers_labels_and_expressions() -> None:
    obj = {"spec": {"selector": {"matchLabels": {"app": "web", "tier": "fe"},
                                 "matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]}]}}}
    assert selector_string(obj) == "app=web,tier=fe,env in (a,b)"
