"""Informers: a local cache of one resource kept current by list + watch (client-go's model).

`run()` lists, then watches from the list's resourceVersion, and lists again whenever the
watch ends, reports an ERROR (410 Expired: the server no longer has that history) or the
connection breaks (with back-off). A re-list is diffed against the cache, so handlers see
the ADDED/MODIFIED/DELETED a missed stretch implied. Reconcilers usually take a `WorkQueue`
of keys from `new_queue()` and read the cache, never the event payload.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any, Callable

from minicube.api.errors import StatusError, from_status
from minicube.client.rest import APIConnectionError, Client
from minicube.client.workqueue import WorkQueue

log = logging.getLogger(__name__)

Obj = dict[str, Any]
# (event type, the new object or the last one for DELETED, the previous cached object)
Handler = Callable[[str, Obj, "Obj | None"], None]
KeyFunc = Callable[[Obj], str]


def object_key(obj: Obj) -> str:
    """`namespace/name`, or `name` for cluster-scoped objects (MetaNamespaceKeyFunc)."""
    meta = obj.get("metadata", {})
    ns = meta.get("namespace")
    return f"{ns}/{meta.get('name', '')}" if ns else meta.get("name", "")


def diff_relist(cache: dict[str, Obj], items: list[Obj],
                key_fn: KeyFunc = object_key) -> list[tuple[str, Obj, Obj | None]]:
    """The events that turn `cache` into `items`: new, changed (by resourceVersion), gone."""
    events: list[tuple[str, Obj, Obj | None]] = []
    fresh = {key_fn(o): o for o in items}
    for key, obj in fresh.items():
        old = cache.get(key)
        if old is None:
            events.append(("ADDED", obj, None))
        elif _rv(old) != _rv(obj):
            events.append(("MODIFIED", obj, old))
    for key, old in cache.items():
        if key not in fresh:
            events.append(("DELETED", old, old))
    return events


def _rv(obj: Obj) -> str:
    return str(obj.get("metadata", {}).get("resourceVersion", ""))


class Informer:
    def __init__(self, client: Client, api_version: str, plural: str, *,
                 namespace: str | None = None, label_selector: str | None = None,
                 field_selector: str | None = None, watch_timeout: int = 300) -> None:
        self.client = client
        self.api_version = api_version
        self.plural = plural
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.watch_timeout = watch_timeout
        self.resource_version = ""
        self._cache: dict[str, Obj] = {}
        self._handlers: list[Handler] = []
        self._synced = asyncio.Event()

    # --- consumers -----------------------------------------------------------------------

    def add_handler(self, handler: Handler) -> None:
        """Call handler(type, obj, old) for every change (synchronously; keep it cheap)."""
        self._handlers.append(handler)

    def new_queue(self, key_fn: KeyFunc = object_key) -> WorkQueue:
        """A work queue fed with the key of every object that changes (and all at sync)."""
        queue = WorkQueue()
        self.add_handler(lambda _type, obj, _old: queue.add(key_fn(obj)))
        for obj in self._cache.values():
            queue.add(key_fn(obj))
        return queue

    @property
    def has_synced(self) -> bool:
        """True once the first list is in the cache."""
        return self._synced.is_set()

    async def wait_synced(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._synced.wait(), timeout)

    def get(self, key: str) -> Obj | None:
        return self._cache.get(key)

    def get_by_name(self, name: str, namespace: str | None = None) -> Obj | None:
        return self._cache.get(f"{namespace}/{name}" if namespace else name)

    def items(self) -> list[Obj]:
        return list(self._cache.values())

    # --- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        """List and watch forever (cancel the task to stop)."""
        what = f"{self.plural}" + (f" ({self.field_selector})" if self.field_selector else "")
        delay = 0.2
        while True:
            started = time.monotonic()
            try:
                await self._relist()
                await self._watch()
            except APIConnectionError as e:
                log.warning("informer %s: %s; retrying in %.1fs", what, e, delay)
            except StatusError as e:
                log.warning("informer %s: %s (%s); retrying in %.1fs", what, e.message,
                            e.reason, delay)
            else:
                # A watch that ended normally after a while: re-list at once.
                if time.monotonic() - started > 1.0:
                    delay = 0.2
                    continue
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _relist(self) -> None:
        listing = await self.client.list(self.api_version, self.plural, namespace=self.namespace,
                                         label_selector=self.label_selector,
                                         field_selector=self.field_selector)
        items = listing.get("items") or []
        kind = listing.get("kind", "").removesuffix("List")
        for item in items:
            # List items carry no apiVersion/kind on the wire; handlers expect whole objects.
            item.setdefault("apiVersion", self.api_version)
            if kind:
                item.setdefault("kind", kind)
        events = diff_relist(self._cache, items)
        self._cache = {object_key(o): o for o in items}
        self.resource_version = listing.get("metadata", {}).get("resourceVersion", "")
        self._synced.set()
        for etype, obj, old in events:
            self._dispatch(etype, obj, old)

    async def _watch(self) -> None:
        # Spread re-lists of many informers over time, as client-go does.
        timeout = int(self.watch_timeout * (1 + random.random()))
        async for etype, obj in self.client.watch(
                self.api_version, self.plural, namespace=self.namespace,
                label_selector=self.label_selector, field_selector=self.field_selector,
                resource_version=self.resource_version, timeout_seconds=timeout):
            if etype == "ERROR":
                if obj.get("code") == 410:
                    log.info("informer %s: watch expired (%s); re-listing", self.plural,
                             obj.get("message", ""))
                    return
                raise from_status(obj, int(obj.get("code") or 500))
            rv = obj.get("metadata", {}).get("resourceVersion")
            if rv:
                self.resource_version = rv
            if etype == "BOOKMARK":
                continue
            self._apply(etype, obj)

    def _apply(self, etype: str, obj: Obj) -> None:
        key = object_key(obj)
        if etype == "DELETED":
            old = self._cache.pop(key, None)
            self._dispatch("DELETED", obj, old)
            return
        old = self._cache.get(key)
        self._cache[key] = obj
        self._dispatch("ADDED" if old is None else "MODIFIED", obj, old)

    def _dispatch(self, etype: str, obj: Obj, old: Obj | None) -> None:
        for handler in self._handlers:
            try:
                handler(etype, obj, old)
            except Exception:  # a boundary: one bad handler must not stop the informer
                log.exception("informer %s: handler failed on %s %s", self.plural, etype,
                              object_key(obj))
