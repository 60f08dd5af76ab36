"""The kubelet's own HTTP endpoint (127.0.0.1:10250), which the API server proxies to:

GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&timestamps&previous
    &sinceSeconds&sinceTime&limitBytes  ->  text/plain, streamed (chunked) with follow
    until the container ends.
GET /exec/..., /attach/..., /portForward/...  ->  websockets (streams.py).
GET /stats/resource  ->  JSON: the latest CPU/memory usage of the node and pod containers
    (stats.py), which the API server's metrics.k8s.io reads.

`previous` reads the prior attempt's container, which the kubelet keeps for this.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable

from aiohttp import web

from minicube.client.clock import parse_rfc3339
from minicube.kubelet.containers import ContainerInfo, latest_by_name
from minicube.kubelet.runtime import Runtime, EngineError
from minicube.kubelet.stats import StatsCollector
from minicube.kubelet.streams import StreamServer

log = logging.getLogger(__name__)

Obj = dict[str, Any]

_STAMP = re.compile(rb"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z ")


def normalize_timestamps(line: bytes) -> bytes:
    """The engine trims trailing zeros (RFC3339Nano); Kubernetes prints all nine digits."""
    m = _STAMP.match(line)
    if not m:
        return line
    frac = (m.group(2) or b"").ljust(9, b"0")[:9]
    return m.group(1) + b"." + frac + b"Z " + line[m.end():]


def _flag(query: Any, name: str) -> bool:
    return str(query.get(name, "")).lower() in ("true", "1")


def _int(query: Any, name: str) -> int | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"invalid {name}: {value!r}\n") from None


def pick_container(containers: list[ContainerInfo], name: str, uid: str | None,
                   previous: bool) -> ContainerInfo | None:
    """The current (or previous) attempt of a container; the given pod uid wins when known."""
    if uid is None and containers:
        uid = max(containers, key=lambda c: c.started_at or c.finished_at).pod_uid
    attempts = latest_by_name([c for c in containers if c.pod_uid == uid]).get(name, [])
    index = 1 if previous else 0
    return attempts[index] if len(attempts) > index else None


class KubeletServer:
    def __init__(self, runtime: Runtime, pod_uid: Callable[[str, str], str | None], *,
                 host: str = "127.0.0.1", port: int = 10250, stats: StatsCollector | None = None) -> None:
        self.runtime = runtime
        self.pod_uid = pod_uid
        self.stats = stats
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/containerLogs/{namespace}/{pod}/{container}", self.container_logs)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/stats/resource", self.resource_stats)
        streams = StreamServer(self.runtime, self.running_container)
        app.router.add_get("/exec/{namespace}/{pod}/{container}", streams.exec)
        app.router.add_get("/attach/{namespace}/{pod}/{container}", streams.attach)
        app.router.add_get("/portForward/{namespace}/{pod}", streams.port_forward)
        return app

    async def start(self) -> None:
        # Cancel a handler when its client goes away: a follow on a quiet container would
        # otherwise hold its engine stream until the next line.
        self._runner = web.AppRunner(self.app(), access_log=None, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("kubelet serving on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def resource_stats(self, request: web.Request) -> web.Response:
        if self.stats is None:
            raise web.HTTPNotFound(text="resource stats are not collected\n")
        return web.json_response(self.stats.document())

    async def running_container(self, ns: str, pod: str, name: str) -> ContainerInfo | None:
        """The current attempt of a pod's container (or sandbox, name POD) if it runs."""
        containers = await self.runtime.list_containers(pod=(ns, pod))
        target = pick_container(containers, name, self.pod_uid(ns, pod), previous=False)
        return target if target is not None and target.running else None

    async def container_logs(self, request: web.Request) -> web.StreamResponse:
        ns, pod, name = (request.match_info[k] for k in ("namespace", "pod", "container"))
        q = request.query
        previous = _flag(q, "previous")
        try:
            containers = await self.runtime.list_containers(pod=(ns, pod))
        except EngineError as e:
            raise web.HTTPServiceUnavailable(text=f"the container engine failed: {e}\n") from e
        target = pick_container(containers, name, self.pod_uid(ns, pod), previous)
        if target is None:
            what = "previous terminated container" if previous else "container"
            raise web.HTTPNotFound(text=f'{what} "{name}" in pod "{pod}" not found\n')
        since = None
        if (seconds := _int(q, "sinceSeconds")) is not None:
            since = time.time() - seconds
        elif q.get("sinceTime"):
            since = parse_rfc3339(q["sinceTime"])
        limit = _int(q, "limitBytes")
        timestamps = _flag(q, "timestamps")
        follow = _flag(q, "follow") and not previous
        response = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        sent, rest = 0, b""
        try:
            async for chunk in self.runtime.logs(target.id, follow=follow, tail=_int(q, "tailLines"),
                                                 timestamps=timestamps, since=since):
                if timestamps:
                    *lines, rest = (rest + chunk).split(b"\n")
                    chunk = b"".join(normalize_timestamps(line) + b"\n" for line in lines)
                if limit is not None:
                    chunk = chunk[:max(0, limit - sent)]
                if chunk:
                    await response.write(chunk)
                    sent += len(chunk)
                if limit is not None and sent >= limit:
                    break
            if rest and (limit is None or sent < limit):
                await response.write(normalize_timestamps(rest)[:None if limit is None else limit - sent])
        except (ConnectionResetError, EngineError) as e:
            log.info("log stream of %s/%s/%s ended: %s", ns, pod, name, e)
        await response.write_eof()
        return response
