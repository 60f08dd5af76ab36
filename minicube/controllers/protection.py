"""StorageProtectionController: a claim in use by a pod, or a volume bound to a claim, is not
removed under it (upstream's pvc-protection and pv-protection controllers).

Every claim and volume is created with a protection finalizer (the API server adds it, as
upstream's StorageObjectInUseProtection admission does). Once one is being deleted, this
controller removes the finalizer when nothing holds it any more: for a claim, no pod that is
not finished mounts it; for a volume, it is no longer Bound.
"""

from __future__ import annotations

import logging
from typing import Any

from minicube.api.kinds.persistentvolumes import PV_PROTECTION, PVC_PROTECTION
from minicube.client import Client, Informer, object_key
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import is_terminal, is_terminating
from minicube.controllers.persistentvolume import claims_of

log = logging.getLogger(__name__)

Obj = dict[str, Any]


def claim_in_use(key: str, pods: list[Obj]) -> bool:
    """Does a pod that may still run mount the claim `namespace/name`?"""
    return any(key in claims_of(p) and not is_terminal(p) for p in pods)


class StorageProtectionController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 1) -> None:
        self.client = client
        self.workers = workers
        self.claims = Informer(client, "v1", "persistentvolumeclaims")
        self.volumes = Informer(client, "v1", "persistentvolumes")
        self.pods = Informer(client, "v1", "pods")
        self.queue = self.claims.new_queue(lambda o: "claim:" + object_key(o))
        self.volumes.add_handler(lambda _t, pv, _o: self.queue.add("volume:" + object_key(pv)))
        self.pods.add_handler(self._pod_changed)

    def _pod_changed(self, _type: str, pod: Obj, _old: Obj | None) -> None:
        for key in claims_of(pod):
            self.queue.add("claim:" + key)

    async def run(self) -> None:
        await run_controller((self.claims, self.volumes, self.pods), self.queue, self.reconcile,
                             "storage protection", workers=self.workers)

    async def reconcile(self, key: str) -> None:
        kind, _, name = key.partition(":")
        if kind == "claim":
            claim = self.claims.get(name)
            if claim is not None and is_terminating(claim) \
                    and not claim_in_use(name, self.pods.items()):
                await self._release(claim, "persistentvolumeclaims", PVC_PROTECTION)
        elif (pv := self.volumes.get(name)) is not None and is_terminating(pv) \
                and (pv.get("status") or {}).get("phase") != "Bound":
            await self._release(pv, "persistentvolumes", PV_PROTECTION)

    async def _release(self, obj: Obj, plural: str, finalizer: str) -> None:
        meta = obj["metadata"]
        finalizers = meta.get("finalizers") or []
        if finalizer not in finalizers:
            return
        await self.client.patch("v1", plural, meta["name"], {"metadata": {
            "resourceVersion": meta["resourceVersion"],
            "finalizers": [f for f in finalizers if f != finalizer]}},
            namespace=meta.get("namespace"))
        log.info("%s %s no longer in use: removed %s", plural, object_key(obj), finalizer)
