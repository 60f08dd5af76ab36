"""Cluster DNS answers: Service, headless, pod, SRV and ExternalName names, and forwarding."""

from __future__ import annotations

import asyncio

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from minicube.dns.records import Zone
from minicube.dns.server import DnsServer

SERVICES = {
    "default/web": {"metadata": {"name": "web", "namespace": "default"},
                    "spec": {"clusterIP": "10.96.0.5",
                             "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}},
    "default/db": {"metadata": {"name": "db", "namespace": "default"},
                   "spec": {"clusterIP": "None",
                            "ports": [{"name": "sql", "port": 5432, "protocol": "TCP"}]}},
    "default/ext": {"metadata": {"name": "ext", "namespace": "default"},
                    "spec": {"type": "ExternalName", "externalName": "example.org"}},
}
ENDPOINTS = {"default/db": {"subsets": [{
    "addresses": [{"ip": "10.244.0.7", "hostname": "db-0"}, {"ip": "10.244.0.8"}],
    "notReadyAddresses": [{"ip": "10.244.0.9", "hostname": "db-2"}],
    "ports": [{"name": "sql", "port": 5432, "protocol": "TCP"}]}]}}


def ask(name: str, rdtype: str = "A", upstream: list[str] | None = None) -> dns.message.Message:
    server = DnsServer(lambda: Zone(SERVICES, ENDPOINTS), upstream or [])
    query = dns.message.make_query(name, rdtype)
    wire = asyncio.run(server.answer(query.to_wire(), tcp=False))
    assert wire is not None
    return dns.message.from_wire(wire)


def values(msg: dns.message.Message) -> list[str]:
    return sorted(r.to_text() for rrset in msg.answer for r in rrset)


def test_service_name_answers_its_cluster_ip():
    msg = ask("web.default.svc.cluster.local.")
    assert values(msg) == ["10.96.0.5"] and msg.rcode() == dns.rcode.NOERROR


def test_headless_service_answers_ready_pod_ips():
    assert values(ask("db.default.svc.cluster.local.")) == ["10.244.0.7", "10.244.0.8"]


def test_pod_hostname_under_its_subdomain_and_dashed_ip():
    assert values(ask("db-0.db.default.svc.cluster.local.")) == ["10.244.0.7"]
    assert values(ask("10-244-0-8.db.default.svc.cluster.local.")) == ["10.244.0.8"]
    assert ask("db-2.db.default.svc.cluster.local.").rcode() == dns.rcode.NXDOMAIN  # not ready


def test_srv_records_for_named_ports():
    assert values(ask("_http._tcp.web.default.svc.cluster.local.", "SRV")) == [
        "0 100 80 web.default.svc.cluster.local."]
    assert values(ask("_sql._tcp.db.default.svc.cluster.local.", "SRV")) == [
        "0 100 5432 10-244-0-8.db.default.svc.cluster.local.",
        "0 100 5432 db-0.db.default.svc.cluster.local."]


def test_external_name_is_a_cname():
    assert values(ask("ext.default.svc.cluster.local.")) == ["example.org."]


def test_unknown_names_are_nxdomain_and_other_types_nodata():
    assert ask("nope.default.svc.cluster.local.").rcode() == dns.rcode.NXDOMAIN
    nodata = ask("web.default.svc.cluster.local.", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer and nodata.authority


def test_pod_a_records_from_dashed_ips():
    assert values(ask("10-244-0-3.default.pod.cluster.local.")) == ["10.244.0.3"]


def test_names_outside_the_zone_fail_without_upstream():
    assert ask("example.org.").rcode() == dns.rcode.SERVFAIL


class _Upstream(asyncio.DatagramProtocol):
    """Plays the node's resolver: answers every A query with 192.0.2.1."""

    def connection_made(self, transport):  # type: ignore[no-untyped-def]
        self.transport = transport

    def datagram_received(self, data, addr):  # type: ignore[no-untyped-def]
        query = dns.message.from_wire(data)
        reply = dns.message.make_response(query)
        reply.answer = [dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "192.0.2.1")]
        self.transport.sendto(reply.to_wire(), addr)


def ask_with_upstream(name: str) -> dns.message.Message:
    """Ask a server whose node resolver is a fake one on loopback."""
    async def scenario() -> dns.message.Message:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(_Upstream, local_addr=("127.0.0.1", 0))
        port = transport.get_extra_info("sockname")[1]
        try:
            server = DnsServer(lambda: Zone(SERVICES, ENDPOINTS), ["127.0.0.1"], upstream_port=port)
            wire = await server.answer(dns.message.make_query(name, "A").to_wire(), tcp=False)
        finally:
            transport.close()
        assert wire is not None
        return dns.message.from_wire(wire)
    return asyncio.run(scenario())


def test_names_outside_the_zone_are_forwarded_to_the_node_resolver():
    assert values(ask_with_upstream("example.org.")) == ["192.0.2.1"]


def test_external_name_target_is_resolved_upstream_too():
    assert values(ask_with_upstream("ext.default.svc.cluster.local.")) == ["192.0.2.1", "example.org."]
