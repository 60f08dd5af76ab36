"""The namespace controller: empties a namespace being deleted, then lets it go.

A deleted namespace stays `Terminating` with the `kubernetes` spec finalizer (the API server
sees to that); this controller deletes every namespaced object in it, of every resource
discovery lists, waits until none is left (pods take their grace period), then clears its
finalizer through the `finalize` subresource, and the API server removes the namespace.
"""

from __future__ import annotations

import logging
from typing import Any

from minicube.api.errors import Conflict, NotFound
from minicube.client import Client, Informer, WorkQueue
from minicube.controllers.discovery import Resource, resources
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
FINALIZER = "kubernetes"
RECHECK_SECONDS = 1.0


def set_content_condition(ns: Obj, remaining: dict[str, int]) -> Obj:
    """status with NamespaceContentRemaining saying what is left, as upstream reports it."""
    status = dict(ns.get("status") or {})
    others = [c for c in status.get("conditions") or []
              if c.get("type") != "NamespaceContentRemaining"]
    if remaining:
        counts = ", ".join(f"{resource} has {n} resource instances"
                           for resource, n in sorted(remaining.items()))
        others.append({"type": "NamespaceContentRemaining", "status": "True",
                       "reason": "SomeResourcesRemain",
                       "message": f"Some resources are remaining: {counts}"})
    status["conditions"] = others
    return status


class NamespaceController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 1) -> None:
        self.client = client
        self.workers = workers
        self.namespaces = Informer(client, "v1", "namespaces")
        self.queue: WorkQueue = self.namespaces.new_queue()

    async def run(self) -> None:
        await run_controller((self.namespaces,), self.queue, self.reconcile, "namespace",
                             workers=self.workers)

    async def reconcile(self, name: str) -> None:
        ns = self.namespaces.get(name)
        if ns is None or not ns["metadata"].get("deletionTimestamp") or \
                FINALIZER not in ((ns.get("spec") or {}).get("finalizers") or []):
            return
        kinds = [r for r in await resources(self.client)
                 if r.namespaced and {"list", "delete"} <= r.verbs]
        remaining: dict[str, int] = {}
        for r in kinds:
            left = await self._empty(r, name)
            if left:
                group = r.api_version.rpartition("/")[0]
                remaining[f"{r.plural}.{group}" if group else r.plural] = left
        if remaining:
            await self._report(ns, remaining)
            self.queue.add_after(name, RECHECK_SECONDS)
            return
        spec = {**(ns.get("spec") or {}),
                "finalizers": [f for f in ns["spec"]["finalizers"] if f != FINALIZER]}
        try:
            await self.client.replace("v1", "namespaces", {**ns, "spec": spec},
                                      subresource="finalize")
        except NotFound:
            return
        log.info("namespace %s is empty: finalized", name)

    async def _empty(self, r: Resource, namespace: str) -> int:
        """Delete what is left of one resource in the namespace; how many objects remain
        (being deleted gracefully, or held by finalizers)."""
        items = (await self.client.list(r.api_version, r.plural, namespace=namespace))["items"]
        left = 0
        for obj in items:
            md = obj["metadata"]
            if md.get("deletionTimestamp"):
                left += 1
                continue
            try:
                gone = await self.client.delete(r.api_version, r.plural, md["name"],
                                                namespace=namespace,
                                                propagation_policy="Background",
                                                preconditions={"uid": md["uid"]})
            except (NotFound, Conflict):
                continue
            left += bool(gone.get("metadata", {}).get("deletionTimestamp"))
        return left

    async def _report(self, ns: Obj, remaining: dict[str, int]) -> None:
        status = set_content_condition(ns, remaining)
        if status == ns.get("status"):
            return
        try:
            await self.client.update_status("v1", "namespaces", {**ns, "status": status})
        except (NotFound, Conflict):
            pass
