"""The ReplicaSet controller: keeps `spec.replicas` pods running for each ReplicaSet.

Pods are created from the template (named `<rs>-<5 chars>`, controlled by the RS) and a
scale-down deletes the least useful pods first (replicas.deletion_order). Orphan pods the
selector matches are adopted. Expectations of pods this controller created or deleted but
the cache does not show yet keep a burst of events from creating or deleting twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from minicube.api import selectors
from minicube.api.errors import AlreadyExists, Conflict, NotFound, StatusError
from minicube.api.kinds.common import get
from minicube.client import Client, EventRecorder, Informer, WorkQueue, object_key
from minicube.controllers import ownership, replicas
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]

API = "apps/v1"
BURST = 500  # at most this many creates or deletes per sync, as upstream
EXPECTATION_TTL = 60.0  # forget an expectation the cache never confirmed after this long


class _Expectations:
    """Pod names created and pod uids deleted that the cache has not caught up with."""

    def __init__(self) -> None:
        self.created: dict[str, dict[str, float]] = {}
        self.deleted: dict[str, dict[str, float]] = {}

    def pending(self, key: str, pods: list[Obj], now: float) -> tuple[int, set[str]]:
        """(created pods not yet seen, uids deleted but still listed) for key."""
        seen = {p["metadata"]["name"] for p in pods}
        uids = {p["metadata"].get("uid", "") for p in pods}
        created = {n: t for n, t in self.created.get(key, {}).items()
                   if n not in seen and now - t < EXPECTATION_TTL}
        deleted = {u: t for u, t in self.deleted.get(key, {}).items()
                   if u in uids and now - t < EXPECTATION_TTL}
        self.created[key], self.deleted[key] = created, deleted
        return len(created), set(deleted)

    def forget(self, key: str) -> None:
        self.created.pop(key, None)
        self.deleted.pop(key, None)


class ReplicaSetController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "replicaset-controller")
        self.sets = Informer(client, API, "replicasets")
        self.pods = Informer(client, "v1", "pods")
        self.queue: WorkQueue = self.sets.new_queue()
        self.pods.add_handler(self._pod_changed)
        self.expect = _Expectations()

    async def run(self) -> None:
        await run_controller((self.sets, self.pods), self.queue, self.reconcile, "replicaset",
                             workers=self.workers, recorder=self.recorder)

    def _pod_changed(self, _type: str, pod: Obj, old: Obj | None) -> None:
        ns = pod["metadata"].get("namespace", "")
        for p in (pod, old):
            ref = ownership.controller_of(p) if p else None
            if ref and ref.get("kind") == "ReplicaSet":
                self.queue.add(f"{ns}/{ref['name']}")
        if ownership.controller_of(pod) is None:  # an orphan: whoever selects it may adopt it
            for rs in self._selecting(pod):
                self.queue.add(object_key(rs))

    def _selecting(self, pod: Obj) -> list[Obj]:
        ns, labels = pod["metadata"].get("namespace"), get(pod, "metadata", "labels", default={})
        out = []
        for rs in self.sets.items():
            if rs["metadata"].get("namespace") != ns:
                continue
            try:
                if selectors.from_label_selector(get(rs, "spec", "selector")).matches(labels):
                    out.append(rs)
            except ValueError:
                continue
        return out

    async def reconcile(self, key: str) -> None:
        rs = self.sets.get(key)
        if rs is None:
            self.expect.forget(key)
            return
        now = time.time()
        owned = await self._claim(rs)
        creating, deleting = self.expect.pending(key, owned, now)
        active = [p for p in owned if replicas.is_active(p)
                  and p["metadata"].get("uid") not in deleting]
        failure: StatusError | None = None
        if not get(rs, "metadata", "deletionTimestamp"):
            try:
                await self._manage(rs, key, active, creating)
            except StatusError as e:
                failure = e
        want = int(get(rs, "spec", "replicas", default=1))
        reason = "FailedCreate" if len(active) + creating < want else "FailedDelete"
        await self._update_status(rs, active, now, (reason, failure.message) if failure else None)
        if failure is not None:
            raise failure  # retried with back-off

    async def _claim(self, rs: Obj) -> list[Obj]:
        """ClaimPods: the pods this set controls, after adopting active orphans its selector
        matches and releasing owned pods it no longer matches (not while being deleted)."""
        ns, uid = rs["metadata"]["namespace"], rs["metadata"]["uid"]
        try:
            sel = selectors.from_label_selector(get(rs, "spec", "selector"))
        except ValueError:
            return []
        deleting = bool(get(rs, "metadata", "deletionTimestamp"))
        out = []
        for pod in self.pods.items():
            if pod["metadata"].get("namespace") != ns:
                continue
            matches = sel.matches(get(pod, "metadata", "labels"))
            refs = list(get(pod, "metadata", "ownerReferences", default=[]))
            if replicas.controlled_by(pod, rs):
                if matches or deleting:
                    out.append(pod)
                else:
                    await self._set_owners(rs, pod, [r for r in refs if r.get("uid") != uid],
                                           "released")
            elif matches and not deleting and ownership.controller_of(pod) is None \
                    and replicas.is_active(pod):
                adopted = await self._set_owners(rs, pod, refs + [ownership.controller_ref(rs)],
                                                 "adopted")
                if adopted is not None:
                    out.append(adopted)
        return out

    async def _set_owners(self, rs: Obj, pod: Obj, refs: list[Obj], what: str) -> Obj | None:
        md = pod["metadata"]
        try:
            patched = await self.client.patch("v1", "pods", md["name"], {
                "metadata": {"ownerReferences": refs or None,
                             "resourceVersion": md["resourceVersion"]}},
                namespace=md["namespace"])
        except (NotFound, Conflict):
            return None  # gone or changed: its next event brings it back here
        log.info("replicaset %s %s pod %s", object_key(rs), what, md["name"])
        return patched

    async def _manage(self, rs: Obj, key: str, active: list[Obj], creating: int) -> None:
        want = int(get(rs, "spec", "replicas", default=1))
        diff = len(active) + creating - want
        if diff < 0:
            await self._create(rs, key, min(-diff, BURST))
        elif diff > 0 and not creating:
            victims = replicas.deletion_order(active)[:min(diff, BURST)]
            await asyncio.gather(*(self._delete(rs, key, p) for p in victims))

    async def _create(self, rs: Obj, key: str, count: int) -> None:
        """Create in doubling batches (slow start): a failing template costs one request."""
        template = get(rs, "spec", "template", default={})
        batch = 1
        while count > 0:
            size = min(batch, count)
            results = await asyncio.gather(
                *(self._create_one(rs, key, template) for _ in range(size)),
                return_exceptions=True)
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                raise errors[0]
            count -= size
            batch *= 2

    async def _create_one(self, rs: Obj, key: str, template: Obj) -> None:
        pod = ownership.pod_from_template(template, rs, generate_name=rs["metadata"]["name"] + "-")
        try:
            created = await self.client.create("v1", "pods", pod)
        except AlreadyExists:
            return  # a generated name collided: the next sync makes up for it
        except StatusError as e:
            self.recorder.event(rs, "Warning", "FailedCreate", f"Error creating: {e.message}")
            raise
        name = created["metadata"]["name"]
        self.expect.created.setdefault(key, {})[name] = time.time()
        self.recorder.event(rs, "Normal", "SuccessfulCreate", f"Created pod: {name}")

    async def _delete(self, rs: Obj, key: str, pod: Obj) -> None:
        md = pod["metadata"]
        try:
            await self.client.delete("v1", "pods", md["name"], namespace=md["namespace"],
                                     preconditions={"uid": md["uid"]})
        except (NotFound, Conflict):
            return
        self.expect.deleted.setdefault(key, {})[md["uid"]] = time.time()
        self.recorder.event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {md['name']}")

    async def _update_status(self, rs: Obj, active: list[Obj], now: float,
                             failure: tuple[str, str] | None) -> None:
        status = replicas.replica_set_status(rs, active, now)
        replicas.set_replica_failure(status, failure, now)
        min_ready = int(get(rs, "spec", "minReadySeconds", default=0))
        wait = replicas.seconds_until_available(active, min_ready, now)
        if wait is not None:
            self.queue.add_after(object_key(rs), wait + 0.1)
        if status == rs.get("status"):
            return
        md = rs["metadata"]
        await self.client.update_status(API, "replicasets", {**rs, "status": status},
                                        namespace=md["namespace"])
