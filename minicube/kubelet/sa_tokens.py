"""ServiceAccount tokens for projected volumes, asked of the API (TokenRequest) and kept per
pod until 80% of their lifetime has passed, as upstream's kubelet token manager does, so each
sync rewrites the token file only when a fresh token is due."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from minicube.api.errors import StatusError
from minicube.client import Client

log = logging.getLogger(__name__)

Obj = dict[str, Any]
DEFAULT_SECONDS = 3600
# (audience, expirationSeconds) of a serviceAccountToken source
TokenKey = tuple[str, int]
# a pod's tokens, and why some could not be had
PodTokens = tuple[dict[TokenKey, str], dict[TokenKey, str]]


def token_keys(volumes: list[Obj]) -> list[TokenKey]:
    """Every distinct serviceAccountToken source among the pod's projected volumes."""
    keys: dict[TokenKey, None] = {}
    for v in volumes:
        for s in ((v.get("projected") or {}).get("sources") or []):
            if "serviceAccountToken" in s:
                keys[token_key(s["serviceAccountToken"] or {})] = None
    return list(keys)


def token_key(source: Obj) -> TokenKey:
    return source.get("audience") or "", int(source.get("expirationSeconds") or DEFAULT_SECONDS)


class TokenManager:
    def __init__(self, client: Client, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.clock = clock
        self._tokens: dict[tuple[str, TokenKey], tuple[str, float]] = {}  # -> token, refresh at

    async def tokens(self, pod: Obj) -> PodTokens:
        """The pod's tokens, and why some could not be had (keyed alike)."""
        md, spec = pod["metadata"], pod.get("spec") or {}
        out: dict[TokenKey, str] = {}
        failed: dict[TokenKey, str] = {}
        for key in token_keys(spec.get("volumes") or []):
            cached = self._tokens.get((md["uid"], key))
            if cached and self.clock() < cached[1]:
                out[key] = cached[0]
                continue
            try:
                out[key] = await self._request(pod, key)
            except StatusError as e:
                if cached:  # keep serving the older token while it lasts
                    out[key] = cached[0]
                failed[key] = f"failed to fetch token: {e}"
        return out, failed

    async def _request(self, pod: Obj, key: TokenKey) -> str:
        md, spec = pod["metadata"], pod.get("spec") or {}
        audience, seconds = key
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": {"audiences": [audience] if audience else None,
                         "expirationSeconds": seconds,
                         "boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                            "name": md["name"], "uid": md["uid"]}}}
        if not audience:
            del body["spec"]["audiences"]  # the API server's own audience
        answer = await self.client.post_subresource(
            "v1", "serviceaccounts", spec.get("serviceAccountName") or "default", "token", body,
            namespace=md.get("namespace", "default"))
        token = answer["status"]["token"]
        self._tokens[(md["uid"], key)] = (token, self.clock() + 0.8 * seconds)
        log.info("pod %s/%s: fetched a ServiceAccount token", md.get("namespace"), md["name"])
        return token

    def forget(self, uid: str) -> None:
        for k in [k for k in self._tokens if k[0] == uid]:
            del self._tokens[k]
