"""HostPathProvisioner: dynamic volumes for the `standard` StorageClass (minikube's
storage-provisioner, inside the node process).

At start it makes sure the default class exists. A claim the binder has marked for
`minicube.io/hostpath` gets a PersistentVolume `pvc-<claim uid>` reserved for it, backed by
the directory `<state dir>/volumes/<pv name>` on the node's persistent state volume, so data
survives pod deletion and `minicube stop/start`. When such a volume is Released and its
reclaim policy is Delete, the directory and the volume go; Retain keeps both.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from minicube.api.errors import AlreadyExists, NotFound
from minicube.api.kinds.storageclasses import standard_class
from minicube.client import Client, EventRecorder, Informer, object_key
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import is_terminating
from minicube.controllers.persistentvolume import PROVISIONER_ANNOTATION, STORAGE

log = logging.getLogger(__name__)

Obj = dict[str, Any]
PROVISIONER = "minicube.io/hostpath"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"


def default_root() -> Path:
    return Path(os.environ.get("MINICUBE_STATE_DIR", "/var/lib/minicube")) / "volumes"


def volume_for(claim: Obj, sc: Obj, root: Path) -> Obj:
    """The PersistentVolume that serves `claim`, reserved for it by claimRef."""
    meta, spec = claim["metadata"], claim["spec"]
    name = f"pvc-{meta['uid']}"
    pv_spec: Obj = {
        "capacity": {"storage": spec["resources"]["requests"]["storage"]},
        "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
        "storageClassName": sc["metadata"]["name"],
        "volumeMode": spec.get("volumeMode") or "Filesystem",
        "hostPath": {"path": str(root / name), "type": ""},
        "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                     "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
                     "resourceVersion": meta.get("resourceVersion")},
    }
    if sc.get("mountOptions"):
        pv_spec["mountOptions"] = sc["mountOptions"]
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": {PROVISIONED_BY: PROVISIONER}},
            "spec": pv_spec}


def wants_volume(claim: Obj) -> bool:
    """A pending, unbound claim the binder handed to this provisioner."""
    return (not claim["spec"].get("volumeName") and not is_terminating(claim)
            and (claim.get("status") or {}).get("phase", "Pending") == "Pending"
            and (claim["metadata"].get("annotations") or {}).get(PROVISIONER_ANNOTATION)
            == PROVISIONER)


def reclaimable(pv: Obj, root: Path) -> bool:
    """One of ours, Released, with reclaim policy Delete, whose path is ours to remove."""
    return ((pv["metadata"].get("annotations") or {}).get(PROVISIONED_BY) == PROVISIONER
            and (pv.get("status") or {}).get("phase") == "Released"
            and pv["spec"].get("persistentVolumeReclaimPolicy") == "Delete"
            and Path((pv["spec"].get("hostPath") or {}).get("path", "/")).parent == root)


class HostPathProvisioner:
    def __init__(self, client: Client, _node_name: str = "", *, root: Path | None = None,
                 workers: int = 1) -> None:
        self.client = client
        self.root = root or default_root()
        self.workers = workers
        self.recorder = EventRecorder(client, PROVISIONER)
        self.claims = Informer(client, "v1", "persistentvolumeclaims")
        self.volumes = Informer(client, "v1", "persistentvolumes")
        self.classes = Informer(client, STORAGE, "storageclasses")
        self.queue = self.claims.new_queue(lambda o: "claim:" + object_key(o))
        self.volumes.add_handler(lambda _t, pv, _o: self.queue.add("volume:" + object_key(pv)))

    async def run(self) -> None:
        await self.ensure_default_class()
        await run_controller((self.claims, self.volumes, self.classes), self.queue,
                             self.reconcile, "hostpath provisioner", workers=self.workers,
                             recorder=self.recorder)

    async def ensure_default_class(self) -> None:
        try:
            await self.client.create(STORAGE, "storageclasses", standard_class())
            log.info("created the default StorageClass standard")
        except AlreadyExists:
            pass

    async def reconcile(self, key: str) -> None:
        kind, _, name = key.partition(":")
        if kind == "claim":
            claim = self.claims.get(name)
            if claim is not None and wants_volume(claim):
                await self._provision(claim)
        elif (pv := self.volumes.get(name)) is not None and reclaimable(pv, self.root):
            await self._delete(pv)

    async def _provision(self, claim: Obj) -> None:
        meta = claim["metadata"]
        sc = self.classes.get(claim["spec"].get("storageClassName") or "")
        if sc is None or sc.get("provisioner") != PROVISIONER:
            return
        pv = volume_for(claim, sc, self.root)
        if self.volumes.get(pv["metadata"]["name"]) is not None:
            return
        self.recorder.event(claim, "Normal", "Provisioning",
                            f"External provisioner is provisioning volume for claim "
                            f"\"{meta['namespace']}/{meta['name']}\"")
        path = Path(pv["spec"]["hostPath"]["path"])
        await asyncio.to_thread(_make_dir, path)
        try:
            await self.client.create("v1", "persistentvolumes", pv)
        except AlreadyExists:
            return
        self.recorder.event(claim, "Normal", "ProvisioningSucceeded",
                            f"Successfully provisioned volume {pv['metadata']['name']}")
        log.info("provisioned %s at %s for claim %s/%s", pv["metadata"]["name"], path,
                 meta["namespace"], meta["name"])

    async def _delete(self, pv: Obj) -> None:
        name = pv["metadata"]["name"]
        path = Path(pv["spec"]["hostPath"]["path"])
        await asyncio.to_thread(shutil.rmtree, path, True)
        try:
            await self.client.delete("v1", "persistentvolumes", name,
                                     preconditions={"uid": pv["metadata"]["uid"]})
        except NotFound:
            return
        log.info("deleted volume %s and %s (reclaim policy Delete)", name, path)


def _make_dir(path: Path) -> None:
    # World-writable, as minikube's provisioner: pods may run as any user.
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o777)
