"""The scheduler: binds every pending pod to our one node.

With a single node there is nothing to choose, only to do well: watch pods with no
`spec.nodeName`, POST a Binding for each (the API server then sets nodeName and the
PodScheduled condition), and record upstream's `Scheduled` Event.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from minicube.api.errors import Conflict, NotFound, StatusError
from minicube.client import APIConnectionError, Client, EventRecorder, Informer, WorkQueue

log = logging.getLogger(__name__)

Obj = dict[str, Any]

SCHEDULER_NAME = "default-scheduler"


def wants_binding(pod: Obj | None, scheduler_name: str = SCHEDULER_NAME) -> bool:
    """An unbound, live pod addressed to this scheduler."""
    if not pod:
        return False
    spec = pod.get("spec", {})
    return (not spec.get("nodeName") and not pod["metadata"].get("deletionTimestamp")
            and spec.get("schedulerName", SCHEDULER_NAME) == scheduler_name)


def binding_for(pod: Obj, node_name: str) -> Obj:
    meta = pod["metadata"]
    return {"apiVersion": "v1", "kind": "Binding",
            "metadata": {"name": meta["name"], "namespace": meta.get("namespace"),
                         "uid": meta.get("uid")},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node_name}}


class Scheduler:
    def __init__(self, client: Client, node_name: str, *, workers: int = 2) -> None:
        self.client = client
        self.node_name = node_name
        self.workers = workers
        self.recorder = EventRecorder(client, SCHEDULER_NAME)
        self.pods = Informer(client, "v1", "pods", field_selector="spec.nodeName=")
        self.queue: WorkQueue = self.pods.new_queue()

    async def run(self) -> None:
        """Run until cancelled."""
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.pods.run())
                for _ in range(self.workers):
                    tg.create_task(self._work())
        finally:
            self.queue.close()
            await self.recorder.close()

    async def _work(self) -> None:
        while True:
            key = await self.queue.get()
            try:
                await self.schedule(str(key))
                self.queue.forget(key)
            except (StatusError, APIConnectionError) as e:
                log.warning("scheduling %s failed: %s; will retry", key, e)
                self.queue.add_rate_limited(key)
            except Exception:  # a worker boundary: log and go on with other pods
                log.exception("scheduling %s failed", key)
                self.queue.add_rate_limited(key)
            finally:
                self.queue.done(key)

    async def schedule(self, key: str) -> None:
        """Bind the pod under key if it still wants a node (reads the cache, not the event)."""
        pod = self.pods.get(key)
        if not wants_binding(pod):
            return
        assert pod is not None
        meta = pod["metadata"]
        try:
            await self.client.post_subresource("v1", "pods", meta["name"], "binding",
                                               binding_for(pod, self.node_name),
                                               namespace=meta.get("namespace"))
        except (Conflict, NotFound) as e:
            # Bound by someone else meanwhile, being deleted, or gone: nothing left to do.
            log.info("not binding %s: %s", key, e.message)
            return
        log.info("bound %s to %s", key, self.node_name)
        self.recorder.event(pod, "Normal", "Scheduled",
                            f"Successfully assigned {key} to {self.node_name}")
