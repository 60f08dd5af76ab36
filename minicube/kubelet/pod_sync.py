"""One sync of one pod: compare desired (the pod) with actual (its labelled containers), act,
and report the status — level-triggered, so running it again is always safe.

Besides the engine, the kubelet only remembers why a container is waiting (image, config)
and its CrashLoopBackOff; after a restart both start over, which upstream does too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

from minicube.api.errors import NotFound
from minicube.client import Backoff, Client, EventRecorder
from minicube.client.clock import parse_rfc3339, rfc3339
from minicube.kubelet.containers import ContainerInfo, ContainerWaiting
from minicube.kubelet.envvars import CONFIG_ERROR, data_of, references, resolve_env
from minicube.kubelet.images import ImageManager
from minicube.kubelet.plan import Plan, plan_pod
from minicube.kubelet.podstatus import is_terminal, pod_status
from minicube.kubelet.runtime import Runtime, EngineError
from minicube.kubelet.specs import app_spec, sandbox_spec

log = logging.getLogger(__name__)

Obj = dict[str, Any]

CRASH_BACKOFF_INITIAL = 10.0
CRASH_BACKOFF_MAX = 300.0


def go_duration(seconds: float) -> str:
    """Go's time.Duration text for whole seconds: `10s`, `1m20s`, `5m0s`."""
    s = int(seconds)
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"


def pod_ref(pod: Obj) -> str:
    """upstream's format.Pod: `name_namespace(uid)`."""
    meta = pod["metadata"]
    return f"{meta['name']}_{meta.get('namespace', 'default')}({meta['uid']})"


def grace_period(pod: Obj | None, default: int = 30) -> int:
    if not pod:
        return default
    meta, spec = pod.get("metadata", {}), pod.get("spec", {})
    for value in (meta.get("deletionGracePeriodSeconds"), spec.get("terminationGracePeriodSeconds")):
        if value is not None:
            return max(0, int(value))
    return default


class PodSyncer:
    def __init__(self, client: Client, runtime: Runtime, recorder: EventRecorder,
                 images: ImageManager, *, node_name: str, host_ip: Callable[[], str],
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.runtime = runtime
        self.recorder = recorder
        self.images = images
        self.node_name = node_name
        self.host_ip = host_ip
        self.crash = Backoff(CRASH_BACKOFF_INITIAL, CRASH_BACKOFF_MAX, clock=clock)
        self.waiting: dict[tuple[str, str], ContainerWaiting] = {}
        self._written: dict[str, Obj] = {}   # uid -> the status this kubelet last wrote

    async def sync(self, uid: str, pod: Obj | None, last_known: Obj | None = None) -> float:
        """Bring pod uid's containers in line; returns seconds until a retry is due (0: none).

        pod is None when no pod with that uid is bound here any more (last_known: how it
        looked, for its grace period): its containers are orphans and go.
        """
        containers = await self.runtime.list_containers(uid)
        if pod is None:
            if containers:
                log.info("removing the containers of deleted pod %s/%s", containers[0].namespace,
                         containers[0].pod_name)
                await self._teardown(last_known, containers,
                                     grace_period(last_known, min(c.grace for c in containers)))
            self.forget(uid)
            return 0.0
        if pod["metadata"].get("deletionTimestamp"):
            await self._terminate(pod, containers)
            return 0.0
        status = self._status(pod, containers, {})
        plan = plan_pod(pod, containers, finished=is_terminal(status),
                        backoff_remaining=lambda name, c: self._crash_remaining(uid, name, c))
        backoff = {name: self._backoff_message(pod, name) for name in plan.backoff}
        for name in plan.backoff:
            self.recorder.event(pod, "Warning", "BackOff",
                                f"Back-off restarting failed container {name} in pod {pod_ref(pod)}",
                                field_path=f"spec.containers{{{name}}}")
        if not plan.idle:
            early = None
            if plan.create_sandbox and not (pod.get("status") or {}).get("containerStatuses"):
                # Show ContainerCreating, hostIP and startTime while the pod is being set up.
                early = asyncio.create_task(self._write_status(pod, status))
            try:
                await self._execute(pod, plan, containers)
            finally:
                if early is not None:
                    await asyncio.gather(early, return_exceptions=True)
            containers = await self.runtime.list_containers(uid)
            status = self._status(pod, containers, backoff)
        elif backoff:
            status = self._status(pod, containers, backoff)
        await self._write_status(pod, status)
        retries = [*plan.backoff.values(),
                   *(w.retry_after for (u, _), w in self.waiting.items() if u == uid)]
        return min((r for r in retries if r > 0), default=0.0)

    def forget(self, uid: str) -> None:
        """Drop what is remembered of a pod that is gone."""
        for key in [k for k in self.waiting if k[0] == uid]:
            del self.waiting[key]
        self._written.pop(uid, None)

    # --- status ----------------------------------------------------------------------------

    def _status(self, pod: Obj, containers: list[ContainerInfo], backoff: dict[str, str]) -> Obj:
        uid = pod["metadata"]["uid"]
        waiting = {name: (w.reason, w.message) for (u, name), w in self.waiting.items()
                   if u == uid}
        # What this kubelet wrote last is newer than the informer's copy may be yet: build on
        # it, so timestamps that did not change stay put.
        if uid in self._written:
            pod = {**pod, "status": self._written[uid]}
        return pod_status(pod, containers, host_ip=self.host_ip(), now=rfc3339(),
                          waiting=waiting, backoff=backoff)

    async def _write_status(self, pod: Obj, status: Obj) -> None:
        uid = pod["metadata"]["uid"]
        if status == pod.get("status") or status == self._written.get(uid):
            return
        meta = pod["metadata"]
        try:
            await self.client.patch_status("v1", "pods", meta["name"], {"status": status},
                                           namespace=meta.get("namespace"))
        except NotFound:
            return  # deleted meanwhile: the next sync cleans up
        self._written[uid] = status
        log.info("pod %s/%s: %s", meta.get("namespace"), meta["name"], _summary(status))

    def _crash_remaining(self, uid: str, name: str, c: ContainerInfo) -> float:
        finished = parse_rfc3339(c.finished_at) or self.crash.clock()
        return self.crash.remaining_since((uid, name), finished)

    def _backoff_message(self, pod: Obj, name: str) -> str:
        delay = go_duration(self.crash.get((pod["metadata"]["uid"], name)))
        return f"back-off {delay} restarting failed container={name} pod={pod_ref(pod)}"

    # --- acting ----------------------------------------------------------------------------

    async def _execute(self, pod: Obj, plan: Plan, containers: list[ContainerInfo]) -> None:
        uid = pod["metadata"]["uid"]
        if plan.stop:
            await self._stop(pod, plan.stop, grace_period(pod))
        await asyncio.gather(*(self.runtime.remove(c.id) for c in plan.remove))
        specs = {c["name"]: c for c in pod["spec"].get("containers", [])}
        to_start = [(specs[name], attempt) for name, attempt in plan.start]
        # Image checks and ConfigMap/Secret reads overlap with the sandbox's creation.
        prepared = asyncio.gather(*(self._prepare(pod, c) for c, _ in to_start))
        try:
            sandbox = await self._sandbox(pod, plan, containers)
        finally:
            inputs = await prepared
        if sandbox is None:
            return
        for (container, attempt), ready in zip(to_start, inputs):
            await self._start(pod, container, attempt, sandbox, ready)

    async def _sandbox(self, pod: Obj, plan: Plan,
                       containers: list[ContainerInfo]) -> ContainerInfo | None:
        if not plan.create_sandbox:
            running = [c for c in containers if c.is_sandbox and c.running]
            return running[0] if running else None
        try:
            sandbox_id = await self.runtime.create(sandbox_spec(pod, plan.sandbox_attempt))
            await self.runtime.start(sandbox_id)
            info = await self.runtime.inspect(sandbox_id)
        except EngineError as e:
            self.recorder.event(pod, "Warning", "FailedCreatePodSandBox",
                                f"Failed to create pod sandbox: {e}")
            raise
        if info is None:
            raise EngineError(f"the sandbox of {pod_ref(pod)} vanished after it started")
        return info

    async def _prepare(self, pod: Obj, container: Obj) -> dict[tuple[str, str], Any] | ContainerWaiting:
        """The image is present and the env's sources are read: the ConfigMap/Secret data."""
        try:
            await self.images.ensure(pod, container)
            ns = pod["metadata"].get("namespace", "default")
            refs = sorted(references(container))
            found = await asyncio.gather(*(self._read(plural, name, ns) for plural, name in refs))
            return dict(zip(refs, found))
        except ContainerWaiting as w:
            return w

    async def _read(self, plural: str, name: str, namespace: str) -> dict[str, str] | None:
        try:
            return data_of(plural, await self.client.get("v1", plural, name, namespace=namespace))
        except NotFound:
            return None

    async def _start(self, pod: Obj, container: Obj, attempt: int, sandbox: ContainerInfo,
                     ready: dict[tuple[str, str], Any] | ContainerWaiting) -> None:
        uid, name = pod["metadata"]["uid"], container["name"]
        ref = f"spec.containers{{{name}}}"
        try:
            if isinstance(ready, ContainerWaiting):
                raise ready
            env = resolve_env(pod, container, ready, node_name=self.node_name,
                              host_ip=self.host_ip(), pod_ip=sandbox.ip)
            try:
                cid = await self.runtime.create(app_spec(pod, container, attempt, sandbox.id, env))
            except EngineError as e:
                raise ContainerWaiting("CreateContainerError", str(e)) from e
        except ContainerWaiting as w:
            if w.reason in (CONFIG_ERROR, "CreateContainerError"):
                self.recorder.event(pod, "Warning", "Failed", f"Error: {w.message}", field_path=ref)
            self.waiting[(uid, name)] = w
            return
        self.waiting.pop((uid, name), None)
        if attempt > 0:
            self.crash.next((uid, name))  # a restart: the next one waits longer
        self.recorder.event(pod, "Normal", "Created", f"Created container: {name}", field_path=ref)
        try:
            await self.runtime.start(cid)
        except EngineError as e:
            # The container stays, exited with the engine's error: it shows as terminated
            # (ContainerCannotRun) and restarts under the restartPolicy with back-off.
            self.recorder.event(pod, "Warning", "Failed", f"Error: {e}", field_path=ref)
            return
        self.recorder.event(pod, "Normal", "Started", f"Started container {name}", field_path=ref)

    async def _stop(self, pod: Obj | None, containers: list[ContainerInfo], grace: int) -> None:
        """Stop app containers in parallel (SIGTERM, SIGKILL after grace), then sandboxes."""
        apps = [c for c in containers if not c.is_sandbox and c.running]
        for c in apps:
            if pod is not None:
                self.recorder.event(pod, "Normal", "Killing", f"Stopping container {c.name}",
                                    field_path=f"spec.containers{{{c.name}}}")
        await asyncio.gather(*(self.runtime.stop(c.id, grace) for c in apps))
        # The sandbox only holds the network namespace: nothing to wait for.
        await asyncio.gather(*(self.runtime.stop(c.id, 0) for c in containers
                               if c.is_sandbox and c.running))

    async def _teardown(self, pod: Obj | None, containers: list[ContainerInfo], grace: int) -> None:
        await self._stop(pod, containers, grace)
        await asyncio.gather(*(self.runtime.remove(c.id) for c in containers))

    async def _terminate(self, pod: Obj, containers: list[ContainerInfo]) -> None:
        """A deleted pod: stop its containers within its grace period, then let it go."""
        meta = pod["metadata"]
        await self._teardown(pod, containers, grace_period(pod))
        try:
            await self.client.delete("v1", "pods", meta["name"], namespace=meta.get("namespace"),
                                     grace_period_seconds=0, preconditions={"uid": meta["uid"]})
        except NotFound:
            pass
        log.info("pod %s/%s terminated and deleted", meta.get("namespace"), meta["name"])
        self.forget(meta["uid"])


def _summary(status: Obj) -> str:
    states = []
    for s in status.get("containerStatuses", []):
        kind, detail = next(iter(s.get("state", {}).items()), ("unknown", {}))
        reason = detail.get("reason", "") if isinstance(detail, dict) else ""
        states.append(f"{s['name']}={kind}{'(' + reason + ')' if reason else ''}")
    return f"{status.get('phase')} {' '.join(states)}".strip()
