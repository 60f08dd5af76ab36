"""The Deployment controller: rolls a Deployment's pod template out through ReplicaSets.

Each distinct template gets a ReplicaSet `<deployment>-<hash>` (label pod-template-hash) and
a revision; RollingUpdate grows the new set and shrinks old ones within maxSurge and
maxUnavailable, counting only available pods; Recreate empties old sets first. A scaling
event (or a paused deployment) only resizes sets; old sets beyond revisionHistoryLimit are
deleted; status and the Available/Progressing conditions are what `kubectl rollout status`
waits on. The ReplicaSet-side writes are in deployment_sets.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from minicube.api import selectors
from minicube.api.errors import Conflict, NotFound
from minicube.api.kinds.common import get
from minicube.client import Client, EventRecorder, Informer, WorkQueue, object_key
from minicube.controllers import ownership, replicas, rollout
from minicube.controllers.deployment_sets import SetWriter
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
API = "apps/v1"


def _selects(d: Obj, obj: Obj) -> bool:
    try:
        sel = selectors.from_label_selector(get(d, "spec", "selector"))
    except ValueError:
        return False
    return sel.matches(get(obj, "metadata", "labels", default={}))


def _others(sets: list[Obj], new_rs: Obj | None) -> list[Obj]:
    """The old sets: all but the new one."""
    uid = get(new_rs, "metadata", "uid")
    return [rs for rs in sets if rs["metadata"]["uid"] != uid]


class DeploymentController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "deployment-controller")
        self.deployments = Informer(client, API, "deployments")
        self.sets = Informer(client, API, "replicasets")
        self.pods = Informer(client, "v1", "pods")
        self.queue: WorkQueue = self.deployments.new_queue()
        self.sets.add_handler(self._set_changed)
        self.pods.add_handler(self._pod_changed)
        self.writer = SetWriter(client, self.recorder)

    async def run(self) -> None:
        await run_controller((self.deployments, self.sets, self.pods), self.queue,
                             self.reconcile, "deployment", workers=self.workers,
                             recorder=self.recorder)

    # -- event routing ---------------------------------------------------------------------
    def _set_changed(self, _type: str, rs: Obj, old: Obj | None) -> None:
        ns = rs["metadata"].get("namespace", "")
        for obj in (rs, old):
            ref = ownership.controller_of(obj) if obj else None
            if ref and ref.get("kind") == "Deployment":
                self.queue.add(f"{ns}/{ref['name']}")
        if ownership.controller_of(rs) is None:
            for d in self.deployments.items():
                if d["metadata"].get("namespace") == ns and _selects(d, rs):
                    self.queue.add(object_key(d))

    def _pod_changed(self, etype: str, pod: Obj, _old: Obj | None) -> None:
        # Recreate waits for old pods to be gone: their deletion is news for the deployment.
        ref = ownership.controller_of(pod)
        if etype != "DELETED" or not ref or ref.get("kind") != "ReplicaSet":
            return
        ns = pod["metadata"].get("namespace", "")
        rs = self.sets.get(f"{ns}/{ref['name']}")
        owner = ownership.controller_of(rs) if rs else None
        if owner and owner.get("kind") == "Deployment":
            self.queue.add(f"{ns}/{owner['name']}")

    # -- reconcile -------------------------------------------------------------------------
    async def reconcile(self, key: str) -> None:
        d = self.deployments.get(key)
        if d is None:
            return
        sets = await self._sets_for(d)
        if get(d, "metadata", "deletionTimestamp"):
            new_rs = self._find_new(d, sets)
            await self._sync_status(d, sets, new_rs, progress=False)
            return
        if get(d, "spec", "paused") or self._scaling_event(d, sets):
            await self._sync(d, sets)
        elif rollout.is_rolling(d):
            await self._rolling_update(d, sets)
        else:
            await self._recreate(d, sets)

    async def _sets_for(self, d: Obj) -> list[Obj]:
        """The sets d controls, adopting orphans its selector matches."""
        ns, out = d["metadata"]["namespace"], []
        for rs in self.sets.items():
            if rs["metadata"].get("namespace") != ns:
                continue
            if replicas.controlled_by(rs, d):
                out.append(rs)
            elif ownership.controller_of(rs) is None and _selects(d, rs) \
                    and not get(rs, "metadata", "deletionTimestamp") \
                    and not get(d, "metadata", "deletionTimestamp"):
                try:
                    out.append(await self.writer.adopt(d, rs))
                except (NotFound, Conflict):
                    continue
        return out

    def _find_new(self, d: Obj, sets: list[Obj]) -> Obj | None:
        """The oldest set whose template is the deployment's (FindNewReplicaSet)."""
        same = [rs for rs in rollout.by_creation(sets)
                if rollout.same_template(get(rs, "spec", "template", default={}),
                                         get(d, "spec", "template", default={}))]
        return same[0] if same else None

    @staticmethod
    def _scaling_event(d: Obj, sets: list[Obj]) -> bool:
        want = str(get(d, "spec", "replicas", default=1))
        return any(get(rs, "metadata", "annotations", rollout.DESIRED_REPLICAS, default=want)
                   != want for rs in sets if get(rs, "spec", "replicas", default=0) > 0)

    async def _new_set(self, d: Obj, sets: list[Obj], create: bool) -> tuple[Obj | None, Obj]:
        """The new set (its annotations brought up to date, or created when asked) and the
        deployment as last written."""
        new_rs = self._find_new(d, sets)
        old = _others(sets, new_rs)
        new_revision = rollout.max_revision(old) + 1
        if new_rs is not None:
            new_rs = await self.writer.refresh(d, new_rs, new_revision)
        elif create:
            new_rs, d = await self.writer.create(d, old, new_revision)
            if new_rs is None:
                return None, d
            d = await self._set_progressing(d, "True", "NewReplicaSetCreated",
                                            f'Created new replica set "{new_rs["metadata"]["name"]}"')
        else:
            return None, d
        if get(d, "metadata", "annotations", rollout.REVISION) != \
                get(new_rs, "metadata", "annotations", rollout.REVISION):
            d = await self.client.patch(API, "deployments", d["metadata"]["name"], {
                "metadata": {"annotations": {
                    rollout.REVISION: get(new_rs, "metadata", "annotations", rollout.REVISION)}}},
                namespace=d["metadata"]["namespace"])
        if rollout.condition(d.get("status") or {}, "Progressing") is None:
            d = await self._set_progressing(d, "True", "FoundNewReplicaSet",
                                            f'Found new replica set "{new_rs["metadata"]["name"]}"')
        return new_rs, d

    async def _set_progressing(self, d: Obj, value: str, reason: str, message: str) -> Obj:
        if not rollout.has_deadline(d):
            return d
        status = dict(d.get("status") or {})
        status["conditions"] = [dict(c) for c in status.get("conditions") or []]
        rollout.set_condition(status, "Progressing", value, reason, message, time.time())
        return await self.client.update_status(API, "deployments", {**d, "status": status},
                                               namespace=d["metadata"]["namespace"])

    # -- strategies ------------------------------------------------------------------------
    async def _rolling_update(self, d: Obj, sets: list[Obj]) -> None:
        new_rs, d = await self._new_set(d, sets, create=True)
        if new_rs is None:
            return
        sets = self.writer.merged(sets, [new_rs])
        old = _others(sets, new_rs)
        replicas_wanted = int(get(d, "spec", "replicas", default=1))
        current = int(get(new_rs, "spec", "replicas", default=0))
        target = min(replicas_wanted, rollout.new_rs_replicas(d, sets, new_rs))
        if target != current:
            new_rs = await self.writer.scale(d, new_rs, target)
            await self._sync_status(d, self.writer.merged(sets, [new_rs]), new_rs)
            return
        if rollout.spec_replicas(old) > 0:
            budget = rollout.max_scale_down(d, sets, new_rs)
            if budget > 0:
                changed = await self.writer.resize(d, old, rollout.cleanup_unhealthy(old, budget))
                old = self.writer.merged(old, changed)
                sets = old + [new_rs]
                changed += await self.writer.resize(d, old,
                                                    rollout.scale_down_old(d, sets, old))
                if changed:
                    await self._sync_status(d, self.writer.merged(sets, changed), new_rs)
                    return
        await self._finish(d, sets, new_rs)

    async def _recreate(self, d: Obj, sets: list[Obj]) -> None:
        new_rs, d = await self._new_set(d, sets, create=False)
        old = _others(sets, new_rs)
        active_old = [rs for rs in old if get(rs, "spec", "replicas", default=0) > 0]
        if active_old:
            changed = await self.writer.resize(d, old, {rs["metadata"]["name"]: 0 for rs in active_old})
            await self._sync_status(d, self.writer.merged(sets, changed), new_rs)
            return
        old_uids = {rs["metadata"]["uid"] for rs in old}
        if any((ownership.controller_of(p) or {}).get("uid") in old_uids
               and not ownership.is_terminal(p) for p in self.pods.items()):
            await self._sync_status(d, sets, new_rs)  # old pods still stopping
            return
        if new_rs is None:
            new_rs, d = await self._new_set(d, sets, create=True)
            if new_rs is None:
                return
            sets = self.writer.merged(sets, [new_rs])
        want = int(get(d, "spec", "replicas", default=1))
        if get(new_rs, "spec", "replicas", default=0) != want:
            new_rs = await self.writer.scale(d, new_rs, want)
            sets = self.writer.merged(sets, [new_rs])
        await self._finish(d, sets, new_rs)

    async def _sync(self, d: Obj, sets: list[Obj]) -> None:
        """A scaling event or a paused deployment: resize sets, roll nothing out."""
        new_rs, d = await self._new_set(d, sets, create=False)
        if new_rs is not None:
            sets = self.writer.merged(sets, [new_rs])
        changed = await self.writer.resize(d, sets, self._scaled_sizes(d, sets, new_rs))
        sets = self.writer.merged(sets, changed)
        if get(d, "spec", "paused"):
            await self.writer.cleanup(d, _others(sets, new_rs))
        await self._sync_status(d, sets, new_rs)

    @staticmethod
    def _scaled_sizes(d: Obj, sets: list[Obj], new_rs: Obj | None) -> dict[str, int]:
        want = int(get(d, "spec", "replicas", default=1))
        active = [rs for rs in sets if get(rs, "spec", "replicas", default=0) > 0]
        if len(active) <= 1:
            by_age = rollout.by_creation(sets)
            target = active[0] if active else (new_rs or (by_age[-1] if by_age else None))
            return {target["metadata"]["name"]: want} if target else {}
        if new_rs is not None and get(new_rs, "spec", "replicas") == want and \
                get(new_rs, "status", "availableReplicas") == want:
            return {rs["metadata"]["name"]: 0 for rs in _others(active, new_rs)}
        if rollout.is_rolling(d):
            return rollout.proportional_sizes(d, active)
        return {}

    async def _finish(self, d: Obj, sets: list[Obj], new_rs: Obj) -> None:
        status = rollout.calculate_status(d, sets, new_rs, time.time())
        if rollout.is_complete(d, status):
            await self.writer.cleanup(d, _others(sets, new_rs))
        await self._sync_status(d, sets, new_rs)

    async def _sync_status(self, d: Obj, sets: list[Obj], new_rs: Obj | None, *,
                           progress: bool = True) -> None:
        now = time.time()
        status = rollout.calculate_status(d, sets, new_rs, now)
        cond = rollout.condition(status, "Progressing")
        if get(d, "spec", "paused"):
            if cond is None or cond.get("reason") != "DeploymentPaused":
                rollout.set_condition(status, "Progressing", "Unknown", "DeploymentPaused",
                                      "Deployment is paused", now)
        elif progress:
            if cond is not None and cond.get("reason") == "DeploymentPaused":
                rollout.set_condition(status, "Progressing", "Unknown", "DeploymentResumed",
                                      "Deployment is resumed", now)
            rollout.progress(d, status, new_rs, now)
            rollout.copy_replica_failure(status, sets, new_rs, now)
        wait = rollout.seconds_to_deadline(d, status, now)
        if wait is not None:
            self.queue.add_after(object_key(d), wait)
        if status == d.get("status"):
            return
        await self.client.update_status(API, "deployments", {**d, "status": status},
                                        namespace=d["metadata"]["namespace"])
