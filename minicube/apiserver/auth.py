"""TLS and authentication: client certificates or ServiceAccount bearer tokens on HTTPS,
anonymous-as-admin on loopback HTTP. Everyone authenticated may do everything.

Health and version endpoints are public, as upstream's system:public-info-viewer makes them.
A request over HTTPS without a client certificate signed by the cluster CA gets 401.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from minicube.api import errors
from minicube.apiserver.tokens import TokenIssuer

PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
TOKENS = web.AppKey("tokens", TokenIssuer)
USER: web.RequestKey[dict[str, Any]] = web.RequestKey("user", dict)
LOOPBACK_USER = "system:apiserver"
AUTHENTICATED = "system:authenticated"


# Python's default TLS 1.2 suites, at security level 0: a client that sends no
# signature_algorithms (busybox wget's TLS) means SHA-1 signatures (RFC 5246), which OpenSSL 3
# refuses at higher levels and Go's crypto/tls (the real API server) accepts.
_CIPHERS = "ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM:@SECLEVEL=0"


def server_ssl_context(pki_dir: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.set_ciphers(_CIPHERS)
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
    user: dict[str, Any] = {"username": LOOPBACK_USER, "groups": ["system:masters", AUTHENTICATED]}
    if ssl_object is not None:
        cert = ssl_object.getpeercert()
        subject = dict(item[0] for item in cert.get("subject", ())) if cert else {}
        if subject.get("commonName"):
            groups = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "organizationName"]
            user = {"username": subject["commonName"], "groups": [*groups, AUTHENTICATED]}
        elif (account := _bearer_user(request)) is not None:
            namespace = account.split(":")[2]
            user = {"username": account, "groups": [
                "system:serviceaccounts", f"system:serviceaccounts:{namespace}", AUTHENTICATED]}
        elif not _is_public(request.path):
            raise errors.Unauthorized("Unauthorized")
        else:
            user = {"username": "system:anonymous", "groups": ["system:unauthenticated"]}
    request[USER] = user
    return await handler(request)


def user_of(request: web.Request) -> dict[str, Any]:
    """The authenticated caller as a UserInfo (username, groups)."""
    return dict(request.get(USER) or {"username": "system:anonymous", "groups": []})


def _bearer_user(request: web.Request) -> str | None:
    """The ServiceAccount a valid `Authorization: Bearer <token>` header names."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or TOKENS not in request.app:
        return None
    return request.app[TOKENS].verify(token.strip())
