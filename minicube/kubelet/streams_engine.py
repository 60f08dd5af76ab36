"""The engine's hijacked exec/attach connections: stdio carried on the HTTP socket itself.

The Docker SDK hands such a socket over only after its buffered HTTP reader may already have
read the first output bytes, so the runtime opens these connections here with asyncio:
`POST` with `Connection: Upgrade` / `Upgrade: tcp`, the engine answers 101, and the same
socket then carries the process's stdio. With a TTY the output is raw; without one it is
multiplexed in frames: an 8-byte header [stream, 0, 0, 0, size:uint32 BE] + payload
(1 stdout, 2 stderr). Writes go to stdin; half-closing the socket closes stdin.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

STDOUT, STDERR = 1, 2
_READ_SIZE = 64 * 1024

Resize = Callable[[int, int], Awaitable[None]]  # (width, height) of the process's TTY


class HijackRefused(Exception):
    """The engine answered the upgrade with an error (message is the engine's)."""


class EngineStream:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, tty: bool) -> None:
        self._reader = reader
        self._writer = writer
        self.tty = tty

    async def read(self) -> tuple[int, bytes] | None:
        """The next (STDOUT|STDERR, bytes) the process wrote; None once it closed its output."""
        try:
            if self.tty:
                chunk = await self._reader.read(_READ_SIZE)
                return (STDOUT, chunk) if chunk else None
            header = await self._reader.readexactly(8)
            size = int.from_bytes(header[4:], "big")
            return (STDERR if header[0] == STDERR else STDOUT), await self._reader.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None

    async def write(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()

    def close_stdin(self) -> None:
        if self._writer.can_write_eof() and not self._writer.is_closing():
            self._writer.write_eof()

    async def close(self) -> None:
        self._writer.close()
        with suppress(OSError):
            await self._writer.wait_closed()


class StdioSession:
    """One process's stdio relayed to a websocket client; subclasses speak its protocol."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._input: asyncio.Task[None] | None = None

    async def run(self, engine: EngineStream, resize: Resize) -> bool:
        """True when the process ended its output; False when the client went away first."""
        output = asyncio.create_task(self._output(engine))
        self._input = asyncio.create_task(self._client_input(engine, resize))
        ended = False
        try:
            done, _ = await asyncio.wait({output, self._input}, return_when=asyncio.FIRST_COMPLETED)
            ended = output in done and output.exception() is None
            return ended
        finally:
            if not ended:  # the client left (or we were cancelled): drop the process's stdio
                output.cancel()
                self._input.cancel()
                await engine.close()

    async def finish(self, status: dict[str, Any], engine: EngineStream | None = None) -> None:
        """Send the final Status, close the client's websocket and the engine stream."""
        with suppress(ConnectionError, RuntimeError):
            await self._send_status(status)
        await self.ws.close()
        if self._input is not None:
            self._input.cancel()
        if engine is not None:
            await engine.close()

    async def _send_status(self, status: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _output(self, engine: EngineStream) -> None:
        raise NotImplementedError

    async def _client_input(self, engine: EngineStream, resize: Resize) -> None:
        raise NotImplementedError


async def open_hijacked(base_url: str, path: str, body: dict[str, Any] | None, *,
                        tty: bool) -> EngineStream:
    """POST path (with a JSON body) on the engine and take over the connection."""
    url = urlsplit(base_url)
    if url.scheme == "unix":
        reader, writer = await asyncio.open_unix_connection(url.path)
    else:
        reader, writer = await asyncio.open_connection(url.hostname, url.port or 2375)
    payload = json.dumps(body).encode() if body is not None else b""
    writer.write((f"POST {path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\n"
                  f"Upgrade: tcp\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload)
    await writer.drain()
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
        writer.close()
        raise HijackRefused("the engine closed the connection before answering") from e
    status_line, *lines = head.split("\r\n")
    status = int(status_line.split(" ")[1])
    if status in (101, 200):
        return EngineStream(reader, writer, tty=tty)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    length = int(headers.get("content-length", "0") or 0)
    text = (await reader.readexactly(length)).decode(errors="replace") if length else ""
    writer.close()
    try:
        message = json.loads(text).get("message", text)
    except ValueError:
        message = text
    raise HijackRefused(message.strip() or f"the engine answered {status}")
