"""exec and attach over SPDY/3.1 (kubectl's fallback, and older kubectl's only transport).

The API server hands the client's raw SPDY bytes on inside a websocket with the subprotocol
SPDY_CHANNEL. The client opens one stream per stdio channel, each named by its `streamtype`
header: error, stdin, stdout, stderr, resize (a series of JSON sizes). Stdin's FIN is its EOF.
When the process ends the v4 Status goes on the error stream and every stream gets a FIN.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import WSMsgType, web

from minicube.kubelet import streams_spdy as spdy
from minicube.kubelet.streams_engine import STDERR, STDOUT, EngineStream, Resize, StdioSession

SPDY_CHANNEL = "SPDY/3.1+v4.channel.k8s.io"
HANDSHAKE_TIMEOUT = 30.0
_OUTPUT = {STDOUT: "stdout", STDERR: "stderr"}


class SpdyStdio(StdioSession):
    def __init__(self, ws: web.WebSocketResponse, expected: set[str]) -> None:
        super().__init__(ws)
        self.expected = expected
        self._frames = spdy.FrameReader()
        self._headers = spdy.Headers()
        self._streams: dict[str, int] = {}   # streamtype -> stream id
        self._pending: list[spdy.Frame] = []  # frames that came before the process started
        self._resize_buffer = b""
        self._lock = asyncio.Lock()

    async def handshake(self) -> bool:
        """Wait for the client's streams (error, stdin, stdout, stderr, resize as asked)."""
        async def streams_opened() -> bool:
            async for msg in self.ws:
                if msg.type != WSMsgType.BINARY:
                    continue
                for frame in self._frames.feed(msg.data):
                    if isinstance(frame, spdy.Control) and frame.type == spdy.SYN_STREAM:
                        await self._open(frame)
                    else:
                        self._pending.append(frame)
                if self.expected <= set(self._streams):
                    return True
            return False
        try:
            return await asyncio.wait_for(streams_opened(), HANDSHAKE_TIMEOUT)
        except (asyncio.TimeoutError, ValueError):
            return False

    async def _send_status(self, status: dict[str, Any]) -> None:
        error = self._streams.get("error")
        if error is not None:
            await self._send(spdy.data(error, json.dumps(status).encode()))
        for stream_id in self._streams.values():
            await self._send(spdy.data(stream_id, b"", fin=True))

    async def _send(self, frame: bytes) -> None:
        async with self._lock:
            await self.ws.send_bytes(frame)

    async def _open(self, frame: spdy.Control) -> None:
        headers = spdy.syn_stream_headers(frame, self._headers)
        self._streams[headers.get("streamtype", "")] = frame.stream_id
        await self._send(spdy.syn_reply(frame.stream_id, self._headers))

    async def _output(self, engine: EngineStream) -> None:
        while (item := await engine.read()) is not None:
            channel, data = item
            stream_id = self._streams.get(_OUTPUT[STDOUT if engine.tty else channel])
            if data and stream_id is not None:
                await self._send(spdy.data(stream_id, data))

    async def _client_input(self, engine: EngineStream, resize: Resize) -> None:
        for frame in self._pending:
            await self._handle(frame, engine, resize)
        self._pending = []
        async for msg in self.ws:
            if msg.type == WSMsgType.BINARY:
                for frame in self._frames.feed(msg.data):
                    await self._handle(frame, engine, resize)

    async def _handle(self, frame: spdy.Frame, engine: EngineStream, resize: Resize) -> None:
        if isinstance(frame, spdy.Control):
            if frame.type == spdy.SYN_STREAM:
                await self._open(frame)
            elif frame.type == spdy.PING:
                await self._send(spdy.control(spdy.PING, frame.payload))
            return
        if frame.stream_id == self._streams.get("stdin"):
            if frame.data:
                await engine.write(frame.data)
            if frame.fin:
                engine.close_stdin()
        elif frame.stream_id == self._streams.get("resize"):
            self._resize_buffer += frame.data
            for width, height in self._sizes():
                await resize(width, height)

    def _sizes(self) -> list[tuple[int, int]]:
        """Whole JSON sizes from the resize stream (a message may be split across frames)."""
        decoder, out = json.JSONDecoder(), []
        text = self._resize_buffer.decode(errors="replace").lstrip()
        while text:
            try:
                size, end = decoder.raw_decode(text)
            except ValueError:
                break
            text = text[end:].lstrip()
            width, height = int(size.get("Width", 0)), int(size.get("Height", 0))
            if width > 0 and height > 0:
                out.append((width, height))
        self._resize_buffer = text.encode()
        return out
