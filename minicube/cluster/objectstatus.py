"""Is an applied object working yet? The rules `minicube apply --wait` follows, kind by kind.

Pure functions over the objects as the API returns them (the same fields `kubectl rollout
status` and `kubectl wait` read). A state is READY, WAITING (may still come right) or FAILED
(certain: waiting longer cannot help, so the wait stops early and says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

READY, WAITING, FAILED = "ready", "waiting", "failed"

# Container states that do not resolve by themselves: with no registry an image never
# appears, a crash loop keeps crashing, a broken spec stays broken.
FAILING_REASONS = frozenset({
    "CrashLoopBackOff", "ErrImageNeverPull", "ImagePullBackOff", "ErrImagePull", "InvalidImageName",
    "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "OOMKilled",
})


@dataclass(frozen=True)
class Assessment:
    state: str
    summary: str
    failing_pods: list[Obj] = field(default_factory=list)


def assess(obj: Obj, pods: list[Obj], endpoints: Obj | None = None) -> Assessment:
    """The state of `obj`, given the pods it owns (by selector) and, for a Service, its Endpoints."""
    kind = obj.get("kind", "")
    if kind == "Service":
        return _service(obj, endpoints)
    rule = _RULES.get(kind)
    if rule is None:
        return Assessment(READY, "applied")
    result = rule(obj)
    failing = [p for p in pods if pod_failure(p)]
    if result.state != READY and failing:
        return Assessment(FAILED, f"{result.summary}; {pod_failure(failing[0])}", failing)
    return result


def pod_failure(pod: Obj) -> str | None:
    """Why a pod is certainly failing, or None."""
    status = pod.get("status") or {}
    name = pod.get("metadata", {}).get("name", "")
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False" and \
                cond.get("reason") == "Unschedulable":
            return f"pod {name} cannot be scheduled: {cond.get('message', '')}".rstrip(": ")
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        reason = (state.get("waiting") or {}).get("reason") or (state.get("terminated") or {}).get("reason")
        if reason in FAILING_REASONS:
            return f"pod {name} container {cs.get('name')}: {reason}"
    return None


def _replicas(obj: Obj) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def _observed(obj: Obj) -> bool:
    generation = obj.get("metadata", {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    return generation is None or (observed is not None and observed >= generation)


def condition(obj: Obj, kind: str) -> Obj | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), None)


def _deployment(obj: Obj) -> Assessment:
    status, want = obj.get("status") or {}, _replicas(obj)
    progressing = condition(obj, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Assessment(FAILED, f"rollout stuck: {progressing.get('message', 'progress deadline exceeded')}")
    available, updated = status.get("availableReplicas", 0), status.get("updatedReplicas", 0)
    summary = f"{available}/{want} available, {updated} up to date"
    done = _observed(obj) and updated == want and available == want and status.get("replicas", 0) == want
    return Assessment(READY if done else WAITING, summary)


def _replica_set(obj: Obj) -> Assessment:
    ready, want = (obj.get("status") or {}).get("readyReplicas", 0), _replicas(obj)
    return Assessment(READY if _observed(obj) and ready == want else WAITING, f"{ready}/{want} ready")


def _stateful_set(obj: Obj) -> Assessment:
    status, want = obj.get("status") or {}, _replicas(obj)
    ready = status.get("readyReplicas", 0)
    revisions_match = status.get("updateRevision") in (None, status.get("currentRevision"))
    done = _observed(obj) and ready == want and status.get("updatedReplicas", want) == want
    return Assessment(READY if done and (revisions_match or want == 0) else WAITING, f"{ready}/{want} ready")


def _daemon_set(obj: Obj) -> Assessment:
    status = obj.get("status") or {}
    want, ready = status.get("desiredNumberScheduled", 0), status.get("numberReady", 0)
    done = _observed(obj) and want > 0 and ready == want and status.get("updatedNumberScheduled", 0) == want
    return Assessment(READY if done else WAITING, f"{ready}/{want} ready")


def _job(obj: Obj) -> Assessment:
    for kind, state in (("Complete", READY), ("Failed", FAILED)):
        cond = condition(obj, kind)
        if cond and cond.get("status") == "True":
            detail = cond.get("message") or cond.get("reason") or kind.lower()
            return Assessment(state, "complete" if state == READY else f"failed: {detail}")
    status = obj.get("status") or {}
    completions = (obj.get("spec") or {}).get("completions") or 1
    return Assessment(WAITING, f"{status.get('succeeded', 0)}/{completions} succeeded")


def _pod(obj: Obj) -> Assessment:
    status = obj.get("status") or {}
    phase = status.get("phase", "Pending")
    if phase == "Succeeded":
        return Assessment(READY, "succeeded")
    if phase == "Failed":
        return Assessment(FAILED, f"failed: {status.get('reason') or status.get('message') or 'a container failed'}")
    ready = condition(obj, "Ready")
    if ready and ready.get("status") == "True":
        return Assessment(READY, "running and ready")
    failure = pod_failure(obj)
    if failure:
        return Assessment(FAILED, failure, [obj])
    return Assessment(WAITING, phase.lower())


def _claim(obj: Obj) -> Assessment:
    phase = (obj.get("status") or {}).get("phase", "Pending")
    return Assessment(READY if phase == "Bound" else FAILED if phase == "Lost" else WAITING, phase.lower())


def _service(obj: Obj, endpoints: Obj | None) -> Assessment:
    spec = obj.get("spec") or {}
    if spec.get("type") == "ExternalName" or not spec.get("selector"):
        return Assessment(READY, "no selector: nothing to wait for")
    ready = sum(len(s.get("addresses") or []) for s in (endpoints or {}).get("subsets") or [])
    return Assessment(READY if ready else WAITING, f"{ready} ready endpoint(s)")


_RULES = {
    "Deployment": _deployment, "ReplicaSet": _replica_set, "StatefulSet": _stateful_set,
    "DaemonSet": _daemon_set, "Job": _job, "Pod": _pod, "PersistentVolumeClaim": _claim,
}


def owns_pods(obj: Obj) -> bool:
    """Whether the object's pods are worth listing (by its label selector) to find failures."""
    return obj.get("kind") in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job")


def selector_string(obj: Obj) -> str | None:
    """The `labelSelector` query for the object's pods (matchLabels and simple expressions)."""
    selector = (obj.get("spec") or {}).get("selector") or {}
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), ",".join(expr.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": f"{key}", "DoesNotExist": f"!{key}"}.get(op, ""))
    parts = [p for p in parts if p]
    return ",".join(parts) if parts else None
