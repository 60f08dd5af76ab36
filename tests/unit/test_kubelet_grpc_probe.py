"""grpc probes: upstream's result mapping, and real Health/Check calls to a local grpcio server."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from minicube.kubelet import grpc_probe
from minicube.kubelet.handlers import Target
from minicube.kubelet.probes import run

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
LOCAL = Target("c1", {}, "127.0.0.1")
NO_EXEC: Any = None   # grpc probes never exec in the container


def test_only_serving_is_a_success() -> None:
    assert grpc_probe.verdict(SERVING) == (True, "service healthy")
    assert grpc_probe.verdict(NOT_SERVING) == (
        False, 'service unhealthy (responded with "NOT_SERVING")')
    assert grpc_probe.verdict(health_pb2.HealthCheckResponse.SERVICE_UNKNOWN) == (
        False, 'service unhealthy (responded with "SERVICE_UNKNOWN")')


def test_rpc_errors_read_as_upstreams_messages() -> None:
    assert grpc_probe.rpc_failure(grpc.StatusCode.UNIMPLEMENTED, "Method not found!", 1) == (
        "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): "
        "Method not found!")
    assert grpc_probe.rpc_failure(grpc.StatusCode.DEADLINE_EXCEEDED, "", 2) == (
        "timeout: health rpc did not complete within 2s")
    assert grpc_probe.rpc_failure(grpc.StatusCode.NOT_FOUND, "unknown service", 1) == (
        "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service")


def test_ipv6_hosts_are_bracketed() -> None:
    assert grpc_probe.address("10.244.0.5", 50051) == "10.244.0.5:50051"
    assert grpc_probe.address("fd00::5", 50051) == "[fd00::5]:50051"


def _probe(handler: dict[str, Any], timeout: float = 1.0) -> tuple[bool, str]:
    return asyncio.run(run(handler, LOCAL, NO_EXEC, timeout))


def _with_server(check: Any, *, statuses: dict[str, int], health_service: bool = True) -> Any:
    async def main() -> Any:
        server = grpc.aio.server()
        port = server.add_insecure_port("127.0.0.1:0")
        if health_service:
            servicer = health.aio.HealthServicer()
            for name, status in statuses.items():
                await servicer.set(name, status)
            health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
        await server.start()
        try:
            return await check(port)
        finally:
            await server.stop(None)
    return asyncio.run(main())


def test_a_real_health_server_answers_per_service() -> None:
    async def check(port: int) -> list[tuple[bool, str]]:
        return [await run({"grpc": spec}, LOCAL, NO_EXEC, 1.0)
                for spec in ({"port": port}, {"port": port, "service": "db"},
                             {"port": port, "service": "nope"})]
    results = _with_server(check, statuses={"": SERVING, "db": NOT_SERVING})
    assert results[0] == (True, "service healthy")
    assert results[1] == (False, 'service unhealthy (responded with "NOT_SERVING")')
    # grpcio's servicer answers an unknown service with NOT_FOUND and no details.
    assert results[2] == (False, "error: health rpc probe failed: rpc error: code = NotFound desc = ")


def test_a_server_without_the_health_service_is_unimplemented() -> None:
    async def check(port: int) -> tuple[bool, str]:
        return await run({"grpc": {"port": port}}, LOCAL, NO_EXEC, 1.0)
    ok, message = _with_server(check, statuses={}, health_service=False)
    assert not ok and message.startswith("error: this server does not implement the grpc health "
                                         "protocol (grpc.health.v1.Health)"), message


def test_nothing_listening_times_out_connecting() -> None:
    with socket.socket() as s:   # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ok, message = _probe({"grpc": {"port": port}}, timeout=0.5)
    assert not ok
    assert message == (f'timeout: failed to connect service "127.0.0.1:{port}" within 0.5s: '
                       "context deadline exceeded")



def test_an_out_of_range_port_fails_without_a_call() -> None:
    assert _probe({"grpc": {"port": 70000}}) == (False, "invalid port number: 70000")
