"""ServiceAccount tokens: the `serviceaccounts/{name}/token` subresource (TokenRequest) and the
bearer-token check the authenticator uses.

Tokens are ES256 JWTs signed with the cluster CA key (upstream signs with its service-account
key; one cluster key serves the same purpose here). Claims follow upstream's bound tokens:
iss/sub/aud/exp/iat/nbf plus `kubernetes.io` naming the namespace and account.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (decode_dss_signature,
                                                             encode_dss_signature)

from minicube.api import errors, meta
from minicube.api.registry import Kind
from minicube.apiserver import negotiation as neg
from minicube.apiserver.objects import Objects
from minicube.apiserver.requestinfo import RequestInfo

ISSUER = "https://kubernetes.default.svc.cluster.local"
DEFAULT_SECONDS = 3600
MIN_SECONDS = 600  # upstream refuses shorter tokens
_HEADER = {"alg": "ES256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self.key = key

    @classmethod
    def from_pki(cls, pki_dir: Path) -> TokenIssuer:
        key = serialization.load_pem_private_key((pki_dir / "ca.key").read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cls(key)

    def issue(self, namespace: str, name: str, uid: str, audiences: list[str],
              seconds: int, now: float | None = None) -> tuple[str, int]:
        """A signed token for the account, and its expiry (unix seconds)."""
        now = int(time.time() if now is None else now)
        claims = {"iss": ISSUER, "sub": f"system:serviceaccount:{namespace}:{name}",
                  "aud": audiences, "iat": now, "nbf": now, "exp": now + seconds,
                  "jti": str(uuid.uuid4()),
                  "kubernetes.io": {"namespace": namespace,
                                    "serviceaccount": {"name": name, "uid": uid}}}
        signing_input = f"{_b64(json.dumps(_HEADER).encode())}.{_b64(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}", now + seconds

    def verify(self, token: str, now: float | None = None) -> str | None:
        """The user name (system:serviceaccount:ns:name) of a valid, unexpired token."""
        try:
            header, claims_part, sig_part = token.split(".")
            sig = _unb64(sig_part)
            if len(sig) != 64 or json.loads(_unb64(header)).get("alg") != "ES256":
                return None
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            self.key.public_key().verify(der, f"{header}.{claims_part}".encode(),
                                         ec.ECDSA(hashes.SHA256()))
            claims = json.loads(_unb64(claims_part))
        except (ValueError, InvalidSignature, UnicodeDecodeError):
            return None
        t = time.time() if now is None else now
        if claims.get("iss") != ISSUER or not claims.get("nbf", 0) <= t < claims.get("exp", 0):
            return None
        sub = claims.get("sub")
        return sub if isinstance(sub, str) and sub.startswith("system:serviceaccount:") else None


def _seconds(spec: dict[str, Any], name: str) -> int:
    seconds = spec.get("expirationSeconds", DEFAULT_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < MIN_SECONDS:
        raise errors.Invalid.of("TokenRequest", name, [meta.invalid(
            "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")],
            "authentication.k8s.io")
    return min(seconds, 2 ** 32)


class TokenSubresource:
    """POST serviceaccounts/{name}/token: answers a TokenRequest with a fresh token."""

    def __init__(self, objects: Objects, issuer: TokenIssuer) -> None:
        self.objects = objects
        self.issuer = issuer

    async def token(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        if request.method != "POST":
            raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
        body = await neg.read_object(request)
        account = self.objects.get(kind, info.namespace, info.name)  # 404 for a missing account
        spec = dict(body.get("spec") or {})
        audiences = list(spec.get("audiences") or [ISSUER])
        seconds = _seconds(spec, info.name)
        token, expiry = self.issuer.issue(info.namespace, info.name,
                                          account["metadata"].get("uid", ""), audiences, seconds)
        spec.update(audiences=audiences, expirationSeconds=seconds)
        stamp = datetime.fromtimestamp(expiry, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return neg.respond({
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": info.name, "namespace": info.namespace,
                         "creationTimestamp": None},
            "spec": spec, "status": {"token": token, "expirationTimestamp": stamp}}, status=201)
