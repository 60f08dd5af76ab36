"""The kubelet: runs the pods bound to this node as inner-engine containers.

Start-up order: the engine answers, the pod network and sandbox image exist, the log
server listens, the Node is registered; then the pod informer, the pod workers and the
heartbeat run until cancelled. Its view of what runs is rebuilt from the engine's labelled
containers every time, so a restart of the control plane adopts running pods untouched.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from minicube.client import Client, EventRecorder, Informer
from minicube.kubelet.images import ImageManager
from minicube.kubelet.machine import node_ip as detect_node_ip
from minicube.kubelet.machine import read_machine
from minicube.kubelet.node_status import NodeStatus, node_capacity
from minicube.kubelet.pod_sync import PodSyncer
from minicube.kubelet.pod_workers import RESYNC_PERIOD, PodWorkers
from minicube.kubelet.probes import Prober
from minicube.kubelet.runtime import Runtime
from minicube.kubelet.server import KubeletServer
from minicube.kubelet.stats import StatsCollector
from minicube.kubelet.volumes import VolumeManager

# Pod volumes live on the node's state volume, so they survive `minicube stop/start`.
ROOT_DIR = Path(os.environ.get("MINICUBE_STATE_DIR", "/var/lib/minicube")) / "kubelet"

log = logging.getLogger(__name__)


class Kubelet:
    def __init__(self, client: Client, node_name: str, *,
                 docker_base_url: str = "unix:///var/run/docker.sock",
                 serve_host: str = "127.0.0.1", serve_port: int = 10250,
                 node_ip: str | None = None, workers: int = 4, root_dir: Path = ROOT_DIR,
                 resync_period: float = RESYNC_PERIOD, heartbeat_period: float = 10.0) -> None:
        self.client = client
        self.node_name = node_name
        self.node_ip = node_ip or detect_node_ip()
        self.heartbeat_period = heartbeat_period
        self.runtime = Runtime(docker_base_url)
        self.recorder = EventRecorder(client, "kubelet", host=node_name)
        self.pods = Informer(client, "v1", "pods", field_selector=f"spec.nodeName={node_name}")
        # The env and volumes of pods read these: a change syncs the pods that use it.
        self.sources = (Informer(client, "v1", "configmaps"), Informer(client, "v1", "secrets"))
        self.allocatable: dict[str, str] = {}
        images = ImageManager(self.runtime, self.recorder, profile=node_name)
        volumes = VolumeManager(root_dir, client, self.recorder, node_name=node_name,
                                allocatable=lambda: self.allocatable, caches=self.sources)
        prober = Prober(self.runtime, self.recorder, lambda uid: self.workers.queue.add(uid))
        self.syncer = PodSyncer(client, self.runtime, self.recorder, images, volumes, prober,
                                node_name=node_name, host_ip=lambda: self.node_ip,
                                allocatable=lambda: self.allocatable)
        self.workers = PodWorkers(self.pods, self.runtime, self.syncer, workers=workers,
                                  resync_period=resync_period, sources=self.sources,
                                  pod_dirs=volumes.pod_uids)
        self.stats = StatsCollector(self.runtime, node_name)
        self.server = KubeletServer(self.runtime, self._pod_uid, host=serve_host, port=serve_port,
                                    stats=self.stats)

    def _pod_uid(self, namespace: str, name: str) -> str | None:
        pod = self.pods.get_by_name(name, namespace)
        return pod["metadata"]["uid"] if pod else None

    async def run(self) -> None:
        """Run until cancelled; raises only when the kubelet cannot work at all."""
        await self.runtime.connect()
        try:
            await self.runtime.ensure_network()
            await self.runtime.ensure_pause_image()
            version = await self.runtime.version()
            machine = await asyncio.to_thread(read_machine, self.node_name)
            self.allocatable = node_capacity(machine)
            node = NodeStatus(self.client, self.node_name, machine, node_ip=self.node_ip,
                              runtime_version=version, port=self.server.port,
                              runtime_health=self.runtime.ping, images=self.runtime.images,
                              period=self.heartbeat_period, recorder=self.recorder)
            await self.server.start()
            log.info("kubelet starting on node %s (%s), engine docker://%s", self.node_name,
                     self.node_ip, version)
            async with asyncio.TaskGroup() as tg:
                tg.create_task(node.run())
                tg.create_task(self.pods.run())
                for informer in self.sources:
                    tg.create_task(informer.run())
                tg.create_task(self.workers.run())
                tg.create_task(self.stats.run())
        finally:
            await self.server.stop()
            await self.recorder.close()
            await self.runtime.close()
