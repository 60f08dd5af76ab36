"""The protobuf request-body decoder, fed bodies built field by field as client-go writes them."""

from __future__ import annotations

import base64

import pytest

from minicube.api import proto_schema
from minicube.api.protobuf import MAGIC, ProtobufError, UnknownKind, decode


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def ln(num: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(num << 3 | 2) + varint(len(data)) + data


def vi(num: int, n: int) -> bytes:
    return varint(num << 3) + varint(n)


def entry(num: int, key: str, value: bytes | str) -> bytes:
    return ln(num, ln(1, key) + ln(2, value))


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return MAGIC + ln(1, ln(1, api_version) + ln(2, kind)) + ln(2, raw) + ln(3, "") + ln(4, "")


def run(api_version: str, kind: str, raw: bytes) -> dict:
    return decode(envelope(api_version, kind, raw), proto_schema.MESSAGES, proto_schema.KINDS)


# Go writes every non-pointer field, empty or not: an empty ObjectMeta as kubectl sends it.
EMPTY_META = ln(1, "") + ln(2, "") + ln(3, "") + ln(5, "") + ln(6, "") + vi(7, 0) + ln(8, b"")


def test_configmap_drops_go_zero_values_and_keeps_maps() -> None:
    raw = ln(1, ln(1, "cfg") + ln(2, "") + ln(3, "") + vi(7, 0) + ln(8, b"") +
             entry(11, "app", "web")) + entry(2, "a", "1") + entry(2, "b", "two words") + \
        entry(3, "bin", b"\x00\xff")
    assert run("v1", "ConfigMap", raw) == {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "labels": {"app": "web"}},
        "data": {"a": "1", "b": "two words"},
        "binaryData": {"bin": base64.b64encode(b"\x00\xff").decode()}}


def test_secret_bytes_become_base64_and_immutable_false_is_kept() -> None:
    raw = ln(1, ln(1, "s")) + entry(2, "pw", b"s3cr=t") + ln(3, "Opaque") + vi(5, 0)
    obj = run("v1", "Secret", raw)
    assert obj["data"] == {"pw": base64.b64encode(b"s3cr=t").decode()}
    assert obj["type"] == "Opaque" and obj["immutable"] is False  # a Go *bool set to false


def test_deployment_tree_with_pointer_zero_intorstring_and_quantities() -> None:
    container = ln(1, "nginx") + ln(2, "nginx:1.27") + ln(3, "sh") + ln(3, "-c") + \
        ln(6, ln(1, "") + vi(3, 80) + ln(4, "TCP")) + \
        ln(8, entry(1, "cpu", ln(1, "500m")) + entry(2, "memory", ln(1, "64Mi"))) + \
        ln(10, ln(1, ln(2, ln(1, "/healthz") + ln(2, vi(1, 1) + ln(3, "http")))) + vi(3, 1))
    template = ln(1, EMPTY_META + entry(11, "app", "web")) + ln(2, ln(2, container) + ln(3, ""))
    strategy = ln(1, "RollingUpdate") + ln(2, ln(1, vi(1, 0) + vi(2, 1)) + ln(2, vi(1, 1) + ln(3, "25%")))
    spec = vi(1, 0) + ln(2, entry(1, "app", "web")) + ln(3, template) + ln(4, strategy)
    obj = run("apps/v1", "Deployment", ln(1, ln(1, "web")) + ln(2, spec) + ln(3, b""))
    assert obj["spec"]["replicas"] == 0  # a pointer: an explicit zero stays
    c = obj["spec"]["template"]["spec"]["containers"][0]
    assert c["command"] == ["sh", "-c"] and c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert c["resources"] == {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}}
    assert c["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": "http"}, "timeoutSeconds": 1}
    assert obj["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": "25%"}
    assert "status" not in obj and obj["spec"]["template"]["metadata"] == {"labels": {"app": "web"}}


def test_inline_structs_negative_ints_and_times() -> None:
    volume = ln(1, "cfg") + ln(2, ln(19, ln(1, ln(1, "settings")) + vi(3, 420)))
    env = ln(1, "PW") + ln(3, ln(4, ln(1, ln(1, "creds")) + ln(2, "pw")))
    pod_spec = ln(1, volume) + ln(2, ln(1, "app") + ln(7, env)) + vi(4, -1)
    meta = ln(1, "p") + ln(8, vi(1, 1_700_000_000))
    obj = run("v1", "Pod", ln(1, meta) + ln(2, pod_spec))
    assert obj["spec"]["volumes"] == [{"name": "cfg", "configMap": {"name": "settings", "defaultMode": 420}}]
    assert obj["spec"]["containers"][0]["env"][0]["valueFrom"] == {"secretKeyRef": {"name": "creds", "key": "pw"}}
    assert obj["spec"]["terminationGracePeriodSeconds"] == -1
    assert obj["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z"


def test_unknown_fields_are_skipped() -> None:
    raw = ln(1, ln(1, "n") + ln(99, "future")) + vi(98, 7)
    assert run("v1", "Namespace", raw) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}


@pytest.mark.parametrize("body", [b"{}", MAGIC + b"\x0a\x05ab", MAGIC + b"\x0f"])
def test_malformed_bodies_are_errors(body: bytes) -> None:
    with pytest.raises(ProtobufError):
        decode(body, proto_schema.MESSAGES, proto_schema.KINDS)


def test_a_kind_without_a_table_is_named() -> None:
    with pytest.raises(UnknownKind, match="Widget"):
        run("example.com/v1", "Widget", b"")


def test_every_table_reference_resolves() -> None:
    scalars = {"string", "int", "bool", "bytes", "double", "time", "microtime", "intstr", "quantity", "raw"}
    for name, table in proto_schema.MESSAGES.items():
        for num, (_, type_) in table.items():
            base = type_.lstrip("?").removeprefix("[]")
            base = base[4:-1] if base.startswith("map<") else base
            assert base in scalars or base in proto_schema.MESSAGES, f"{name}.{num}: {type_}"
    assert all(m in proto_schema.MESSAGES for m in proto_schema.KINDS.values())
