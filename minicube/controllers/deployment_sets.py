"""The Deployment controller's writes to ReplicaSets: create the set for a new template,
keep its annotations current, resize sets (with ScalingReplicaSet events), adopt orphans
and delete sets beyond revisionHistoryLimit. Every write sends the cached resourceVersion,
so a stale cache fails with a Conflict and the deployment is reconciled again."""

from __future__ import annotations

import copy
import logging
from typing import Any

from minicube.api.errors import AlreadyExists, Conflict, NotFound
from minicube.api.kinds.common import get
from minicube.client import Client, EventRecorder
from minicube.controllers import ownership, replicas, rollout

log = logging.getLogger(__name__)

Obj = dict[str, Any]
API = "apps/v1"


class SetWriter:
    def __init__(self, client: Client, recorder: EventRecorder) -> None:
        self.client = client
        self.recorder = recorder

    @staticmethod
    def merged(sets: list[Obj], changed: list[Obj]) -> list[Obj]:
        """sets with each changed set (same uid) replaced by its written version; new ones added."""
        by_uid = {rs["metadata"]["uid"]: rs for rs in changed}
        out = [by_uid.pop(rs["metadata"]["uid"], rs) for rs in sets]
        return out + list(by_uid.values())

    async def _replace(self, rs: Obj) -> Obj:
        return await self.client.replace(API, "replicasets", rs,
                                         namespace=rs["metadata"]["namespace"])

    async def adopt(self, d: Obj, rs: Obj) -> Obj:
        md = rs["metadata"]
        refs = list(md.get("ownerReferences") or []) + [ownership.controller_ref(d)]
        log.info("deployment %s adopts replicaset %s", d["metadata"]["name"], md["name"])
        return await self._replace({**rs, "metadata": {**md, "ownerReferences": refs}})

    async def refresh(self, d: Obj, rs: Obj, new_revision: int) -> Obj:
        """The new set's annotations (revision, replica counts, copied) and minReadySeconds."""
        annotations = rollout.new_rs_annotations(d, rs, new_revision)
        min_ready = get(d, "spec", "minReadySeconds", default=0)
        if annotations == get(rs, "metadata", "annotations", default={}) and \
                get(rs, "spec", "minReadySeconds", default=0) == min_ready:
            return rs
        updated = copy.deepcopy(rs)
        updated["metadata"]["annotations"] = annotations
        updated["spec"]["minReadySeconds"] = min_ready
        return await self._replace(updated)

    async def create(self, d: Obj, old: list[Obj], new_revision: int) -> tuple[Obj | None, Obj]:
        """Create `<deployment>-<hash>`; on a name taken by another template, count a collision
        in the deployment's status (the next hash differs) and return no set."""
        md = d["metadata"]
        collisions = get(d, "status", "collisionCount")
        template = copy.deepcopy(get(d, "spec", "template", default={}))
        pod_hash = rollout.template_hash(template, collisions)
        labels = {**get(template, "metadata", "labels", default={}), rollout.HASH_LABEL: pod_hash}
        template.setdefault("metadata", {})["labels"] = labels
        selector = copy.deepcopy(get(d, "spec", "selector", default={}))
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}),
                                   rollout.HASH_LABEL: pod_hash}
        rs: Obj = {
            "apiVersion": API, "kind": "ReplicaSet",
            "metadata": {"name": f"{md['name']}-{pod_hash}", "namespace": md["namespace"],
                         "labels": labels,
                         "annotations": rollout.new_rs_annotations(d, None, new_revision),
                         "ownerReferences": [ownership.controller_ref(d)]},
            "spec": {"replicas": 0, "minReadySeconds": get(d, "spec", "minReadySeconds", default=0),
                     "selector": selector, "template": template},
        }
        size = rollout.new_rs_replicas(d, old + [rs], rs)
        rs["spec"]["replicas"] = size
        try:
            created = await self.client.create(API, "replicasets", rs)
        except AlreadyExists:
            existing = await self.client.get(API, "replicasets", rs["metadata"]["name"],
                                             namespace=md["namespace"])
            if replicas.controlled_by(existing, d) and rollout.same_template(
                    get(existing, "spec", "template", default={}), template):
                return existing, d  # ours, made by an earlier sync the cache has not shown yet
            status = {**(d.get("status") or {}), "collisionCount": (collisions or 0) + 1}
            d = await self.client.update_status(API, "deployments", {**d, "status": status},
                                                namespace=md["namespace"])
            log.info("deployment %s: hash collision on %s", md["name"], rs["metadata"]["name"])
            return None, d
        if size > 0:
            self.recorder.event(d, "Normal", "ScalingReplicaSet",
                                f"Scaled up replica set {rs['metadata']['name']} from 0 to {size}")
        return created, d

    async def scale(self, d: Obj, rs: Obj, size: int) -> Obj:
        """Resize one set, stamping the deployment's replica annotations on it."""
        current = int(get(rs, "spec", "replicas", default=0))
        updated = copy.deepcopy(rs)
        updated["spec"]["replicas"] = size
        updated["metadata"]["annotations"] = {**get(rs, "metadata", "annotations", default={}),
                                              **rollout.replica_annotations(d)}
        if updated == rs:
            return rs
        written = await self._replace(updated)
        if size != current:
            way = "up" if size > current else "down"
            self.recorder.event(d, "Normal", "ScalingReplicaSet",
                                f"Scaled {way} replica set {rs['metadata']['name']} "
                                f"from {current} to {size}")
        return written

    async def resize(self, d: Obj, sets: list[Obj], sizes: dict[str, int]) -> list[Obj]:
        """Scale the named sets to their sizes; the sets actually changed."""
        out = []
        for rs in sets:
            size = sizes.get(rs["metadata"]["name"])
            if size is not None and size != get(rs, "spec", "replicas", default=0):
                out.append(await self.scale(d, rs, size))
        return out

    async def cleanup(self, d: Obj, old: list[Obj]) -> None:
        """Delete the oldest empty sets beyond revisionHistoryLimit."""
        limit = get(d, "spec", "revisionHistoryLimit")
        if limit is None:
            return
        cleanable = [rs for rs in old if not get(rs, "metadata", "deletionTimestamp")]
        excess = len(cleanable) - int(limit)
        for rs in sorted(cleanable, key=rollout.revision)[:max(0, excess)]:
            md = rs["metadata"]
            if get(rs, "status", "replicas", default=0) or get(rs, "spec", "replicas", default=0) \
                    or md.get("generation", 0) > get(rs, "status", "observedGeneration", default=0):
                continue
            try:
                await self.client.delete(API, "replicasets", md["name"], namespace=md["namespace"],
                                          preconditions={"uid": md["uid"]})
            except (NotFound, Conflict):
                continue
            log.info("deployment %s: deleted old replicaset %s", d["metadata"]["name"], md["name"])
