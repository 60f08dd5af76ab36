"""TLS and authentication: client certificates on HTTPS, anonymous-as-admin on loopback HTTP.

Health and version endpoints are public, as upstream's system:public-info-viewer makes them.
A request over HTTPS without a client certificate signed by the cluster CA gets 401.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

from minicube.api import errors

PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")


def server_ssl_context(pki_dir: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki_dir / "server.crt", pki_dir / "server.key")
    ctx.load_verify_locations(pki_dir / "ca.crt")
    ctx.verify_mode = ssl.CERT_OPTIONAL  # ask for a client cert; public paths work without one
    ctx.set_alpn_protocols(["http/1.1"])  # kubectl offers h2 too; we speak HTTP/1.1 only
    return ctx


def _is_public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)


@web.middleware
async def authenticate(request: web.Request,
                       handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
    # The loopback HTTP listener (no TLS) serves our own components and is trusted as admin.
    if ssl_object is not None and not _is_public(request.path):
        cert = ssl_object.getpeercert()
        subject = dict(item[0] for item in cert.get("subject", ())) if cert else {}
        if not subject.get("commonName"):
            raise errors.Unauthorized("Unauthorized")
    return await handler(request)
