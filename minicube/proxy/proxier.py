"""The proxy: watches Services and Endpoints and keeps the node's iptables rules in step
(and gives LoadBalancer Services the node's address: loadbalancer.py).

Any change marks the rules dirty and the loop rewrites them at once (one iptables-restore,
tens of milliseconds), so a new endpoint is served well within a second. A periodic resync
restores rules that something else removed, and the first sync after a start programs a
fresh network namespace (a restarted node) from the API state alone.
"""

from __future__ import annotations

import asyncio
import logging
import time

from minicube.client import Client, Informer, object_key, sync_loop
from minicube.proxy import iptables
from minicube.proxy.loadbalancer import ServiceLoadBalancer
from minicube.proxy.rules import JUMPS, render_filter, render_nat, service_ports

log = logging.getLogger(__name__)


class Proxy:
    def __init__(self, client: Client, node_name: str = "", *, resync_seconds: float = 30.0) -> None:
        self.services = Informer(client, "v1", "services")
        self.endpoints = Informer(client, "v1", "endpoints")
        self.load_balancer = ServiceLoadBalancer(client, node_name, self.services)
        self.resync_seconds = resync_seconds
        self._dirty = asyncio.Event()
        for informer in (self.services, self.endpoints):
            informer.add_handler(lambda *_: self._dirty.set())

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.services.run())
            tg.create_task(self.endpoints.run())
            tg.create_task(self._loop())
            tg.create_task(self.load_balancer.run())

    async def _loop(self) -> None:
        await self.services.wait_synced()
        await self.endpoints.wait_synced()
        await sync_loop(self.sync, self._dirty, self.resync_seconds, what="programming iptables",
                        retry_on=(iptables.IptablesError, OSError))

    async def sync(self) -> None:
        started = time.monotonic()
        endpoints = {object_key(e): e for e in self.endpoints.items()}
        ports = service_ports(self.services.items(), endpoints)
        existing = await iptables.chains("nat")
        await iptables.restore(render_nat(ports, existing) + render_filter(ports))
        # Docker makes DOCKER-USER when it starts; make it first if we are earlier.
        await iptables.ensure_chain("filter", "DOCKER-USER", jump_from="FORWARD")
        for table, chain, rule in JUMPS:
            await iptables.ensure_jump(table, chain, rule)
        log.debug("programmed %d service ports in %.0f ms", len(ports),
                  (time.monotonic() - started) * 1000)
