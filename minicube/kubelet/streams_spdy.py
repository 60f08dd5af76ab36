"""SPDY/3.1 framing, the part kubectl's port-forward needs (pure: bytes in, frames out).

A frame starts with 8 bytes. Control frames: 1 bit set, 15-bit version (3), 16-bit type,
8-bit flags, 24-bit length. Data frames: 1 bit clear, 31-bit stream id, flags, length.
SYN_STREAM/SYN_REPLY carry a header block: uint32 count, then (uint32 len, name,
uint32 len, value) pairs, zlib-compressed with the SPDY/3 dictionary as one compression
context per direction for the whole connection (so one Headers codec per connection).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
VERSION = 3

_WORDS = (*(
    "options head post put delete trace accept accept-charset accept-encoding accept-language "
    "accept-ranges age allow authorization cache-control connection content-base content-encoding "
    "content-language content-length content-location content-md5 content-range content-type date "
    "etag expect expires from host if-match if-modified-since if-none-match if-range "
    "if-unmodified-since last-modified location max-forwards pragma proxy-authenticate "
    "proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade "
    "user-agent vary via warning www-authenticate method get status"
).split(), "200 OK", *"version HTTP/1.1 url public set-cookie keep-alive origin".split())
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


def _dictionary() -> bytes:
    """The SPDY/3 header dictionary (spec section 2.6.10.1): length-prefixed words, then text."""
    return b"".join(struct.pack(">I", len(w)) + w.encode() for w in _WORDS) + _TAIL.encode()


DICTIONARY = _dictionary()


@dataclass(frozen=True)
class Control:
    type: int
    flags: int
    payload: bytes

    @property
    def stream_id(self) -> int:
        """The stream a SYN_STREAM/SYN_REPLY/RST_STREAM/HEADERS/WINDOW_UPDATE is about."""
        return struct.unpack(">I", self.payload[:4])[0] & 0x7FFFFFFF


@dataclass(frozen=True)
class Data:
    stream_id: int
    flags: int
    data: bytes

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


Frame = Control | Data


class FrameReader:
    """Cuts a byte stream (split anywhere) into whole frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while len(self._buffer) >= 8:
            first, flags_length = struct.unpack(">II", self._buffer[:8])
            length = flags_length & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            payload = bytes(self._buffer[8:8 + length])
            del self._buffer[:8 + length]
            flags = flags_length >> 24
            if first & 0x80000000:
                version = (first >> 16) & 0x7FFF
                if version != VERSION:
                    raise ValueError(f"unsupported SPDY version {version}")
                frames.append(Control(first & 0xFFFF, flags, payload))
            else:
                frames.append(Data(first, flags, payload))
        return frames


class Headers:
    """One connection's header compression contexts (inbound and outbound)."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(zdict=DICTIONARY)
        self._deflater = zlib.compressobj(zdict=DICTIONARY)

    def decode(self, block: bytes) -> dict[str, str]:
        raw = self._inflater.decompress(block)
        (count,), pos = struct.unpack(">I", raw[:4]), 4
        out: dict[str, str] = {}
        for _ in range(count):
            pair = []
            for _ in range(2):
                (size,) = struct.unpack(">I", raw[pos:pos + 4])
                pair.append(raw[pos + 4:pos + 4 + size].decode())
                pos += 4 + size
            out[pair[0].lower()] = pair[1]
        return out

    def encode(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers))
        for name, value in headers.items():
            for text in (name.lower(), value):
                raw += struct.pack(">I", len(text.encode())) + text.encode()
        return self._deflater.compress(raw) + self._deflater.flush(zlib.Z_SYNC_FLUSH)


def syn_stream_headers(frame: Control, headers: Headers) -> dict[str, str]:
    """A SYN_STREAM's headers (after stream id, associated id, priority and slot)."""
    return headers.decode(frame.payload[10:])


def control(type_: int, payload: bytes, flags: int = 0) -> bytes:
    return struct.pack(">HHI", 0x8000 | VERSION, type_, (flags << 24) | len(payload)) + payload


def syn_reply(stream_id: int, headers: Headers, fields: dict[str, str] | None = None) -> bytes:
    return control(SYN_REPLY, struct.pack(">I", stream_id) + headers.encode(fields or {}))


def data(stream_id: int, payload: bytes, *, fin: bool = False) -> bytes:
    """One DATA frame (payloads stay far below the 24-bit length limit)."""
    flags = FLAG_FIN if fin else 0
    return struct.pack(">II", stream_id & 0x7FFFFFFF, (flags << 24) | len(payload)) + payload
