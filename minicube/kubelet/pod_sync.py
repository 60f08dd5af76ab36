"""One sync of one pod: compare desired (the pod) with actual (its labelled containers), act,
and report the status — level-triggered, so running it again is always safe.

Besides the engine, the kubelet only remembers why a container is waiting (image, config)
and its CrashLoopBackOff; after a restart both start over, which upstream does too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Callable, Collection

from minicube.api.errors import NotFound
from minicube.client import Backoff, Client, EventRecorder
from minicube.client.clock import parse_rfc3339, rfc3339
from minicube.kubelet import dns_config
from minicube.kubelet.containers import ContainerInfo, ContainerWaiting
from minicube.kubelet.envvars import CONFIG_ERROR, data_of, references, resolve_env
from minicube.kubelet.service_env import service_env
from minicube.kubelet.handlers import Target
from minicube.kubelet.images import ImageManager
from minicube.kubelet.lifecycle import (DEADLINE_MESSAGE, DEADLINE_REASON, POST_START_TIMEOUT,
                                        deadline_remaining, field_path, run_hook)
from minicube.kubelet.mounts import Bind, binds
from minicube.kubelet.plan import Plan, plan_pod
from minicube.kubelet.podstatus import is_ready, is_terminal, pod_status, with_base_status
from minicube.kubelet.probes import Prober
from minicube.kubelet.runtime import Runtime, EngineError
from minicube.kubelet.specs import (app_spec, needs_image_user, non_root_violation,
                                    sandbox_spec)
from minicube.kubelet.volumes import Mounted, VolumeManager

log = logging.getLogger(__name__)

Obj = dict[str, Any]

CRASH_BACKOFF_INITIAL = 10.0
CRASH_BACKOFF_MAX = 300.0
MIN_GRACE_AFTER_HOOK = 2
VOLUME_RETRY = 2.0   # a volume waiting for its ConfigMap/claim: the informers usually come first
# A container that could not be created (no image, bad config) is tried again after this, as
# upstream's pod workers back off 10s after a failed sync.
WAITING_RETRY = 10.0


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
                 images: ImageManager, volumes: VolumeManager, prober: Prober, *,
                 node_name: str, host_ip: Callable[[], str],
                 allocatable: Callable[[], dict[str, str]] = dict,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.runtime = runtime
        self.recorder = recorder
        self.images = images
        self.volumes = volumes
        self.prober = prober
        self.node_name = node_name
        self.host_ip = host_ip
        self.allocatable = allocatable
        self.crash = Backoff(CRASH_BACKOFF_INITIAL, CRASH_BACKOFF_MAX, clock=clock)
        self.waiting: dict[tuple[str, str], ContainerWaiting] = {}
        self._written: dict[str, Obj] = {}   # uid -> the status this kubelet last wrote
        self._failed: dict[str, tuple[str, str]] = {}   # uid -> (reason, message) it ended with

    async def sync(self, uid: str, pod: Obj | None, last_known: Obj | None = None,
                   listed: list[ContainerInfo] | None = None) -> float:
        """Bring pod uid's containers in line; returns seconds until a retry is due (0: none).

        pod is None when no pod with that uid is bound here any more (last_known: how it
        looked, for its grace period): its containers are orphans and go. listed: its
        containers from a listing still current (None: list them now).
        """
        containers = listed if listed is not None else await self.runtime.list_containers(uid)
        if pod is None:
            if containers:
                log.info("removing the containers of deleted pod %s/%s", containers[0].namespace,
                         containers[0].pod_name)
                await self._teardown(last_known, containers,
                                     grace_period(last_known, min(c.grace for c in containers)))
            await self.volumes.teardown(uid)
            self.forget(uid)
            return 0.0
        if pod["metadata"].get("deletionTimestamp"):
            await self._terminate(pod, containers)
            return 0.0
        deadline = self._check_deadline(pod)
        await self._check_evictions(pod)
        status = self._status(pod, containers, {})
        unhealthy = self.prober.unhealthy(uid) if not is_terminal(status) else {}
        plan = plan_pod(pod, containers, finished=is_terminal(status),
                        backoff_remaining=lambda name, c: self._crash_remaining(uid, name, c),
                        unhealthy=unhealthy)
        backoff = {name: self._backoff_message(pod, name) for name in plan.backoff}
        for name in plan.backoff:
            self.recorder.event(pod, "Warning", "BackOff",
                                f"Back-off restarting failed container {name} in pod {pod_ref(pod)}",
                                field_path=field_path(pod, name))
        mounted, volume_retry = await self._volumes(pod, plan, is_terminal(status))
        if not plan.idle and mounted is not None:
            early = None
            if plan.create_sandbox and not (pod.get("status") or {}).get("containerStatuses"):
                # Show ContainerCreating, hostIP and startTime while the pod is being set up.
                early = asyncio.create_task(self._write_status(pod, status))
            try:
                await self._execute(pod, plan, containers, mounted, unhealthy)
            finally:
                if early is not None:
                    await asyncio.gather(early, return_exceptions=True)
            containers = await self.runtime.list_containers(uid)
            status = self._status(pod, containers, backoff)
        elif backoff:
            status = self._status(pod, containers, backoff)
        await self._write_status(pod, status)
        retries = [*plan.backoff.values(), volume_retry, deadline or 0.0,
                   *(w.retry_after or WAITING_RETRY
                     for (u, _), w in self.waiting.items() if u == uid)]
        return min((r for r in retries if r > 0), default=0.0)

    async def report_stopped(self, pod: Obj, containers: list[ContainerInfo]) -> None:
        """Write the pod's status as its containers are, without acting, when the pod shows
        Ready but they say otherwise (they stopped while this kubelet was down)."""
        shown = pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or is_terminal(shown) or not is_ready(shown):
            return
        status = self._status(pod, containers, {})
        if not is_ready(status):
            await self._write_status(pod, status)

    async def _volumes(self, pod: Obj, plan: Plan,
                       finished: bool) -> tuple[dict[str, Mounted] | None, float]:
        """Set up (or refresh) the pod's volumes: (mounted, 0), or (None, retry) while one
        is missing and containers are to start; running ones keep what they mount."""
        volumes = (pod.get("spec") or {}).get("volumes") or []
        if finished or not volumes:
            return {}, 0.0
        mounted, errors = await self.volumes.setup(pod)
        for e in errors:
            self.recorder.event(pod, "Warning", "FailedMount", str(e))
            log.info("pod %s/%s: %s", pod["metadata"].get("namespace"), pod["metadata"]["name"], e)
        if len(mounted) < len(volumes) and (plan.create_sandbox or plan.start):
            return None, VOLUME_RETRY   # claims bind without telling us: look again soon
        return mounted, 0.0

    async def _check_evictions(self, pod: Obj) -> None:
        """Evict the pod when a disk emptyDir outgrew its sizeLimit (the eviction manager)."""
        uid = pod["metadata"]["uid"]
        if uid in self._failed or is_terminal(self._written.get(uid) or pod.get("status") or {}):
            return
        message = await self.volumes.over_limit(pod)
        if message:
            self._failed[uid] = ("Evicted", message)
            self.recorder.event(pod, "Warning", "Evicted", message)

    def _check_deadline(self, pod: Obj) -> float | None:
        """Fail the pod once activeDeadlineSeconds passed; returns seconds left (None: none)."""
        uid = pod["metadata"]["uid"]
        remaining = deadline_remaining({**pod, "status": self._written.get(uid, pod.get("status"))})
        if remaining is None or remaining > 0 or uid in self._failed:
            return remaining
        if is_terminal(self._written.get(uid) or pod.get("status") or {}):
            return None
        self._failed[uid] = (DEADLINE_REASON, DEADLINE_MESSAGE)
        self.recorder.event(pod, "Warning", DEADLINE_REASON, DEADLINE_MESSAGE)
        return None

    def forget(self, uid: str) -> None:
        """Drop what is remembered of a pod that is gone."""
        for key in [k for k in self.waiting if k[0] == uid]:
            del self.waiting[key]
        self._written.pop(uid, None)
        self._failed.pop(uid, None)
        self.prober.forget(uid)

    # --- status ----------------------------------------------------------------------------

    def _status(self, pod: Obj, containers: list[ContainerInfo], backoff: dict[str, str]) -> Obj:
        uid = pod["metadata"]["uid"]
        waiting = {name: (w.reason, w.message) for (u, name), w in self.waiting.items()
                   if u == uid}
        pod = with_base_status(pod, self._written.get(uid), self._failed.get(uid))
        sandboxes = [c for c in containers if c.is_sandbox and c.running]
        self.prober.update(pod, containers, sandboxes[0].ip if sandboxes else "")
        return pod_status(pod, containers, host_ip=self.host_ip(), now=rfc3339(),
                          waiting=waiting, backoff=backoff, unready=self.prober.unready(uid),
                          unstarted=self.prober.unstarted(uid))

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

    async def _execute(self, pod: Obj, plan: Plan, containers: list[ContainerInfo],
                       mounted: dict[str, Mounted], unhealthy: dict[str, str]) -> None:
        if plan.stop:
            for c in plan.stop:
                if c.id in unhealthy:
                    self.recorder.event(pod, "Normal", "Killing",
                                        f"Container {c.name} failed {unhealthy[c.id]} probe, "
                                        "will be restarted", field_path=field_path(pod, c.name))
            await self._stop(pod, plan.stop, grace_period(pod), told=set(unhealthy))
        await asyncio.gather(*(self.runtime.remove(c.id) for c in plan.remove))
        specs = {c["name"]: c for c in [*(pod["spec"].get("initContainers") or []),
                                         *pod["spec"].get("containers", []),
                                         *(pod["spec"].get("ephemeralContainers") or [])]}
        to_start = [(specs[name], attempt) for name, attempt in plan.start]
        running = {c.name: c.id for c in containers if c.running and not c.is_sandbox}
        # Image checks and ConfigMap/Secret reads overlap with the sandbox's creation.
        prepared = asyncio.gather(*(self._prepare(pod, c) for c, _ in to_start))
        try:
            sandbox = await self._sandbox(pod, plan, containers)
        finally:
            inputs = await prepared
        if sandbox is None:
            return
        for (container, attempt), ready in zip(to_start, inputs):
            await self._start(pod, container, attempt, sandbox, ready, mounted,
                              running.get(container.get("targetContainerName") or "", ""))

    async def _sandbox(self, pod: Obj, plan: Plan,
                       containers: list[ContainerInfo]) -> ContainerInfo | None:
        if not plan.create_sandbox:
            running = [c for c in containers if c.is_sandbox and c.running]
            return running[0] if running else None
        try:
            sandbox_id = await self.runtime.create(sandbox_spec(pod, plan.sandbox_attempt))
            await self.runtime.start(sandbox_id)
            await asyncio.to_thread(dns_config.write_for_sandbox, pod, sandbox_id)
            info = await self.runtime.inspect(sandbox_id)
        except EngineError as e:
            self.recorder.event(pod, "Warning", "FailedCreatePodSandBox",
                                f"Failed to create pod sandbox: {e}")
            raise
        if info is None:
            raise EngineError(f"the sandbox of {pod_ref(pod)} vanished after it started")
        return info

    async def _prepare(self, pod: Obj, container: Obj) -> dict[tuple[str, str], Any] | ContainerWaiting:
        """The image is present, runAsNonRoot holds, and the env's sources are read: the
        ConfigMap/Secret data."""
        try:
            await self.images.ensure(pod, container)
            image_user = await self.images.user(container["image"]) \
                if needs_image_user(pod, container) else ""
            if violation := non_root_violation(pod, container, image_user, pod_ref(pod)):
                raise ContainerWaiting(CONFIG_ERROR, violation)
            ns = pod["metadata"].get("namespace", "default")
            refs = sorted(references(container))
            found = await asyncio.gather(*(self._read(plural, name, ns) for plural, name in refs))
            return dict(zip(refs, found))
        except ContainerWaiting as w:
            return w

    async def _services(self, pod: Obj) -> list[Obj]:
        """The Services of the pod's namespace and of `default` (for service_env)."""
        namespaces = dict.fromkeys((pod["metadata"].get("namespace", "default"), "default"))
        lists = await asyncio.gather(*(self.client.list("v1", "services", namespace=ns)
                                       for ns in namespaces))
        return [svc for found in lists for svc in found.get("items") or []]

    async def _read(self, plural: str, name: str, namespace: str) -> dict[str, str] | None:
        try:
            return data_of(plural, await self.client.get("v1", plural, name, namespace=namespace))
        except NotFound:
            return None

    async def _start(self, pod: Obj, container: Obj, attempt: int, sandbox: ContainerInfo,
                     ready: dict[tuple[str, str], Any] | ContainerWaiting,
                     mounted: dict[str, Mounted], pid_target: str = "") -> None:
        uid, name = pod["metadata"]["uid"], container["name"]
        ref = field_path(pod, name)
        try:
            if isinstance(ready, ContainerWaiting):
                raise ready
            env = resolve_env(pod, container, ready, node_name=self.node_name,
                              host_ip=self.host_ip(), pod_ip=sandbox.ip,
                              allocatable=self.allocatable(),
                              services=service_env(pod, await self._services(pod)))
            try:
                container_binds = binds(container, mounted, dict(env))
                await asyncio.to_thread(_make_subpaths, container_binds)
            except (ValueError, OSError) as e:
                raise ContainerWaiting(CONFIG_ERROR, str(e)) from e
            spec = app_spec(pod, container, attempt, sandbox.id, env, container_binds,
                            pid_target)
            try:
                cid = await self.runtime.create(spec)
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
        target = Target(cid, container, sandbox.ip)
        if not await run_hook("postStart", pod, target, self.runtime, self.recorder,
                              POST_START_TIMEOUT):
            self.recorder.event(pod, "Normal", "Killing",
                                f"FailedPostStartHook: stopping container {name}",
                                field_path=ref)
            await self.runtime.stop(cid, grace_period(pod))

    async def _stop(self, pod: Obj | None, containers: list[ContainerInfo], grace: int,
                    told: Collection[str] = ()) -> None:
        """Stop app containers in parallel (preStop hook, SIGTERM, SIGKILL once the grace
        period is used up), then sandboxes. told: ids whose Killing event was recorded."""
        apps = [c for c in containers if not c.is_sandbox and c.running]
        for c in apps:
            if pod is not None and c.id not in told:
                self.recorder.event(pod, "Normal", "Killing", f"Stopping container {c.name}",
                                    field_path=field_path(pod, c.name))
        await asyncio.gather(*(self._stop_one(pod, c, grace, containers) for c in apps))
        # The sandbox only holds the network namespace: nothing to wait for.
        await asyncio.gather(*(self.runtime.stop(c.id, 0) for c in containers
                               if c.is_sandbox and c.running))

    async def _stop_one(self, pod: Obj | None, c: ContainerInfo, grace: int,
                        containers: list[ContainerInfo]) -> None:
        specs = {x["name"]: x for x in [*((pod or {}).get("spec", {}).get("initContainers") or []),
                                         *((pod or {}).get("spec", {}).get("containers") or [])]}
        spec = specs.get(c.name)
        if pod is not None and spec and (spec.get("lifecycle") or {}).get("preStop"):
            ip = next((s.ip for s in containers if s.is_sandbox and s.running), "")
            began = time.monotonic()
            try:
                await asyncio.wait_for(run_hook("preStop", pod, Target(c.id, spec, ip),
                                                self.runtime, self.recorder, grace), grace)
            except asyncio.TimeoutError:
                log.info("preStop hook of %s used up its grace period", c.name)
            # What the hook used (in whole seconds) is gone; at least 2s are left, as upstream.
            grace = max(MIN_GRACE_AFTER_HOOK, grace - int(time.monotonic() - began))
        await self.runtime.stop(c.id, grace)

    async def _teardown(self, pod: Obj | None, containers: list[ContainerInfo], grace: int) -> None:
        await self._stop(pod, containers, grace)
        await asyncio.gather(*(self.runtime.remove(c.id) for c in containers))

    async def _terminate(self, pod: Obj, containers: list[ContainerInfo]) -> None:
        """A deleted pod: stop its containers within its grace period, then let it go."""
        meta = pod["metadata"]
        await self._teardown(pod, containers, grace_period(pod))
        await self.volumes.teardown(meta["uid"])
        try:
            await self.client.delete("v1", "pods", meta["name"], namespace=meta.get("namespace"),
                                     grace_period_seconds=0, preconditions={"uid": meta["uid"]})
        except NotFound:
            pass
        log.info("pod %s/%s terminated and deleted", meta.get("namespace"), meta["name"])
        self.forget(meta["uid"])


def _make_subpaths(container_binds: list[Bind]) -> None:
    """subPaths of writable volumes are created as directories when missing, as upstream."""
    for b in container_binds:
        if b.create and not os.path.lexists(b.source):
            os.makedirs(b.source, mode=0o755, exist_ok=True)


def _summary(status: Obj) -> str:
    states = []
    for s in status.get("containerStatuses", []):
        kind, detail = next(iter(s.get("state", {}).items()), ("unknown", {}))
        reason = detail.get("reason", "") if isinstance(detail, dict) else ""
        states.append(f"{s['name']}={kind}{'(' + reason + ')' if reason else ''}")
    return f"{status.get('phase')} {' '.join(states)}".strip()
