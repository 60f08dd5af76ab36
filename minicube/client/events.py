"""Recording core v1 Events about objects, as client-go's EventRecorder does.

`event()` never blocks and never raises: events are written by one background task, in
order. An identical repeat (same object, type, reason, message, source) bumps the earlier
Event's `count` and `lastTimestamp` instead of creating a new one, so `kubectl describe`
shows `(x5 over 2m)`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from minicube.api.errors import NotFound, StatusError
from minicube.client.clock import rfc3339
from minicube.client.rest import APIConnectionError, Client

log = logging.getLogger(__name__)

Obj = dict[str, Any]

MAX_MESSAGE = 1024
_CACHE_SIZE = 4096


def object_reference(obj: Obj, field_path: str | None = None) -> Obj:
    """The `involvedObject` for obj (with fieldPath such as `spec.containers{web}`)."""
    meta = obj.get("metadata", {})
    ref = {"apiVersion": obj.get("apiVersion", "v1"), "kind": obj.get("kind", ""),
           "name": meta.get("name", ""), "namespace": meta.get("namespace"),
           "uid": meta.get("uid"), "resourceVersion": meta.get("resourceVersion"),
           "fieldPath": field_path}
    return {k: v for k, v in ref.items() if v}


def new_event(ref: Obj, type_: str, reason: str, message: str, *, component: str,
              host: str | None, now: float) -> Obj:
    """A fresh Event; named `<object>.<hex nanoseconds>` like upstream's."""
    ts = rfc3339(now)
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{ref['name']}.{int(now * 1e9):x}",
                     "namespace": ref.get("namespace") or "default"},
        "involvedObject": ref,
        "reason": reason, "message": message[:MAX_MESSAGE], "type": type_,
        "source": {"component": component, **({"host": host} if host else {})},
        "firstTimestamp": ts, "lastTimestamp": ts, "count": 1,
        "reportingComponent": component, "reportingInstance": host or "",
    }


@dataclass
class _Seen:
    name: str
    namespace: str
    count: int


class EventRecorder:
    def __init__(self, client: Client, component: str, *, host: str | None = None) -> None:
        self.client = client
        self.component = component
        self.host = host
        self._queue: asyncio.Queue[tuple[Obj, str, str, str, float]] = asyncio.Queue()
        self._seen: OrderedDict[tuple[Any, ...], _Seen] = OrderedDict()
        self._worker: asyncio.Task[None] | None = None

    def event(self, obj: Obj, type_: str, reason: str, message: str, *,
              field_path: str | None = None) -> None:
        """Record an Event about obj (type_ is "Normal" or "Warning")."""
        log.info("event %s %s/%s %s: %s", type_, obj.get("kind", ""),
                 obj.get("metadata", {}).get("name", ""), reason, message)
        self._queue.put_nowait((object_reference(obj, field_path), type_, reason, message,
                                time.time()))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self) -> None:
        """Wait until every event recorded so far is written (or given up)."""
        await self._queue.join()

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    async def _drain(self) -> None:
        while True:
            ref, type_, reason, message, now = await self._queue.get()
            try:
                await self._write(ref, type_, reason, message, now)
            except (StatusError, APIConnectionError) as e:
                log.warning("could not record event %s for %s %s: %s", reason,
                            ref.get("kind"), ref.get("name"), e)
            finally:
                self._queue.task_done()

    async def _write(self, ref: Obj, type_: str, reason: str, message: str, now: float) -> None:
        key = (ref.get("uid"), ref.get("kind"), ref.get("namespace"), ref.get("name"),
               ref.get("fieldPath"), type_, reason, message)
        seen = self._seen.get(key)
        if seen is not None:
            patch = {"count": seen.count + 1, "lastTimestamp": rfc3339(now)}
            try:
                await self.client.patch("v1", "events", seen.name, patch,
                                        namespace=seen.namespace)
                seen.count += 1
                self._seen.move_to_end(key)
                return
            except NotFound:
                pass  # the earlier Event expired: start a new one
        event = new_event(ref, type_, reason, message, component=self.component,
                          host=self.host, now=now)
        created = await self.client.create("v1", "events", event)
        meta = created.get("metadata", event["metadata"])
        self._seen[key] = _Seen(meta["name"], meta["namespace"], 1)
        if len(self._seen) > _CACHE_SIZE:
            self._seen.popitem(last=False)
