"""SPDY/3.1 framing as kubectl's port-forward speaks it."""

from __future__ import annotations

import struct
import zlib

import pytest

from minicube.kubelet import streams_spdy as spdy


def syn_stream(stream_id: int, headers: spdy.Headers, fields: dict[str, str]) -> bytes:
    return spdy.control(spdy.SYN_STREAM, struct.pack(">IIH", stream_id, 0, 0) + headers.encode(fields))


def test_the_dictionary_is_the_spdy3_one() -> None:
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2  # the DICTID a SPDY/3 peer expects
    assert spdy.DICTIONARY.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert spdy.DICTIONARY.endswith(b"utf-,*,enq=0.")


def test_frames_split_anywhere_are_reassembled() -> None:
    client = spdy.Headers()
    wire = syn_stream(1, client, {"streamtype": "data", "port": "80"}) + spdy.data(1, b"hello", fin=True)
    reader = spdy.FrameReader()
    frames = [f for i in range(len(wire)) for f in reader.feed(wire[i:i + 1])]
    assert [type(f) for f in frames] == [spdy.Control, spdy.Data]
    syn, data = frames
    assert isinstance(syn, spdy.Control) and syn.type == spdy.SYN_STREAM and syn.stream_id == 1
    assert isinstance(data, spdy.Data) and (data.stream_id, data.data, data.fin) == (1, b"hello", True)
    assert reader.feed(b"") == []


def test_header_blocks_share_one_compression_context_per_direction() -> None:
    client, server = spdy.Headers(), spdy.Headers()
    reader = spdy.FrameReader()
    for stream_id, kind in ((1, "error"), (3, "data"), (5, "error")):
        fields = {"streamtype": kind, "port": "8080", "requestid": str(stream_id // 4)}
        (frame,) = reader.feed(syn_stream(stream_id, client, fields))
        assert isinstance(frame, spdy.Control)
        assert spdy.syn_stream_headers(frame, server) == fields


def test_a_syn_reply_names_its_stream_and_decodes_on_the_client() -> None:
    server, client = spdy.Headers(), spdy.Headers()
    (frame,) = spdy.FrameReader().feed(spdy.syn_reply(7, server))
    assert isinstance(frame, spdy.Control) and frame.type == spdy.SYN_REPLY and frame.stream_id == 7
    assert client.decode(frame.payload[4:]) == {}


def test_control_frames_carry_version_3_and_flags() -> None:
    header = spdy.control(spdy.PING, b"\x00\x00\x00\x01", flags=0)[:8]
    assert header == b"\x80\x03\x00\x06\x00\x00\x00\x04"
    assert spdy.data(3, b"", fin=True) == b"\x00\x00\x00\x03\x01\x00\x00\x00"


def test_another_spdy_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version 2"):
        spdy.FrameReader().feed(b"\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01")
