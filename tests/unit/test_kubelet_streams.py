"""The kubelet's exec and port-forward websockets, against a fake engine and a local echo port."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any, Awaitable, Callable

import aiohttp
from aiohttp import WSMsgType
from aiohttp.test_utils import TestServer

from minicube.kubelet import streams_spdy as spdy
from minicube.kubelet.server import KubeletServer
from minicube.kubelet.streams import exit_status, parse_resize
from minicube.kubelet.streams_engine import EngineStream
from minicube.kubelet.streams_portforward import parse_ports
from tests.unit.kubelet_fixtures import info


def mux(stream: int, data: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + struct.pack(">I", len(data)) + data


class FakeEngine:
    """exec runs a fake `cat` that first writes a line to stderr and exits with exit_code."""

    def __init__(self, exit_code: int = 0) -> None:
        self.exit_code = exit_code
        self.resizes: list[tuple[int, int]] = []
        self.echo_port = 0

    async def list_containers(self, pod_uid: str | None = None, **kw: Any) -> list[Any]:
        return [info(), info("POD", ip="127.0.0.1")]

    async def exec_stream(self, cid: str, cmd: list[str], *, stdin: bool, tty: bool) -> tuple[str, EngineStream]:
        ours, theirs = socket.socketpair()
        reader, writer = await asyncio.open_connection(sock=ours)
        asyncio.get_running_loop().create_task(self._cat(theirs))
        return "exec-1", EngineStream(reader, writer, tty=tty)

    async def _cat(self, sock: socket.socket) -> None:
        reader, writer = await asyncio.open_connection(sock=sock)
        writer.write(mux(2, b"starting\n"))
        while chunk := await reader.read(1024):
            writer.write(mux(1, chunk))
        writer.close()

    async def exec_exit_code(self, exec_id: str, **kw: Any) -> int:
        return self.exit_code

    async def resize(self, cid: str, *, exec_id: str = "", width: int, height: int) -> None:
        self.resizes.append((width, height))


def serve(engine: FakeEngine, client: Callable[[aiohttp.ClientSession, Any], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        server = TestServer(KubeletServer(engine, lambda ns, pod: "u1").app(),  # type: ignore[arg-type]
                            host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                return await client(session, server.make_url)
        finally:
            await server.close()
    return asyncio.run(main())


def test_exec_pipes_stdin_and_reports_the_exit_code() -> None:
    engine = FakeEngine(exit_code=3)

    async def client(session: aiohttp.ClientSession, url: Any) -> list[bytes]:
        path = "/exec/default/web/web?command=cat&stdin=true&stdout=true&stderr=true"
        async with session.ws_connect(url(path), protocols=["v5.channel.k8s.io"]) as ws:
            assert ws.protocol == "v5.channel.k8s.io"
            await ws.send_bytes(b"\x04" + json.dumps({"Width": 80, "Height": 24}).encode())
            await ws.send_bytes(b"\x00hi\n")
            await ws.send_bytes(b"\xff\x00")  # v5: stdin is done
            return [m.data async for m in ws if m.type == WSMsgType.BINARY]

    messages = serve(engine, client)
    assert messages[:2] == [b"\x02starting\n", b"\x01hi\n"]
    status = json.loads(messages[2][1:])
    assert messages[2][0] == 3 and status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
    assert engine.resizes == [(80, 24)]


def test_exec_without_a_command_is_refused_before_the_upgrade() -> None:
    async def client(session: aiohttp.ClientSession, url: Any) -> tuple[int, str]:
        async with session.get(url("/exec/default/web/web?stdout=true")) as r:
            return r.status, r.headers.get("X-Stream-Error", "")
    assert serve(FakeEngine(), client) == (400, "you must specify at least 1 command")


def test_exec_in_a_missing_container_names_it() -> None:
    async def client(session: aiohttp.ClientSession, url: Any) -> tuple[int, str]:
        async with session.get(url("/exec/default/web/nope?command=ls&stdout=true")) as r:
            return r.status, await r.text()
    assert serve(FakeEngine(), client) == (404, 'container not found ("nope")\n')


async def echo_server() -> tuple[asyncio.Server, int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(1024):
            writer.write(chunk)
        writer.close()
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_spdy_port_forward_tunnels_a_connection_and_finishes_both_streams() -> None:
    async def client(session: aiohttp.ClientSession, url: Any) -> list[spdy.Frame]:
        server, port = await echo_server()
        headers, reader = spdy.Headers(), spdy.FrameReader()
        frames: list[spdy.Frame] = []
        async with server, session.ws_connect(url("/portForward/default/web"),
                                              protocols=["SPDY/3.1+portforward.k8s.io"]) as ws:
            for sid, kind in ((1, "error"), (3, "data")):
                fields = {"streamtype": kind, "port": str(port), "requestid": "0"}
                await ws.send_bytes(spdy.control(spdy.SYN_STREAM, struct.pack(">IIH", sid, 0, 0)
                                                 + headers.encode(fields)))
            await ws.send_bytes(b"")  # empty messages occur on the wire and mean nothing
            await ws.send_bytes(spdy.data(3, b"ping", fin=True))
            async for msg in ws:
                frames += reader.feed(msg.data)
                if sum(isinstance(f, spdy.Data) and f.fin for f in frames) == 2:
                    break
        return frames

    frames = serve(FakeEngine(), client)
    replies = [f.stream_id for f in frames if isinstance(f, spdy.Control) and f.type == spdy.SYN_REPLY]
    data = [(f.stream_id, f.data, f.fin) for f in frames if isinstance(f, spdy.Data)]
    assert replies == [1, 3]
    assert data == [(3, b"ping", False), (3, b"", True), (1, b"", True)]


def test_channel_port_forward_announces_the_port_then_tunnels() -> None:
    async def client(session: aiohttp.ClientSession, url: Any) -> tuple[str | None, list[bytes]]:
        server, port = await echo_server()
        async with server, session.ws_connect(url(f"/portForward/default/web?ports={port}"),
                                              protocols=["v5.channel.k8s.io", "v4.channel.k8s.io"]) as ws:
            first = [(await ws.receive()).data, (await ws.receive()).data]
            await ws.send_bytes(b"\x00ping")
            return ws.protocol, first + [(await ws.receive()).data]

    protocol, messages = serve(FakeEngine(), client)
    assert protocol == "v4.channel.k8s.io"
    port = int.from_bytes(messages[0][1:], "little")
    assert messages[0] == b"\x00" + port.to_bytes(2, "little")
    assert messages[1] == b"\x01" + port.to_bytes(2, "little")
    assert messages[2] == b"\x00ping"


def test_helpers() -> None:
    assert exit_status(0) == {"metadata": {}, "status": "Success"}
    assert parse_resize(b'{"Width":0,"Height":0}') is None
    assert parse_resize(b'{"Width":120,"Height":40}') == (120, 40)
    assert parse_ports(["80,8080", "9090"]) == [80, 8080, 9090]


def test_spdy_exec_uses_one_stream_per_channel_and_ends_with_the_status() -> None:
    async def client(session: aiohttp.ClientSession, url: Any) -> list[spdy.Frame]:
        headers, reader = spdy.Headers(), spdy.FrameReader()
        frames: list[spdy.Frame] = []
        path = "/exec/default/web/web?command=cat&stdin=true&stdout=true&stderr=true"
        async with session.ws_connect(url(path), protocols=["SPDY/3.1+v4.channel.k8s.io"]) as ws:
            for sid, kind in ((1, "error"), (3, "stdin"), (5, "stdout"), (7, "stderr")):
                await ws.send_bytes(spdy.control(spdy.SYN_STREAM, struct.pack(">IIH", sid, 0, 0)
                                                 + headers.encode({"streamtype": kind})))
            await ws.send_bytes(spdy.data(3, b"hi\n", fin=True))
            async for msg in ws:
                frames += reader.feed(msg.data)
        return frames

    frames = serve(FakeEngine(exit_code=2), client)
    replies = [f.stream_id for f in frames if isinstance(f, spdy.Control) and f.type == spdy.SYN_REPLY]
    data = {(f.stream_id, f.data) for f in frames if isinstance(f, spdy.Data) and f.data}
    fins = {f.stream_id for f in frames if isinstance(f, spdy.Data) and f.fin}
    assert replies == [1, 3, 5, 7] and fins == {1, 3, 5, 7}
    assert (7, b"starting\n") in data and (5, b"hi\n") in data
    (status,) = [json.loads(d) for sid, d in data if sid == 1]
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "2"}]
