"""GET /containerLogs on the kubelet's own server (what the API server proxies to)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from minicube.kubelet.server import KubeletServer
from tests.unit.kubelet_fixtures import FakeLogs, info

LINES = [b"2024-01-01T00:00:00.5Z one\n2024-01-01T00:00:01Z tw", b"o\n"]


def get(runtime: FakeLogs, path: str) -> tuple[int, str]:
    async def main() -> tuple[int, str]:
        server = TestServer(KubeletServer(runtime, lambda ns, pod: "u1").app(), host="127.0.0.1")
        await server.start_server()
        try:
            async with ClientSession() as s, s.get(server.make_url(path)) as r:
                return r.status, await r.text()
        finally:
            await server.close()
    return asyncio.run(main())


def runtime_with(*containers: Any) -> FakeLogs:
    runtime = FakeLogs(LINES)
    runtime.containers = {c.id: c for c in containers}
    return runtime


def test_logs_of_the_current_attempt() -> None:
    runtime = runtime_with(info(attempt=1), info(attempt=0, state="exited"))
    status, text = get(runtime, "/containerLogs/default/web/web?tailLines=5")
    assert status == 200 and "one" in text
    assert runtime.log_calls[0]["id"] == "web-1" and runtime.log_calls[0]["tail"] == 5


def test_previous_reads_the_earlier_attempt_and_never_follows() -> None:
    runtime = runtime_with(info(attempt=1), info(attempt=0, state="exited"))
    get(runtime, "/containerLogs/default/web/web?previous=true&follow=true")
    assert runtime.log_calls[0]["id"] == "web-0" and runtime.log_calls[0]["follow"] is False


def test_timestamps_are_padded_across_chunks() -> None:
    _, text = get(runtime_with(info()), "/containerLogs/default/web/web?timestamps=true")
    assert text == ("2024-01-01T00:00:00.500000000Z one\n"
                    "2024-01-01T00:00:01.000000000Z two\n")


def test_limit_bytes_cuts_the_stream() -> None:
    _, text = get(runtime_with(info()), "/containerLogs/default/web/web?limitBytes=10")
    assert text == "2024-01-01"


def test_an_unknown_container_is_a_404_naming_it() -> None:
    status, text = get(runtime_with(info()), "/containerLogs/default/web/nope")
    assert status == 404 and text.strip() == 'container "nope" in pod "web" not found'
