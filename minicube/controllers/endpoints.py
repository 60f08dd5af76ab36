"""EndpointsController: keeps each Service's Endpoints and EndpointSlices in step with its pods.

Level-triggered on Service keys: any change to a Service, or to a pod of its namespace,
queues the Service; `reconcile` recomputes both kinds from the informer caches
(endpointslices.py) and writes only what differs. The Endpoints of a Service without a
selector belong to whoever writes them (cluster DNS does for kube-dns); they are only
mirrored into EndpointSlices.
"""

from __future__ import annotations

import logging
from typing import Any

from minicube.api.errors import AlreadyExists, Conflict, NotFound
from minicube.client import Client, Informer, WorkQueue
from minicube.controllers.endpointslices import (LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY,
                                                 MIRRORED_BY, backends, desired_endpoints,
                                                 desired_slices, endpoints_backends, has_selector)
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
SLICES = "discovery.k8s.io/v1"


class EndpointsController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.services = Informer(client, "v1", "services")
        self.pods = Informer(client, "v1", "pods")
        self.endpoints = Informer(client, "v1", "endpoints")
        self.slices = Informer(client, SLICES, "endpointslices",
                               label_selector=f"{LABEL_MANAGED_BY} in ({MANAGED_BY},{MIRRORED_BY})")
        self.queue: WorkQueue = self.services.new_queue()
        self.pods.add_handler(self._pod_changed)
        self.endpoints.add_handler(self._endpoints_changed)

    def _endpoints_changed(self, _type: str, ep: Obj, _old: Obj | None) -> None:
        """Hand-written Endpoints of a selector-less Service are mirrored into slices."""
        key = f"{ep['metadata'].get('namespace')}/{ep['metadata'].get('name')}"
        svc = self.services.get(key)
        if svc is not None and not has_selector(svc):
            self.queue.add(key)

    def _pod_changed(self, _type: str, pod: Obj, _old: Obj | None) -> None:
        ns = pod.get("metadata", {}).get("namespace")
        for svc in self.services.items():
            if svc["metadata"].get("namespace") == ns and has_selector(svc):
                self.queue.add(f"{ns}/{svc['metadata']['name']}")

    async def run(self) -> None:
        await run_controller((self.services, self.pods, self.endpoints, self.slices), self.queue,
                             self.reconcile, "endpoints of", workers=self.workers)

    async def reconcile(self, key: str) -> None:
        ns, _, name = key.partition("/")
        svc = self.services.get(key)
        if svc is None:
            await self._delete_all(ns, name)
            return
        if not has_selector(svc):
            ep = self.endpoints.get(key)
            mirror = ep is not None and (svc.get("spec") or {}).get("type") != "ExternalName"
            await self._sync_slices(ns, name, desired_slices(
                svc, endpoints_backends(ep), MIRRORED_BY) if mirror else [])
            return
        found = backends(svc, self.pods.items())
        await self._sync_endpoints(desired_endpoints(svc, found))
        await self._sync_slices(ns, name, desired_slices(svc, found))

    async def _sync_endpoints(self, want: Obj) -> None:
        md = want["metadata"]
        have = self.endpoints.get(f"{md['namespace']}/{md['name']}")
        if have is None:
            try:
                await self.client.create("v1", "endpoints", want)
            except AlreadyExists:
                raise Conflict("endpoints appeared meanwhile") from None
            return
        if (have.get("subsets") or []) == want["subsets"] and \
                (have["metadata"].get("labels") or {}) == md["labels"]:
            return
        md["resourceVersion"] = have["metadata"]["resourceVersion"]
        await self.client.replace("v1", "endpoints", want)
        log.info("endpoints %s/%s: %d ready, %d not ready", md["namespace"], md["name"],
                 *(sum(len(s.get(k) or []) for s in want["subsets"])
                   for k in ("addresses", "notReadyAddresses")))

    async def _sync_slices(self, ns: str, svc_name: str, wanted: list[Obj]) -> None:
        have = {s["metadata"]["name"]: s for s in self._slices_of(ns, svc_name)}
        for want in wanted:
            md = want["metadata"]
            current = have.pop(md["name"], None)
            if current is None:
                await self.client.create(SLICES, "endpointslices", want)
            elif any(current.get(f) != want.get(f) for f in ("endpoints", "ports")) or \
                    current["metadata"].get("labels") != md["labels"]:
                md["resourceVersion"] = current["metadata"]["resourceVersion"]
                await self.client.replace(SLICES, "endpointslices", want)
        for stale in have:
            await self._delete(SLICES, "endpointslices", stale, ns)

    def _slices_of(self, ns: str, svc_name: str) -> list[Obj]:
        return [s for s in self.slices.items() if s["metadata"].get("namespace") == ns
                and (s["metadata"].get("labels") or {}).get(LABEL_SERVICE_NAME) == svc_name]

    async def _delete_all(self, ns: str, name: str) -> None:
        """A deleted Service takes its Endpoints and slices with it."""
        if self.endpoints.get(f"{ns}/{name}") is not None:
            await self._delete("v1", "endpoints", name, ns)
        for s in self._slices_of(ns, name):
            await self._delete(SLICES, "endpointslices", s["metadata"]["name"], ns)

    async def _delete(self, api_version: str, plural: str, name: str, ns: str) -> None:
        try:
            await self.client.delete(api_version, plural, name, namespace=ns)
        except NotFound:
            pass
