"""The Node object: registered at start (created, or updated when it survives a restart),
then kept fresh as upstream's kubelet does: every 10 s the node's Lease is renewed and the
status computed, which is written only when it changed or every 5 minutes (the conditions'
lastHeartbeatTime then moves). Ready follows the container engine's health."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from minicube.api.errors import AlreadyExists, NotFound, StatusError
from minicube.client import APIConnectionError, Client, EventRecorder
from minicube.client.clock import rfc3339
from minicube.kubelet import node_lease
from minicube.kubelet.containers import POD_SUBNET
from minicube.kubelet.machine import Machine

log = logging.getLogger(__name__)

Obj = dict[str, Any]

KUBELET_VERSION = "v1.32.0-minicube"
HEARTBEAT_PERIOD = 10.0
REPORT_PERIOD = 300.0  # upstream's nodeStatusReportFrequency: unchanged status, rewritten
MAX_PODS = "110"

# (type, reason when healthy, message when healthy); Ready comes last, as upstream orders them.
_PRESSURE = (
    ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
)


def kibibytes(n: int) -> str:
    return f"{n // 1024}Ki"


def cpu_quantity(millis: int) -> str:
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def node_labels(node_name: str, arch: str) -> dict[str, str]:
    return {"kubernetes.io/hostname": node_name, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": arch, "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": arch, "node-role.kubernetes.io/control-plane": ""}


def node_conditions(old: list[Obj], *, ready: bool, ready_message: str, now: str) -> list[Obj]:
    """Heartbeat conditions; lastTransitionTime moves only when a status flips."""
    before = {c.get("type"): c for c in old}

    def cond(ctype: str, status: str, reason: str, message: str) -> Obj:
        prev = before.get(ctype)
        moved = not prev or prev.get("status") != status
        return {"type": ctype, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": now,
                "lastTransitionTime": now if moved else prev.get("lastTransitionTime", now)}

    out = [cond(t, "False", r, m) for t, r, m in _PRESSURE]
    out.append(cond("Ready", "True", "KubeletReady", "kubelet is posting ready status") if ready
               else cond("Ready", "False", "KubeletNotReady", ready_message))
    return out


def same_status(a: Obj, b: Obj) -> bool:
    """Equal but for the conditions' heartbeat times (what changes at every beat)."""
    def strip(status: Obj) -> Obj:
        return {**status, "conditions": [{k: v for k, v in c.items() if k != "lastHeartbeatTime"}
                                         for c in status.get("conditions") or []]}
    return strip(a) == strip(b)


def node_capacity(machine: Machine) -> dict[str, str]:
    """The node's capacity (all of it is allocatable: nothing is reserved)."""
    return {"cpu": cpu_quantity(machine.cpu_millis), "memory": kibibytes(machine.memory_bytes),
            "ephemeral-storage": kibibytes(machine.storage_bytes), "pods": MAX_PODS}


def node_status(machine: Machine, *, node_name: str, node_ip: str, runtime_version: str,
                old: Obj, ready: bool, ready_message: str, images: list[Obj], now: str,
                port: int) -> Obj:
    capacity = node_capacity(machine)
    return {
        "capacity": capacity, "allocatable": dict(capacity),
        "conditions": node_conditions(old.get("conditions") or [], ready=ready,
                                      ready_message=ready_message, now=now),
        "addresses": [{"type": "InternalIP", "address": node_ip},
                      {"type": "Hostname", "address": node_name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": port}},
        "nodeInfo": {
            "architecture": machine.architecture, "bootID": machine.boot_id,
            "containerRuntimeVersion": f"docker://{runtime_version}",
            "kernelVersion": machine.kernel, "kubeProxyVersion": KUBELET_VERSION,
            "kubeletVersion": KUBELET_VERSION, "machineID": machine.machine_id,
            "operatingSystem": "linux", "osImage": machine.os_image,
            "systemUUID": machine.system_uuid,
        },
        "images": images[:50],
    }


class NodeStatus:
    def __init__(self, client: Client, node_name: str, machine: Machine, *, node_ip: str,
                 runtime_version: str, port: int,
                 runtime_health: Callable[[], Awaitable[bool]],
                 images: Callable[[], Awaitable[list[Obj]]],
                 period: float = HEARTBEAT_PERIOD, recorder: EventRecorder | None = None) -> None:
        self.client = client
        self.node_name = node_name
        self.machine = machine
        self.node_ip = node_ip
        self.runtime_version = runtime_version
        self.port = port
        self.runtime_health = runtime_health
        self.images = images
        self.period = period
        self.recorder = recorder
        self.registered = asyncio.Event()
        self.node: Obj = {}
        self._reported: tuple[float, Obj] | None = None  # (when, status) last written

    async def _status(self, old: Obj) -> Obj:
        healthy = await self.runtime_health()
        images = await self.images() if healthy else []
        return node_status(self.machine, node_name=self.node_name, node_ip=self.node_ip,
                           runtime_version=self.runtime_version, old=old, ready=healthy,
                           ready_message="container runtime is down", images=images,
                           now=rfc3339(), port=self.port)

    async def register(self) -> Obj:
        """Create our Node, or bring an existing one's labels, spec and status up to date."""
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": self.node_name,
                             "labels": node_labels(self.node_name, self.machine.architecture)},
                "spec": {"podCIDR": POD_SUBNET, "podCIDRs": [POD_SUBNET]},
                "status": await self._status({})}
        try:
            created = await self.client.create("v1", "nodes", node)
            # The status subresource may ignore status on create: write it explicitly.
            await self.client.patch_status("v1", "nodes", self.node_name,
                                           {"status": node["status"]})
            await node_lease.renew(self.client, created)
            log.info("registered node %s", self.node_name)
            return created
        except AlreadyExists:
            pass
        existing = await self.client.get("v1", "nodes", self.node_name)
        await self.client.patch("v1", "nodes", self.node_name,
                                {"metadata": {"labels": node["metadata"]["labels"]},
                                 "spec": node["spec"]})
        await self.heartbeat(existing)
        log.info("node %s already registered; updated it", self.node_name)
        return existing

    async def heartbeat(self, node: Obj | None = None) -> None:
        """Renew the Lease; write the status if it changed or was last written long ago."""
        if node is None:
            node = await self.client.get("v1", "nodes", self.node_name)
        await node_lease.renew(self.client, node)
        old = node.get("status") or {}
        status = await self._status(old)
        loop = asyncio.get_running_loop()
        if (self._reported is not None and same_status(status, old)
                and loop.time() - self._reported[0] < REPORT_PERIOD):
            return
        await self.client.patch_status("v1", "nodes", self.node_name, {"status": status})
        self._reported = (loop.time(), status)

    async def run(self) -> None:
        """Register (retrying until the API answers), then beat; re-register if deleted."""
        while True:
            await self._register_until_done()
            while True:
                await asyncio.sleep(self.period)
                try:
                    await self.heartbeat()
                except NotFound:
                    log.warning("node %s was deleted; registering it again", self.node_name)
                    self.registered.clear()
                    break
                except (StatusError, APIConnectionError) as e:
                    log.warning("node heartbeat failed: %s", e)

    async def _register_until_done(self) -> None:
        delay = 0.2
        while True:
            try:
                self.node = await self.register()
                self.registered.set()
                if self.recorder is not None:
                    # Upstream's object reference for a Node uses its name as the uid.
                    ref = {"apiVersion": "v1", "kind": "Node",
                           "metadata": {"name": self.node_name, "uid": self.node_name}}
                    self.recorder.event(ref, "Normal", "Starting", "Starting kubelet.")
                return
            except (StatusError, APIConnectionError) as e:
                log.warning("registering node %s failed: %s; retrying in %.1fs",
                            self.node_name, e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
