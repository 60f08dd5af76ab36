"""The Node's status: capacity, nodeInfo with every field clients require, conditions."""

from __future__ import annotations

import asyncio
from typing import Any

from minicube.api.errors import NotFound
from minicube.kubelet.machine import Machine
from minicube.kubelet.node_status import (NodeStatus, cpu_quantity, node_conditions, node_labels,
                                          node_status, same_status)

MACHINE = Machine(cpu_millis=2000, memory_bytes=8 * 2**30, storage_bytes=100 * 2**30,
                  architecture="amd64", kernel="6.1.0", os_image="Debian GNU/Linux 12 (bookworm)",
                  boot_id="b", machine_id="m", system_uuid="s")


def status(**kw: object) -> dict:  # type: ignore[type-arg]
    args = dict(node_name="minicube", node_ip="192.168.49.2", runtime_version="20.10.24",
                old={}, ready=True, ready_message="", images=[], now="T1", port=10250)
    args.update(kw)
    return node_status(MACHINE, **args)  # type: ignore[arg-type]


def test_capacity_is_in_kubernetes_quantities() -> None:
    s = status()
    assert s["capacity"] == {"cpu": "2", "memory": "8388608Ki", "ephemeral-storage": "104857600Ki",
                             "pods": "110"}
    assert cpu_quantity(1500) == "1500m"


def test_node_info_has_every_field_the_python_client_requires() -> None:
    info = status()["nodeInfo"]
    required = {"architecture", "bootID", "containerRuntimeVersion", "kernelVersion",
                "kubeProxyVersion", "kubeletVersion", "machineID", "operatingSystem", "osImage",
                "systemUUID"}
    assert required <= {k for k, v in info.items() if v}
    assert info["containerRuntimeVersion"] == "docker://20.10.24"


def test_addresses_and_kubelet_port() -> None:
    s = status()
    assert s["addresses"] == [{"type": "InternalIP", "address": "192.168.49.2"},
                              {"type": "Hostname", "address": "minicube"}]
    assert s["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 10250}}


def test_ready_keeps_its_transition_time_across_heartbeats() -> None:
    first = node_conditions([], ready=True, ready_message="", now="T1")
    second = node_conditions(first, ready=True, ready_message="", now="T2")
    ready = second[-1]
    assert ready["type"] == "Ready" and ready["reason"] == "KubeletReady"
    assert (ready["lastHeartbeatTime"], ready["lastTransitionTime"]) == ("T2", "T1")
    assert [c["type"] for c in second[:3]] == ["MemoryPressure", "DiskPressure", "PIDPressure"]


def test_a_down_runtime_makes_the_node_not_ready() -> None:
    ready = node_conditions([], ready=False, ready_message="container runtime is down", now="T")[-1]
    assert (ready["status"], ready["reason"]) == ("False", "KubeletNotReady")


def test_labels_mark_the_control_plane() -> None:
    labels = node_labels("minicube", "amd64")
    assert labels["node-role.kubernetes.io/control-plane"] == ""
    assert labels["kubernetes.io/hostname"] == "minicube"


def test_same_status_ignores_only_the_heartbeat_times() -> None:
    first = status(now="T1")
    assert same_status(status(now="T2", old=first), first)
    assert not same_status(status(now="T2", old=first, ready=False, ready_message="down"), first)


class FakeClient:
    """Records writes; serves the Node as last written."""

    def __init__(self) -> None:
        self.node = {"metadata": {"name": "minicube", "uid": "n1"}, "status": {}}
        self.calls: list[str] = []

    async def get(self, api_version: str, plural: str, name: str, **kw: Any) -> dict:  # type: ignore[type-arg]
        return self.node

    async def patch(self, api_version: str, plural: str, name: str, body: Any, **kw: Any) -> dict:  # type: ignore[type-arg]
        self.calls.append(f"patch {plural}")
        if plural == "leases" and len(self.calls) == 1:
            raise NotFound("leases minicube not found")
        return {}

    async def create(self, api_version: str, plural: str, body: Any, **kw: Any) -> dict:  # type: ignore[type-arg]
        self.calls.append(f"create {plural}")
        assert body["metadata"]["ownerReferences"][0]["uid"] == "n1"
        assert body["spec"]["holderIdentity"] == "minicube"
        return body

    async def patch_status(self, api_version: str, plural: str, name: str, body: Any, **kw: Any) -> dict:  # type: ignore[type-arg]
        self.calls.append(f"status {plural}")
        self.node = {**self.node, "status": body["status"]}
        return self.node


def test_each_beat_renews_the_lease_and_writes_the_status_only_when_it_changed() -> None:
    client = FakeClient()
    healthy = [True]

    async def health() -> bool:
        return healthy[0]

    async def images() -> list[dict]:  # type: ignore[type-arg]
        return []
    beats = NodeStatus(client, "minicube", MACHINE, node_ip="10.0.0.2",  # type: ignore[arg-type]
                       runtime_version="24", port=10250, runtime_health=health, images=images)

    async def run() -> None:
        for _ in range(3):
            await beats.heartbeat()
        healthy[0] = False
        await beats.heartbeat()
    asyncio.run(run())
    assert client.calls == ["patch leases", "create leases", "status nodes",
                            "patch leases", "patch leases", "patch leases", "status nodes"]
