"""Port-forward sessions: client connections tunnelled to a port on the pod's IP.

Two client protocols (both inside one websocket):
- `SPDY/3.1+portforward.k8s.io` (kubectl): SPDY frames as the websocket's byte stream. For
  every local connection kubectl opens an error stream and a data stream (headers
  streamtype, port, requestid); each gets a SYN_REPLY, the data stream is wired to a new
  connection to the pod, and when the pod closes both streams are finished with FIN (kubectl
  reads the error stream to its end before it closes the local connection).
- `v4.channel.k8s.io` (the Python client): one connection per port in `ports`, on channels
  2i (data) and 2i+1 (error); the first message on each channel is the port, little-endian.
The pod is reached at its IP on the pod network, which the node's own processes can route to.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from aiohttp import WSMsgType, web

from minicube.kubelet import streams_spdy as spdy

log = logging.getLogger(__name__)

SPDY_PORT_FORWARD = "SPDY/3.1+portforward.k8s.io"
V4 = "v4.channel.k8s.io"
PORT_FORWARD_PROTOCOLS = (SPDY_PORT_FORWARD, V4)
CONNECT_TIMEOUT = 10.0
_CHUNK = 32 * 1024
_SEND_ERRORS = (ConnectionError, RuntimeError)  # the client's websocket went away


def parse_ports(values: list[str]) -> list[int]:
    """Ports from the `ports` query values (repeated and/or comma-separated)."""
    ports = []
    for value in values:
        for part in value.split(","):
            try:
                port = int(part)
            except ValueError:
                raise ValueError(f'unable to parse "{part}" as a port') from None
            if not 0 < port < 65536:
                raise ValueError(f"port {port} must be between 1 and 65535")
            ports.append(port)
    if not ports:
        raise ValueError('query parameter "ports" is required')
    return ports


async def _connect(ip: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection(ip, port), CONNECT_TIMEOUT)


class SpdyPortForward:
    def __init__(self, ws: web.WebSocketResponse, ip: str, where: str) -> None:
        self.ws = ws
        self.ip = ip
        self.where = where
        self._frames = spdy.FrameReader()
        self._headers = spdy.Headers()
        self._lock = asyncio.Lock()
        self._error_streams: dict[str, int] = {}            # requestid -> error stream id
        self._writers: dict[int, asyncio.StreamWriter] = {}  # data stream id -> pod connection
        self._pumps: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type == WSMsgType.BINARY:
                    for frame in self._frames.feed(msg.data):
                        await self._handle(frame)
        except ValueError as e:
            log.info("port-forward to %s: bad SPDY from the client: %s", self.where, e)
        finally:
            for task in self._pumps:
                task.cancel()
            for writer in self._writers.values():
                writer.close()
            await self.ws.close()

    async def _send(self, frame: bytes) -> None:
        async with self._lock:
            await self.ws.send_bytes(frame)

    async def _handle(self, frame: spdy.Frame) -> None:
        if isinstance(frame, spdy.Data):
            writer = self._writers.get(frame.stream_id)
            if writer is None:
                return
            try:
                if frame.data:
                    writer.write(frame.data)
                    await writer.drain()
                if frame.fin and writer.can_write_eof():
                    writer.write_eof()  # the local side is done sending: half-close
            except ConnectionError:
                pass  # the pod closed; its pump finishes the streams
        elif frame.type == spdy.SYN_STREAM:
            await self._open(frame)
        elif frame.type == spdy.PING:
            await self._send(spdy.control(spdy.PING, frame.payload))
        elif frame.type == spdy.RST_STREAM:
            writer = self._writers.pop(frame.stream_id, None)
            if writer is not None:
                writer.close()

    async def _open(self, frame: spdy.Control) -> None:
        headers = spdy.syn_stream_headers(frame, self._headers)
        stream_id, request_id = frame.stream_id, headers.get("requestid", "")
        await self._send(spdy.syn_reply(stream_id, self._headers))
        kind = headers.get("streamtype")
        if kind == "error":
            self._error_streams[request_id] = stream_id
        if kind != "data":
            return
        port = headers.get("port", "")
        try:
            reader, writer = await _connect(self.ip, int(port))
        except (OSError, ValueError, asyncio.TimeoutError) as e:
            message = f"error forwarding port {port} to {self.where}: {e or 'connection timed out'}"
            log.info("%s", message)
            await self._finish(stream_id, request_id, message)
            return
        self._writers[stream_id] = writer
        task = asyncio.create_task(self._pump(stream_id, request_id, reader))
        self._pumps.add(task)
        task.add_done_callback(self._pumps.discard)

    async def _pump(self, stream_id: int, request_id: str, reader: asyncio.StreamReader) -> None:
        """Pod -> client until the pod closes its side."""
        try:
            while chunk := await reader.read(_CHUNK):
                await self._send(spdy.data(stream_id, chunk))
        except ConnectionError:
            pass
        with suppress(*_SEND_ERRORS):
            await self._finish(stream_id, request_id, "")

    async def _finish(self, stream_id: int, request_id: str, error: str) -> None:
        await self._send(spdy.data(stream_id, b"", fin=True))
        error_stream = self._error_streams.pop(request_id, None)
        if error_stream is not None:
            await self._send(spdy.data(error_stream, error.encode(), fin=True))


class ChannelPortForward:
    def __init__(self, ws: web.WebSocketResponse, ip: str, where: str, ports: list[int]) -> None:
        self.ws = ws
        self.ip = ip
        self.where = where
        self.ports = ports
        self._writers: dict[int, asyncio.StreamWriter] = {}  # data channel -> pod connection

    async def run(self) -> None:
        pumps = []
        try:
            for index, port in enumerate(self.ports):
                data_ch, error_ch = 2 * index, 2 * index + 1
                head = port.to_bytes(2, "little")
                await self.ws.send_bytes(bytes([data_ch]) + head)
                await self.ws.send_bytes(bytes([error_ch]) + head)
                try:
                    reader, writer = await _connect(self.ip, port)
                except (OSError, asyncio.TimeoutError) as e:
                    message = f"error forwarding port {port} to {self.where}: {e or 'connection timed out'}"
                    await self.ws.send_bytes(bytes([error_ch]) + message.encode())
                    continue
                self._writers[data_ch] = writer
                pumps.append(asyncio.create_task(self._pump(data_ch, reader)))
            inbound = asyncio.create_task(self._client_input())
            if pumps:
                # Done when every pod connection has closed, or when the client leaves.
                all_closed: asyncio.Future[Any] = asyncio.gather(*pumps)
                await asyncio.wait([inbound, all_closed], return_when=asyncio.FIRST_COMPLETED)
            inbound.cancel()
        except _SEND_ERRORS:
            pass
        finally:
            for task in pumps:
                task.cancel()
            for writer in self._writers.values():
                writer.close()
            await self.ws.close()

    async def _pump(self, channel: int, reader: asyncio.StreamReader) -> None:
        with suppress(ConnectionError):
            while chunk := await reader.read(_CHUNK):
                await self.ws.send_bytes(bytes([channel]) + chunk)

    async def _client_input(self) -> None:
        async for msg in self.ws:
            if msg.type != WSMsgType.BINARY or not msg.data:
                continue
            writer = self._writers.get(msg.data[0])
            if writer is not None and len(msg.data) > 1:
                with suppress(ConnectionError):
                    writer.write(msg.data[1:])
                    await writer.drain()
