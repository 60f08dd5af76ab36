"""The Pod table columns, computed as upstream's printPod does (READY, STATUS, RESTARTS, ...)."""

from __future__ import annotations

from typing import Any

from minicube.api.kinds.common import get
from minicube.api.meta import parse_time
from minicube.api.registry import Column, Obj
from minicube.api.tables import AGE, since

_TERMINAL = ("Succeeded", "Failed")


def _restartable(init_containers: list[Obj], name: str) -> bool:
    """A sidecar: an init container with restartPolicy Always."""
    return any(c.get("name") == name and c.get("restartPolicy") == "Always"
               for c in init_containers)


def _terminated_reason(term: Obj, prefix: str = "") -> str:
    if term.get("reason"):
        return prefix + term["reason"]
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def _has_condition(pod: Obj, type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True"
               for c in get(pod, "status", "conditions", default=[]))


def _later(current: str | None, candidate: str | None) -> str | None:
    if not candidate:
        return current
    if not current or parse_time(candidate) > parse_time(current):
        return candidate
    return current


def summary(pod: Obj) -> dict[str, Any]:
    """ready/total containers, the STATUS reason, restarts and the last restart time."""
    status = pod.get("status") or {}
    init_specs = get(pod, "spec", "initContainers", default=[])
    total = len(get(pod, "spec", "containers", default=[]))
    total += sum(1 for c in init_specs if c.get("restartPolicy") == "Always")
    reason = status.get("reason") or status.get("phase") or ""
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
           for c in status.get("conditions") or []):
        reason = "SchedulingGated"
    ready = restarts = sidecar_restarts = 0
    last = sidecar_last = None
    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        finished = get(cs, "lastState", "terminated", "finishedAt")
        last = _later(last, finished)
        sidecar = _restartable(init_specs, cs.get("name", ""))
        if sidecar:
            sidecar_restarts += cs.get("restartCount", 0)
            sidecar_last = _later(sidecar_last, finished)
        term, waiting = get(cs, "state", "terminated"), get(cs, "state", "waiting")
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
            continue
        if term is not None:
            reason = _terminated_reason(term, "Init:")
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    if not initializing or _has_condition(pod, "Initialized"):
        restarts, last = sidecar_restarts, sidecar_last
        running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last = _later(last, get(cs, "lastState", "terminated", "finishedAt"))
            waiting, term = get(cs, "state", "waiting"), get(cs, "state", "terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif term is not None:
                reason = _terminated_reason(term)
            elif cs.get("ready") and get(cs, "state", "running") is not None:
                running = True
                ready += 1
        if reason == "Completed" and running:
            reason = "Running" if _has_condition(pod, "Ready") else "NotReady"
    if get(pod, "metadata", "deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif status.get("phase") not in _TERMINAL:
            reason = "Terminating"
    return {"ready": ready, "total": total, "reason": reason, "restarts": restarts,
            "last_restart": last}


def _restarts_cell(pod: Obj) -> str:
    s = summary(pod)
    if s["restarts"] and s["last_restart"]:
        return f"{s['restarts']} ({since(s['last_restart'])} ago)"
    return str(s["restarts"])


def _readiness_gates(pod: Obj) -> str:
    gates = get(pod, "spec", "readinessGates", default=[])
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in get(pod, "status", "conditions",
                                                              default=[])}
    true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{true}/{len(gates)}"


def _ready_cell(pod: Obj) -> str:
    s = summary(pod)
    return f"{s['ready']}/{s['total']}"


COLUMNS = (
    Column("Ready", _ready_cell,
           description="Containers ready to serve, out of all the pod's containers."),
    Column("Status", lambda p: summary(p)["reason"],
           description="The pod's phase, or why it is not running as it should."),
    Column("Restarts", _restarts_cell,
           description="Container restarts, and how long ago the last one was."),
    AGE,
    Column("IP", lambda p: get(p, "status", "podIPs", 0, "ip") or get(p, "status", "podIP")
           or "<none>", priority=1,
           description="The pod's IP address."),
    Column("Node", lambda p: get(p, "spec", "nodeName") or "<none>", priority=1,
           description="The node the pod is bound to."),
    Column("Nominated Node", lambda p: get(p, "status", "nominatedNodeName") or "<none>",
           priority=1, description="The node the scheduler nominated for preemption."),
    Column("Readiness Gates", _readiness_gates, priority=1,
           description="Readiness gates that are true, out of all of them."),
)
