"""Pure rules of Deployment rollouts (upstream's deployment/util): the pod-template hash,
revisions and their annotations, how far a RollingUpdate may scale up or down, the
proportional split of a scaling event, and the status and conditions `kubectl rollout
status` reads.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from minicube.api.kinds.common import get
from minicube.api.kinds.replication import scaled_value
from minicube.client.clock import parse_rfc3339, rfc3339

Obj = dict[str, Any]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
# Deployment annotations that stay off its ReplicaSets (annotationsToSkip).
_SKIPPED = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
            DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to"}
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
MAX_INT32 = 2**31 - 1

# --- hashing and templates -------------------------------------------------------------------


def _fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: Obj, collision_count: int | None = None) -> str:
    """ComputeHash: FNV-32a of the template (plus the collision count), its decimal digits
    mapped onto the vowel-free alphabet as rand.SafeEncodeString does: `7f479b7c79`."""
    data = json.dumps(without_hash(template), sort_keys=True, separators=(",", ":"))
    if collision_count:
        data += str(collision_count)
    digits = str(_fnv32a(data.encode()))
    return "".join(_SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)] for ch in digits)


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items() if x is not None and x != {}}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def without_hash(template: Obj) -> Obj:
    """The template without its pod-template-hash label, nulls and empty maps."""
    t = copy.deepcopy(template or {})
    labels = get(t, "metadata", "labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return _clean(t)


def same_template(a: Obj, b: Obj) -> bool:
    """EqualIgnoreHash: templates equal but for the pod-template-hash label."""
    return without_hash(a) == without_hash(b)


# --- revisions -------------------------------------------------------------------------------


def revision(obj: Obj | None) -> int:
    try:
        return int(get(obj, "metadata", "annotations", REVISION, default="0"))
    except ValueError:
        return 0


def max_revision(sets: list[Obj]) -> int:
    return max((revision(rs) for rs in sets), default=0)


def copied_annotations(deployment: Obj) -> dict[str, str]:
    """The deployment's annotations its ReplicaSets carry (change-cause among them)."""
    return {k: v for k, v in get(deployment, "metadata", "annotations", default={}).items()
            if k not in _SKIPPED}


def replica_annotations(deployment: Obj) -> dict[str, str]:
    replicas = int(get(deployment, "spec", "replicas", default=1))
    return {DESIRED_REPLICAS: str(replicas),
            MAX_REPLICAS: str(replicas + max_surge(deployment))}


def new_rs_annotations(deployment: Obj, rs: Obj | None, new_revision: int) -> dict[str, str]:
    """The annotations the new ReplicaSet should carry (SetNewReplicaSetAnnotations): the
    deployment's, the replica counts, and the new revision, remembering a reused one's old
    revisions in revision-history."""
    current = dict(get(rs, "metadata", "annotations", default={}))
    out = {**current, **copied_annotations(deployment), **replica_annotations(deployment)}
    old = revision(rs)
    if old < new_revision:
        out[REVISION] = str(new_revision)
        if old:
            history = [h for h in current.get(REVISION_HISTORY, "").split(",") if h]
            out[REVISION_HISTORY] = ",".join(history + [str(old)])
    return out


# --- rollout math ----------------------------------------------------------------------------


def _rolling(deployment: Obj) -> Obj:
    return get(deployment, "spec", "strategy", "rollingUpdate", default={})


def is_rolling(deployment: Obj) -> bool:
    return get(deployment, "spec", "strategy", "type", default="RollingUpdate") == "RollingUpdate"


def max_surge(deployment: Obj) -> int:
    if not is_rolling(deployment):
        return 0
    replicas = int(get(deployment, "spec", "replicas", default=1))
    return scaled_value(_rolling(deployment).get("maxSurge", "25%"), replicas, round_up=True)


def max_unavailable(deployment: Obj) -> int:
    """MaxUnavailable: at least one when surge and unavailability both resolve to zero."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    if not is_rolling(deployment) or replicas == 0:
        return 0
    unavailable = scaled_value(_rolling(deployment).get("maxUnavailable", "25%"), replicas,
                               round_up=False)
    if unavailable == 0 and max_surge(deployment) == 0:
        unavailable = 1
    return min(unavailable, replicas)


def spec_replicas(sets: list[Obj]) -> int:
    return sum(int(get(rs, "spec", "replicas", default=0)) for rs in sets)


def _status_sum(sets: list[Obj], field: str) -> int:
    return sum(int(get(rs, "status", field, default=0)) for rs in sets)


def new_rs_replicas(deployment: Obj, all_sets: list[Obj], new_rs: Obj) -> int:
    """NewRSNewReplicas: how big the new ReplicaSet may be now."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    current = int(get(new_rs, "spec", "replicas", default=0))
    if not is_rolling(deployment):
        return replicas
    total = spec_replicas(all_sets)
    allowed = replicas + max_surge(deployment)
    if total >= allowed:
        return current
    return current + min(allowed - total, replicas - current)


def max_scale_down(deployment: Obj, all_sets: list[Obj], new_rs: Obj | None) -> int:
    """How many old pods may go now without falling below minimum availability."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    min_available = replicas - max_unavailable(deployment)
    new_unavailable = (int(get(new_rs, "spec", "replicas", default=0))
                       - int(get(new_rs, "status", "availableReplicas", default=0))) if new_rs else 0
    return spec_replicas(all_sets) - min_available - new_unavailable


def by_creation(sets: list[Obj]) -> list[Obj]:
    return sorted(sets, key=lambda rs: (get(rs, "metadata", "creationTimestamp", default=""),
                                        get(rs, "metadata", "name", default="")))


def cleanup_unhealthy(old_sets: list[Obj], budget: int) -> dict[str, int]:
    """Old sets' unavailable replicas removed first, oldest set first: {name: new size}."""
    out: dict[str, int] = {}
    spent = 0
    for rs in by_creation(old_sets):
        if spent >= budget:
            break
        size = int(get(rs, "spec", "replicas", default=0))
        unhealthy = size - int(get(rs, "status", "availableReplicas", default=0))
        if size == 0 or unhealthy <= 0:
            continue
        cut = min(budget - spent, unhealthy)
        out[rs["metadata"]["name"]] = size - cut
        spent += cut
    return out


def scale_down_old(deployment: Obj, all_sets: list[Obj], old_sets: list[Obj]) -> dict[str, int]:
    """Available old replicas removed while availability stays above the minimum."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    min_available = replicas - max_unavailable(deployment)
    available = _status_sum(all_sets, "availableReplicas")
    if available <= min_available:
        return {}
    budget, out, spent = available - min_available, {}, 0
    for rs in by_creation(old_sets):
        if spent >= budget:
            break
        size = int(get(rs, "spec", "replicas", default=0))
        if size == 0:
            continue
        cut = min(size, budget - spent)
        out[rs["metadata"]["name"]] = size - cut
        spent += cut
    return out


def proportional_sizes(deployment: Obj, active: list[Obj]) -> dict[str, int]:
    """Split a scaling event over the active sets in proportion to their sizes, keeping
    surge room for a rollout; the rounding leftover goes to the largest set."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    allowed = replicas + max_surge(deployment) if replicas > 0 else 0
    total = spec_replicas(active)
    to_add = allowed - total
    if to_add == 0 or total == 0:
        return {}
    ordered = sorted(active, key=lambda rs: (int(get(rs, "spec", "replicas", default=0)),
                                             get(rs, "metadata", "creationTimestamp", default="")),
                     reverse=True)
    sizes = {rs["metadata"]["name"]: int(get(rs, "spec", "replicas", default=0)) for rs in ordered}
    added = 0
    for rs in ordered:
        name = rs["metadata"]["name"]
        share = int(sizes[name] * to_add / total)  # truncates toward zero, as upstream
        if abs(added + share) > abs(to_add):
            share = to_add - added
        sizes[name] = max(0, sizes[name] + share)
        added += share
    if added != to_add:  # the rounding leftover goes to the largest set
        first = ordered[0]["metadata"]["name"]
        sizes[first] = max(0, sizes[first] + to_add - added)
    return sizes


# --- status and conditions -------------------------------------------------------------------


def condition(status: Obj, type_: str) -> Obj | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == type_), None)


def set_condition(status: Obj, type_: str, value: str, reason: str, message: str,
                  now: float) -> None:
    """SetDeploymentCondition: keep lastTransitionTime when the status does not change."""
    ts = rfc3339(now)
    old = condition(status, type_)
    new = {"type": type_, "status": value, "lastUpdateTime": ts, "lastTransitionTime": ts,
           "reason": reason, "message": message}
    if old is not None:
        if old.get("status") == value and old.get("reason") == reason \
                and old.get("message") == message:
            return
        if old.get("status") == value:
            new["lastTransitionTime"] = old.get("lastTransitionTime", ts)
    status["conditions"] = [c for c in status.get("conditions") or []
                            if c.get("type") != type_] + [new]


def calculate_status(deployment: Obj, all_sets: list[Obj], new_rs: Obj | None,
                     now: float) -> Obj:
    """calculateStatus: counts from the ReplicaSets and the Available condition."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    available = _status_sum(all_sets, "availableReplicas")
    status: Obj = {
        "observedGeneration": get(deployment, "metadata", "generation", default=0),
        "replicas": _status_sum(all_sets, "replicas"),
        "updatedReplicas": _status_sum([new_rs], "replicas") if new_rs else 0,
        "readyReplicas": _status_sum(all_sets, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": max(0, replicas - available),
        "conditions": copy.deepcopy(get(deployment, "status", "conditions", default=[])),
    }
    if collisions := get(deployment, "status", "collisionCount"):
        status["collisionCount"] = collisions
    if available >= replicas - max_unavailable(deployment):
        set_condition(status, "Available", "True", "MinimumReplicasAvailable",
                      "Deployment has minimum availability.", now)
    else:
        set_condition(status, "Available", "False", "MinimumReplicasUnavailable",
                      "Deployment does not have minimum availability.", now)
    return status


def is_complete(deployment: Obj, status: Obj) -> bool:
    """DeploymentComplete: every replica updated and available, and the spec observed."""
    replicas = int(get(deployment, "spec", "replicas", default=1))
    return (status.get("updatedReplicas") == replicas and status.get("replicas") == replicas
            and status.get("availableReplicas") == replicas
            and status.get("observedGeneration", 0) >= get(deployment, "metadata", "generation",
                                                           default=0))


def is_progressing(deployment: Obj, status: Obj) -> bool:
    """DeploymentProgressing: more updated, ready or available pods, or fewer old ones."""
    old = deployment.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = status.get("replicas", 0) - status.get("updatedReplicas", 0)
    return (status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
            or new_old < old_old
            or status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or status.get("availableReplicas", 0) > old.get("availableReplicas", 0))


def has_deadline(deployment: Obj) -> bool:
    deadline = get(deployment, "spec", "progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def _updated(cond: Obj, default: float) -> float:
    since = parse_rfc3339(cond.get("lastUpdateTime"))
    return default if since is None else since


def timed_out(deployment: Obj, status: Obj, now: float) -> bool:
    """DeploymentTimedOut: no progress for progressDeadlineSeconds since the last update."""
    if not has_deadline(deployment):
        return False
    cond = condition(status, "Progressing")
    if cond is None or cond.get("reason") == "NewReplicaSetAvailable":
        return False
    if cond.get("reason") == "ProgressDeadlineExceeded":
        return True
    since = _updated(cond, now)
    return since + int(get(deployment, "spec", "progressDeadlineSeconds")) < now


def seconds_to_deadline(deployment: Obj, status: Obj, now: float) -> float | None:
    """When a still-progressing rollout would time out (to check again then)."""
    cond = condition(status, "Progressing")
    if not has_deadline(deployment) or cond is None or \
            cond.get("reason") in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded") or \
            is_complete(deployment, status):
        return None
    since = _updated(cond, now)
    return max(0.0, since + int(get(deployment, "spec", "progressDeadlineSeconds")) - now) + 1


def progress(deployment: Obj, status: Obj, new_rs: Obj | None, now: float) -> None:
    """syncRolloutStatus: the Progressing condition for a rollout that is not paused."""
    if not has_deadline(deployment):
        status["conditions"] = [c for c in status.get("conditions") or []
                                if c.get("type") != "Progressing"]
        return
    cond = condition(status, "Progressing")
    if status.get("replicas") == status.get("updatedReplicas") and cond is not None \
            and cond.get("reason") == "NewReplicaSetAvailable":
        return
    rs_name = get(new_rs, "metadata", "name")
    if is_complete(deployment, status):
        set_condition(status, "Progressing", "True", "NewReplicaSetAvailable",
                      f'ReplicaSet "{rs_name}" has successfully progressed.', now)
    elif is_progressing(deployment, status):
        what = f'ReplicaSet "{rs_name}"' if rs_name else \
            f'Deployment "{deployment["metadata"]["name"]}"'
        message = f"{what} is progressing."
        if cond is not None and cond.get("status") == "True":
            cond.update(reason="ReplicaSetUpdated", message=message, lastUpdateTime=rfc3339(now))
        else:
            set_condition(status, "Progressing", "True", "ReplicaSetUpdated", message, now)
    elif timed_out(deployment, status, now):
        set_condition(status, "Progressing", "False", "ProgressDeadlineExceeded",
                      f'ReplicaSet "{rs_name}" has timed out progressing.', now)


def copy_replica_failure(status: Obj, sets: list[Obj], new_rs: Obj | None, now: float) -> None:
    """The deployment's ReplicaFailure mirrors its sets' (the new set's first)."""
    ordered = ([new_rs] if new_rs else []) + [rs for rs in sets if rs is not new_rs]
    failure = next((c for rs in ordered for c in get(rs, "status", "conditions", default=[])
                    if c.get("type") == "ReplicaFailure"), None)
    if failure is None:
        status["conditions"] = [c for c in status.get("conditions") or []
                                if c.get("type") != "ReplicaFailure"]
    else:
        set_condition(status, "ReplicaFailure", failure.get("status", "True"),
                      failure.get("reason", ""), failure.get("message", ""), now)
