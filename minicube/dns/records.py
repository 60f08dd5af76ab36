"""The cluster.local zone computed from Services and Endpoints (pure; the DNS schema of
Kubernetes' "DNS for Services and Pods", as CoreDNS's kubernetes plugin answers it).

- `svc.ns.svc.cluster.local`  A: the cluster IP; headless: the ready endpoints' IPs;
  ExternalName: a CNAME to its name.
- `host.svc.ns.svc.cluster.local`  A: the endpoint whose hostname (pod spec.hostname with
  spec.subdomain = the Service) or dashed IP is `host` (headless Services).
- `_port._proto.svc.ns.svc.cluster.local`  SRV: named ports.
- `1-2-3-4.ns.pod.cluster.local`  A: 1.2.3.4.
Anything else in the zone is NXDOMAIN; a name that exists without the asked type is NODATA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

Obj = dict[str, Any]

ZONE = dns.name.from_text("cluster.local.")
TTL = 5  # seconds, CoreDNS's default for cluster records: endpoint changes show up quickly


@dataclass
class Answer:
    exists: bool  # False: NXDOMAIN
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)


@dataclass(frozen=True)
class _Endpoint:
    ip: str
    hostname: str
    ports: tuple[tuple[str, int, str], ...]  # (name, port, protocol)

    @property
    def label(self) -> str:
        return self.hostname or self.ip.replace(".", "-")


def _rrset(name: dns.name.Name, rdtype: str, values: list[str]) -> dns.rrset.RRset:
    return dns.rrset.from_text_list(name, TTL, dns.rdataclass.IN, rdtype, values)


def _ready_endpoints(ep: Obj | None) -> list[_Endpoint]:
    out = []
    for subset in (ep or {}).get("subsets") or []:
        ports = tuple((p.get("name") or "", int(p.get("port") or 0), p.get("protocol", "TCP"))
                      for p in subset.get("ports") or [])
        out += [_Endpoint(a["ip"], a.get("hostname") or "", ports)
                for a in subset.get("addresses") or [] if a.get("ip")]
    return sorted(out, key=lambda e: e.ip)


class Zone:
    """Answers for names under cluster.local from snapshots of Services and Endpoints."""

    def __init__(self, services: dict[str, Obj], endpoints: dict[str, Obj]) -> None:
        self.services = services  # "ns/name" -> Service
        self.endpoints = endpoints  # "ns/name" -> Endpoints

    def lookup(self, qname: dns.name.Name, rdtype: int) -> Answer:
        labels = [label.decode().lower() for label in qname.relativize(ZONE).labels]
        if len(labels) == 3 and labels[-1] == "pod":
            return self._pod(qname, labels[0], rdtype)
        if len(labels) < 3 or labels[-1] != "svc":
            return Answer(exists=False)
        key = f"{labels[-2]}/{labels[-3]}"
        svc = self.services.get(key)
        if svc is None:
            return Answer(exists=False)
        rest = labels[:-3]
        if not rest:
            return self._service(qname, svc, key, rdtype)
        if len(rest) == 1:
            return self._endpoint(qname, key, rest[0], rdtype)
        if len(rest) == 2 and all(r.startswith("_") for r in rest):
            return self._srv(qname, svc, key, rest[0][1:], rest[1][1:].upper(), rdtype)
        return Answer(exists=False)

    def _service(self, qname: dns.name.Name, svc: Obj, key: str, rdtype: int) -> Answer:
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            target = spec.get("externalName", "").rstrip(".") + "."
            return Answer(True, [_rrset(qname, "CNAME", [target])])
        if rdtype != dns.rdatatype.A:
            return Answer(True)
        if spec.get("clusterIP") == "None":
            ips = sorted({e.ip for e in _ready_endpoints(self.endpoints.get(key))})
            return Answer(True, [_rrset(qname, "A", ips)] if ips else [])
        return Answer(True, [_rrset(qname, "A", [spec["clusterIP"]])])

    def _endpoint(self, qname: dns.name.Name, key: str, label: str, rdtype: int) -> Answer:
        ips = [e.ip for e in _ready_endpoints(self.endpoints.get(key)) if e.label == label]
        if not ips:
            return Answer(exists=False)
        return Answer(True, [_rrset(qname, "A", ips)] if rdtype == dns.rdatatype.A else [])

    def _srv(self, qname: dns.name.Name, svc: Obj, key: str, port_name: str, protocol: str,
             rdtype: int) -> Answer:
        spec = svc.get("spec") or {}
        service_name = qname.parent().parent()
        ports = [p for p in spec.get("ports") or []
                 if p.get("name") == port_name and p.get("protocol", "TCP") == protocol]
        if not ports:
            return Answer(exists=False)
        if rdtype != dns.rdatatype.SRV:
            return Answer(True)
        if spec.get("clusterIP") != "None":
            return Answer(True, [_rrset(qname, "SRV", [f"0 100 {ports[0]['port']} {service_name}"])],
                          [_rrset(service_name, "A", [spec["clusterIP"]])])
        records, additional = [], []
        for e in _ready_endpoints(self.endpoints.get(key)):
            for name, number, proto in e.ports:
                if name == port_name and proto == protocol:
                    target = dns.name.Name((e.label.encode(),) + service_name.labels)
                    records.append(f"0 100 {number} {target}")
                    additional.append(_rrset(target, "A", [e.ip]))
        return Answer(True, [_rrset(qname, "SRV", records)] if records else [], additional)

    @staticmethod
    def _pod(qname: dns.name.Name, dashed: str, rdtype: int) -> Answer:
        parts = dashed.split("-")
        if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
            return Answer(exists=False)
        if rdtype != dns.rdatatype.A:
            return Answer(True)
        return Answer(True, [_rrset(qname, "A", [".".join(parts)])])
