"""Wire the control plane together and keep it honest (k3s's model).

Store, then the API server; once it serves, the kubelet and the controllers start and reach it
over loopback HTTP through our client like any real component. If any part ends, the whole
process exits non-zero: the node's entrypoint restarts it, and nothing runs half alive.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from dataclasses import dataclass, field
from pathlib import Path

from minicube.apiserver.app import ApiServer, ApiServerConfig
from minicube.client import Client
from minicube.controllers import CONTROLLERS
from minicube.dns import ClusterDNS
from minicube.ingress import IngressController
from minicube.kubelet import Kubelet
from minicube.node import pki
from minicube.proxy import Proxy
from minicube.store.sqlite import SqliteStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeConfig:
    node_name: str = field(default_factory=socket.gethostname)
    state_dir: Path = Path(os.environ.get("MINICUBE_STATE_DIR", "/var/lib/minicube"))
    https_port: int = 8443
    http_port: int = 8080
    kubelet_port: int = 10250
    docker_url: str = "unix:///var/run/docker.sock"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


def node_ips() -> list[str]:
    """This container's non-loopback IPv4 addresses (Docker maps the hostname to them)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except socket.gaierror:
        return []
    return sorted({str(i[4][0]) for i in infos if not str(i[4][0]).startswith("127.")})


async def run(config: NodeConfig) -> None:
    ips = node_ips()
    pki.ensure(config.state_dir / "pki", config.node_name, ips)
    store = SqliteStore(config.state_dir / "state.db")
    api = ApiServer(store, ApiServerConfig(pki_dir=config.state_dir / "pki", https_port=config.https_port,
                                           http_port=config.http_port,
                                           advertise_address=ips[0] if ips else "",
                                           kubelet_url=f"http://127.0.0.1:{config.kubelet_port}"))
    tasks = {asyncio.create_task(api.serve(), name="apiserver")}
    try:
        await _until_ready(api, tasks)
        async with Client(config.api_url) as client:
            kubelet = Kubelet(client, config.node_name, docker_base_url=config.docker_url,
                              serve_port=config.kubelet_port)
            tasks.add(asyncio.create_task(kubelet.run(), name="kubelet"))
            # The network agents (proxy, cluster DNS, ingress) run like controllers.
            agents = {"proxy": Proxy, "dns": ClusterDNS, "ingress": IngressController}
            for name, factory in {**CONTROLLERS, **agents}.items():
                tasks.add(asyncio.create_task(factory(client, config.node_name).run(), name=name))
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                error = task.exception()
                log.error("%s exited: %s", task.get_name(), error or "returned")
                if error:
                    raise RuntimeError(f"{task.get_name()} exited") from error
            raise RuntimeError("a control-plane component exited")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        store.close()


async def _until_ready(api: ApiServer, tasks: set[asyncio.Task[None]]) -> None:
    ready = asyncio.create_task(api.ready.wait())
    done, _ = await asyncio.wait({ready, *tasks}, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        for task in done:
            task.result()  # re-raise why the API server could not start
        raise RuntimeError("the API server stopped before it was ready")


def main() -> None:
    logging.basicConfig(level=os.environ.get("MINICUBE_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    loop = asyncio.new_event_loop()
    main_task = loop.create_task(run(NodeConfig()))
    # SIGTERM (docker stop, the entrypoint): stop cleanly; pods keep running in the engine.
    loop.add_signal_handler(signal.SIGTERM, main_task.cancel)
    loop.add_signal_handler(signal.SIGINT, main_task.cancel)
    try:
        loop.run_until_complete(main_task)
    except asyncio.CancelledError:
        log.info("control plane stopped")
    finally:
        loop.close()
