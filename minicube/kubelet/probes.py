"""Liveness, readiness and startup probes: one asyncio worker per running container and probe.

Semantics as upstream's prober: a worker waits initialDelaySeconds from the container's start,
then probes every periodSeconds with timeoutSeconds; a result flips only after
successThreshold successes or failureThreshold failures in a row. Readiness starts false;
liveness and readiness wait until the startup probe has succeeded. A failed liveness or
startup probe marks the container unhealthy: the pod sync kills it and the restartPolicy
decides. Every result change queues the pod for a sync (on_change).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from minicube.client import EventRecorder
from minicube.client.clock import parse_rfc3339
from minicube.kubelet import handlers
from minicube.kubelet.containers import ContainerInfo
from minicube.kubelet.handlers import Execer, Target

log = logging.getLogger(__name__)

Obj = dict[str, Any]

KINDS = ("startupProbe", "livenessProbe", "readinessProbe")
_LABEL = {"startupProbe": "Startup", "livenessProbe": "Liveness", "readinessProbe": "Readiness"}
DEFAULTS = {"initialDelaySeconds": 0, "timeoutSeconds": 1, "periodSeconds": 10,
            "successThreshold": 1, "failureThreshold": 3}


def setting(probe: Obj, key: str) -> int:
    value = probe.get(key)
    return int(value) if value else DEFAULTS[key]


def first_delay(probe: Obj, started_at: float, now: float) -> float:
    """Seconds from now until the first probe: initialDelaySeconds after the start."""
    return max(0.0, started_at + setting(probe, "initialDelaySeconds") - now)


async def run(probe: Obj, target: Target, runtime: Execer, timeout: float) -> tuple[bool, str]:
    """One run of the probe's handler; grpc is a probe-only handler, the rest are shared
    with lifecycle hooks."""
    if handlers.handler_kind(probe) == "grpc":
        # imported on first use: grpcio adds ~20 MB to the node process, paid only by
        # clusters whose pods have gRPC probes
        from minicube.kubelet import grpc_probe
        try:
            return await grpc_probe.check(probe["grpc"] or {}, target, timeout)
        except ValueError as e:
            return False, str(e)
    return await handlers.run(probe, target, runtime, timeout)


@dataclass
class ProbeState:
    """Consecutive results and the current verdict of one probe of one container."""
    kind: str
    success_threshold: int
    failure_threshold: int
    result: bool = False
    successes: int = 0
    failures: int = 0

    @classmethod
    def of(cls, kind: str, probe: Obj) -> ProbeState:
        # Liveness starts healthy; readiness and startup start false (upstream's initial values).
        return cls(kind, setting(probe, "successThreshold"), setting(probe, "failureThreshold"),
                   result=kind == "livenessProbe")

    def record(self, ok: bool) -> bool:
        """Count one result; returns True when the verdict changed."""
        if ok:
            self.successes, self.failures = self.successes + 1, 0
            flip = not self.result and self.successes >= self.success_threshold
        else:
            self.failures, self.successes = self.failures + 1, 0
            flip = self.result and self.failures >= self.failure_threshold
            if self.kind == "startupProbe" and self.failures >= self.failure_threshold:
                return True   # startup never succeeded: the container is to be killed
        if flip:
            self.result = ok
        return flip

    @property
    def fatal(self) -> bool:
        """Liveness failed, or startup used up its failures: kill the container."""
        if self.kind == "livenessProbe":
            return not self.result
        return self.kind == "startupProbe" and not self.result and \
            self.failures >= self.failure_threshold


@dataclass
class _Container:
    uid: str
    pod: Obj
    spec: Obj
    info: ContainerInfo
    pod_ip: str
    states: dict[str, ProbeState] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)


class Prober:
    def __init__(self, runtime: Execer, recorder: EventRecorder,
                 on_change: Callable[[str], None], *,
                 clock: Callable[[], float] = time.time) -> None:
        self.runtime = runtime
        self.recorder = recorder
        self.on_change = on_change
        self.clock = clock
        self._by_id: dict[str, _Container] = {}

    def update(self, pod: Obj, containers: list[ContainerInfo], pod_ip: str) -> None:
        """Probe exactly the pod's running containers that have probes."""
        uid = pod["metadata"]["uid"]
        spec = pod.get("spec") or {}
        specs = {c["name"]: c for c in [*(spec.get("initContainers") or []),
                                         *(spec.get("containers") or [])]}
        wanted = {c.id: c for c in containers if c.running and not c.is_sandbox
                  and any(specs.get(c.name, {}).get(k) for k in KINDS)}
        for cid in [cid for cid, w in self._by_id.items() if w.uid == uid and cid not in wanted]:
            self._stop(cid)
        for cid, info in wanted.items():
            if cid not in self._by_id:
                self._start(uid, pod, specs[info.name], info, pod_ip)

    def forget(self, uid: str) -> None:
        for cid in [cid for cid, w in self._by_id.items() if w.uid == uid]:
            self._stop(cid)

    def unready(self, uid: str) -> set[str]:
        """Container ids whose readiness probe does not (yet) pass."""
        return {cid for cid, w in self._by_id.items() if w.uid == uid
                and "readinessProbe" in w.states and not w.states["readinessProbe"].result}

    def unstarted(self, uid: str) -> set[str]:
        """Container ids whose startup probe has not succeeded yet."""
        return {cid for cid, w in self._by_id.items() if w.uid == uid
                and "startupProbe" in w.states and not w.states["startupProbe"].result}

    def unhealthy(self, uid: str) -> dict[str, str]:
        """Container id -> the probe kind (Liveness/Startup) that failed: to be killed."""
        out = {}
        for cid, w in self._by_id.items():
            if w.uid == uid:
                failed = [k for k, s in w.states.items() if s.fatal]
                if failed:
                    out[cid] = _LABEL[failed[0]].lower()
        return out

    def _start(self, uid: str, pod: Obj, spec: Obj, info: ContainerInfo, pod_ip: str) -> None:
        w = _Container(uid, pod, spec, info, pod_ip)
        for kind in KINDS:
            if spec.get(kind):
                w.states[kind] = ProbeState.of(kind, spec[kind])
        if "startupProbe" not in w.states:
            w.started.set()
        w.tasks = [asyncio.create_task(self._work(w, kind), name=f"probe {info.name} {kind}")
                   for kind in w.states]
        self._by_id[info.id] = w

    def _stop(self, cid: str) -> None:
        w = self._by_id.pop(cid)
        for t in w.tasks:
            t.cancel()

    async def _work(self, w: _Container, kind: str) -> None:
        probe = w.spec[kind]
        state = w.states[kind]
        started = parse_rfc3339(w.info.started_at) or self.clock()
        if kind != "startupProbe":
            await w.started.wait()
        await asyncio.sleep(first_delay(probe, started, self.clock()))
        period, timeout = setting(probe, "periodSeconds"), setting(probe, "timeoutSeconds")
        target = Target(w.info.id, w.spec, w.pod_ip)
        while True:
            ok, message = await run(probe, target, self.runtime, timeout)
            if not ok:
                self.recorder.event(w.pod, "Warning", "Unhealthy",
                                    f"{_LABEL[kind]} probe failed: {message.strip()}",
                                    field_path=f"spec.containers{{{w.info.name}}}")
            if state.record(ok):
                log.info("pod %s/%s container %s: %s probe now %s",
                         w.pod["metadata"].get("namespace"), w.pod["metadata"]["name"],
                         w.info.name, _LABEL[kind].lower(), "failed" if state.fatal
                         else ("ok" if state.result else "not ok"))
                self.on_change(w.uid)
            if state.fatal or (kind == "startupProbe" and state.result):
                if state.result:
                    w.started.set()
                return   # done: killed by the pod sync, or started for good
            await asyncio.sleep(period)
