"""The garbage collector: deletes objects whose owners are gone, by ownerReferences.

It watches every resource the API serves (found through discovery, again every minute and
whenever a CustomResourceDefinition changes, so new kinds join and removed ones leave) and
keeps a graph of owner uid -> dependents. For each object it checks:
- being deleted with the `orphan` finalizer: strip this owner from its dependents'
  ownerReferences, then remove the finalizer;
- being deleted with the `foregroundDeletion` finalizer: delete its dependents and remove
  the finalizer once none is left;
- otherwise, owners that no longer exist (a 404, or another uid under that name): when
  every owner is gone delete it (background), else drop the dangling references. An owner
  in foreground deletion makes its dependents go too.
The API server adds those finalizers from DeleteOptions.propagationPolicy.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

from minicube.api.errors import Conflict, NotFound
from minicube.client import Client, Informer, WorkQueue
from minicube.client.rest import APIConnectionError
from minicube.controllers.discovery import Resource, resources
from minicube.controllers.workers import work

log = logging.getLogger(__name__)

Obj = dict[str, Any]
ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
REDISCOVER_SECONDS = 60.0
_IGNORED = {("v1", "events"), ("events.k8s.io/v1", "events")}


def owner_uids(obj: Obj) -> list[str]:
    return [r["uid"] for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid")]


def finalizers(obj: Obj) -> list[str]:
    return list(obj["metadata"].get("finalizers") or [])


class GarbageCollector:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.queue = WorkQueue()
        self.objects: dict[str, tuple[Resource, Obj]] = {}   # uid -> (resource, object)
        self.dependents: dict[str, set[str]] = {}            # owner uid -> dependent uids
        self.kinds: dict[tuple[str, str], Resource] = {}     # (apiVersion, kind) -> resource
        self.informers: dict[tuple[str, str], tuple[Informer, asyncio.Task[None]]] = {}
        self.rediscover = asyncio.Event()

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                await self._discover(tg)
                for _ in range(self.workers):
                    tg.create_task(work(self.queue, self.reconcile, "garbage collection"))
                while True:
                    try:
                        await asyncio.wait_for(self.rediscover.wait(), REDISCOVER_SECONDS)
                    except TimeoutError:
                        pass
                    self.rediscover.clear()
                    try:
                        await self._discover(tg)
                    except APIConnectionError as e:
                        log.warning("garbage collector: discovery failed: %s", e)
        finally:
            self.queue.close()

    async def _discover(self, tg: asyncio.TaskGroup) -> None:
        """Watch each new resource that can be listed, watched and deleted; wait for the
        new caches so no owner is taken for gone on a partial view."""
        fresh = []
        served = await resources(self.client)
        self._forget_removed({(r.api_version, r.plural) for r in served})
        for r in served:
            self.kinds[(r.api_version, r.kind)] = r
            key = (r.api_version, r.plural)
            if key in self.informers or key in _IGNORED or \
                    not {"list", "watch", "delete"} <= r.verbs:
                continue
            informer = Informer(self.client, r.api_version, r.plural)
            informer.add_handler(self._handler(r))
            self.informers[key] = (informer, tg.create_task(informer.run()))
            fresh.append(informer)
        await asyncio.gather(*(i.wait_synced() for i in fresh))

    def _forget_removed(self, served: set[tuple[str, str]]) -> None:
        """Stop watching resources no longer served (a deleted CRD's) and drop their objects."""
        for key in [k for k in self.informers if k not in served]:
            _informer, task = self.informers.pop(key)
            task.cancel()
            self.kinds = {k: r for k, r in self.kinds.items()
                          if (r.api_version, r.plural) != key}
            for uid, (resource, _obj) in list(self.objects.items()):
                if (resource.api_version, resource.plural) == key:
                    del self.objects[uid]

    # -- the graph ---------------------------------------------------------------------------
    def _handler(self, resource: Resource) -> Callable[[str, Obj, "Obj | None"], None]:
        return lambda etype, obj, old: self._changed(resource, etype, obj, old)

    def _changed(self, resource: Resource, etype: str, obj: Obj, old: Obj | None) -> None:
        if resource.plural == "customresourcedefinitions":
            self.rediscover.set()  # a kind may have joined or left
        uid = obj["metadata"].get("uid", "")
        if old is not None:
            for owner in owner_uids(old):
                self.dependents.get(owner, set()).discard(uid)
        if etype == "DELETED":
            self.objects.pop(uid, None)
            for dependent in self.dependents.get(uid, set()):
                self.queue.add(dependent)  # their owner is gone
            for owner in owner_uids(obj):
                self.queue.add(owner)      # an owner in foreground deletion may be done
            return
        self.objects[uid] = (resource, obj)
        for owner in owner_uids(obj):
            self.dependents.setdefault(owner, set()).add(uid)
        if owner_uids(obj) or {ORPHAN, FOREGROUND} & set(finalizers(obj)):
            self.queue.add(uid)
        if obj["metadata"].get("deletionTimestamp"):
            for dependent in self.dependents.get(uid, set()):
                self.queue.add(dependent)

    def _live_dependents(self, uid: str) -> list[tuple[Resource, Obj]]:
        return [self.objects[d] for d in self.dependents.get(uid, set()) if d in self.objects]

    # -- reconcile ---------------------------------------------------------------------------
    async def reconcile(self, uid: str) -> None:
        entry = self.objects.get(uid)
        if entry is None:
            return
        resource, obj = entry
        deleting = bool(obj["metadata"].get("deletionTimestamp"))
        if deleting and ORPHAN in finalizers(obj):
            await self._orphan_dependents(resource, obj)
        elif deleting and FOREGROUND in finalizers(obj):
            await self._delete_dependents(resource, obj)
        elif owner_uids(obj) and not deleting:
            await self._check_owners(resource, obj)

    async def _orphan_dependents(self, resource: Resource, obj: Obj) -> None:
        uid = obj["metadata"]["uid"]
        for dep_resource, dep in self._live_dependents(uid):
            refs = [r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            await self._patch_refs(dep_resource, dep, refs)
        await self._remove_finalizer(resource, obj, ORPHAN)

    async def _delete_dependents(self, resource: Resource, obj: Obj) -> None:
        left = self._live_dependents(obj["metadata"]["uid"])
        for dep_resource, dep in left:
            if not dep["metadata"].get("deletionTimestamp"):
                policy = "Foreground" if self._live_dependents(dep["metadata"]["uid"]) \
                    else "Background"
                await self._delete(dep_resource, dep, policy)
        if not left:
            await self._remove_finalizer(resource, obj, FOREGROUND)

    async def _check_owners(self, resource: Resource, obj: Obj) -> None:
        refs = obj["metadata"].get("ownerReferences") or []
        states = [await self._owner_state(obj, ref) for ref in refs]
        dangling = [ref for ref, state in zip(refs, states) if state == "gone"]
        if len(dangling) == len(refs):
            await self._delete(resource, obj, "Background")
        elif "present" not in states:
            # Every remaining owner is in foreground deletion: go with it.
            policy = "Foreground" if self._live_dependents(obj["metadata"]["uid"]) \
                else "Background"
            await self._delete(resource, obj, policy)
        elif dangling:
            await self._patch_refs(resource, obj, [r for r in refs if r not in dangling])

    async def _owner_state(self, obj: Obj, ref: Obj) -> str:
        """"present", "foreground" (being deleted, waiting for dependents) or "gone"."""
        cached = self.objects.get(ref.get("uid", ""))
        owner = cached[1] if cached else await self._fetch_owner(obj, ref)
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return "gone"
        if owner["metadata"].get("deletionTimestamp") and FOREGROUND in finalizers(owner):
            return "foreground"
        return "present"

    async def _fetch_owner(self, obj: Obj, ref: Obj) -> Obj | None:
        """Ask the API (the cache may lag, or not watch that kind): None when it is gone."""
        resource = self.kinds.get((ref.get("apiVersion", ""), ref.get("kind", "")))
        if resource is None:
            raise NotFound(f"no resource serves {ref.get('apiVersion')} {ref.get('kind')}")
        ns = obj["metadata"].get("namespace") if resource.namespaced else None
        try:
            return await self.client.get(resource.api_version, resource.plural, ref["name"],
                                         namespace=ns)
        except NotFound:
            return None

    # -- writes ------------------------------------------------------------------------------
    async def _delete(self, resource: Resource, obj: Obj, policy: str) -> None:
        md = obj["metadata"]
        log.info("garbage collector: deleting %s %s/%s (%s)", resource.kind,
                 md.get("namespace", ""), md["name"], policy)
        try:
            await self.client.delete(resource.api_version, resource.plural, md["name"],
                                     namespace=md.get("namespace"), propagation_policy=policy,
                                     preconditions={"uid": md["uid"]})
        except (NotFound, Conflict):
            pass  # gone already, or replaced by a new object of that name

    async def _patch_refs(self, resource: Resource, obj: Obj, refs: list[Obj]) -> None:
        md = obj["metadata"]
        try:
            await self.client.patch(resource.api_version, resource.plural, md["name"], {
                "metadata": {"ownerReferences": refs or None,
                             "resourceVersion": md["resourceVersion"]}},
                namespace=md.get("namespace"))
        except NotFound:
            pass

    async def _remove_finalizer(self, resource: Resource, obj: Obj, name: str) -> None:
        md = obj["metadata"]
        left = [f for f in finalizers(obj) if f != name]
        try:
            await self.client.patch(resource.api_version, resource.plural, md["name"], {
                "metadata": {"finalizers": left or None, "resourceVersion": md["resourceVersion"]}},
                namespace=md.get("namespace"))
        except NotFound:
            pass
