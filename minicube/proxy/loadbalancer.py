"""An always-on load balancer for LoadBalancer Services (k3s ServiceLB's model).

Each LoadBalancer Service gets the node's address as its ingress in
`status.loadBalancer.ingress`, so the host reaches it at `<node ip>:<port>` (the proxy
programs that address like a cluster IP). Two Services cannot hold the same port there, nor
a port the node itself listens on: the later one (by creation) stays `<pending>` until the
port is free, as ServiceLB does. Services with a `loadBalancerClass` belong to another
implementation and are left alone.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from minicube.api.errors import NotFound, StatusError
from minicube.client import APIConnectionError, Client, Informer, object_key

log = logging.getLogger(__name__)

Obj = dict[str, Any]

# What the node serves on its own address: cluster DNS, the API server, the kubelet, and the
# ingress controller's nginx (as k3s's ServiceLB leaves 80/443 to Traefik).
RESERVED = frozenset({("UDP", 53), ("TCP", 53), ("TCP", 80), ("TCP", 443), ("TCP", 8443),
                      ("TCP", 10250)})


def _ports(svc: Obj) -> set[tuple[str, int]]:
    return {(p.get("protocol", "TCP"), int(p["port"]))
            for p in (svc.get("spec") or {}).get("ports") or []}


def assign(services: list[Obj], node_ip: str) -> dict[str, list[Obj]]:
    """The ingress each of our LoadBalancer Services should show ([] = pending)."""
    ours = [s for s in services if (s.get("spec") or {}).get("type") == "LoadBalancer"
            and not (s.get("spec") or {}).get("loadBalancerClass")]
    ours.sort(key=lambda s: (s["metadata"].get("creationTimestamp", ""), object_key(s)))
    taken = set(RESERVED)
    out: dict[str, list[Obj]] = {}
    for svc in ours:
        ports = _ports(svc)
        if ports & taken:
            out[object_key(svc)] = []
        else:
            taken |= ports
            out[object_key(svc)] = [{"ip": node_ip, "ipMode": "VIP"}]
    return out


class ServiceLoadBalancer:
    def __init__(self, client: Client, node_name: str, services: Informer) -> None:
        self.client = client
        self.services = services
        # The node's address can change with a restart: follow the Node, not a copy of it.
        self.node = Informer(client, "v1", "nodes", field_selector=f"metadata.name={node_name}")
        self._dirty = asyncio.Event()
        for informer in (services, self.node):
            informer.add_handler(lambda *_: self._dirty.set())

    def node_ip(self) -> str:
        for node in self.node.items():
            for address in (node.get("status") or {}).get("addresses") or []:
                if address.get("type") == "InternalIP":
                    return str(address["address"])
        return ""

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.node.run())
            tg.create_task(self._loop())

    async def _loop(self) -> None:
        await self.services.wait_synced()
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            if not (node_ip := self.node_ip()):
                continue  # the kubelet has not registered the node yet: its informer wakes us
            try:
                await self.sync(node_ip)
            except (StatusError, APIConnectionError) as e:
                log.warning("load balancer status: %s; retrying in 1s", e)
                await asyncio.sleep(1)
                self._dirty.set()

    async def sync(self, node_ip: str) -> None:
        for key, ingress in assign(self.services.items(), node_ip).items():
            svc = self.services.get(key)
            current = ((svc or {}).get("status") or {}).get("loadBalancer") or {}
            if svc is None or (current.get("ingress") or []) == ingress:
                continue
            md = svc["metadata"]
            try:
                await self.client.patch_status("v1", "services", md["name"],
                                               {"status": {"loadBalancer": {"ingress": ingress or None}}},
                                               namespace=md.get("namespace"))
            except NotFound:
                continue
            log.info("service %s: load balancer %s", key, ingress[0]["ip"] if ingress else "pending")
