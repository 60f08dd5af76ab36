"""A pod's status from what the engine shows of its containers (pure; upstream's rules).

Inputs are the pod, its labelled containers, and what the kubelet remembers between syncs
(why a container is waiting, whether it is in CrashLoopBackOff). Timestamps that did not
change are kept from the previous status, so an unchanged pod computes an equal status and
no write is made.
"""

from __future__ import annotations

from typing import Any, Collection, Mapping, Sequence

from minicube.kubelet.containers import SANDBOX, ContainerInfo, latest_by_name
from minicube.kubelet.plan import initialized, is_sidecar

Obj = dict[str, Any]

TERMINAL_PHASES = ("Succeeded", "Failed")
KUBELET_CONDITIONS = ("Initialized", "Ready", "ContainersReady", "PodScheduled")


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
                     backoff_message: str | None = None, unready: Collection[str] = (),
                     unstarted: Collection[str] = (), pending: str = "ContainerCreating",
                     init: bool = False) -> Obj:
    """One entry of status.containerStatuses; attempts are newest first.

    unready/unstarted: container ids whose readiness/startup probe does not pass yet;
    pending: the waiting reason before a first attempt; init: a (non-sidecar) init
    container, ready once it completed.
    """
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
        started = latest.id not in unstarted
        status.update(state={"running": {"startedAt": seconds(latest.started_at)}},
                      lastState=last_from_previous, started=started,
                      ready=started and latest.id not in unready and not init)
    elif waiting is not None:
        status["state"] = {"waiting": {"reason": waiting[0], "message": waiting[1]}}
        if latest is not None and latest.exited:
            status["lastState"] = terminated_state(latest)
    elif latest is not None and latest.exited and backoff_message:
        status["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": backoff_message}}
        status["lastState"] = terminated_state(latest)
    elif latest is not None and latest.exited:
        status.update(state=terminated_state(latest), lastState=last_from_previous,
                      ready=init and latest.exit_code == 0 and not latest.error)
    else:
        status.update(state={"waiting": {"reason": pending}}, lastState=last_from_previous)
    return status


def pod_phase(restart_policy: str, statuses: list[Obj], *, initialized: bool = True,
              init_statuses: Sequence[Obj] = ()) -> str:
    """Upstream's getPhase: Pending while initializing (Failed when an init container
    failed and may not restart), then from the app containers' states."""
    if not initialized:
        for s in init_statuses:
            term = s.get("state", {}).get("terminated")
            if restart_policy == "Never" and term and term.get("exitCode") != 0:
                return "Failed"
        return "Pending"
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


def _gates_message(gates: list[Obj], old: Mapping[str, Obj]) -> str:
    """Why the pod's readiness gates hold it back ("" when they all pass), as upstream."""
    out = []
    for gate in gates:
        ctype = gate.get("conditionType", "")
        if ctype not in old:
            out.append(f'corresponding condition of pod readiness gate "{ctype}" does not exist.')
        elif old[ctype].get("status") != "True":
            out.append(f'the status of pod readiness gate "{ctype}" is not "True", but '
                       f'{old[ctype].get("status")}')
    return ", ".join(out)


def conditions(phase: str, statuses: list[Obj], old_conditions: list[Obj], now: str,
               incomplete: list[str] | None = None,
               readiness_gates: list[Obj] | None = None) -> list[Obj]:
    """incomplete: init containers not through yet (the pod is not Initialized).

    Conditions the kubelet does not own (readiness gates' and others') are kept as they are.
    """
    old = {c.get("type", ""): c for c in old_conditions}
    unready = [s["name"] for s in statuses if not s.get("ready")]
    if phase in TERMINAL_PHASES:
        reason = "PodCompleted" if phase == "Succeeded" else "PodFailed"
        ready, message = False, None
    elif unready:
        ready, reason = False, "ContainersNotReady"
        message = f"containers with unready status: [{' '.join(unready)}]"
    else:
        ready, reason, message = True, None, None
    if incomplete:
        init = _condition("Initialized", False, old, now, "ContainersNotInitialized",
                          f"containers with incomplete status: [{' '.join(incomplete)}]")
    else:
        init = _condition("Initialized", True, old, now)
    containers_ready = _condition("ContainersReady", ready, old, now, reason, message)
    gates = _gates_message(readiness_gates or [], old) if ready else ""
    if gates:
        ready, reason, message = False, "ReadinessGatesNotReady", gates
    out = [init, _condition("Ready", ready, old, now, reason, message), containers_ready]
    scheduled = old.get("PodScheduled")
    out.append(scheduled if scheduled else _condition("PodScheduled", True, old, now))
    return out + [c for t, c in old.items() if t not in KUBELET_CONDITIONS]


def with_base_status(pod: Obj, written: Obj | None, failed: tuple[str, str] | None) -> Obj:
    """The pod with the status a new one builds on.

    What this kubelet wrote last is newer than the informer's copy may be yet (so timestamps
    that did not change stay put), except for conditions others own, such as readiness
    gates'. failed: (reason, message) the kubelet ended the pod with (deadline, eviction).
    """
    if written is not None:
        foreign = [c for c in (pod.get("status") or {}).get("conditions") or []
                   if c.get("type") not in KUBELET_CONDITIONS]
        owned = [c for c in written.get("conditions") or []
                 if c.get("type") in KUBELET_CONDITIONS]
        pod = {**pod, "status": {**written, "conditions": [*owned, *foreign]}}
    if failed is not None:
        pod = {**pod, "status": {**(pod.get("status") or {}), "phase": "Failed",
                                 "reason": failed[0], "message": failed[1]}}
    return pod


def pod_status(pod: Obj, containers: list[ContainerInfo], *, host_ip: str, now: str,
               waiting: Mapping[str, tuple[str, str]] | None = None,
               backoff: Mapping[str, str] | None = None, unready: Collection[str] = (),
               unstarted: Collection[str] = ()) -> Obj:
    """The pod's whole status: waiting/backoff are per container name, unready/unstarted
    the ids of containers whose readiness/startup probes do not pass yet."""
    old = dict(pod.get("status") or {})
    spec = pod.get("spec", {})
    by_name = latest_by_name(containers)
    ready_now = initialized(pod, containers)

    def one(c: Obj, pending: str, init: bool = False) -> Obj:
        return container_status(c, by_name.get(c["name"], []),
                                waiting=(waiting or {}).get(c["name"]),
                                backoff_message=(backoff or {}).get(c["name"]),
                                unready=unready, unstarted=unstarted, pending=pending, init=init)
    inits = spec.get("initContainers") or []
    init_statuses = [one(c, "PodInitializing", init=not is_sidecar(c)) for c in inits]
    statuses = [one(c, "ContainerCreating" if ready_now else "PodInitializing")
                for c in spec.get("containers", [])]
    phase = pod_phase(spec.get("restartPolicy", "Always"), statuses, initialized=ready_now,
                      init_statuses=init_statuses)
    if old.get("phase") in TERMINAL_PHASES:
        phase = old["phase"]  # a finished pod never runs again
    sidecars = [s for c, s in zip(inits, init_statuses) if is_sidecar(c)]
    incomplete = [] if ready_now else [s["name"] for s in init_statuses if not s["ready"]
                                       and not (s["name"] in {x["name"] for x in sidecars}
                                                and s.get("started"))]
    status = {**old, "phase": phase,
              "conditions": conditions(phase, [*sidecars, *statuses],
                                       old.get("conditions") or [], now, incomplete,
                                       spec.get("readinessGates")),
              "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
              "startTime": old.get("startTime") or now, "containerStatuses": statuses}
    if inits:
        status["initContainerStatuses"] = init_statuses
    if ephemeral := spec.get("ephemeralContainers"):
        status["ephemeralContainerStatuses"] = [one(c, "ContainerCreating") for c in ephemeral]
    sandboxes = by_name.get(SANDBOX, [])
    if sandboxes and sandboxes[0].running and sandboxes[0].ip:
        status.update(podIP=sandboxes[0].ip, podIPs=[{"ip": sandboxes[0].ip}])
    return status


def is_terminal(status: Obj) -> bool:
    return status.get("phase") in TERMINAL_PHASES


def is_ready(status: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in status.get("conditions") or [])
