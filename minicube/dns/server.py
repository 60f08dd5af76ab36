"""A DNS server on UDP and TCP (dnspython for the wire format): cluster.local answered from a
Zone, every other name forwarded to the node's own resolver.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Callable

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from minicube.dns.records import TTL, ZONE, Zone

log = logging.getLogger(__name__)

_UDP_LIMIT = 512  # without EDNS0, a UDP answer must fit here (else: truncated, retry on TCP)
_FORWARD_TIMEOUT = 3.0


def _soa() -> dns.rrset.RRset:
    return dns.rrset.from_text(ZONE, TTL, "IN", "SOA",
                               f"ns.dns.{ZONE} hostmaster.{ZONE} 1 7200 1800 86400 {TTL}")


class DnsServer:
    def __init__(self, zone: Callable[[], Zone], upstream: list[str], *,
                 upstream_port: int = 53) -> None:
        self.zone = zone  # a fresh snapshot per query
        self.upstream = upstream
        self.upstream_port = upstream_port

    async def answer(self, wire: bytes, *, tcp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None  # not DNS: nothing sensible to say
        if len(query.question) != 1:
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        if question.name.is_subdomain(ZONE):
            response = self._authoritative(query)
            await self._chase_cname(response, question.rdtype, tcp=tcp)
        else:
            response = await self._forward(query, tcp=tcp)
        limit = 65535 if tcp else max(query.payload if query.edns >= 0 else 0, _UDP_LIMIT)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            response.flags |= dns.flags.TC
            response.answer, response.additional = [], []
            return response.to_wire()

    def _authoritative(self, query: dns.message.Message) -> dns.message.Message:
        question = query.question[0]
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        found = self.zone().lookup(question.name, question.rdtype)
        if not found.exists:
            response.set_rcode(dns.rcode.NXDOMAIN)
        response.answer = found.answer
        response.additional = found.additional
        if not found.answer:
            response.authority = [_soa()]
        return response

    async def _chase_cname(self, response: dns.message.Message, rdtype: int, *, tcp: bool) -> None:
        """An ExternalName's target is resolved too, as CoreDNS does: stub resolvers do not
        follow a CNAME that comes without the records it points to."""
        if rdtype == dns.rdatatype.CNAME or len(response.answer) != 1 or \
                response.answer[0].rdtype != dns.rdatatype.CNAME:
            return
        target = response.answer[0][0].target
        if target.is_subdomain(ZONE):
            return
        query = dns.message.make_query(target, dns.rdatatype.RdataType.make(rdtype))
        found = await self._forward(query, tcp=tcp)
        response.answer += found.answer

    async def _forward(self, query: dns.message.Message, *, tcp: bool) -> dns.message.Message:
        for server in self.upstream:
            try:
                if tcp:
                    return await dns.asyncquery.tcp(query, server, port=self.upstream_port,
                                                    timeout=_FORWARD_TIMEOUT)
                return await dns.asyncquery.udp(query, server, port=self.upstream_port,
                                                timeout=_FORWARD_TIMEOUT, ignore_unexpected=True)
            except (dns.exception.DNSException, OSError) as e:
                log.debug("forwarding %s to %s failed: %s", query.question[0].name, server, e)
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        return response

    async def serve(self, host: str, port: int, ready: asyncio.Event | None = None) -> None:
        """Serve UDP and TCP on host:port until cancelled."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Udp(self), local_addr=(host, port))
        tcp = await asyncio.start_server(self._tcp_client, host, port)
        log.info("cluster DNS serving on %s:%d (udp, tcp); other names go to %s", host, port,
                 ", ".join(self.upstream) or "nowhere")
        if ready:
            ready.set()
        try:
            async with tcp:
                await tcp.serve_forever()
        finally:
            transport.close()

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                (size,) = struct.unpack("!H", await reader.readexactly(2))
                reply = await self.answer(await reader.readexactly(size), tcp=True)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.ensure_future(self._reply(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            reply = await self.server.answer(data, tcp=False)
        except Exception:  # a boundary: one bad query must not stop the server
            log.exception("answering a query from %s failed", addr[0])
            return
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)
