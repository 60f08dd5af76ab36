"""IngressController: ingress-nginx's job inside the control-plane process.

At start it makes sure the default IngressClass `nginx` exists. Informers on Ingresses,
IngressClasses, Services, Endpoints and Secrets mark the configuration dirty on any change;
the loop then renders it again (routes.py + the Jinja2 template) and, only when the text
changed, writes the certificates, tests and reloads nginx: a change is served well within a
second. Each of our Ingresses shows the node's address in `status.loadBalancer.ingress`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

from minicube.api.errors import AlreadyExists, NotFound, StatusError
from minicube.api.kinds.ingressclasses import nginx_class
from minicube.client import APIConnectionError, Client, Informer, object_key, sync_loop
from minicube.ingress.certs import sync_certs
from minicube.ingress.nginx import Nginx, NginxError
from minicube.ingress.render import render
from minicube.ingress.routes import build, is_ours

log = logging.getLogger(__name__)

Obj = dict[str, Any]
NETWORKING = "networking.k8s.io/v1"


def default_dir() -> Path:
    return Path(os.environ.get("MINICUBE_STATE_DIR", "/var/lib/minicube")) / "ingress"


def load_balancer_status(ingresses: list[Obj], classes: list[Obj], node_ip: str) -> dict[str, list[Obj]]:
    """The `status.loadBalancer.ingress` each Ingress should show, for those that differ:
    the node's address on ours; nothing on others that still show it."""
    out: dict[str, list[Obj]] = {}
    for ing in ingresses:
        current = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        wanted = [{"ip": node_ip}] if is_ours(ing, classes) else (
            [] if current == [{"ip": node_ip}] else current)
        if current != wanted:
            out[object_key(ing)] = wanted
    return out


class IngressController:
    def __init__(self, client: Client, node_name: str, *, state_dir: Path | None = None,
                 nginx_binary: str = "nginx", resync_seconds: float = 30.0) -> None:
        self.client = client
        self.node_name = node_name
        self.dir = state_dir or default_dir()
        self.nginx = Nginx(self.dir / "nginx.conf", self.dir / "nginx.pid", binary=nginx_binary)
        self.resync_seconds = resync_seconds
        self.ingresses = Informer(client, NETWORKING, "ingresses")
        self.classes = Informer(client, NETWORKING, "ingressclasses")
        self.services = Informer(client, "v1", "services")
        self.endpoints = Informer(client, "v1", "endpoints")
        self.secrets = Informer(client, "v1", "secrets")
        self.informers = (self.ingresses, self.classes, self.services, self.endpoints, self.secrets)
        self._dirty, self._status_dirty = asyncio.Event(), asyncio.Event()
        for informer in self.informers:
            informer.add_handler(lambda *_: self._dirty.set())
        for informer in (self.ingresses, self.classes):
            informer.add_handler(lambda *_: self._status_dirty.set())
        self.applied = ""

    async def run(self) -> None:
        await self.ensure_default_class()
        try:
            async with asyncio.TaskGroup() as tg:
                for informer in self.informers:
                    tg.create_task(informer.run())
                tg.create_task(self._config_loop())
                tg.create_task(self._supervise())
                tg.create_task(self._status_loop())
        finally:
            await self.nginx.stop()

    async def ensure_default_class(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.client.create(NETWORKING, "ingressclasses", nginx_class())
                log.info("created the default IngressClass nginx")
                return
            except AlreadyExists:
                return
            except (StatusError, APIConnectionError) as e:
                log.warning("creating the IngressClass nginx failed: %s; retrying", e)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def render(self) -> tuple[str, dict[str, str]]:
        by_key = lambda informer: {object_key(o): o for o in informer.items()}  # noqa: E731
        config = build(self.ingresses.items(), self.classes.items(), by_key(self.services),
                       by_key(self.endpoints), by_key(self.secrets))
        text = render(config, cert_dir=self.dir / "certs", pid_file=self.nginx.pid_file)
        return text, config.certs

    async def sync(self) -> None:
        """Apply the current state if its configuration differs from the applied one."""
        text, certs = self.render()
        if text == self.applied:
            return  # unchanged (a dead nginx is restarted by _supervise)
        sync_certs(self.dir / "certs", certs)
        await self.nginx.apply(text)
        self.applied = text

    async def _config_loop(self) -> None:
        for informer in self.informers:
            await informer.wait_synced()
        await sync_loop(self._sync_keeping_last_good, self._dirty, self.resync_seconds,
                        what="applying the nginx configuration", retry_on=(OSError,))

    async def _sync_keeping_last_good(self) -> None:
        try:
            await self.sync()
        except NginxError as e:
            # A configuration nginx refuses (say, a bad regex path) must not stop the others:
            # the last good one keeps serving until the objects change.
            log.error("nginx rejected the new configuration; keeping the last one: %s", e)

    async def _supervise(self) -> None:
        """Start nginx again (with the last good configuration) whenever it exits."""
        while True:
            if not self.nginx.running:
                await asyncio.sleep(0.5)
                continue
            code = await self.nginx.wait()
            log.error("nginx exited with code %s; starting it again", code)
            await asyncio.sleep(1)
            if self.applied:
                try:
                    await self.nginx.start()
                except OSError as e:
                    log.error("starting nginx failed: %s", e)

    async def _status_loop(self) -> None:
        await self.ingresses.wait_synced()
        await self.classes.wait_synced()
        node_ip = ""
        while True:
            self._status_dirty.clear()
            try:
                node_ip = node_ip or await self._node_ip()
                if node_ip:
                    await self._write_status(node_ip)
                else:
                    self._status_dirty.set()  # until the kubelet has registered the node
            except (StatusError, APIConnectionError) as e:
                log.warning("ingress status: %s; retrying", e)
                self._status_dirty.set()
            if self._status_dirty.is_set():
                await asyncio.sleep(0.5)
            await self._status_dirty.wait()

    async def _write_status(self, node_ip: str) -> None:
        for key, ingress in load_balancer_status(self.ingresses.items(), self.classes.items(),
                                                 node_ip).items():
            namespace, _, name = key.partition("/")
            try:
                await self.client.patch_status(NETWORKING, "ingresses", name,
                                               {"status": {"loadBalancer": {"ingress": ingress or None}}},
                                               namespace=namespace)
            except NotFound:
                continue
            log.info("ingress %s: address %s", key, ingress[0]["ip"] if ingress else "none")

    async def _node_ip(self) -> str:
        try:
            node = await self.client.get("v1", "nodes", self.node_name)
        except NotFound:
            return ""
        addresses = (node.get("status") or {}).get("addresses") or []
        return next((a["address"] for a in addresses if a.get("type") == "InternalIP"), "")
