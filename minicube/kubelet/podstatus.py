"""A pod's status from what the engine shows of its containers (pure; upstream's rules).

Inputs are the pod, its labelled containers, and what the kubelet remembers between syncs
(why a container is waiting, whether it is in CrashLoopBackOff). Timestamps that did not
change are kept from the previous status, so an unchanged pod computes an equal status and
no write is made.
"""

from __future__ import annotations

from typing import Any, Mapping

from minicube.kubelet.containers import SANDBOX, ContainerInfo, latest_by_name

Obj = dict[str, Any]

TERMINAL_PHASES = ("Succeeded", "Failed")


def seconds(ts: str) -> str:
    """The engine's nanosecond timestamp as metav1.Time (whole seconds)."""
    return ts[:19] + "Z" if ts else ""


def terminated_state(c: ContainerInfo) -> Obj:
    if c.error:
        reason = "ContainerCannotRun"
    elif c.oom_killed:
        reason = "OOMKilled"
    else:
        reason = "Completed" if c.exit_code == 0 else "Error"
    state: Obj = {"exitCode": c.exit_code, "reason": reason, "containerID": f"docker://{c.id}"}
    # A container the engine could not start has no times: leave them out, not null.
    if c.started_at or c.finished_at:
        state["startedAt"] = seconds(c.started_at or c.finished_at)
    if c.finished_at:
        state["finishedAt"] = seconds(c.finished_at)
    if c.error:
        state["message"] = c.error
    return {"terminated": state}


def container_status(spec: Obj, attempts: list[ContainerInfo], *,
                     waiting: tuple[str, str] | None = None,
                     backoff_message: str | None = None) -> Obj:
    """One entry of status.containerStatuses; attempts are newest first."""
    latest = attempts[0] if attempts else None
    previous = attempts[1] if len(attempts) > 1 else None
    status: Obj = {"name": spec["name"], "image": latest.image if latest else spec.get("image", ""),
                   "imageID": "", "ready": False, "started": False,
                   "restartCount": latest.attempt if latest else 0, "lastState": {}}
    if latest is not None:
        status["containerID"] = f"docker://{latest.id}"
        if latest.image_id:
            status["imageID"] = f"docker://{latest.image_id}"
    last_from_previous = terminated_state(previous) if previous and previous.exited else {}
    if latest is not None and latest.running:
        status.update(state={"running": {"startedAt": seconds(latest.started_at)}},
                      lastState=last_from_previous, ready=True, started=True)
    elif waiting is not None:
        status["state"] = {"waiting": {"reason": waiting[0], "message": waiting[1]}}
        if latest is not None and latest.exited:
            status["lastState"] = terminated_state(latest)
    elif latest is not None and latest.exited and backoff_message:
        status["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": backoff_message}}
        status["lastState"] = terminated_state(latest)
    elif latest is not None and latest.exited:
        status.update(state=terminated_state(latest), lastState=last_from_previous)
    else:
        status.update(state={"waiting": {"reason": "ContainerCreating"}},
                      lastState=last_from_previous)
    return status


def pod_phase(restart_policy: str, statuses: list[Obj]) -> str:
    """Upstream's getPhase for pods without init containers."""
    running = waiting = stopped = succeeded = 0
    for s in statuses:
        state = s.get("state", {})
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            succeeded += int(state["terminated"].get("exitCode") == 0)
        elif "terminated" in s.get("lastState", {}):
            stopped += 1   # waiting to restart
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Failed" if restart_policy == "Never" else "Running"
    return "Pending"


def _condition(ctype: str, ok: bool, old: Mapping[str, Obj], now: str,
               reason: str | None = None, message: str | None = None) -> Obj:
    status = "True" if ok else "False"
    before = old.get(ctype)
    cond: Obj = {"type": ctype, "status": status, "lastProbeTime": None,
                 "lastTransitionTime": before.get("lastTransitionTime", now)
                 if before and before.get("status") == status else now}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def conditions(phase: str, statuses: list[Obj], old_conditions: list[Obj], now: str) -> list[Obj]:
    old = {c.get("type", ""): c for c in old_conditions}
    unready = [s["name"] for s in statuses if not s.get("ready")]
    if phase in TERMINAL_PHASES:
        ready, reason, message = False, "PodCompleted", None
    elif unready:
        ready, reason = False, "ContainersNotReady"
        message = f"containers with unready status: [{' '.join(unready)}]"
    else:
        ready, reason, message = True, None, None
    out = [_condition("Initialized", True, old, now),
           _condition("Ready", ready, old, now, reason, message),
           _condition("ContainersReady", ready, old, now, reason, message)]
    scheduled = old.get("PodScheduled")
    out.append(scheduled if scheduled else _condition("PodScheduled", True, old, now))
    return out


def pod_status(pod: Obj, containers: list[ContainerInfo], *, host_ip: str, now: str,
               waiting: Mapping[str, tuple[str, str]] | None = None,
               backoff: Mapping[str, str] | None = None) -> Obj:
    """The pod's whole status: waiting/backoff are per container name."""
    old = dict(pod.get("status") or {})
    spec = pod.get("spec", {})
    by_name = latest_by_name(containers)
    statuses = [container_status(c, by_name.get(c["name"], []),
                                 waiting=(waiting or {}).get(c["name"]),
                                 backoff_message=(backoff or {}).get(c["name"]))
                for c in spec.get("containers", [])]
    phase = pod_phase(spec.get("restartPolicy", "Always"), statuses)
    if old.get("phase") in TERMINAL_PHASES:
        phase = old["phase"]  # a finished pod never runs again
    status = {**old, "phase": phase,
              "conditions": conditions(phase, statuses, old.get("conditions") or [], now),
              "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
              "startTime": old.get("startTime") or now, "containerStatuses": statuses}
    sandboxes = by_name.get(SANDBOX, [])
    if sandboxes and sandboxes[0].running and sandboxes[0].ip:
        status.update(podIP=sandboxes[0].ip, podIPs=[{"ip": sandboxes[0].ip}])
    return status


def is_terminal(status: Obj) -> bool:
    return status.get("phase") in TERMINAL_PHASES
