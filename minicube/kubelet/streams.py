"""The kubelet's streaming endpoints: exec, attach and port-forward over websockets.

The API server authenticates the client and relays the websocket here message by message
(upstream's upgrade-aware proxy), so the protocols are the ones kubectl speaks:

GET /exec/{ns}/{pod}/{container}?command=..&stdin&stdout&stderr&tty   v5/v4.channel.k8s.io
GET /attach/{ns}/{pod}/{container}?stdin&stdout&stderr&tty            (or SPDY: see below)
GET /portForward/{ns}/{pod}?ports=..      SPDY/3.1+portforward.k8s.io, or v4.channel.k8s.io

A client that upgraded to plain SPDY reaches exec/attach as SPDY/3.1+v4.channel.k8s.io
(streams_spdy_exec.py) and port-forward as SPDY/3.1+portforward.k8s.io.

Channel protocol: every message is [channel byte] + payload. 0 stdin, 1 stdout, 2 stderr,
3 the final v1 Status, 4 terminal size as JSON {"Width","Height"}, 255 (v5 only) "close
this channel" (the client's stdin EOF). Refusals before the upgrade carry their reason in
the body and in the ERROR_HEADER header (aiohttp's websocket client drops the body).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from aiohttp import WSMsgType, web

from minicube.kubelet.containers import SANDBOX, ContainerInfo
from minicube.kubelet.runtime import EngineError, Runtime
from minicube.kubelet.streams_engine import EngineStream, Resize, StdioSession
from minicube.kubelet.streams_portforward import (PORT_FORWARD_PROTOCOLS, SPDY_PORT_FORWARD,
                                                  ChannelPortForward, SpdyPortForward, parse_ports)
from minicube.kubelet.streams_spdy_exec import SPDY_CHANNEL, SpdyStdio

log = logging.getLogger(__name__)

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
V5, V4 = "v5.channel.k8s.io", "v4.channel.k8s.io"
STDIO_PROTOCOLS = (V5, V4, SPDY_CHANNEL)
ERROR_HEADER = "X-Stream-Error"

Finder = Callable[[str, str, str], Awaitable[ContainerInfo | None]]


def exit_status(code: int | None, command: list[str] | None = None) -> dict[str, Any]:
    """The Status sent on channel 3 when the process ends (kubectl exits with its code)."""
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    if code is None:
        return error_status("the process ended but its exit code is unknown")
    what = f"command '{' '.join(command)}' exited with {code}" if command else f"exit code {code}"
    return {"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
            "message": f"command terminated with non-zero exit code: {what}",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def error_status(message: str) -> dict[str, Any]:
    return {"metadata": {}, "status": "Failure", "reason": "InternalError", "code": 500,
            "message": f"Internal error occurred: {message}",
            "details": {"causes": [{"message": message}]}}


def parse_resize(payload: bytes) -> tuple[int, int] | None:
    """(width, height) from a resize message; None when unusable (zero sizes included)."""
    try:
        size = json.loads(payload)
        width, height = int(size.get("Width", 0)), int(size.get("Height", 0))
    except (ValueError, TypeError, AttributeError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def refuse(status: int, message: str) -> web.HTTPException:
    """An HTTP error before the upgrade, its reason readable by the API server's proxy."""
    cls = {400: web.HTTPBadRequest, 404: web.HTTPNotFound}.get(status, web.HTTPInternalServerError)
    return cls(text=message + "\n", headers={ERROR_HEADER: message.encode("ascii", "replace").decode()})


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("true", "1")


class _ChannelSession(StdioSession):
    """The channel protocol: [channel byte] + payload in every message."""

    def __init__(self, ws: web.WebSocketResponse, channels: set[int]) -> None:
        super().__init__(ws)
        self.channels = channels

    async def _send_status(self, status: dict[str, Any]) -> None:
        await self.ws.send_bytes(bytes([ERROR]) + json.dumps(status).encode())

    async def _output(self, engine: EngineStream) -> None:
        while (item := await engine.read()) is not None:
            channel, data = item
            if engine.tty:
                channel = STDOUT  # a TTY merges the streams; kubectl drops channel 2 with -t
            if data and channel in self.channels:
                await self.ws.send_bytes(bytes([channel]) + data)

    async def _client_input(self, engine: EngineStream, resize: Resize) -> None:
        async for msg in self.ws:
            if msg.type not in (WSMsgType.BINARY, WSMsgType.TEXT):
                continue
            data = msg.data if msg.type == WSMsgType.BINARY else msg.data.encode()
            if not data:
                continue
            channel, payload = data[0], data[1:]
            if channel == STDIN and STDIN in self.channels:
                await engine.write(payload)
            elif channel == RESIZE and (size := parse_resize(payload)) is not None:
                await resize(*size)
            elif channel == CLOSE and payload[:1] == bytes([STDIN]) and self.ws.ws_protocol == V5:
                engine.close_stdin()


class StreamServer:
    def __init__(self, runtime: Runtime, find: Finder) -> None:
        self.runtime = runtime
        self.find = find

    async def _running(self, ns: str, pod: str, name: str) -> ContainerInfo:
        try:
            found = await self.find(ns, pod, name)
        except EngineError as e:
            raise refuse(500, f"the container engine failed: {e}") from e
        if found is None or not found.running:
            if name == SANDBOX:
                raise refuse(404, f'pod "{pod}" has no running sandbox on this node')
            raise refuse(404, f'container not found ("{name}")')
        return found

    async def _stdio(self, request: web.Request) -> tuple[ContainerInfo, web.WebSocketResponse,
                                                         StdioSession | None]:
        """The target container, the accepted websocket, and its session (None: no client)."""
        target = await self._running(*(request.match_info[k] for k in ("namespace", "pod", "container")))
        ws = await _accept(request, STDIO_PROTOCOLS)
        return target, ws, await _open_session(ws, request)

    async def exec(self, request: web.Request) -> web.StreamResponse:
        command = request.query.getall("command", [])
        if not command:
            raise refuse(400, "you must specify at least 1 command")
        target, ws, session = await self._stdio(request)
        if session is None:
            return ws
        try:
            exec_id, engine = await self.runtime.exec_stream(
                target.id, command, stdin=_flag(request, "stdin"), tty=_flag(request, "tty"))
        except EngineError as e:
            await session.finish(error_status(f"error executing command in container: {e}"))
            return ws
        log.info("exec in %s/%s/%s: %s", target.namespace, target.pod_name, target.name, command)
        if await session.run(engine, _resizer(self.runtime, target.id, exec_id)):
            try:
                status = exit_status(await self.runtime.exec_exit_code(exec_id), command)
            except EngineError as e:
                status = error_status(str(e))
            await session.finish(status, engine)
        return ws

    async def attach(self, request: web.Request) -> web.StreamResponse:
        target, ws, session = await self._stdio(request)
        if session is None:
            return ws
        try:
            engine = await self.runtime.attach_stream(target.id, stdin=_flag(request, "stdin"))
        except EngineError as e:
            await session.finish(error_status(f"error attaching to container: {e}"))
            return ws
        if await session.run(engine, _resizer(self.runtime, target.id, "")):
            await session.finish(exit_status(0), engine)
        return ws

    async def port_forward(self, request: web.Request) -> web.StreamResponse:
        ns, pod = request.match_info["namespace"], request.match_info["pod"]
        sandbox = await self._running(ns, pod, SANDBOX)
        ready = web.WebSocketResponse(protocols=PORT_FORWARD_PROTOCOLS).can_prepare(request)
        ports: list[int] = []
        if ready.protocol != SPDY_PORT_FORWARD:
            try:
                ports = parse_ports(request.query.getall("ports", []))
            except ValueError as e:
                raise refuse(400, str(e)) from None
        ws = await _accept(request, PORT_FORWARD_PROTOCOLS)
        where = f"pod {ns}/{pod}"
        if ws.ws_protocol == SPDY_PORT_FORWARD:
            await SpdyPortForward(ws, sandbox.ip, where).run()
        else:
            await ChannelPortForward(ws, sandbox.ip, where, ports).run()
        return ws


def _channels(request: web.Request) -> set[int]:
    wanted = {STDIN: "stdin", STDOUT: "stdout", STDERR: "stderr"}
    return {ch for ch, name in wanted.items() if _flag(request, name)}


async def _open_session(ws: web.WebSocketResponse, request: web.Request) -> StdioSession | None:
    """The stdio session for the negotiated protocol; None if a SPDY client never set up."""
    if ws.ws_protocol != SPDY_CHANNEL:
        return _ChannelSession(ws, _channels(request))
    tty = _flag(request, "tty")
    expected = {"error"} | {name for name in ("stdin", "stdout") if _flag(request, name)}
    expected |= {"resize"} if tty else ({"stderr"} if _flag(request, "stderr") else set())
    session = SpdyStdio(ws, expected)
    if not await session.handshake():
        await ws.close()
        return None
    return session


def _resizer(runtime: Runtime, container_id: str, exec_id: str) -> Resize:
    async def resize(width: int, height: int) -> None:
        try:
            await runtime.resize(container_id, exec_id=exec_id, width=width, height=height)
        except EngineError as e:
            log.info("terminal resize failed: %s", e)
    return resize


async def _accept(request: web.Request, protocols: tuple[str, ...]) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=protocols, max_msg_size=0)
    await ws.prepare(request)
    return ws
