"""Pure rules of replicated pods: readiness and availability, which pods a scale-down
removes first, and a ReplicaSet's status (ownership.py has the ownerReference helpers).

Shared by the ReplicaSet and Deployment controllers (and any controller owning pods).
"""

from __future__ import annotations

import time
from typing import Any

from minicube.api.kinds.common import get
from minicube.client.clock import parse_rfc3339, rfc3339
from minicube.controllers.ownership import controller_of, is_ready

Obj = dict[str, Any]

_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def controlled_by(obj: Obj, owner: Obj) -> bool:
    ref = controller_of(obj)
    return ref is not None and ref.get("uid") == owner["metadata"].get("uid")


def is_active(pod: Obj) -> bool:
    """Neither finished nor being deleted: it counts towards the replicas."""
    return (get(pod, "status", "phase") not in ("Succeeded", "Failed")
            and not get(pod, "metadata", "deletionTimestamp"))


def _ready_condition(pod: Obj) -> Obj | None:
    for cond in get(pod, "status", "conditions", default=[]):
        if cond.get("type") == "Ready":
            return cond
    return None


def ready_since(pod: Obj) -> float | None:
    """When the pod became Ready (None when it is not)."""
    cond = _ready_condition(pod)
    if cond is None or cond.get("status") != "True":
        return None
    return parse_rfc3339(cond.get("lastTransitionTime")) or 0.0


def is_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    """Ready for at least minReadySeconds (podutil.IsPodAvailable)."""
    since = ready_since(pod)
    if since is None:
        return False
    return min_ready_seconds <= 0 or since + min_ready_seconds <= now


def _restarts(pod: Obj) -> int:
    return sum(int(cs.get("restartCount") or 0)
               for cs in get(pod, "status", "containerStatuses", default=[]))


def deletion_order(pods: list[Obj]) -> list[Obj]:
    """Pods in the order a scale-down removes them (controller.ActivePods): unscheduled,
    then pending, not ready, ready for less time, restarted more, and newer ones first."""
    def rank(pod: Obj) -> tuple[Any, ...]:
        since = ready_since(pod)
        created = parse_rfc3339(get(pod, "metadata", "creationTimestamp")) or 0.0
        return (bool(get(pod, "spec", "nodeName")),
                _PHASE_RANK.get(get(pod, "status", "phase", default=""), 0),
                since is not None,
                -(since or 0.0),
                -_restarts(pod),
                -created)
    return sorted(pods, key=rank)


def replica_set_status(rs: Obj, pods: list[Obj], now: float | None = None) -> Obj:
    """status from the RS's active pods (calculateStatus), keeping its conditions."""
    now = time.time() if now is None else now
    labels = get(rs, "spec", "template", "metadata", "labels", default={})
    min_ready = int(get(rs, "spec", "minReadySeconds", default=0))
    status: Obj = {
        "replicas": len(pods),
        "fullyLabeledReplicas": sum(
            1 for p in pods
            if all(get(p, "metadata", "labels", k) == v for k, v in labels.items())),
        "readyReplicas": sum(1 for p in pods if is_ready(p)),
        "availableReplicas": sum(1 for p in pods if is_available(p, min_ready, now)),
        "observedGeneration": get(rs, "metadata", "generation", default=0),
    }
    if conditions := get(rs, "status", "conditions"):
        status["conditions"] = conditions
    return status


def seconds_until_available(pods: list[Obj], min_ready_seconds: int, now: float) -> float | None:
    """How long until the next ready pod turns available (to check again then)."""
    waits = [since + min_ready_seconds - now for p in pods
             if (since := ready_since(p)) is not None and since + min_ready_seconds > now]
    return min(waits) if waits else None


def set_replica_failure(status: Obj, failure: tuple[str, str] | None, now: float) -> None:
    """The ReplicaFailure condition: set (reason, message) when creating or deleting pods
    failed, removed once a sync manages them again."""
    others = [c for c in status.get("conditions") or [] if c.get("type") != "ReplicaFailure"]
    if failure is not None:
        old = next((c for c in status.get("conditions") or []
                    if c.get("type") == "ReplicaFailure"), None)
        reason, message = failure
        others.append({"type": "ReplicaFailure", "status": "True", "reason": reason,
                       "message": message,
                       "lastTransitionTime": (old or {}).get("lastTransitionTime", rfc3339(now))})
    if others:
        status["conditions"] = others
    else:
        status.pop("conditions", None)
