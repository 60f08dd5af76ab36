"""DaemonSetController: one pod of each DaemonSet on every node it fits.

A node fits when the template's nodeSelector matches its labels and every NoSchedule /
NoExecute taint is tolerated (upstream's predicates minus resources). Pods are pinned to
their node with upstream's node affinity (`matchFields metadata.name`) and get the
DaemonSet tolerations for node conditions. A pod on a node that no longer fits, a duplicate
and a failed pod are deleted; RollingUpdate replaces old-template pods
(`controller-revision-hash`) a node at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from minicube.client import Client, EventRecorder, Informer
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import (Expectations, delete_pod, is_ready, is_terminal,
                                            is_terminating, owned, pod_from_template,
                                            requeue_owner)
from minicube.controllers.revisions import History

log = logging.getLogger(__name__)

Obj = dict[str, Any]
APPS = "apps/v1"
REVISION_LABEL = "controller-revision-hash"
# What upstream adds so daemons stay on sick nodes (AddOrUpdateDaemonPodTolerations).
_DAEMON_TOLERATIONS = [
    {"key": f"node.kubernetes.io/{t}", "operator": "Exists", "effect": e}
    for t, e in (("not-ready", "NoExecute"), ("unreachable", "NoExecute"),
                 ("disk-pressure", "NoSchedule"), ("memory-pressure", "NoSchedule"),
                 ("pid-pressure", "NoSchedule"), ("unschedulable", "NoSchedule"))]


def tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    """ToleratesTaint: same effect (or any), and the key/value match per operator."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator", "Equal") == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and (t.get("value") or "") == (
                taint.get("value") or ""):
            return True
    return False


def fits(pod_spec: Obj, node: Obj) -> bool:
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    tolerations = [*(pod_spec.get("tolerations") or []), *_DAEMON_TOLERATIONS]
    return all(tolerates(tolerations, taint)
               for taint in (node.get("spec") or {}).get("taints") or []
               if taint.get("effect") in ("NoSchedule", "NoExecute"))


def template_hash(ds: Obj) -> str:
    return hashlib.sha256(json.dumps(ds["spec"]["template"], sort_keys=True).encode()
                          ).hexdigest()[:10]


def node_of(pod: Obj) -> str | None:
    """The node a daemon pod is (or is pinned to be) on."""
    if node := pod["spec"].get("nodeName"):
        return str(node)
    terms = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {})
             .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get(
        "nodeSelectorTerms") or []
    for term in terms:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("values"):
                return str(field["values"][0])
    return None


def daemon_pod(ds: Obj, node: str, revision: str) -> Obj:
    pod = pod_from_template(ds["spec"]["template"], ds, generate_name=f"{ds['metadata']['name']}-",
                            labels={REVISION_LABEL: revision})
    spec = pod["spec"]
    spec["affinity"] = {**(spec.get("affinity") or {}), "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
    existing = spec.get("tolerations") or []
    spec["tolerations"] = existing + [t for t in _DAEMON_TOLERATIONS if t not in existing]
    return pod


class DaemonSetController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "daemonset-controller")
        self.sets = Informer(client, APPS, "daemonsets")
        self.pods = Informer(client, "v1", "pods")
        self.nodes = Informer(client, "v1", "nodes")
        self.history = History(client)
        self.queue = self.sets.new_queue()
        self.pods.add_handler(requeue_owner(self.queue, "DaemonSet"))
        self.expectations = Expectations()
        self.nodes.add_handler(self._node_changed)

    def _node_changed(self, etype: str, node: Obj, old: Obj | None) -> None:
        if etype == "MODIFIED" and old is not None and (
                node["metadata"].get("labels") == old["metadata"].get("labels")
                and node.get("spec") == old.get("spec")):
            return  # a heartbeat: nothing that changes where daemons run
        for ds in self.sets.items():
            self.queue.add(f"{ds['metadata']['namespace']}/{ds['metadata']['name']}")

    async def run(self) -> None:
        await run_controller((self.sets, self.pods, self.nodes, self.history.revisions),
                             self.queue, self.reconcile,
                             "daemonset", workers=self.workers, recorder=self.recorder)

    async def reconcile(self, key: str) -> None:
        ds = self.sets.get(key)
        if ds is None or is_terminating(ds):
            self.expectations.forget(key)
            return
        pods = owned(self.pods, ds)
        if not self.expectations.satisfied(key, pods):
            return  # the cache has not seen our last writes yet; their events requeue us
        revision = template_hash(ds)
        name = ds["metadata"]["name"]
        await self.history.record(ds, f"{name}-{revision}", revision, in_use={
            f"{name}-{(p['metadata'].get('labels') or {}).get(REVISION_LABEL)}" for p in pods})
        pod_spec = ds["spec"]["template"].get("spec") or {}
        eligible = {n["metadata"]["name"] for n in self.nodes.items() if fits(pod_spec, n)}
        by_node: dict[str, list[Obj]] = {}
        doomed: list[Obj] = []
        for pod in pods:
            node = node_of(pod)
            if node is None or node not in eligible or (is_terminal(pod)
                                                        and not is_terminating(pod)):
                doomed.append(pod)
            else:
                by_node.setdefault(node, []).append(pod)
        for node, pods in by_node.items():
            pods.sort(key=lambda p: p["metadata"].get("creationTimestamp", ""))
            doomed += pods[1:]  # one daemon per node: the oldest stays
        for pod in doomed:
            await self._delete(ds, pod)
        for node in sorted(eligible - set(by_node)):
            created = await self.client.create("v1", "pods", daemon_pod(ds, node, revision),
                                               namespace=ds["metadata"]["namespace"])
            self.expectations.expect(key, created=created["metadata"]["name"])
            self.recorder.event(ds, "Normal", "SuccessfulCreate",
                                f"Created pod: {created['metadata']['name']}")
        await self._roll(ds, by_node, revision)
        await self._write_status(ds, by_node, eligible, revision)

    async def _roll(self, ds: Obj, by_node: dict[str, list[Obj]], revision: str) -> None:
        """RollingUpdate with maxUnavailable pods down at once (maxSurge is not honoured:
        one pod per node at a time)."""
        strategy = ds["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        budget = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", 1)
        budget = budget if isinstance(budget, int) else max(1, len(by_node) * int(
            str(budget).rstrip("%")) // 100)
        pods = [p[0] for p in by_node.values()]
        budget -= sum(1 for p in pods if not is_ready(p) or is_terminating(p))
        for pod in pods:
            if budget <= 0:
                return
            labels = pod["metadata"].get("labels") or {}
            if labels.get(REVISION_LABEL) != revision and not is_terminating(pod):
                await self._delete(ds, pod)
                budget -= 1

    async def _delete(self, ds: Obj, pod: Obj) -> None:
        await delete_pod(self.client, self.recorder, ds, pod, self.expectations)

    async def _write_status(self, ds: Obj, by_node: dict[str, list[Obj]], eligible: set[str],
                            revision: str) -> None:
        pods = [p[0] for p in by_node.values()]
        ready = sum(1 for p in pods if is_ready(p))
        status: Obj = {
            "currentNumberScheduled": len(pods), "numberMisscheduled": 0,
            "desiredNumberScheduled": len(eligible), "numberReady": ready,
            "observedGeneration": ds["metadata"].get("generation", 1),
            "updatedNumberScheduled": sum(
                1 for p in pods if (p["metadata"].get("labels") or {}).get(REVISION_LABEL)
                == revision),
            "numberAvailable": ready, "numberUnavailable": len(eligible) - ready,
        }
        status = {k: v for k, v in status.items()
                  if v or k in ("currentNumberScheduled", "numberMisscheduled",
                                "desiredNumberScheduled", "numberReady")}
        if status != (ds.get("status") or {}):
            await self.client.update_status(APPS, "daemonsets", {**ds, "status": status},
                                            namespace=ds["metadata"]["namespace"])
