"""pods/exec, pods/attach and pods/portforward: check the request, then relay the upgraded
connection to the kubelet, which does the work (upstream's upgrade-aware proxy).

A websocket upgrade is relayed message by message with the subprotocol the kubelet chose
(v5/v4.channel.k8s.io, SPDY/3.1+portforward.k8s.io), so framing, empty messages and close
codes pass through untouched. kubectl falls back to a plain `Upgrade: SPDY/3.1` request when
the websocket upgrade is refused (older kubectl uses it for exec): that raw SPDY byte stream
is carried to the kubelet inside a websocket (SPDY/3.1+portforward.k8s.io, or
SPDY/3.1+v4.channel.k8s.io for exec and attach).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from multidict import MultiDict
from yarl import URL

from minicube.api import errors
from minicube.api.registry import Kind
from minicube.apiserver.objects import Objects
from minicube.apiserver.requestinfo import RequestInfo
from minicube.apiserver.subresources import pod_container

log = logging.getLogger(__name__)

# The kubelet's refusals name their reason in this header too (kubelet/streams.py):
# aiohttp's websocket client does not read the body of a refused handshake.
ERROR_HEADER = "X-Stream-Error"
SPDY_PORT_FORWARD = "SPDY/3.1+portforward.k8s.io"
SPDY_STDIO_VERSION = "v4.channel.k8s.io"  # exec/attach over SPDY: what kubectl's SPDY client offers
_KUBELET_PATH = {"exec": "exec", "attach": "attach", "portforward": "portForward"}
_STDIO = ("stdin", "stdout", "stderr")


class PodStreams:
    def __init__(self, objects: Objects, kubelet_url: str) -> None:
        self.objects = objects
        self.kubelet_url = URL(kubelet_url.rstrip("/"))

    async def handle(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.StreamResponse:
        if request.method not in ("GET", "POST"):
            raise errors.MethodNotAllowed(f"pods/{info.subresource} allows only get and create")
        pod = self.objects.get(kind, info.namespace, info.name)
        url = self._kubelet_url(pod, info, request)
        upgrade = request.headers.get("Upgrade", "").strip().lower()
        if upgrade == "websocket":
            return await self._websocket(request, url)
        if upgrade.startswith("spdy/"):
            if info.subresource == "portforward":
                return await self._spdy(request, url, SPDY_PORT_FORWARD, "portforward.k8s.io")
            offered = [v.strip() for header in request.headers.getall("X-Stream-Protocol-Version", [])
                       for v in header.split(",")]
            if SPDY_STDIO_VERSION not in offered:
                raise errors.BadRequest("unable to upgrade: unable to negotiate protocol: client "
                                        f"supports {offered}, server supports [{SPDY_STDIO_VERSION}]")
            return await self._spdy(request, url, f"SPDY/3.1+{SPDY_STDIO_VERSION}", SPDY_STDIO_VERSION)
        raise errors.BadRequest("Upgrade request required")

    def _kubelet_url(self, pod: dict[str, Any], info: RequestInfo, request: web.Request) -> URL:
        if not pod.get("spec", {}).get("nodeName"):
            raise errors.BadRequest(f"pod {info.name} does not have a host assigned")
        base = self.kubelet_url / _KUBELET_PATH[info.subresource] / info.namespace / info.name
        query = MultiDict((k, v) for k, v in request.query.items() if k != "container")
        if info.subresource == "portforward":
            return base.with_query(query)
        if info.subresource == "exec" and not query.getall("command", []):
            raise errors.BadRequest("you must specify at least 1 command")
        if not any(query.get(name, "").lower() in ("true", "1") for name in _STDIO):
            raise errors.BadRequest("you must specify at least one of stdin, stdout, stderr")
        container = pod_container(pod, request.query.get("container", ""))
        return (base / container).with_query(query)

    async def _connect(self, session: aiohttp.ClientSession, url: URL,
                       protocols: list[str]) -> aiohttp.ClientWebSocketResponse:
        try:
            return await session.ws_connect(url, protocols=protocols, max_msg_size=0)
        except aiohttp.WSServerHandshakeError as e:
            message = (e.headers.get(ERROR_HEADER) if e.headers else None) or f"the kubelet answered {e.status}"
            error = {400: errors.BadRequest, 404: errors.NotFound}.get(e.status, errors.InternalError)
            raise error(message) from None
        except aiohttp.ClientError as e:
            raise errors.ServiceUnavailable(f"the kubelet on this node does not answer: {e}") from None

    async def _websocket(self, request: web.Request, url: URL) -> web.StreamResponse:
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
                   if p.strip()]
        async with _session() as session:
            upstream = await self._connect(session, url, offered)
            chosen = upstream.protocol
            client = web.WebSocketResponse(protocols=(chosen,) if chosen else (), max_msg_size=0)
            try:
                await client.prepare(request)
                await _relay(client, upstream)
            finally:
                await upstream.close()
            return client

    async def _spdy(self, request: web.Request, url: URL, kubelet_protocol: str,
                    version: str) -> web.StreamResponse:
        """A plain SPDY upgrade: its byte stream travels to the kubelet inside a websocket."""
        async with _session() as session:
            upstream = await self._connect(session, url, [kubelet_protocol])
            try:
                response = web.StreamResponse(status=101, headers={
                    "Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": version})
                await response.prepare(request)
                # From here the connection carries raw SPDY: take its bytes from the HTTP
                # protocol (aiohttp upgrades natively only to websocket and tcp).
                incoming = _RawStream()
                request.protocol.set_parser(incoming)  # type: ignore[arg-type]
                request.protocol.keep_alive(False)
                transport = request.transport
                assert transport is not None
                await _relay_raw(incoming, transport, upstream)
            finally:
                await upstream.close()
            return response


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=5))


async def _relay(client: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse) -> None:
    """Both directions until either side closes; the close code travels on."""
    async def pump(src: Any, dst: Any) -> None:
        async for msg in src:
            if msg.type == WSMsgType.BINARY:
                await dst.send_bytes(msg.data)
            elif msg.type == WSMsgType.TEXT:
                await dst.send_str(msg.data)

    down = asyncio.create_task(pump(upstream, client))
    up = asyncio.create_task(pump(client, upstream))
    try:
        done, _ = await asyncio.wait({down, up}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            with suppress(ConnectionError):
                task.result()
        if down in done:
            await client.close(code=upstream.close_code or aiohttp.WSCloseCode.OK)
        else:
            await upstream.close(code=client.close_code or aiohttp.WSCloseCode.OK)
    finally:
        for task in (down, up):
            task.cancel()


class _RawStream:
    """Takes the place of aiohttp's payload parser after a non-websocket upgrade."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self.queue.put_nowait(bytes(data))
        return False, b""

    def feed_eof(self) -> None:
        self.queue.put_nowait(None)


async def _relay_raw(incoming: _RawStream, transport: asyncio.BaseTransport,
                     upstream: aiohttp.ClientWebSocketResponse) -> None:
    async def up() -> None:
        while (data := await incoming.queue.get()) is not None:
            await upstream.send_bytes(data)

    async def down() -> None:
        async for msg in upstream:
            if msg.type == WSMsgType.BINARY and msg.data:
                transport.write(msg.data)  # type: ignore[attr-defined]

    tasks = [asyncio.create_task(up()), asyncio.create_task(down())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        transport.close()
