"""Who syncs which pod when: one work queue of pod uids, a few workers, and triggers.

Triggers: the pod informer (the pod changed), its ConfigMaps and Secrets changing, the
engine's event stream (one of its containers started, died, was removed), the retry a sync
asks for (a back-off ending, a claim to bind), and a periodic resync of every pod the API or
the engine knows, as upstream's syncFrequency (1 min), for what nothing announces. A resync
round lists the engine's containers once for all pods. Pods with a disk emptyDir sizeLimit
are also synced every EVICTION_PERIOD, as upstream's eviction manager measures them. The
queue never hands one uid to two workers, so a pod's syncs never overlap.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial
from typing import Any, Callable, Iterable

from minicube.api.errors import StatusError
from minicube.client import APIConnectionError, Informer, WorkQueue
from minicube.kubelet.containers import LABEL_UID, ContainerInfo
from minicube.kubelet.envvars import references
from minicube.kubelet.pod_sync import PodSyncer
from minicube.kubelet.podstatus import is_terminal
from minicube.kubelet.projection import volume_references
from minicube.kubelet.runtime import Runtime, EngineError
from minicube.kubelet.volumes import size_limited

log = logging.getLogger(__name__)

Obj = dict[str, Any]

RESYNC_PERIOD = 60.0
EVICTION_PERIOD = 10.0
_ENGINE_ACTIONS = ("start", "die", "oom", "destroy")


def pods_referencing(pods: Iterable[Obj], plural: str, name: str, namespace: str) -> list[str]:
    """The uids of the pods whose env or volumes read that ConfigMap or Secret."""
    out = []
    for pod in pods:
        if pod["metadata"].get("namespace") != namespace:
            continue
        spec = pod.get("spec") or {}
        refs = volume_references(spec.get("volumes") or [])
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            refs |= references(c)
        if (plural, name) in refs:
            out.append(pod["metadata"]["uid"])
    return out


class PodWorkers:
    def __init__(self, pods: Informer, runtime: Runtime, syncer: PodSyncer, *,
                 workers: int = 4, resync_period: float = RESYNC_PERIOD,
                 sources: tuple[Informer, ...] = (),
                 pod_dirs: Callable[[], set[str]] = set) -> None:
        """sources: ConfigMap/Secret informers; pod_dirs: uids with volume directories."""
        self.pods = pods
        self.runtime = runtime
        self.syncer = syncer
        self.workers = workers
        self.resync_period = resync_period
        self.queue = WorkQueue()
        self.pod_dirs = pod_dirs
        self.by_uid: dict[str, Obj] = {}
        self.gone: dict[str, Obj] = {}   # last known state of pods no longer bound here
        # A resync round's listing of a pod's containers (with when it began), used by the
        # pod's next sync unless its containers changed, or a sync ended, since: _touched.
        self._listed: dict[str, tuple[float, list[ContainerInfo]]] = {}
        self._touched: dict[str, float] = {}
        pods.add_handler(self._on_pod)
        for informer in sources:   # ConfigMaps and Secrets: their pods sync at once
            informer.add_handler(partial(self._on_source, informer.plural))

    def _on_pod(self, etype: str, pod: Obj, _old: Obj | None) -> None:
        uid = pod["metadata"]["uid"]
        if etype == "DELETED":
            self.by_uid.pop(uid, None)
            self.gone[uid] = pod
        else:
            self.by_uid[uid] = pod
        self.queue.add(uid)

    def _on_source(self, plural: str, _etype: str, obj: Obj, _old: Obj | None) -> None:
        meta = obj.get("metadata") or {}
        for uid in pods_referencing(self.by_uid.values(), plural, meta.get("name", ""),
                                    meta.get("namespace", "")):
            self.queue.add(uid)

    async def run(self) -> None:
        await self.pods.wait_synced()
        try:
            listing = await self.resync()
            if listing is not None:
                await self._report_stopped(listing)
            async with asyncio.TaskGroup() as tg:
                for _ in range(self.workers):
                    tg.create_task(self._work())
                tg.create_task(self._engine_events())
                tg.create_task(self._resync_loop())
                tg.create_task(self._eviction_loop())
        finally:
            self.queue.close()

    async def _report_stopped(self, listing: dict[str, list[ContainerInfo]]) -> None:
        """At start-up, before any sync: pods still shown Ready whose containers stopped
        while the kubelet was down (a node restart) turn not Ready at once, not when their
        turn to sync comes (upstream's node lifecycle controller marks them meanwhile)."""
        async def report(uid: str, pod: Obj) -> None:
            try:
                await self.syncer.report_stopped(pod, listing.get(uid, []))
            except (StatusError, APIConnectionError) as e:
                log.warning("reporting pod %s failed: %s", self._name(uid), e)
        await asyncio.gather(*(report(uid, pod) for uid, pod in list(self.by_uid.items())))

    async def _work(self) -> None:
        while True:
            uid = str(await self.queue.get())
            listed = self._listed.pop(uid, None)
            if listed is not None and listed[0] <= self._touched.get(uid, float("-inf")):
                listed = None
            try:
                retry = await self.syncer.sync(uid, self.by_uid.get(uid), self.gone.get(uid),
                                               listed[1] if listed else None)
                self.queue.forget(uid)
                if uid not in self.by_uid:
                    self.gone.pop(uid, None)
                if retry > 0:
                    self.queue.add_after(uid, retry)
            except (EngineError, StatusError, APIConnectionError) as e:
                log.warning("syncing pod %s failed: %s; will retry", self._name(uid), e)
                self.queue.add_rate_limited(uid)
            except Exception:  # a pod-sync boundary: one pod's bug must not stop the rest
                log.exception("syncing pod %s failed", self._name(uid))
                self.queue.add_rate_limited(uid)
            finally:
                self._touched[uid] = time.monotonic()
                self.queue.done(uid)

    def _name(self, uid: str) -> str:
        pod = self.by_uid.get(uid) or self.gone.get(uid)
        if not pod:
            return uid
        return f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}"

    async def resync(self) -> dict[str, list[ContainerInfo]] | None:
        """Queue every pod bound here and every pod that has containers (orphans too);
        returns the engine's containers by pod uid (None: the engine did not answer)."""
        uids = set(self.by_uid) | self.pod_dirs()   # a pod deleted while we were down
        began = time.monotonic()
        try:
            listing = await self.runtime.pod_containers()
        except EngineError as e:
            log.warning("cannot list the engine's containers: %s", e)
            listing = None
        else:
            uids |= set(listing)
            # Older marks cannot outdate this listing: drop them.
            self._touched = {u: t for u, t in self._touched.items() if t >= began}
            self._listed = {uid: (began, listing.get(uid, [])) for uid in uids}
        for uid in uids:
            self.queue.add(uid)
        return listing

    async def _resync_loop(self) -> None:
        while True:
            await asyncio.sleep(self.resync_period)
            await self.resync()

    async def _eviction_loop(self) -> None:
        while True:
            await asyncio.sleep(EVICTION_PERIOD)
            for uid, pod in list(self.by_uid.items()):
                if size_limited(pod) and not is_terminal(pod.get("status") or {}):
                    self.queue.add(uid)

    async def _engine_events(self) -> None:
        """Sync a pod as soon as one of its containers changes; reconnect if the stream ends."""
        delay = 0.5
        while True:
            try:
                async for event in self.runtime.events():
                    delay = 0.5
                    if event.get("Action", event.get("status")) in _ENGINE_ACTIONS:
                        uid = (event.get("Actor") or {}).get("Attributes", {}).get(LABEL_UID)
                        if uid:
                            self._touched[uid] = time.monotonic()
                            self.queue.add(uid)
                log.warning("the engine's event stream ended; reconnecting")
            except EngineError as e:
                log.warning("the engine's event stream failed: %s; reconnecting in %.1fs",
                            e, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
            await self.resync()  # events may have been missed meanwhile
