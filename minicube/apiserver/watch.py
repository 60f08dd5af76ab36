"""Watch streams: chunked newline-delimited JSON events, as kubectl and informers read them.

`resourceVersion` "" or "0" starts with the current state as ADDED events; N streams every
change after N; a version older than the store keeps yields an ERROR event with 410 Expired
(client-go then lists again). Selectors filter by transition: an object that stops matching
is sent as DELETED, one that starts matching as ADDED (as upstream's cacher does).
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any, Callable

from aiohttp import web

from minicube.api import errors, tables
from minicube.api.registry import Kind, Obj
from minicube.apiserver.negotiation import JSON, TABLE_CONTENT_TYPE
from minicube.apiserver.objects import Objects, from_event, key_for
from minicube.store import Compacted, Event

_IDLE_CHECK_SECONDS = 15.0  # how often an idle stream checks that its client is still there
_BOOKMARK_SECONDS = 60.0


@dataclass(frozen=True)
class WatchRequest:
    kind: Kind
    namespace: str
    matches: Callable[[Obj], bool]
    resource_version: str
    timeout_seconds: float | None
    bookmarks: bool
    as_table: bool
    include_object: str
    # One object's name (from the path or a metadata.name= field selector): the store then
    # replays and follows that key only, not every object of the kind in the namespace.
    name: str = ""


def _event(kind: Kind, event_type: str, obj: Obj, req: WatchRequest) -> bytes:
    if req.as_table and event_type != "ERROR":
        obj = tables.table(kind, [obj], include_object=req.include_object,
                           resource_version=obj["metadata"].get("resourceVersion", ""))
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


async def serve(request: web.Request, objects: Objects, req: WatchRequest) -> web.StreamResponse:
    kind = req.kind
    if req.resource_version in ("", "0"):
        current, revision = objects.list(kind, req.namespace)
        initial, after = [o for o in current if req.matches(o)], revision
    else:
        try:
            after = int(req.resource_version)
        except ValueError:
            raise errors.BadRequest(f"invalid resourceVersion {req.resource_version!r}") from None
        # no initial state to send: listing (and copying) every object would only cost time
        initial, revision = [], objects.store.current_revision()

    response = web.StreamResponse(headers={
        "Content-Type": TABLE_CONTENT_TYPE if req.as_table else JSON,
        "Cache-Control": "no-cache, private"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        narrowed = req.name and (req.namespace or not kind.namespaced)
        events = objects.store.watch(key_for(kind, req.namespace, req.name if narrowed else ""),
                                     after)
    except Compacted:
        gone = errors.Gone(f"too old resource version: {after} ({revision})").to_status()
        await response.write(_event(kind, "ERROR", gone, req))
        return response

    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def pump() -> None:
        # whole batches: a replayed page costs one wake-up of the loop below, not one per event
        try:
            while True:
                queue.put_nowait(await events.next_batch())
        except StopAsyncIteration:
            pass
        except Compacted:
            queue.put_nowait(errors.Gone("the watch fell too far behind; list again").to_status())
        queue.put_nowait(None)

    pump_task = asyncio.create_task(pump())
    # Upstream spreads watch lifetimes over [timeout, 2*timeout) so clients do not relist together.
    limit = req.timeout_seconds if req.timeout_seconds else 1800 * (1 + random.random())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last_sent, last_revision = loop.time(), after
    try:
        for obj in initial:
            await response.write(_event(kind, "ADDED", obj, req))
        while (remaining := deadline - loop.time()) > 0:
            try:
                item = await asyncio.wait_for(queue.get(), min(remaining, _IDLE_CHECK_SECONDS))
            except asyncio.TimeoutError:
                if request.transport is None or request.transport.is_closing():
                    break
                if req.bookmarks and loop.time() - last_sent >= _BOOKMARK_SECONDS:
                    bookmark = {"kind": kind.kind, "apiVersion": kind.api_version,
                                "metadata": {"resourceVersion": str(last_revision)}}
                    await response.write(json.dumps({"type": "BOOKMARK", "object": bookmark}).encode() + b"\n")
                    last_sent = loop.time()
                continue
            if item is None:
                break
            if isinstance(item, dict):  # a Status: the store dropped this watcher
                await response.write(_event(kind, "ERROR", item, req))
                break
            # filter first: most events of a selective watch are not its business, and
            # building the served object (a deep copy) for each is what made replays slow
            chunk = b"".join(_event(kind, event_type, from_event(kind, ev), req)
                             for ev in item if (event_type := _transition(ev, req.matches)))
            last_revision = item[-1].revision
            if chunk:
                await response.write(chunk)
                last_sent = loop.time()
    except ConnectionResetError:
        pass  # the client went away
    finally:
        pump_task.cancel()
        await events.aclose()
    return response


def _transition(event: Event, matches: Callable[[Obj], bool]) -> str | None:
    """The event a filtered watcher sees, or None when the change is outside its filter:
    an object entering the filter is ADDED to it, one leaving it is DELETED from it."""
    if event.type == "ADDED":
        return "ADDED" if matches(event.value) else None
    if event.type == "DELETED":
        return "DELETED" if matches(event.value) else None
    was_matching = event.prev_value is not None and matches(event.prev_value)
    if matches(event.value):
        return "MODIFIED" if was_matching else "ADDED"
    return "DELETED" if was_matching else None
