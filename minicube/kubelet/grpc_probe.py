"""The grpc probe handler: one call of the gRPC Health Checking Protocol.

As upstream's prober: connect in plaintext to the pod IP and port (waiting for the channel
until the probe's timeout), call grpc.health.v1.Health/Check with the probe's `service`
(default ""), and succeed only on SERVING. Every other outcome is a failure whose message
is upstream's, so `kubectl describe` shows the same Unhealthy events.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from minicube.kubelet.handlers import USER_AGENT, Target, resolve_port

Obj = dict[str, Any]


def address(host: str, port: int) -> str:
    """host:port, with an IPv6 host in brackets (Go's net.JoinHostPort)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def rpc_failure(code: grpc.StatusCode, details: str, timeout: float) -> str:
    """The message of a Check call that ended with a gRPC error status."""
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return ("error: this server does not implement the grpc health protocol "
                f"(grpc.health.v1.Health): {details}")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return f"timeout: health rpc did not complete within {_duration(timeout)}"
    return f"error: health rpc probe failed: rpc error: code = {_code_name(code)} desc = {details}"


def verdict(status: int) -> tuple[bool, str]:
    """(success, message) of a Check response's serving status."""
    if status == health_pb2.HealthCheckResponse.SERVING:
        return True, "service healthy"
    name = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
    return False, f'service unhealthy (responded with "{name}")'


async def check(spec: Obj, target: Target, timeout: float) -> tuple[bool, str]:
    """(success, message) of one grpc probe of the target container."""
    port = resolve_port(spec.get("port", 0), target.container)
    addr = address(target.pod_ip, port)
    deadline = time.monotonic() + timeout
    options = [("grpc.primary_user_agent", USER_AGENT)]
    async with grpc.aio.insecure_channel(addr, options=options) as channel:
        try:
            # Upstream dials with WithBlock: connection errors are retried until the timeout.
            await asyncio.wait_for(channel.channel_ready(), timeout)
        except asyncio.TimeoutError:
            return False, (f'timeout: failed to connect service "{addr}" within '
                           f"{_duration(timeout)}: context deadline exceeded")
        stub = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest(service=spec.get("service") or "")
        try:
            response = await stub.Check(request, timeout=max(0.0, deadline - time.monotonic()))
        except grpc.aio.AioRpcError as e:
            return False, rpc_failure(e.code(), e.details() or "", timeout)
    return verdict(response.status)


def _code_name(code: grpc.StatusCode) -> str:
    """Go's codes.Code String(): NOT_FOUND -> NotFound."""
    return "".join(part.capitalize() for part in code.name.split("_"))


def _duration(seconds: float) -> str:
    """Go's time.Duration String() for the whole seconds a probe timeout holds."""
    return f"{seconds:g}s"
