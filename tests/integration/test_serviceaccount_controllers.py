"""The ServiceAccount controller and the root-CA publisher against an in-process API server,
and the objects the API server itself publishes at boot."""

from __future__ import annotations

import asyncio
from concurrent import futures
import json
import threading
import time
from typing import Callable, Iterator

import pytest

from minicube.client import Client
from minicube.controllers.rootca import RootCAPublisher
from minicube.controllers.serviceaccounts import ServiceAccountsController
from tests.integration.conftest import Cluster

pytestmark = pytest.mark.integration

NS = "rootca"


async def _controllers(url: str) -> None:
    async with Client(url) as client:
        await asyncio.gather(ServiceAccountsController(client).run(), RootCAPublisher(client).run())


@pytest.fixture(scope="module", autouse=True)
def controllers(cluster: Cluster) -> Iterator[None]:
    """Both controllers on a loop of their own thread for this module's tests."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    running = asyncio.run_coroutine_threadsafe(_controllers(cluster.http_url), loop)
    yield
    running.cancel()
    futures.wait([running], timeout=2)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def _poll(what: str, check: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _ca_in(cluster: Cluster, ns: str) -> str | None:
    got = cluster.kubectl("get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "json", check=False)
    return json.loads(got.stdout)["data"].get("ca.crt") if got.returncode == 0 else None


def test_each_namespace_gets_the_default_account_and_the_root_ca(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)
    ca = (cluster.pki_dir / "ca.crt").read_text()
    _poll("kube-root-ca.crt", lambda: _ca_in(cluster, NS) == ca)
    _poll("the default ServiceAccount", lambda: cluster.kubectl(
        "get", "sa", "default", "-n", NS, check=False).returncode == 0)
    cluster.kubectl("patch", "configmap", "kube-root-ca.crt", "-n", NS, "--type=merge",
                    "-p", '{"data": {"ca.crt": "tampered"}}')
    _poll("the CA to be restored", lambda: _ca_in(cluster, NS) == ca)
    cluster.kubectl("delete", "configmap", "kube-root-ca.crt", "-n", NS)
    _poll("the CA to be republished", lambda: _ca_in(cluster, NS) == ca)
    assert _ca_in(cluster, "kube-system") == ca


def test_the_api_server_publishes_priority_classes_and_its_client_ca(cluster: Cluster) -> None:
    rows = cluster.kubectl("get", "priorityclass", "--no-headers").stdout
    assert any(r.split()[:2] == ["system-node-critical", "2000001000"] for r in rows.splitlines())
    assert any(r.split()[:2] == ["system-cluster-critical", "2000000000"] for r in rows.splitlines())
    auth = json.loads(cluster.kubectl("get", "cm", "extension-apiserver-authentication", "-n",
                                      "kube-system", "-o", "json").stdout)
    assert auth["data"]["client-ca-file"] == (cluster.pki_dir / "ca.crt").read_text()
