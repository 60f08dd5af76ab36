"""The ServiceAccount controller: every active namespace has a `default` ServiceAccount.

Pods run as `default` when they name no account, and charts and `kubectl create token` expect
it, so it is (re)created whenever it is missing, as upstream's serviceaccounts-controller does.
"""

from __future__ import annotations

import logging
from typing import Any

from minicube.api.errors import AlreadyExists
from minicube.client import Client, Informer, WorkQueue
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
DEFAULT = "default"


class ServiceAccountsController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 1) -> None:
        self.client = client
        self.workers = workers
        self.namespaces = Informer(client, "v1", "namespaces")
        self.accounts = Informer(client, "v1", "serviceaccounts",
                                 field_selector=f"metadata.name={DEFAULT}")
        self.queue: WorkQueue = self.namespaces.new_queue()
        # a deleted default account brings its namespace back to the queue
        self.accounts.add_handler(lambda _type, sa, _old: self.queue.add(sa["metadata"]["namespace"]))

    async def run(self) -> None:
        await run_controller((self.namespaces, self.accounts), self.queue, self.reconcile,
                             "serviceaccounts", workers=self.workers)

    async def reconcile(self, namespace: str) -> None:
        ns = self.namespaces.get(namespace)
        if ns is None or ns["metadata"].get("deletionTimestamp") or \
                self.accounts.get(f"{namespace}/{DEFAULT}") is not None:
            return
        try:
            await self.client.create("v1", "serviceaccounts", {
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": DEFAULT, "namespace": namespace}}, namespace=namespace)
            log.info("created ServiceAccount %s/%s", namespace, DEFAULT)
        except AlreadyExists:
            pass  # the cache was behind
