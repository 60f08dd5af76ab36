"""Probe semantics (thresholds, initial delays) and the handlers against real local sockets."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from minicube.client import EventRecorder
from minicube.kubelet import handlers
from minicube.kubelet.handlers import Target, resolve_port
from minicube.kubelet.probes import Prober, ProbeState, first_delay
from tests.unit.kubelet_fixtures import FakeClient, info, make_pod


def test_readiness_needs_success_threshold_successes_then_failure_threshold_failures() -> None:
    s = ProbeState.of("readinessProbe", {"successThreshold": 2, "failureThreshold": 2})
    assert [s.record(ok) for ok in (True, True, False, True, False, False)] == [
        False, True, False, False, False, True]
    assert s.result is False and not s.fatal


def test_liveness_starts_healthy_and_fails_after_the_threshold() -> None:
    s = ProbeState.of("livenessProbe", {"failureThreshold": 3})
    assert s.result and not s.fatal
    assert [s.record(False) for _ in range(3)] == [False, False, True] and s.fatal


def test_startup_succeeds_once_or_is_fatal_after_its_failures() -> None:
    s = ProbeState.of("startupProbe", {"failureThreshold": 2})
    assert not s.record(False) and s.record(False) and s.fatal
    ok = ProbeState.of("startupProbe", {})
    assert ok.record(True) and ok.result and not ok.fatal


def test_the_first_probe_waits_the_initial_delay_from_the_container_start() -> None:
    assert first_delay({"initialDelaySeconds": 5}, started_at=100.0, now=102.0) == 3.0
    assert first_delay({"initialDelaySeconds": 5}, started_at=100.0, now=110.0) == 0.0
    assert first_delay({}, started_at=100.0, now=100.0) == 0.0


def test_named_ports_resolve_from_the_containers_ports() -> None:
    c = {"ports": [{"name": "http", "containerPort": 8080}]}
    assert (resolve_port("http", c), resolve_port(80, c), resolve_port("81", c)) == (8080, 80, 81)


class FakeExec:
    def __init__(self, code: int, output: str = "") -> None:
        self.code, self.output, self.calls = code, output, []  # type: ignore[var-annotated]

    async def exec(self, cid: str, cmd: list[str], timeout: float) -> tuple[int, str]:
        self.calls.append((cid, cmd))
        return self.code, self.output


def run(handler: dict[str, Any], runtime: Any = None, container: Any = None) -> tuple[bool, str]:
    return asyncio.run(handlers.run(handler, Target("c1", container or {}, "127.0.0.1"),
                                    runtime or FakeExec(0), 1.0))


def test_exec_succeeds_on_exit_zero_and_reports_output_otherwise() -> None:
    assert run({"exec": {"command": ["true"]}})[0]
    assert run({"exec": {"command": ["cat", "/x"]}}, FakeExec(1, "no such file")) == (
        False, "no such file")


async def _serve(status: int, seen: dict[str, str]) -> tuple[web.AppRunner, int]:
    async def handle(request: web.Request) -> web.Response:
        seen.update(request.headers)
        seen["path"] = request.path
        return web.Response(status=status, text="ok")
    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


def test_http_get_sends_headers_to_a_named_port_and_judges_the_status() -> None:
    async def main() -> list[tuple[bool, str]]:
        out = []
        for status in (200, 302, 500):
            seen: dict[str, str] = {}
            runner, port = await _serve(status, seen)
            container = {"ports": [{"name": "web", "containerPort": port}]}
            out.append(await handlers.run(
                {"httpGet": {"path": "/healthz", "port": "web",
                             "httpHeaders": [{"name": "X-Probe", "value": "1"}]}},
                Target("c1", container, "127.0.0.1"), FakeExec(0), 1.0))
            await runner.cleanup()
            assert seen["X-Probe"] == "1" and seen["path"] == "/healthz"
            assert seen["User-Agent"].startswith("kube-probe/")
        return out
    results = asyncio.run(main())
    assert [ok for ok, _ in results] == [True, True, False]
    assert results[2][1] == "HTTP probe failed with statuscode: 500"


def test_tcp_socket_connects_or_fails() -> None:
    async def main() -> tuple[bool, bool]:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        ok = await handlers.run({"tcpSocket": {"port": port}}, Target("c", {}, "127.0.0.1"),
                                FakeExec(0), 1.0)
        server.close()
        await server.wait_closed()
        bad = await handlers.run({"tcpSocket": {"port": port}}, Target("c", {}, "127.0.0.1"),
                                 FakeExec(0), 1.0)
        return ok[0], bad[0]
    assert asyncio.run(main()) == (True, False)


def test_the_prober_marks_a_container_ready_and_tells_the_pod_sync() -> None:
    async def main() -> tuple[set[str], set[str], list[str], set[str]]:
        pod = make_pod()
        pod["spec"]["containers"][0]["readinessProbe"] = {"exec": {"command": ["true"]}}
        changed: list[str] = []
        recorder = EventRecorder(FakeClient(), "kubelet")  # type: ignore[arg-type]
        prober = Prober(FakeExec(0), recorder, changed.append)
        running = [info("POD"), info(started_at="")]
        prober.update(pod, running, "10.244.0.5")
        before = prober.unready("u1")
        await asyncio.sleep(0.05)
        after = prober.unready("u1")
        prober.update(pod, [info("POD")], "10.244.0.5")   # the container is gone
        gone = prober.unready("u1")
        await recorder.close()
        return before, after, changed, gone
    before, after, changed, gone = asyncio.run(main())
    assert before == {"web-0"} and after == set() and changed == ["u1"] and gone == set()
