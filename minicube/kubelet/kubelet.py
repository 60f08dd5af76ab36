"""The kubelet: runs the pods bound to this node as inner-engine containers.

Start-up order: the engine answers, the pod network and sandbox image exist, the log
server listens, the Node is registered; then the pod informer, the pod workers and the
heartbeat run until cancelled. Its view of what runs is rebuilt from the engine's labelled
containers every time, so a restart of the control plane adopts running pods untouched.
"""

from __future__ import annotations

import asyncio
import logging

from minicube.client import Client, EventRecorder, Informer
from minicube.kubelet.images import ImageManager
from minicube.kubelet.machine import node_ip as detect_node_ip
from minicube.kubelet.machine import read_machine
from minicube.kubelet.node_status import NodeStatus
from minicube.kubelet.pod_sync import PodSyncer
from minicube.kubelet.pod_workers import PodWorkers
from minicube.kubelet.runtime import Runtime
from minicube.kubelet.server import KubeletServer

log = logging.getLogger(__name__)


class Kubelet:
    def __init__(self, client: Client, node_name: str, *,
                 docker_base_url: str = "unix:///var/run/docker.sock",
                 serve_host: str = "127.0.0.1", serve_port: int = 10250,
                 node_ip: str | None = None, workers: int = 4,
                 resync_period: float = 10.0, heartbeat_period: float = 10.0) -> None:
        self.client = client
        self.node_name = node_name
        self.node_ip = node_ip or detect_node_ip()
        self.heartbeat_period = heartbeat_period
        self.runtime = Runtime(docker_base_url)
        self.recorder = EventRecorder(client, "kubelet", host=node_name)
        self.pods = Informer(client, "v1", "pods", field_selector=f"spec.nodeName={node_name}")
        images = ImageManager(self.runtime, self.recorder, profile=node_name)
        self.syncer = PodSyncer(client, self.runtime, self.recorder, images,
                                node_name=node_name, host_ip=lambda: self.node_ip)
        self.workers = PodWorkers(self.pods, self.runtime, self.syncer, workers=workers,
                                  resync_period=resync_period)
        self.server = KubeletServer(self.runtime, self._pod_uid, host=serve_host, port=serve_port)

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
                tg.create_task(self.workers.run())
        finally:
            await self.server.stop()
            await self.recorder.close()
            await self.runtime.close()
