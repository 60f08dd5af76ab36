"""The root-CA publisher: every active namespace has a `kube-root-ca.crt` ConfigMap holding the
cluster CA, which projected ServiceAccount volumes mount as ca.crt so in-cluster clients can
verify the API server. The CA comes from kube-system/extension-apiserver-authentication, which
the API server keeps up to date at every start (upstream's publisher reads its own config)."""

from __future__ import annotations

import logging
from typing import Any

from minicube.api.errors import AlreadyExists, NotFound
from minicube.client import Client, Informer, WorkQueue
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
NAME = "kube-root-ca.crt"
SOURCE = ("kube-system", "extension-apiserver-authentication")
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using "
               "internal endpoints such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")


class RootCAPublisher:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 1) -> None:
        self.client = client
        self.workers = workers
        self.namespaces = Informer(client, "v1", "namespaces")
        self.config_maps = Informer(client, "v1", "configmaps", field_selector=f"metadata.name={NAME}")
        self.queue: WorkQueue = self.namespaces.new_queue()
        # an edited or deleted copy brings its namespace back to the queue
        self.config_maps.add_handler(lambda _t, cm, _old: self.queue.add(cm["metadata"]["namespace"]))

    async def run(self) -> None:
        await run_controller((self.namespaces, self.config_maps), self.queue, self.reconcile,
                             "root-ca-publisher", workers=self.workers)

    async def _ca(self) -> str:
        source = await self.client.get("v1", "configmaps", SOURCE[1], namespace=SOURCE[0])
        return (source.get("data") or {})["client-ca-file"]

    async def reconcile(self, namespace: str) -> None:
        ns = self.namespaces.get(namespace)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return
        want = {"ca.crt": await self._ca()}
        current = self.config_maps.get(f"{namespace}/{NAME}")
        if current is None:
            try:
                await self.client.create("v1", "configmaps", {
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": NAME, "namespace": namespace,
                                 "annotations": {"kubernetes.io/description": DESCRIPTION}},
                    "data": want}, namespace=namespace)
                log.info("published %s in %s", NAME, namespace)
            except AlreadyExists:
                pass  # the cache was behind; its event requeues the namespace
        elif current.get("data") != want or current.get("binaryData"):
            try:
                await self.client.replace("v1", "configmaps", {**{k: v for k, v in current.items() if k != "binaryData"}, "data": want},
                                          namespace=namespace)
            except NotFound:
                pass  # deleted meanwhile; its event requeues the namespace
