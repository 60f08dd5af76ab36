"""The API server application: routes, error handling, bootstrap objects, and serving."""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

from minicube.api import errors
from minicube.api.kinds import REGISTRY
from minicube.api.registry import Registry
from minicube.apiserver import auth, discovery, openapi, requestinfo, reviews, system_objects
from minicube.apiserver.crds import CustomResources
from minicube.apiserver.metrics import Metrics, is_metrics
from minicube.apiserver.negotiation import respond
from minicube.apiserver.objects import Objects
from minicube.apiserver.resources import Resources
from minicube.apiserver.scale import ScaleSubresources
from minicube.apiserver.streams import PodStreams
from minicube.apiserver.subresources import PodSubresources
from minicube.apiserver.tokens import TokenIssuer, TokenSubresource
from minicube.store import Store

log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_COMPACT_EVERY_SECONDS = 300


@dataclass(frozen=True)
class ApiServerConfig:
    pki_dir: Path
    https_host: str = "0.0.0.0"
    https_port: int = 8443
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    kubelet_url: str = "http://127.0.0.1:10250"
    advertise_address: str = ""  # the node IP the `default/kubernetes` Service leads to


@web.middleware
async def status_errors(request: web.Request,
                        handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Every failure leaves as a v1 Status; unexpected ones are logged with their traceback."""
    try:
        return await handler(request)
    except errors.StatusError as e:
        return respond(e.to_status(), status=e.code)
    except web.HTTPException as e:
        return respond(errors.StatusError(e.reason).to_status() | {"code": e.status, "reason": e.reason},
                       status=e.status)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception as e:  # noqa: BLE001 - the API boundary: log it, answer a Status
        log.error("%s %s failed:\n%s", request.method, request.path_qs, traceback.format_exc())
        return respond(errors.InternalError(f"an error on the server: {e}").to_status(), status=500)


class ApiServer:
    def __init__(self, store: Store, config: ApiServerConfig, registry: Registry = REGISTRY) -> None:
        self.store = store
        self.config = config
        self.registry = registry = registry.copy()  # custom kinds join this server's only
        self.objects = Objects(store)
        self.custom_resources = CustomResources(self.objects, registry)
        namespace_kind = registry.get("", "v1", "namespaces")
        assert namespace_kind is not None
        self.namespace_kind = namespace_kind
        self.resources = Resources(registry, self.objects, namespace_kind)
        pods = PodSubresources(self.objects, config.kubelet_url)
        self.resources.subresources.update({"binding": pods.binding, "log": pods.log,
                                            "ephemeralcontainers": pods.ephemeral_containers})
        streams = PodStreams(self.objects, config.kubelet_url)
        self.resources.subresources.update(dict.fromkeys(("exec", "attach", "portforward"), streams.handle))
        views = ScaleSubresources(self.objects)
        self.resources.subresources.update({"scale": views.scale, "finalize": views.finalize})
        self.metrics = Metrics(self.objects, registry, config.kubelet_url)
        self.tokens = TokenIssuer.from_pki(config.pki_dir)
        self.resources.subresources["token"] = TokenSubresource(self.objects, self.tokens).token
        self.ready = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[status_errors, auth.authenticate],
                              client_max_size=64 * 1024 * 1024)
        app[auth.TOKENS] = self.tokens
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz") or path.startswith(("/healthz/", "/livez/", "/readyz/")):
            if path.startswith("/readyz") and not self.ready.is_set():
                return web.Response(status=500, text="[-]bootstrap not finished\nreadyz check failed")
            return web.Response(text="ok")
        if request.method != "GET" and not path.startswith(("/api/", "/apis/")):
            raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
        if path == "/version":
            return respond(discovery.VERSION_INFO)
        if path == "/api":
            return discovery.core_group(request, self.registry)
        if path == "/apis":
            return discovery.groups(request, self.registry)
        if path == "/openapi/v2":
            # kubectl asks here only for a kind missing from v3 (an unknown kind). An empty
            # document (zero protobuf bytes) lets it go on to report "no matches for kind".
            return web.Response(body=b"", content_type=openapi.V2_PROTOBUF)
        if path == "/openapi/v3":
            return respond(openapi.root_document(self.registry))
        if path.startswith("/openapi/v3/"):
            gv = path[len("/openapi/v3/"):].split("/")
            group, version = ("", gv[1]) if gv[0] == "api" and len(gv) == 2 else (
                (gv[1], gv[2]) if gv[0] == "apis" and len(gv) == 3 else ("", ""))
            return self._found(openapi.group_version_document(self.registry, group, version))
        info = requestinfo.parse(path)
        if info is None:
            parts = path.strip("/").split("/")
            if request.method == "GET" and parts[0] == "api" and len(parts) == 2:
                return self._found(discovery.resource_list(self.registry, "", parts[1]))
            if request.method == "GET" and parts[0] == "apis" and len(parts) == 3:
                return self._found(discovery.resource_list(self.registry, parts[1], parts[2]))
            if request.method == "GET" and parts[0] == "apis" and len(parts) == 2:
                return self._found(discovery.group(self.registry, parts[1]))
            raise errors.NotFound.route()
        kind = self.registry.get(info.group, info.version, info.resource)
        if kind is not None and reviews.is_review(kind):
            return await reviews.handle(request, kind, info)
        if kind is not None and is_metrics(kind):
            return await self.metrics.handle(request, kind, info)
        return await self.resources.handle(request, info)

    @staticmethod
    def _found(doc: dict | None) -> web.Response:
        if doc is None:
            raise errors.NotFound.route()
        return respond(doc)

    def bootstrap(self) -> int:
        """Objects every cluster has from its first second: the system namespaces, then
        system_objects (priority classes, the client CA, the `kubernetes` Service); then the
        stored CRDs' kinds. Returns the revision to follow CRD changes from."""
        for name in SYSTEM_NAMESPACES:
            if not self.objects.exists(self.namespace_kind, "", name):
                self.objects.create(self.namespace_kind, "", {"metadata": {"name": name}})
                log.info("created namespace %s", name)
        system_objects.ensure(self.objects, self.registry, self.config.pki_dir,
                              self.config.advertise_address, self.config.https_port)
        return self.custom_resources.load()

    async def compact_forever(self) -> None:
        while True:
            await asyncio.sleep(_COMPACT_EVERY_SECONDS)
            self.store.compact()

    async def serve(self) -> None:
        """Listen on both addresses, mark ready, then run until cancelled."""
        crds_from = self.bootstrap()
        runner = web.AppRunner(self.app(), access_log=None, handler_cancellation=True)
        await runner.setup()
        ssl_ctx = auth.server_ssl_context(self.config.pki_dir)
        await web.TCPSite(runner, self.config.https_host, self.config.https_port, ssl_context=ssl_ctx).start()
        await web.TCPSite(runner, self.config.http_host, self.config.http_port).start()
        log.info("API server serving on https://%s:%d and http://%s:%d", self.config.https_host,
                 self.config.https_port, self.config.http_host, self.config.http_port)
        self.ready.set()
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.custom_resources.run(crds_from))
                tg.create_task(self.compact_forever())
        finally:
            await runner.cleanup()

