"""Render Services and their Endpoints as iptables-restore input (pure), kube-proxy style.

nat: MINICUBE-SERVICES (hooked from PREROUTING and OUTPUT) sends CLUSTER-IP:port to one
MC-SVC-* chain per service port, which picks an endpoint chain MC-SEP-* at random
(`statistic --mode random` with probabilities 1/n, 1/(n-1), ... 1) or, with ClientIP
affinity, the endpoint a client used last (`recent`); the endpoint chain DNATs. NodePorts
on the node's own addresses go the same way through MINICUBE-NODEPORTS. Traffic from
outside the pod network (the node itself, the host) and hairpin traffic is marked and
masqueraded in MINICUBE-POSTROUTING, so replies come back through the node.

filter: MINICUBE-SERVICES (hooked from DOCKER-USER, which Docker runs before its own
FORWARD rules, and OUTPUT) rejects ports of services without endpoints and then every other
address of the Service range, so such traffic is refused at once and never leaves the node.
DNAT happens before filtering: programmed services are no longer addressed to the range.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

SERVICE_CIDR = "10.96.0.0/12"
POD_CIDR = "10.244.0.0/16"
MASQ_MARK = "0x4000"

SERVICES = "MINICUBE-SERVICES"
NODEPORTS = "MINICUBE-NODEPORTS"
POSTROUTING = "MINICUBE-POSTROUTING"
MARK_MASQ = "MINICUBE-MARK-MASQ"
EXTERNAL = "MINICUBE-EXTERNAL"
FORWARD = "MINICUBE-FORWARD"
PREFIXES = ("MC-SVC-", "MC-SEP-")  # per-service and per-endpoint chains, made and removed here
_REJECT = "-j REJECT --reject-with icmp-port-unreachable"


@dataclass(frozen=True)
class ServicePort:
    """One port of one Service, with the endpoints that serve it."""

    namespace: str
    name: str
    port_name: str
    protocol: str  # tcp, udp or sctp, as iptables spells them
    cluster_ip: str
    port: int
    node_port: int = 0
    affinity_seconds: int = 0  # ClientIP affinity timeout; 0 = none
    endpoints: tuple[tuple[str, int], ...] = field(default=())
    # Load balancer ingress IPs and spec.externalIPs: the port is served there too.
    external_ips: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}" + (f":{self.port_name}" if self.port_name else "")


def chain(prefix: str, *parts: str) -> str:
    """kube-proxy's naming: a prefix and 16 base32 characters of a hash (fits 28 chars)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:16]


def service_ports(services: list[Obj], endpoints: dict[str, Obj]) -> list[ServicePort]:
    """Every proxied port: Services with a cluster IP, and their ready endpoint addresses."""
    out = []
    for svc in services:
        spec, md = svc.get("spec") or {}, svc.get("metadata") or {}
        ip = spec.get("clusterIP") or ""
        if spec.get("type") == "ExternalName" or ip in ("", "None"):
            continue
        ep = endpoints.get(f"{md.get('namespace')}/{md.get('name')}") or {}
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        external = tuple(sorted({i["ip"] for i in ingress if i.get("ip")}
                                | set(spec.get("externalIPs") or [])))
        affinity = 0
        if spec.get("sessionAffinity") == "ClientIP":
            affinity = int(((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {})
                           .get("timeoutSeconds") or 10800)
        for p in spec.get("ports") or []:
            protocol = p.get("protocol", "TCP")
            out.append(ServicePort(
                namespace=md.get("namespace", ""), name=md.get("name", ""),
                port_name=p.get("name") or "", protocol=protocol.lower(), cluster_ip=ip,
                port=int(p["port"]), node_port=int(p.get("nodePort") or 0),
                affinity_seconds=affinity, external_ips=external,
                endpoints=_addresses(ep, p.get("name") or "", protocol)))
    return sorted(out, key=lambda sp: (sp.id, sp.protocol))


def _addresses(ep: Obj, port_name: str, protocol: str) -> tuple[tuple[str, int], ...]:
    found: set[tuple[str, int]] = set()
    for subset in ep.get("subsets") or []:
        for port in subset.get("ports") or []:
            if (port.get("name") or "") == port_name and port.get("protocol", "TCP") == protocol:
                found.update((a["ip"], int(port["port"])) for a in subset.get("addresses") or []
                             if a.get("ip"))
    return tuple(sorted(found, key=lambda a: (ipaddress.ip_address(a[0]), a[1])))


def _comment(text: str) -> str:
    return f'-m comment --comment "{text}"'


def _match(sp: ServicePort, dport: int) -> str:
    return f"-p {sp.protocol} -m {sp.protocol} --dport {dport}"


def _service_rules(sp: ServicePort) -> tuple[list[str], list[str]]:
    """(chain declarations, rules) of one service port that has endpoints."""
    svc_chain = chain("MC-SVC-", sp.id, sp.protocol)
    chains, rules = [svc_chain], []
    rules.append(f"-A {SERVICES} -d {sp.cluster_ip}/32 {_match(sp, sp.port)} "
                 f"{_comment(sp.id + ' cluster IP')} -j {svc_chain}")
    rules.append(f"-A {svc_chain} ! -s {POD_CIDR} -d {sp.cluster_ip}/32 {_match(sp, sp.port)} "
                 f"-j {MARK_MASQ}")
    for ip in sp.external_ips:  # from outside the cluster: masquerade, then as the cluster IP
        text = _comment(f"{sp.id} external IP")
        rules.append(f"-A {SERVICES} -d {ip}/32 {_match(sp, sp.port)} {text} -j {MARK_MASQ}")
        rules.append(f"-A {SERVICES} -d {ip}/32 {_match(sp, sp.port)} {text} -j {svc_chain}")
    if sp.node_port:
        rules.append(f"-A {NODEPORTS} {_match(sp, sp.node_port)} {_comment(sp.id)} -j {MARK_MASQ}")
        rules.append(f"-A {NODEPORTS} {_match(sp, sp.node_port)} {_comment(sp.id)} -j {svc_chain}")
    endpoint_chains = [chain("MC-SEP-", sp.id, sp.protocol, f"{ip}:{port}")
                       for ip, port in sp.endpoints]
    recent = "-m recent --name {} --mask 255.255.255.255 --rsource"
    if sp.affinity_seconds:
        rules += [f"-A {svc_chain} {recent.format(sep)} --rcheck --seconds {sp.affinity_seconds} "
                  f"--reap -j {sep}" for sep in endpoint_chains]
    n = len(endpoint_chains)
    for i, sep in enumerate(endpoint_chains):
        pick = "" if i == n - 1 else f"-m statistic --mode random --probability {1 / (n - i):.10f} "
        rules.append(f"-A {svc_chain} {_comment(sp.id)} {pick}-j {sep}")
    for (ip, port), sep in zip(sp.endpoints, endpoint_chains):
        chains.append(sep)
        rules.append(f"-A {sep} -s {ip}/32 -j {MARK_MASQ}")  # hairpin: a pod reaching itself
        sticky = recent.format(sep) + " --set " if sp.affinity_seconds else ""
        rules.append(f"-A {sep} -p {sp.protocol} {sticky}-m {sp.protocol} "
                     f"-j DNAT --to-destination {ip}:{port}")
    return chains, rules


def render_nat(ports: list[ServicePort], existing: set[str]) -> str:
    """The nat table: our fixed chains, the per-service chains, and removal of stale ones."""
    chains = [SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ]
    rules = [f"-A {MARK_MASQ} -j MARK --or-mark {MASQ_MARK}",
             f"-A {POSTROUTING} -m mark ! --mark {MASQ_MARK}/{MASQ_MARK} -j RETURN",
             f"-A {POSTROUTING} -j MARK --xor-mark {MASQ_MARK}",
             f"-A {POSTROUTING} {_comment('minicube service traffic requiring SNAT')} -j MASQUERADE"]
    for sp in ports:
        if sp.endpoints:
            more_chains, more_rules = _service_rules(sp)
            chains += more_chains
            rules += more_rules
    rules.append(f"-A {SERVICES} -m addrtype --dst-type LOCAL -j {NODEPORTS}")
    stale = sorted(c for c in existing if c.startswith(PREFIXES) and c not in chains)
    lines = ["*nat"] + [f":{c} - [0:0]" for c in chains + stale] + rules
    lines += [f"-X {c}" for c in stale] + ["COMMIT", ""]
    return "\n".join(lines)


def render_filter(ports: list[ServicePort]) -> str:
    """The filter table: refuse what no endpoint serves, and the rest of the Service range."""
    rules = []
    for sp in ports:
        if sp.endpoints:
            continue
        text = _comment(f"{sp.id} has no endpoints")
        rules.append(f"-A {SERVICES} -d {sp.cluster_ip}/32 {_match(sp, sp.port)} {text} {_REJECT}")
        for ip in sp.external_ips:
            for chain_name in (SERVICES, EXTERNAL):
                rules.append(f"-A {chain_name} -d {ip}/32 {_match(sp, sp.port)} {text} {_REJECT}")
        if sp.node_port:
            rules.append(f"-A {EXTERNAL} -m addrtype --dst-type LOCAL {_match(sp, sp.node_port)} "
                         f"{text} {_REJECT}")
    rules.append(f"-A {SERVICES} -d {SERVICE_CIDR} {_comment('no service at this address')} "
                 f"{_REJECT}")
    rules += [f"-A {FORWARD} -m mark --mark {MASQ_MARK}/{MASQ_MARK} -j ACCEPT",
              f"-A {FORWARD} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"]
    lines = ["*filter"] + [f":{c} - [0:0]" for c in (SERVICES, EXTERNAL, FORWARD)] + rules
    return "\n".join(lines + ["COMMIT", ""])


# (table, built-in or Docker chain, rule jumping to ours); inserted first when missing.
JUMPS: tuple[tuple[str, str, str], ...] = (
    ("nat", "PREROUTING", f"{_comment('minicube service portals')} -j {SERVICES}"),
    ("nat", "OUTPUT", f"{_comment('minicube service portals')} -j {SERVICES}"),
    ("nat", "POSTROUTING", f"{_comment('minicube postrouting rules')} -j {POSTROUTING}"),
    ("filter", "DOCKER-USER", f"-m conntrack --ctstate NEW {_comment('minicube services')} "
                              f"-j {SERVICES}"),
    ("filter", "DOCKER-USER", f"{_comment('minicube forwarding rules')} -j {FORWARD}"),
    ("filter", "OUTPUT", f"-m conntrack --ctstate NEW {_comment('minicube services')} "
                         f"-j {SERVICES}"),
    ("filter", "INPUT", f"-m conntrack --ctstate NEW {_comment('minicube node ports')} "
                        f"-j {EXTERNAL}"),
)
