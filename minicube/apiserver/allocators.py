"""ClusterIP and NodePort allocation for Services, done by the API server at admission.

As upstream's service REST storage does, a Service gets its clusterIP (10.96.0.0/12) and
nodePorts (30000-32767) in the create request itself, so the object a client gets back, and
`kubectl get svc` right after, already shows them. Explicit values are honoured when free
and in range, else the request fails with 422. The allocation state is the set of stored
Services itself (our store writes are serialized on one event loop, so check-then-write
cannot race); deleting a Service releases its addresses simply by removing it.
"""

from __future__ import annotations

import ipaddress
import random
from typing import Protocol

from minicube.api import errors, meta
from minicube.api.registry import Cause, Kind, Obj

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORT_RANGE = range(30000, 32768)
# Upstream keeps the bottom of each range for explicit choices (10.96.0.1 = kubernetes,
# 10.96.0.10 = kube-dns): random allocation starts above it, unless only it is left.
_IP_STATIC_BAND = 256
_PORT_STATIC_BAND = 128


class ServiceLister(Protocol):
    def list(self, kind: Kind, namespace: str) -> tuple[list[Obj], int]: ...


def is_service(kind: Kind) -> bool:
    return kind.group == "" and kind.plural == "services"


def needs_node_ports(spec: Obj) -> bool:
    kind = spec.get("type")
    return kind == "NodePort" or (kind == "LoadBalancer"
                                  and spec.get("allocateLoadBalancerNodePorts", True))


def in_use(services: list[Obj], skip: tuple[str, str]) -> tuple[set[str], set[int]]:
    """ClusterIPs and nodePorts held by every Service but `skip` (namespace, name)."""
    ips: set[str] = set()
    ports: set[int] = set()
    for svc in services:
        md = svc.get("metadata") or {}
        if (md.get("namespace"), md.get("name")) == skip:
            continue
        spec = svc.get("spec") or {}
        ips.update(ip for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]
                   if ip and ip != "None")
        ports.update(p["nodePort"] for p in spec.get("ports") or [] if p.get("nodePort"))
    return ips, ports


def _pick(candidates: range, band: int, taken: set[int]) -> int | None:
    """A random free value, preferring the dynamic part above the static band."""
    for part in (candidates[band:], candidates[:band]):
        free = len(part) - sum(1 for t in taken if t in part)
        if free <= 0:
            continue
        for _ in range(64):  # random probes: the range is mostly free in practice
            value = random.choice(part)
            if value not in taken:
                return value
        return next(v for v in part if v not in taken)
    return None


def _allocate_ip(spec: Obj, taken: set[str]) -> list[Cause]:
    ip = spec.get("clusterIP") or ""
    if ip == "None":
        spec["clusterIPs"] = ["None"]
        return []
    if ip:
        address = ipaddress.ip_address(ip)  # validation already checked the syntax
        if address not in SERVICE_CIDR or address in (SERVICE_CIDR.network_address,
                                                      SERVICE_CIDR.broadcast_address):
            return [meta.invalid("spec.clusterIPs", [ip],
                                 f"failed to allocate IP {ip}: the provided IP ({ip}) is not in "
                                 f"the valid range. The range of valid IPs is {SERVICE_CIDR}")]
        if ip in taken:
            return [meta.invalid("spec.clusterIPs", [ip],
                                 f"failed to allocate IP {ip}: provided IP is already allocated")]
    else:
        base = int(SERVICE_CIDR.network_address)
        offsets = {int(ipaddress.ip_address(t)) - base for t in taken
                   if ipaddress.ip_address(t) in SERVICE_CIDR}
        offset = _pick(range(1, SERVICE_CIDR.num_addresses - 1), _IP_STATIC_BAND, offsets)
        if offset is None:
            raise errors.InternalError(f"range is full: no ClusterIP left in {SERVICE_CIDR}")
        ip = str(ipaddress.ip_address(base + offset))
    spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
    return []


def _allocate_node_ports(spec: Obj, taken: set[int]) -> list[Cause]:
    out: list[Cause] = []
    mine: dict[int, int] = {}  # service port -> nodePort, shared by its TCP and UDP entries
    for i, port in enumerate(spec.get("ports") or []):
        wanted = port.get("nodePort")
        field = f"spec.ports[{i}].nodePort"
        if wanted:
            if wanted not in NODE_PORT_RANGE:
                out.append(meta.invalid(field, wanted, "provided port is not in the valid range. "
                                        f"The range of valid ports is {NODE_PORT_RANGE.start}-"
                                        f"{NODE_PORT_RANGE.stop - 1}"))
            elif wanted in taken or (wanted in mine.values() and mine.get(port["port"]) != wanted):
                out.append(meta.invalid(field, wanted, "provided port is already allocated"))
        else:
            wanted = mine.get(port["port"]) or _pick(NODE_PORT_RANGE, _PORT_STATIC_BAND,
                                                    taken | set(mine.values()))
            if wanted is None:
                raise errors.InternalError("range is full: no NodePort left")
            port["nodePort"] = wanted
        mine[port["port"]] = wanted
    return out


def _keep_allocated(spec: Obj, old_spec: Obj) -> None:
    """An update that leaves out allocated values keeps them (upstream patchAllocatedValues)."""
    if not spec.get("clusterIP") and old_spec.get("clusterIP") and spec.get("type") != "ExternalName":
        spec["clusterIP"] = old_spec["clusterIP"]
        spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_spec["clusterIP"]])
    if not needs_node_ports(spec):
        return
    old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                 for p in old_spec.get("ports") or []}
    for port in spec.get("ports") or []:
        if not port.get("nodePort"):
            if previous := old_ports.get((port.get("port"), port.get("protocol"))):
                port["nodePort"] = previous


def allocate(services: ServiceLister, kind: Kind, svc: Obj, old: Obj | None = None) -> None:
    """Fill in (or check) the clusterIP and nodePorts of a Service about to be stored."""
    if not is_service(kind):
        return
    spec = svc.setdefault("spec", {})
    md = svc.get("metadata") or {}
    if old is not None:
        _keep_allocated(spec, old.get("spec") or {})
    ips, ports = in_use(services.list(kind, "")[0], (md.get("namespace", ""), md.get("name", "")))
    causes: list[Cause] = []
    if spec.get("type") != "ExternalName":
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        causes += _allocate_ip(spec, ips)
    if needs_node_ports(spec):
        causes += _allocate_node_ports(spec, ports)
    if causes:
        raise errors.Invalid.of(kind.kind, md.get("name", ""), causes, kind.group)
