"""ClusterDNS: the kube-dns Service and the server behind it, in the control-plane process.

At start it makes sure kube-system/kube-dns exists with the well-known cluster IP
10.96.0.10 and no selector, and writes its Endpoints itself: the node's InternalIP, where
this process serves DNS on port 53. The proxy then routes 10.96.0.10:53 there like any
Service. Answers come from informer caches of Services and Endpoints, so they follow
changes as fast as the watch delivers them.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Awaitable, Callable, TypeVar

import dns.resolver

from minicube.api.errors import AlreadyExists, NotFound, StatusError
from minicube.client import APIConnectionError, Client, Informer, object_key
from minicube.dns.records import Zone
from minicube.dns.server import DnsServer

log = logging.getLogger(__name__)
T = TypeVar("T")

CLUSTER_DNS_IP = "10.96.0.10"
NAMESPACE, NAME = "kube-system", "kube-dns"
LABELS = {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
          "kubernetes.io/name": "KubeDNS"}
_PORTS = [("dns", "UDP"), ("dns-tcp", "TCP")]


def kube_dns_service() -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": LABELS},
            "spec": {"clusterIP": CLUSTER_DNS_IP,
                     "ports": [{"name": n, "port": 53, "protocol": p, "targetPort": 53}
                               for n, p in _PORTS]}}


def kube_dns_endpoints(node_ip: str, node_name: str, port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": LABELS},
            "subsets": [{"addresses": [{"ip": node_ip, "nodeName": node_name}],
                         "ports": [{"name": n, "port": port, "protocol": p} for n, p in _PORTS]}]}


def is_local(ip: str) -> bool:
    """Whether this machine holds the address (binding to it works only then)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((ip, 0))
    except OSError:
        return False
    return True


def node_resolvers(path: str = "/etc/resolv.conf") -> list[str]:
    """Where names outside the cluster go: the node's own nameservers."""
    try:
        return [str(s) for s in dns.resolver.Resolver(filename=path).nameservers]
    except (dns.resolver.NoResolverConfiguration, OSError):
        return []


async def _retrying(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """call() until the API answers it, backing off up to 5 s between tries."""
    delay = 0.2
    while True:
        try:
            return await call()
        except (StatusError, APIConnectionError) as e:
            log.warning("%s failed: %s; retrying in %.1fs", what, e, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


class ClusterDNS:
    def __init__(self, client: Client, node_name: str, *, host: str = "", port: int = 53) -> None:
        self.client = client
        self.node_name = node_name
        self.host, self.port = host, port
        self.services = Informer(client, "v1", "services")
        self.endpoints = Informer(client, "v1", "endpoints")
        self.server = DnsServer(self.zone, node_resolvers())

    def zone(self) -> Zone:
        return Zone({object_key(s): s for s in self.services.items()},
                    {object_key(e): e for e in self.endpoints.items()})

    async def run(self) -> None:
        node_ip = await self._wait_node_ip()
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.services.run())
            tg.create_task(self.endpoints.run())
            # Bound to the endpoint address itself, not 0.0.0.0: UDP replies must leave from
            # the address the proxy DNATed to, or conntrack cannot map them back to 10.96.0.10.
            tg.create_task(self.server.serve(self.host or node_ip, self.port))
            tg.create_task(self._publish(node_ip))

    async def _wait_node_ip(self) -> str:
        """The node's InternalIP once it is an address of this machine: after a restart the
        Node still shows the old one until the kubelet has written its status."""
        while True:
            node_ip = await _retrying(f"reading node {self.node_name}", self._node_ip)
            if node_ip and is_local(node_ip):
                return node_ip
            await asyncio.sleep(0.5)

    async def _publish(self, node_ip: str) -> None:
        """Create kube-dns and point its Endpoints at this node."""
        await _retrying("creating the kube-dns Service",
                        lambda: self._ensure(kube_dns_service(), "services"))
        endpoints = kube_dns_endpoints(node_ip, self.node_name, self.port)
        await _retrying("publishing the kube-dns Endpoints",
                        lambda: self._ensure(endpoints, "endpoints", replace=True))
        log.info("kube-dns %s:53 -> %s:%d", CLUSTER_DNS_IP, node_ip, self.port)

    async def _node_ip(self) -> str:
        try:
            node = await self.client.get("v1", "nodes", self.node_name)
        except NotFound:
            return ""  # the kubelet has not registered the node yet
        return next((a["address"] for a in (node.get("status") or {}).get("addresses") or []
                     if a.get("type") == "InternalIP"), "")

    async def _ensure(self, obj: dict, plural: str, *, replace: bool = False) -> None:
        try:
            await self.client.create("v1", plural, obj)
        except AlreadyExists:
            if not replace:
                return
            current = await self.client.get("v1", plural, NAME, namespace=NAMESPACE)
            if current.get("subsets") != obj.get("subsets"):
                obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                await self.client.replace("v1", plural, obj)
