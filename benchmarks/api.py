"""The API server's figures, from one run: GET/PATCH p99 at 100 requests/s, max GETs/s, watch fan-out.

    python -m benchmarks.api [--requests 500] [--watchers 100] [--settle 0.2] [--only-watch]

The API server runs in a child process (SQLite store in a temp dir, loopback HTTP), as in the
integration tests; the load comes from this process with aiohttp. Each figure is printed beside
the same request pattern against GET /healthz on the same server in the same run, because these
machines are noisy and only the ratio means something. Targets (issue 5): p99 <= 20 ms at
100 requests/s, >= 1000 GETs/s, 100 watchers each see a change within 100 ms (p99).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

NS = "default"
CM_PATH = f"/api/v1/namespaces/{NS}/configmaps"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(root: str, http_port: int) -> None:
    from minicube.apiserver.app import ApiServer, ApiServerConfig
    from minicube.node import pki
    from minicube.store.sqlite import SqliteStore

    pki_dir = Path(root) / "pki"
    pki.ensure(pki_dir, "bench", ["127.0.0.1"])
    config = ApiServerConfig(pki_dir=pki_dir, https_host="127.0.0.1", https_port=_free_port(),
                             http_port=http_port, kubelet_url="http://127.0.0.1:9")

    async def main() -> None:
        await ApiServer(SqliteStore(Path(root) / "state.db"), config).serve()
    asyncio.run(main())


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] * 1000


def report(name: str, value: float, baseline: float, unit: str, target: str) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(f"{name:<34} {value:9.1f} {unit:<5} baseline {baseline:9.1f} {unit:<5} ratio {ratio:6.2f}x  {target}",
          flush=True)


Request = Callable[[aiohttp.ClientSession], Awaitable[None]]


async def paced(session: aiohttp.ClientSession, request: Request, count: int, rate: float) -> list[float]:
    """Latencies of `count` requests issued at `rate` per second (open loop, like real clients)."""
    latencies: list[float] = []

    async def one() -> None:
        start = time.perf_counter()
        await request(session)
        latencies.append(time.perf_counter() - start)
    tasks = []
    begin = time.perf_counter()
    for i in range(count):
        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(max(0.0, begin + (i + 1) / rate - time.perf_counter()))
    await asyncio.gather(*tasks)
    return latencies


async def throughput(session: aiohttp.ClientSession, request: Request, seconds: float, workers: int = 32) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await request(session)
            done += 1
    await asyncio.gather(*(worker() for _ in range(workers)))
    return done / seconds


async def watch_fanout(base: str, watchers: int, settle: float) -> list[float]:
    """Open `watchers` watches on one ConfigMap, change it `settle` seconds after the last one
    got its response headers, and time until each sees MODIFIED."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async with session.get(f"{base}{CM_PATH}/watched") as r:
            rv = (await r.json())["metadata"]["resourceVersion"]
        changed = asyncio.Event()
        started: list[float] = []
        ready = 0
        all_ready = asyncio.Event()

        async def watcher() -> float:
            nonlocal ready
            url = f"{base}{CM_PATH}?watch=1&fieldSelector=metadata.name%3Dwatched&resourceVersion={rv}"
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as resp:
                ready += 1
                if ready == watchers:
                    all_ready.set()
                async for line in resp.content:
                    if json.loads(line)["type"] == "MODIFIED":
                        await changed.wait()
                        return time.perf_counter() - started[0]
            raise RuntimeError("watch ended without the change")
        tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
        await asyncio.wait_for(all_ready.wait(), 30)
        await asyncio.sleep(settle)  # the server registers each watch after sending its headers
        started.append(time.perf_counter())
        changed.set()
        async with session.patch(f"{base}{CM_PATH}/watched", data=json.dumps({"data": {"v": "2"}}),
                                 headers={"Content-Type": "application/merge-patch+json"}) as r:
            r.raise_for_status()
        return list(await asyncio.gather(*tasks))


async def run(base: str, count: int, watchers: int, settle: float, only_watch: bool) -> None:
    async with aiohttp.ClientSession() as session:
        for name in ("bench", "watched"):
            await session.post(base + CM_PATH, json={"metadata": {"name": name}, "data": {"v": "1"}})
        if only_watch:
            return await _watch_report(base, watchers, settle)
        counter = iter(range(10**9))

        async def get_cm(s: aiohttp.ClientSession) -> None:
            async with s.get(f"{base}{CM_PATH}/bench") as r:
                await r.read()

        async def patch_cm(s: aiohttp.ClientSession) -> None:
            body = json.dumps({"data": {"v": str(next(counter))}})
            async with s.patch(f"{base}{CM_PATH}/bench", data=body,
                               headers={"Content-Type": "application/merge-patch+json"}) as r:
                await r.read()

        async def healthz(s: aiohttp.ClientSession) -> None:
            async with s.get(f"{base}/healthz") as r:
                await r.read()

        await throughput(session, get_cm, 0.5)  # warm up
        base_p99 = p99(await paced(session, healthz, count, 100))
        report("GET p99 @100/s", p99(await paced(session, get_cm, count, 100)), base_p99, "ms", "target <= 20 ms")
        report("PATCH p99 @100/s", p99(await paced(session, patch_cm, count, 100)), base_p99, "ms", "target <= 20 ms")
        report("GETs per second", await throughput(session, get_cm, 3), await throughput(session, healthz, 3),
               "req/s", "target >= 1000")
    await _watch_report(base, watchers, settle)


async def _watch_report(base: str, watchers: int, settle: float) -> None:
    latencies = await watch_fanout(base, watchers, settle)
    print(f"{'watch fan-out p99 (' + str(watchers) + ' watchers)':<34} {p99(latencies):9.1f} ms    "
          f"max {max(latencies) * 1000:.1f} ms  (change {settle} s after connecting) "
          "target <= 100 ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="The API server's latency and throughput figures.")
    parser.add_argument("--requests", type=int, default=500, help="requests per latency figure")
    parser.add_argument("--watchers", type=int, default=100, help="concurrent watches for the fan-out")
    parser.add_argument("--settle", type=float, default=0.2,
                        help="seconds between the last watch connecting and the change it waits for")
    parser.add_argument("--only-watch", action="store_true", help="measure only the watch fan-out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        port = _free_port()
        server = multiprocessing.get_context("spawn").Process(target=_serve, args=(root, port), daemon=True)
        server.start()
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(_wait_ready(base))
            asyncio.run(run(base, args.requests, args.watchers, args.settle, args.only_watch))
        finally:
            server.terminate()
            server.join(5)


async def _wait_ready(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(base + "/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("benchmark: the API server did not become ready")


if __name__ == "__main__":
    main()
