"""Kubernetes protobuf bodies (`application/vnd.kubernetes.protobuf`) decoded into JSON objects.

client-go >= 1.31 writes typed objects as protobuf (`kubectl create namespace|configmap|secret|
deployment|service|job` do), and a 415 gets no JSON retry, so the server must read them.

The body is 4 magic bytes `k8s\\0` and a runtime.Unknown{1 typeMeta{1 apiVersion, 2 kind},
2 raw, 3 contentEncoding, 4 contentType}; `raw` is the proto2 encoding of the typed object.
This is a generic proto2 wire decoder driven by field tables (proto_schema.py), not generated
code: a table maps each message's field numbers to a JSON name and a type.

Type grammar of a table entry: a scalar (`string`, `int`, `bool`, `bytes`, `double`), a
well-known message with a special JSON form (`time`, `microtime`, `intstr`, `quantity`,
`raw`), or the name of another table; `[]T` is repeated, `map<T>` a string-keyed map, a
leading `?` marks a Go pointer field whose zero value is kept, and an empty JSON name an
embedded (inline) Go struct. Go encodes its non-pointer
fields even when empty; decoding drops those zero values, as JSON's `omitempty` would.
"""

from __future__ import annotations

import base64
import json
import struct
from datetime import datetime, timezone
from typing import Any, Iterator

MAGIC = b"k8s\x00"
Messages = dict[str, dict[int, tuple[str, str]]]

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_SCALARS = ("string", "int", "bool", "bytes", "double")


class ProtobufError(ValueError):
    """The body is not a valid Kubernetes protobuf object."""


class UnknownKind(ProtobufError):
    """A well-formed body of a kind that has no field table here."""


def decode(body: bytes, messages: Messages, kinds: dict[tuple[str, str], str]) -> dict[str, Any]:
    """The JSON object of an enveloped body; `kinds` maps (apiVersion, kind) to a table name."""
    if not body.startswith(MAGIC):
        raise ProtobufError("the protobuf body does not start with the Kubernetes magic bytes")
    envelope: dict[int, Any] = {}
    for num, _, value in _fields(body[len(MAGIC):]):
        envelope[num] = value
    type_meta = {num: value for num, _, value in _fields(envelope.get(1, b""))}
    api_version = _text(type_meta.get(1, b""))
    kind = _text(type_meta.get(2, b""))
    if envelope.get(3):
        raise ProtobufError(f"unsupported protobuf content encoding {_text(envelope[3])!r}")
    message = kinds.get((api_version, kind))
    if message is None:
        raise UnknownKind(f"no protobuf decoding for {kind or '<none>'} "
                            f"({api_version or '<none>'}); send it as JSON")
    obj = decode_message(envelope.get(2, b""), message, messages)
    return {"apiVersion": api_version, "kind": kind, **obj}


def decode_message(buf: bytes, name: str, messages: Messages) -> dict[str, Any]:
    table = messages[name]
    out: dict[str, Any] = {}
    for num, wire, value in _fields(buf):
        spec = table.get(num)
        if spec is None:
            continue  # a field newer than our table: skip it, as proto readers do
        json_name, type_ = spec
        if type_.startswith("[]"):
            out.setdefault(json_name, []).extend(_repeated(type_[2:], wire, value, messages))
        elif type_.startswith("map<"):
            key, item = _map_entry(value, type_[4:-1], messages)
            out.setdefault(json_name, {})[key] = item
        elif not json_name:  # an embedded Go struct: its fields are the parent's
            out.update(_value(type_, wire, value, messages))
        else:
            keep_zero = type_.startswith("?")
            decoded = _value(type_.lstrip("?"), wire, value, messages)
            if keep_zero or not _is_zero(decoded):
                out[json_name] = decoded
            else:
                out.pop(json_name, None)
    return out


def _is_zero(value: Any) -> bool:
    return value is None or value == "" or value is False or value == {} or value == [] or (
        value == 0 and not isinstance(value, bool))


def _repeated(type_: str, wire: int, value: Any, messages: Messages) -> list[Any]:
    if wire == _BYTES and type_ in ("int", "bool", "double"):  # a packed run of numbers
        items = list(_packed(value, type_))
        return [bool(i) for i in items] if type_ == "bool" else items
    return [_value(type_, wire, value, messages)]


def _map_entry(buf: bytes, type_: str, messages: Messages) -> tuple[str, Any]:
    key, item = "", _value(type_, _BYTES, b"", messages) if type_ != "int" else 0
    for num, wire, value in _fields(buf):
        if num == 1:
            key = _text(value)
        elif num == 2:
            item = _value(type_, wire, value, messages)
    return key, item


def _value(type_: str, wire: int, value: Any, messages: Messages) -> Any:
    if type_ == "string":
        return _text(value)
    if type_ == "bytes":
        return base64.b64encode(value).decode()
    if type_ == "int":
        return _signed(value)
    if type_ == "bool":
        return bool(value)
    if type_ == "double":
        return struct.unpack("<d", struct.pack("<Q", value))[0] if wire == _FIXED64 else float(value)
    if type_ in ("time", "microtime"):
        return _time(value, micro=type_ == "microtime")
    if type_ == "intstr":
        return _int_or_string(value)
    if type_ == "quantity":
        return next((_text(v) for n, _, v in _fields(value) if n == 1), "")
    if type_ == "raw":
        raw = next((v for n, _, v in _fields(value) if n == 1), b"")
        try:
            return json.loads(raw) if raw else None
        except ValueError as e:
            raise ProtobufError(f"a RawExtension holds invalid JSON: {e}") from None
    if type_ not in messages:
        raise ProtobufError(f"no field table for protobuf message {type_}")
    if not isinstance(value, bytes):
        raise ProtobufError(f"{type_}: expected a length-delimited message")
    return decode_message(value, type_, messages)


def _time(buf: bytes, micro: bool) -> str | None:
    parts = {n: v for n, _, v in _fields(buf)}
    seconds, nanos = _signed(parts.get(1, 0)), _signed(parts.get(2, 0))
    if not seconds and not nanos:
        return None  # Go's zero time: JSON null, dropped as empty
    at = datetime.fromtimestamp(seconds, timezone.utc)
    if micro:
        return at.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _int_or_string(buf: bytes) -> int | str:
    parts = {n: v for n, _, v in _fields(buf)}
    if parts.get(1, 0) == 1:
        return _text(parts.get(3, b""))
    return _signed(parts.get(2, 0))


def _text(value: Any) -> str:
    if not isinstance(value, bytes):
        raise ProtobufError("expected a length-delimited string")
    try:
        return value.decode()
    except UnicodeDecodeError:
        raise ProtobufError("a string field is not valid UTF-8") from None


def _signed(value: Any) -> int:
    if not isinstance(value, int):
        raise ProtobufError("expected a varint")
    return value - (1 << 64) if value >= 1 << 63 else value


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) for each field: ints for varint/fixed, bytes otherwise."""
    pos, end = 0, len(buf)
    while pos < end:
        tag, pos = _varint(buf, pos)
        num, wire = tag >> 3, tag & 7
        value: Any
        if wire == _VARINT:
            value, pos = _varint(buf, pos)
        elif wire == _BYTES:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise ProtobufError("a length-delimited field runs past the end of the body")
            value, pos = buf[pos:pos + length], pos + length
        elif wire in (_FIXED64, _FIXED32):
            size = 8 if wire == _FIXED64 else 4
            if pos + size > end:
                raise ProtobufError("a fixed-size field runs past the end of the body")
            value = int.from_bytes(buf[pos:pos + size], "little")
            pos += size
        else:
            raise ProtobufError(f"unsupported protobuf wire type {wire} (field {num})")
        yield num, wire, value


def _packed(buf: bytes, type_: str) -> Iterator[Any]:
    pos = 0
    while pos < len(buf):
        if type_ == "double":
            yield struct.unpack("<d", buf[pos:pos + 8])[0]
            pos += 8
        else:
            value, pos = _varint(buf, pos)
            yield _signed(value)


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ProtobufError("a varint is truncated or too long")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & ((1 << 64) - 1), pos
        shift += 7
