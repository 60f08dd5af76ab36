"""PersistentVolumeController: binds claims to volumes and keeps both phases true
(kube-controller-manager's persistentvolume-binder, without the plugins).

A claim with no storageClassName gets the default StorageClass (upstream's retroactive
default assignment). A claim binds to the smallest Available volume of its class that is
big enough, has its access modes and volume mode, matches its selector and is not reserved
for another claim (`claimRef`); a claim naming a `volumeName` binds only to that one. With no
match, a claim of a class with a provisioner is marked for it and waits
(`volume.kubernetes.io/storage-provisioner`); a claim of an unknown class waits with a
Warning event. With a WaitForFirstConsumer class nothing binds until a pod using the claim
is scheduled (its node goes in `volume.kubernetes.io/selected-node`). A volume whose claim is
gone becomes Released; provisioners reclaim theirs.
"""

from __future__ import annotations

import logging
from typing import Any

from minicube.api import quantity
from minicube.api.errors import Conflict
from minicube.api.kinds.storageclasses import is_default
from minicube.api.selectors import from_label_selector
from minicube.client import Client, EventRecorder, Informer, object_key
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import is_terminating

log = logging.getLogger(__name__)

Obj = dict[str, Any]
STORAGE = "storage.k8s.io/v1"
PROVISIONER_ANNOTATION = "volume.kubernetes.io/storage-provisioner"
BETA_PROVISIONER_ANNOTATION = "volume.beta.kubernetes.io/storage-provisioner"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
SELECTED_NODE = "volume.kubernetes.io/selected-node"


def claims_of(pod: Obj) -> list[str]:
    """`namespace/name` of every claim a pod mounts."""
    ns = pod["metadata"].get("namespace")
    return [f"{ns}/{v['persistentVolumeClaim'].get('claimName')}"
            for v in pod["spec"].get("volumes") or [] if v.get("persistentVolumeClaim")]


def requested(claim: Obj) -> int:
    value = ((claim["spec"].get("resources") or {}).get("requests") or {}).get("storage", "0")
    return int(quantity.parse(value))


def capacity(pv: Obj) -> int:
    return int(quantity.parse((pv["spec"].get("capacity") or {}).get("storage", "0")))


def reserved_for(pv: Obj, claim: Obj) -> bool | None:
    """True if pv's claimRef names this claim, False if another, None if it names none."""
    ref = pv["spec"].get("claimRef")
    if not ref:
        return None
    meta = claim["metadata"]
    return (ref.get("name") == meta["name"] and ref.get("namespace") == meta["namespace"]
            and ref.get("uid") in (None, "", meta["uid"]))


def matches(pv: Obj, claim: Obj) -> bool:
    """Could this claim bind to this volume (class, modes, size, selector, reservation)?"""
    s, c = pv["spec"], claim["spec"]
    if is_terminating(pv) or reserved_for(pv, claim) is False:
        return False
    if reserved_for(pv, claim) is None and (pv.get("status") or {}).get("phase") != "Available":
        return False
    if (s.get("storageClassName") or "") != (c.get("storageClassName") or ""):
        return False
    if (s.get("volumeMode") or "Filesystem") != (c.get("volumeMode") or "Filesystem"):
        return False
    if not set(c.get("accessModes") or []) <= set(s.get("accessModes") or []):
        return False
    if capacity(pv) < requested(claim):
        return False
    selector = c.get("selector")
    return not selector or from_label_selector(selector).matches(
        pv["metadata"].get("labels") or {})


def find_match(claim: Obj, volumes: list[Obj]) -> Obj | None:
    """The volume to bind: one reserved for the claim first, else the smallest that fits."""
    wanted = claim["spec"].get("volumeName")
    fitting = [pv for pv in volumes if matches(pv, claim)
               and (not wanted or pv["metadata"]["name"] == wanted)]
    fitting.sort(key=lambda pv: (not reserved_for(pv, claim), capacity(pv),
                                 pv["metadata"]["name"]))
    return fitting[0] if fitting else None


def claim_ref(claim: Obj) -> Obj:
    meta = claim["metadata"]
    return {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"],
            "name": meta["name"], "uid": meta["uid"], "apiVersion": "v1",
            "resourceVersion": meta.get("resourceVersion")}


class PersistentVolumeController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "persistentvolume-controller")
        self.claims = Informer(client, "v1", "persistentvolumeclaims")
        self.volumes = Informer(client, "v1", "persistentvolumes")
        self.classes = Informer(client, STORAGE, "storageclasses")
        # Pods only matter for WaitForFirstConsumer: which claims have a scheduled consumer.
        self.pods = Informer(client, "v1", "pods")
        self.queue = self.claims.new_queue(lambda o: "claim:" + object_key(o))
        self.pods.add_handler(self._pod_changed)
        self.claims.add_handler(self._claim_changed)
        self.volumes.add_handler(self._volume_changed)
        self.classes.add_handler(lambda *_: self._pending_claims())

    def _pod_changed(self, _type: str, pod: Obj, _old: Obj | None) -> None:
        for key in claims_of(pod):
            self.queue.add("claim:" + key)

    def _claim_changed(self, etype: str, claim: Obj, _old: Obj | None) -> None:
        if etype == "DELETED" and (volume := claim["spec"].get("volumeName")):
            self.queue.add("volume:" + volume)  # now Released

    def _volume_changed(self, _type: str, pv: Obj, _old: Obj | None) -> None:
        self.queue.add("volume:" + pv["metadata"]["name"])
        self._pending_claims()

    def _pending_claims(self) -> None:
        for claim in self.claims.items():
            if (claim.get("status") or {}).get("phase") != "Bound":
                self.queue.add("claim:" + object_key(claim))

    async def run(self) -> None:
        await run_controller((self.claims, self.volumes, self.classes, self.pods), self.queue,
                             self.reconcile, "persistentvolume", workers=self.workers,
                             recorder=self.recorder)

    async def reconcile(self, key: str) -> None:
        kind, _, name = key.partition(":")
        if kind == "claim":
            claim = self.claims.get(name)
            if claim is not None and not is_terminating(claim):
                await self._sync_claim(claim)
        elif (pv := self.volumes.get(name)) is not None and not is_terminating(pv):
            await self._sync_volume(pv)

    def default_class(self) -> Obj | None:
        defaults = sorted((c for c in self.classes.items() if is_default(c)),
                          key=lambda c: c["metadata"].get("creationTimestamp", ""))
        return defaults[-1] if defaults else None  # upstream picks the newest

    async def _sync_claim(self, claim: Obj) -> None:
        meta, spec = claim["metadata"], claim["spec"]
        if spec.get("storageClassName") is None and (default := self.default_class()):
            await self.client.patch("v1", "persistentvolumeclaims", meta["name"],
                                    {"spec": {"storageClassName": default["metadata"]["name"]}},
                                    namespace=meta["namespace"])
            return
        if (claim.get("status") or {}).get("phase") == "Bound":
            if spec.get("volumeName") and self.volumes.get(spec["volumeName"]) is None:
                await self._set_claim_status(claim, {"phase": "Lost"})
                self.recorder.event(claim, "Warning", "ClaimLost",
                                    "Bound claim has lost its PersistentVolume. Data on the "
                                    "volume is lost!")
            return
        if not await self._consumer_scheduled(claim):
            return
        pv = find_match(claim, self.volumes.items())
        if pv is not None:
            await self._bind(claim, pv)
            return
        await self._wait_for_volume(claim)

    async def _consumer_scheduled(self, claim: Obj) -> bool:
        """With WaitForFirstConsumer, binding waits for a pod using the claim to be
        scheduled; its node is recorded on the claim as upstream's scheduler does."""
        meta = claim["metadata"]
        sc = self.classes.get(claim["spec"].get("storageClassName") or "")
        if (sc is None or sc.get("volumeBindingMode") != "WaitForFirstConsumer"
                or claim["spec"].get("volumeName")
                or (meta.get("annotations") or {}).get(SELECTED_NODE)):
            return True
        key = object_key(claim)
        node = next((p["spec"]["nodeName"] for p in self.pods.items()
                     if p["spec"].get("nodeName") and key in claims_of(p)), None)
        if node is None:
            self.recorder.event(claim, "Normal", "WaitForFirstConsumer",
                                "waiting for first consumer to be created before binding")
            return False
        await self.client.patch("v1", "persistentvolumeclaims", meta["name"],
                                {"metadata": {"annotations": {SELECTED_NODE: node}}},
                                namespace=meta["namespace"])
        return False  # the claim's update brings it back

    async def _wait_for_volume(self, claim: Obj) -> None:
        meta, spec = claim["metadata"], claim["spec"]
        if spec.get("volumeName"):
            self.recorder.event(claim, "Warning", "FailedBinding",
                                f"volume \"{spec['volumeName']}\" not found or not available")
            return
        class_name = spec.get("storageClassName") or ""
        if not class_name:
            self.recorder.event(claim, "Normal", "FailedBinding",
                                "no persistent volumes available for this claim and no "
                                "storage class is set")
            return
        sc = self.classes.get(class_name)
        if sc is None:
            self.recorder.event(claim, "Warning", "ProvisioningFailed",
                                f"storageclass.storage.k8s.io \"{class_name}\" not found")
            return
        provisioner = sc.get("provisioner", "")
        if (meta.get("annotations") or {}).get(PROVISIONER_ANNOTATION) != provisioner:
            await self.client.patch("v1", "persistentvolumeclaims", meta["name"], {
                "metadata": {"annotations": {PROVISIONER_ANNOTATION: provisioner,
                                             BETA_PROVISIONER_ANNOTATION: provisioner}}},
                namespace=meta["namespace"])
            self.recorder.event(claim, "Normal", "ExternalProvisioning",
                                f"Waiting for a volume to be created either by the external "
                                f"provisioner '{provisioner}' or manually by the system "
                                "administrator. If volume creation is delayed, please verify "
                                "that the provisioner is running and correctly registered.")

    async def _bind(self, claim: Obj, pv: Obj) -> None:
        """Volume first (claimRef, then Bound), then the claim: as upstream, so a crash in
        between leaves a volume reserved for its claim and the next pass finishes."""
        meta, name = claim["metadata"], pv["metadata"]["name"]
        if not (pv["spec"].get("claimRef") or {}).get("uid"):
            try:
                pv = await self.client.patch("v1", "persistentvolumes", name, {
                    "metadata": {"resourceVersion": pv["metadata"]["resourceVersion"]},
                    "spec": {"claimRef": claim_ref(claim)}})
            except Conflict:
                return  # someone else took it meanwhile; the volume's update requeues us
        if (pv.get("status") or {}).get("phase") != "Bound":
            await self.client.patch_status("v1", "persistentvolumes", name,
                                           {"status": {"phase": "Bound"}})
        annotations = {BIND_COMPLETED: "yes"}
        if not claim["spec"].get("volumeName"):
            annotations[BOUND_BY_CONTROLLER] = "yes"
        await self.client.patch("v1", "persistentvolumeclaims", meta["name"], {
            "metadata": {"annotations": annotations}, "spec": {"volumeName": name}},
            namespace=meta["namespace"])
        await self._set_claim_status(claim, {
            "phase": "Bound", "accessModes": pv["spec"].get("accessModes") or [],
            "capacity": pv["spec"].get("capacity") or {}})
        log.info("bound claim %s/%s to volume %s", meta["namespace"], meta["name"], name)

    async def _set_claim_status(self, claim: Obj, status: Obj) -> None:
        meta = claim["metadata"]
        await self.client.patch_status("v1", "persistentvolumeclaims", meta["name"],
                                       {"status": status}, namespace=meta["namespace"])

    async def _sync_volume(self, pv: Obj) -> None:
        ref, phase = pv["spec"].get("claimRef"), (pv.get("status") or {}).get("phase")
        if not ref:
            wanted = "Available"
        else:
            claim = self.claims.get(f"{ref.get('namespace')}/{ref.get('name')}")
            if claim is not None and ref.get("uid") in (None, "", claim["metadata"]["uid"]):
                if claim["spec"].get("volumeName") != pv["metadata"]["name"]:
                    self.queue.add("claim:" + object_key(claim))  # the claim's side binds
                    return
                wanted = "Bound"
            elif not ref.get("uid"):
                return  # reserved for a claim that does not exist yet
            else:
                wanted = "Released"
        if wanted != phase and not (phase == "Failed" and wanted == "Released"):
            await self.client.patch_status("v1", "persistentvolumes", pv["metadata"]["name"],
                                           {"status": {"phase": wanted}})
        if wanted == "Released" and pv["spec"].get("persistentVolumeReclaimPolicy") == "Recycle":
            await self.client.patch_status("v1", "persistentvolumes", pv["metadata"]["name"], {
                "status": {"phase": "Failed", "message": "Recycle is not supported"}})
            self.recorder.event(pv, "Warning", "VolumeFailedRecycle",
                                "Recycle is not supported")

