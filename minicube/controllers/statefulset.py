"""StatefulSetController: pods `<set>-<ordinal>` with stable identity and storage.

OrderedReady creates ordinals in order, each only once the one before is Running and Ready,
and removes them in reverse order one at a time; Parallel does both at once. Each pod gets one
PersistentVolumeClaim per volumeClaimTemplate, `<template>-<set>-<ordinal>`, which outlives
the pod (and a scale-down, unless persistentVolumeClaimRetentionPolicy says Delete). Pods carry
`controller-revision-hash` = `<set>-<hash of the template>`; RollingUpdate replaces pods at or
above `partition` whose revision is old, highest ordinal first, one at a time.

Each template is also recorded as a ControllerRevision (controllers/revisions.py) for
`kubectl rollout history/undo`. A pod re-created below the partition gets the template of
status.currentRevision, read back from its ControllerRevision, as upstream does: the
partition holds those ordinals on the old template until it is lowered.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
from typing import Any

from minicube.api.errors import AlreadyExists, NotFound
from minicube.client import Client, EventRecorder, Informer
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import (controller_ref, is_running_and_ready,
                                            is_terminal, is_terminating, owned,
                                            pod_from_template, requeue_owner)
from minicube.controllers.revisions import History

log = logging.getLogger(__name__)

Obj = dict[str, Any]
APPS = "apps/v1"
REVISION_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal_of(pod_name: str, set_name: str) -> int | None:
    """The ordinal in `<set>-<n>`, or None for a name that is not one of the set's."""
    m = re.fullmatch(re.escape(set_name) + r"-(0|[1-9][0-9]*)", pod_name)
    return int(m[1]) if m else None


def revision_name(sts: Obj) -> str:
    """`<set>-<hash>` of the pod template, the updateRevision pods are labelled with."""
    digest = hashlib.sha256(json.dumps(sts["spec"]["template"], sort_keys=True).encode())
    return f"{sts['metadata']['name']}-{digest.hexdigest()[:10]}"


def claim_name(template: str, set_name: str, ordinal: int) -> str:
    return f"{template}-{set_name}-{ordinal}"


def wanted_ordinals(spec: Obj) -> range:
    start = (spec.get("ordinals") or {}).get("start", 0)
    return range(start, start + spec.get("replicas", 1))


def claims_for(sts: Obj, ordinal: int) -> list[Obj]:
    """The claims pod `ordinal` mounts, from the volumeClaimTemplates."""
    meta, spec = sts["metadata"], sts["spec"]
    selector_labels = (spec.get("selector") or {}).get("matchLabels") or {}
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    out = []
    for template in spec.get("volumeClaimTemplates") or []:
        tmeta = template.get("metadata") or {}
        claim_meta: Obj = {"name": claim_name(tmeta["name"], meta["name"], ordinal),
                           "namespace": meta["namespace"],
                           "labels": {**(tmeta.get("labels") or {}), **selector_labels}}
        if tmeta.get("annotations"):
            claim_meta["annotations"] = tmeta["annotations"]
        if retention.get("whenDeleted") == "Delete":
            claim_meta["ownerReferences"] = [controller_ref(sts)]
        out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": claim_meta,
                    "spec": copy.deepcopy(template.get("spec") or {})})
    return out


def pod_for(sts: Obj, ordinal: int, revision: str) -> Obj:
    """Pod `ordinal`: the template plus its identity (hostname, subdomain) and claims."""
    meta, spec = sts["metadata"], sts["spec"]
    name = f"{meta['name']}-{ordinal}"
    pod = pod_from_template(spec["template"], sts, name=name, labels={
        REVISION_LABEL: revision, POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal)})
    pod_spec = pod["spec"]
    pod_spec["hostname"] = name
    if spec.get("serviceName"):
        pod_spec["subdomain"] = spec["serviceName"]
    claims = {(t.get("metadata") or {}).get("name"): claim_name(t["metadata"]["name"],
                                                                  meta["name"], ordinal)
              for t in spec.get("volumeClaimTemplates") or []}
    volumes = [v for v in pod_spec.get("volumes") or [] if v.get("name") not in claims]
    volumes += [{"name": t, "persistentVolumeClaim": {"claimName": c}} for t, c in claims.items()]
    if volumes:
        pod_spec["volumes"] = volumes
    return pod


def from_current(sts: Obj, ordinal: int) -> bool:
    """Pod `ordinal` is (re-)created from the current revision rather than the update one
    (upstream's newVersionedStatefulSetPod): below the partition; with no rollingUpdate
    given, among the currentReplicas. OnDelete always creates from the update revision."""
    spec = sts["spec"]
    strategy = spec.get("updateStrategy") or {}
    start = wanted_ordinals(spec).start
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        return ordinal < start + (rolling.get("partition") or 0)
    return strategy.get("type", "RollingUpdate") == "RollingUpdate" and \
        ordinal < start + (sts.get("status") or {}).get("currentReplicas", 0)


def _revision(pod: Obj) -> str:
    return (pod["metadata"].get("labels") or {}).get(REVISION_LABEL, "")


class StatefulSetController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "statefulset-controller")
        self.sets = Informer(client, APPS, "statefulsets")
        self.pods = Informer(client, "v1", "pods")
        self.claims = Informer(client, "v1", "persistentvolumeclaims")
        self.history = History(client)
        self.queue = self.sets.new_queue()
        self.pods.add_handler(requeue_owner(self.queue, "StatefulSet"))

    async def run(self) -> None:
        await run_controller((self.sets, self.pods, self.claims, self.history.revisions),
                             self.queue, self.reconcile,
                             "statefulset", workers=self.workers, recorder=self.recorder)

    async def reconcile(self, key: str) -> None:
        sts = self.sets.get(key)
        if sts is None or is_terminating(sts):
            return
        name = sts["metadata"]["name"]
        pods = {o: p for p in owned(self.pods, sts)
                if (o := ordinal_of(p["metadata"]["name"], name)) is not None}
        revision = revision_name(sts)
        # Live pods' revisions and the current one (pods below the partition return to it).
        in_use = {_revision(p) for p in pods.values()} | \
            {(sts.get("status") or {}).get("currentRevision") or revision}
        await self.history.record(sts, revision, revision.rpartition("-")[2], in_use=in_use)
        await self._sync_pods(sts, pods, revision)
        await self._write_status(sts, list(pods.values()), revision)

    async def _sync_pods(self, sts: Obj, pods: dict[int, Obj], revision: str) -> None:
        spec = sts["spec"]
        ordered = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        wanted = wanted_ordinals(spec)
        for ordinal in wanted:
            pod = pods.get(ordinal)
            if pod is not None and is_terminal(pod) and not is_terminating(pod):
                # A failed (or finished) member is replaced under the same name.
                await self._delete_pod(sts, pod)
                return
            if pod is None:
                await self._create_pod(sts, ordinal, revision)
                if ordered:
                    return
            elif ordered and not (is_running_and_ready(pod) and not is_terminating(pod)):
                return  # wait for this one before the next
        condemned = sorted((o for o in pods if o not in wanted), reverse=True)
        if condemned:
            if ordered and any(is_terminating(pods[o]) for o in condemned):
                return
            for o in condemned[:1] if ordered else condemned:
                await self._delete_pod(sts, pods[o])
            return
        await self._roll(sts, pods, revision)

    async def _roll(self, sts: Obj, pods: dict[int, Obj], revision: str) -> None:
        """RollingUpdate: replace the highest old-revision pod at or above the partition,
        once every pod exists and is Running and Ready."""
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        if any(o not in pods for o in wanted_ordinals(sts["spec"])) or not all(
                is_running_and_ready(p) and not is_terminating(p) for p in pods.values()):
            return
        # The partition counts from the first ordinal (spec.ordinals.start), as upstream's.
        first = wanted_ordinals(sts["spec"]).start + \
            ((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        stale = sorted((o for o, p in pods.items() if o >= first and _revision(p) != revision),
                       reverse=True)
        if stale:
            await self._delete_pod(sts, pods[stale[0]])

    async def _create_pod(self, sts: Obj, ordinal: int, revision: str) -> None:
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        pod_name = f"{name}-{ordinal}"
        for claim in claims_for(sts, ordinal):
            cname = claim["metadata"]["name"]
            if self.claims.get_by_name(cname, ns) is not None:
                continue
            try:
                await self.client.create("v1", "persistentvolumeclaims", claim, namespace=ns)
            except AlreadyExists:
                continue
            self.recorder.event(sts, "Normal", "SuccessfulCreate",
                                f"create Claim {cname} Pod {pod_name} in StatefulSet {name} "
                                "success")
        owner, pod_revision = self._versioned(sts, ordinal, revision)
        try:
            await self.client.create("v1", "pods", pod_for(owner, ordinal, pod_revision),
                                     namespace=ns)
        except AlreadyExists:
            return  # an old pod of that name is still going away
        self.recorder.event(sts, "Normal", "SuccessfulCreate",
                            f"create Pod {pod_name} in StatefulSet {name} successful")

    def _versioned(self, sts: Obj, ordinal: int, revision: str) -> tuple[Obj, str]:
        """The set (with the template to use) and the revision pod `ordinal` is created from."""
        current = (sts.get("status") or {}).get("currentRevision")
        if current and current != revision and from_current(sts, ordinal):
            template = self.history.template(sts, current)
            if template is not None:
                return {**sts, "spec": {**sts["spec"], "template": template}}, current
            log.warning("statefulset %s/%s: revision %s is gone; pod %d gets %s",
                        sts["metadata"]["namespace"], sts["metadata"]["name"], current,
                        ordinal, revision)
        return sts, revision

    async def _delete_pod(self, sts: Obj, pod: Obj) -> None:
        if is_terminating(pod):
            return
        meta = pod["metadata"]
        await self._release_claims(sts, pod)
        try:
            await self.client.delete("v1", "pods", meta["name"], namespace=meta["namespace"])
        except NotFound:
            return
        self.recorder.event(sts, "Normal", "SuccessfulDelete",
                            f"delete Pod {meta['name']} in StatefulSet "
                            f"{sts['metadata']['name']} successful")

    async def _release_claims(self, sts: Obj, pod: Obj) -> None:
        """whenScaled: Delete — a condemned pod's claims become the pod's dependents, so the
        garbage collector removes them with it."""
        spec = sts["spec"]
        retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
        ordinal = ordinal_of(pod["metadata"]["name"], sts["metadata"]["name"])
        if (retention.get("whenScaled") != "Delete" or ordinal is None
                or ordinal in wanted_ordinals(spec)):
            return
        ns = pod["metadata"]["namespace"]
        ref = {"apiVersion": "v1", "kind": "Pod", "name": pod["metadata"]["name"],
               "uid": pod["metadata"]["uid"]}
        for claim in claims_for(sts, ordinal):
            cached = self.claims.get_by_name(claim["metadata"]["name"], ns)
            if cached is None:
                continue
            refs = cached["metadata"].get("ownerReferences") or []
            if any(r.get("uid") == ref["uid"] for r in refs):
                continue
            await self.client.patch("v1", "persistentvolumeclaims", claim["metadata"]["name"],
                                    {"metadata": {"ownerReferences": [*refs, ref]}},
                                    namespace=ns)

    async def _write_status(self, sts: Obj, pods: list[Obj], revision: str) -> None:
        old = sts.get("status") or {}
        current = old.get("currentRevision") or revision
        live = [p for p in pods if not is_terminating(p)]
        updated = sum(1 for p in live if _revision(p) == revision)
        ready = sum(1 for p in live if is_running_and_ready(p))
        replicas = sts["spec"].get("replicas", 1)
        if updated == replicas and ready == replicas and len(live) == replicas:
            current = revision  # the roll is complete
        status = {
            "observedGeneration": sts["metadata"].get("generation", 1),
            "replicas": len(live), "readyReplicas": ready, "availableReplicas": ready,
            "currentReplicas": sum(1 for p in live if _revision(p) == current),
            "updatedReplicas": updated, "currentRevision": current, "updateRevision": revision,
            "collisionCount": 0,
        }
        status = {k: v for k, v in status.items()
                  if v or k in ("replicas", "availableReplicas", "observedGeneration",
                                "collisionCount")}
        if status != old:
            await self.client.update_status(APPS, "statefulsets", {**sts, "status": status},
                                            namespace=sts["metadata"]["namespace"])
