"""An in-process API server on random loopback ports, and the real kubectl pointed at it."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import yaml

from minicube.apiserver.app import ApiServer, ApiServerConfig
from minicube.node import pki
from minicube.store.sqlite import SqliteStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    """An API server under test: its URLs, a kubeconfig, and helpers to talk to it."""

    https_url: str
    http_url: str
    kubeconfig: Path
    pki_dir: Path
    cache_dir: Path

    def kubectl(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = ["kubectl", f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache_dir}", *args]
        result = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A request over loopback HTTP, as the node's own components make them."""
        return requests.request(method, self.http_url + path, timeout=10, **kwargs)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is not installed: run scripts/ensure-kubectl.sh")
    root = tmp_path_factory.mktemp("apiserver")
    pki_dir = root / "pki"
    pki.ensure(pki_dir, "testnode", ["127.0.0.1"])
    https_port, http_port = _free_port(), _free_port()
    config = ApiServerConfig(pki_dir=pki_dir, https_host="127.0.0.1", https_port=https_port,
                             http_port=http_port, kubelet_url="http://127.0.0.1:9")
    loop = asyncio.new_event_loop()
    # SQLite connections belong to the thread that opened them: open the store on the loop's.
    stores: list[SqliteStore] = []

    async def serve() -> None:
        stores.append(SqliteStore(root / "state.db"))
        await ApiServer(stores[0], config).serve()

    task = loop.create_task(serve())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    _wait_ready(f"http://127.0.0.1:{http_port}/readyz", task)
    https_url = f"https://127.0.0.1:{https_port}"
    kubeconfig = root / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(_kubeconfig(https_url, pki_dir)))
    yield Cluster(https_url, f"http://127.0.0.1:{http_port}", kubeconfig, pki_dir, root / "kubectl-cache")
    loop.call_soon_threadsafe(task.cancel)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def _wait_ready(url: str, task: "asyncio.Task[None]") -> None:
    for _ in range(200):
        if task.done():
            raise AssertionError(f"the API server stopped: {task.exception()!r}")
        try:
            requests.get(url, timeout=1).raise_for_status()
            return
        except requests.RequestException:
            threading.Event().wait(0.05)
    raise AssertionError(f"the API server did not answer {url} within 10s")


def _kubeconfig(server: str, pki_dir: Path) -> dict[str, Any]:
    def b64(name: str) -> str:
        return base64.b64encode((pki_dir / name).read_bytes()).decode()
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "test", "cluster": {"server": server, "certificate-authority-data": b64("ca.crt")}}],
        "users": [{"name": "test", "user": {"client-certificate-data": b64("admin.crt"),
                                            "client-key-data": b64("admin.key")}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
    }


def manifest(obj: dict[str, Any]) -> str:
    return json.dumps(obj)
