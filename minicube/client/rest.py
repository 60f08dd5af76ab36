"""An asyncio client for our Kubernetes REST API (aiohttp), as node components use it.

Resources are addressed by (api_version, plural) — `("v1", "pods")`, `("apps/v1",
"deployments")` — and objects are plain dicts. A non-2xx answer raises the
`minicube.api.errors.StatusError` its Status body names (NotFound, Conflict, ...), so callers
handle API failures exactly as the server raised them; a transport failure raises
`APIConnectionError` instead of leaking aiohttp's exceptions.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, AsyncIterator, Literal
from urllib.parse import quote

import aiohttp

from minicube.api.errors import StatusError, from_status

log = logging.getLogger(__name__)

Obj = dict[str, Any]
PatchType = Literal["merge", "json", "strategic", "apply"]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"

PATCH_CONTENT_TYPES: dict[str, str] = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}


class APIConnectionError(Exception):
    """The API server could not be reached, or the connection broke mid-request."""


def resource_path(api_version: str, plural: str, name: str | None = None, *,
                  namespace: str | None = None, subresource: str | None = None) -> str:
    """`/api/v1/namespaces/default/pods/web/status` and friends (core group under /api)."""
    root = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    parts = [root]
    if namespace:
        parts.append(f"namespaces/{quote(namespace, safe='')}")
    parts.append(plural)
    if name:
        parts.append(quote(name, safe=""))
    if subresource:
        parts.append(subresource)
    return "/".join(parts)


def list_params(*, label_selector: str | None = None, field_selector: str | None = None,
                resource_version: str | None = None, **extra: Any) -> dict[str, str]:
    """Query parameters for list/watch, leaving out what was not given."""
    params = {"labelSelector": label_selector, "fieldSelector": field_selector,
              "resourceVersion": resource_version, **extra}
    return {k: _query_value(v) for k, v in params.items() if v is not None and v != ""}


def _query_value(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def split_lines(buffer: bytes, chunk: bytes) -> tuple[list[bytes], bytes]:
    """Feed a chunk of a newline-delimited stream: (complete lines, the unfinished rest)."""
    *lines, rest = (buffer + chunk).split(b"\n")
    return [line for line in lines if line.strip()], rest


def _error_from_response(code: int, body: bytes, what: str) -> StatusError:
    try:
        status = json.loads(body)
    except ValueError:
        status = None
    if not isinstance(status, dict) or status.get("kind") != "Status":
        text = body.decode("utf-8", "replace").strip()[:300]
        status = {"message": f"{what}: HTTP {code}" + (f": {text}" if text else "")}
    return from_status(status, code)


class Client:
    """One aiohttp session to the API server; safe to share between tasks.

    Use `async with Client() as c:` or call `await c.close()` when done.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 30.0,
                 user_agent: str = "minicube") -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._headers = {"User-Agent": user_agent, "Accept": "application/json"}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _sess(self) -> aiohttp.ClientSession:
        # Created lazily so a Client can be built outside a running loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    async def request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                      body: Any = None, content_type: str = "application/json") -> Any:
        """Send one request and return the decoded JSON reply (raises StatusError on non-2xx)."""
        url = self.base_url + path
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if data is not None else None
        try:
            async with self._sess().request(method, url, params=params, data=data,
                                            headers=headers) as resp:
                raw = await resp.read()
                if resp.status >= 400:
                    raise _error_from_response(resp.status, raw, f"{method} {path}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise APIConnectionError(
                f"cannot reach the API server at {self.base_url} ({method} {path}): "
                f"{e or type(e).__name__}") from e
        return json.loads(raw) if raw else {}

    # --- verbs ---------------------------------------------------------------------------

    async def get(self, api_version: str, plural: str, name: str, *,
                  namespace: str | None = None, subresource: str | None = None) -> Obj:
        return await self.request("GET", resource_path(api_version, plural, name,
                                                       namespace=namespace,
                                                       subresource=subresource))

    async def list(self, api_version: str, plural: str, *, namespace: str | None = None,
                   label_selector: str | None = None, field_selector: str | None = None,
                   resource_version: str | None = None) -> Obj:
        """The `<Kind>List` (items plus metadata.resourceVersion)."""
        params = list_params(label_selector=label_selector, field_selector=field_selector,
                             resource_version=resource_version)
        return await self.request("GET", resource_path(api_version, plural, namespace=namespace),
                                  params=params)

    async def create(self, api_version: str, plural: str, obj: Obj, *,
                     namespace: str | None = None) -> Obj:
        ns = namespace or obj.get("metadata", {}).get("namespace")
        return await self.request("POST", resource_path(api_version, plural, namespace=ns),
                                  body=obj)

    async def replace(self, api_version: str, plural: str, obj: Obj, *,
                      namespace: str | None = None, subresource: str | None = None) -> Obj:
        """PUT the whole object (its metadata.resourceVersion makes it a compare-and-swap)."""
        meta = obj.get("metadata", {})
        path = resource_path(api_version, plural, meta["name"],
                             namespace=namespace or meta.get("namespace"), subresource=subresource)
        return await self.request("PUT", path, body=obj)

    async def patch(self, api_version: str, plural: str, name: str, patch: Any, *,
                    namespace: str | None = None, patch_type: PatchType = "merge",
                    subresource: str | None = None, field_manager: str | None = None) -> Obj:
        params = {"fieldManager": field_manager} if field_manager else None
        path = resource_path(api_version, plural, name, namespace=namespace,
                             subresource=subresource)
        return await self.request("PATCH", path, params=params, body=patch,
                                  content_type=PATCH_CONTENT_TYPES[patch_type])

    async def update_status(self, api_version: str, plural: str, obj: Obj, *,
                            namespace: str | None = None) -> Obj:
        return await self.replace(api_version, plural, obj, namespace=namespace,
                                  subresource="status")

    async def patch_status(self, api_version: str, plural: str, name: str, patch: Any, *,
                           namespace: str | None = None,
                           patch_type: PatchType = "merge") -> Obj:
        return await self.patch(api_version, plural, name, patch, namespace=namespace,
                                patch_type=patch_type, subresource="status")

    async def delete(self, api_version: str, plural: str, name: str, *,
                     namespace: str | None = None, grace_period_seconds: int | None = None,
                     propagation_policy: str | None = None,
                     preconditions: dict[str, str] | None = None) -> Obj:
        """DELETE with DeleteOptions in the body (as kubectl sends them)."""
        options: Obj = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        if propagation_policy:
            options["propagationPolicy"] = propagation_policy
        if preconditions:
            options["preconditions"] = preconditions
        return await self.request("DELETE", resource_path(api_version, plural, name,
                                                          namespace=namespace), body=options)

    async def post_subresource(self, api_version: str, plural: str, name: str,
                               subresource: str, body: Obj, *,
                               namespace: str | None = None) -> Obj:
        """POST to `.../{name}/{subresource}`, e.g. a Binding to pods/{name}/binding."""
        return await self.request("POST", resource_path(api_version, plural, name,
                                                        namespace=namespace,
                                                        subresource=subresource), body=body)

    async def watch(self, api_version: str, plural: str, *, namespace: str | None = None,
                    label_selector: str | None = None, field_selector: str | None = None,
                    resource_version: str | None = None, timeout_seconds: int | None = None,
                    allow_bookmarks: bool = True) -> AsyncIterator[tuple[str, Obj]]:
        """Yield (type, object) from a watch stream until the server ends it.

        Types are ADDED/MODIFIED/DELETED/BOOKMARK/ERROR; an ERROR carries a Status object
        (410 Expired means: list again). A broken stream raises APIConnectionError.
        """
        params = list_params(label_selector=label_selector, field_selector=field_selector,
                             resource_version=resource_version, watch=True,
                             timeoutSeconds=timeout_seconds,
                             allowWatchBookmarks=allow_bookmarks or None)
        path = resource_path(api_version, plural, namespace=namespace)
        # A watch lives as long as the server keeps it: no total or read timeout.
        timeout = aiohttp.ClientTimeout(total=None, connect=self._timeout.total,
                                        sock_read=None)
        try:
            async with self._sess().get(self.base_url + path, params=params,
                                        timeout=timeout) as resp:
                if resp.status >= 400:
                    raise _error_from_response(resp.status, await resp.read(), f"watch {path}")
                rest = b""
                # iter_any, not readline: an object may exceed aiohttp's line-length limit.
                async for chunk in resp.content.iter_any():
                    lines, rest = split_lines(rest, chunk)
                    for line in lines:
                        event = json.loads(line)
                        yield event.get("type", ""), event.get("object") or {}
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise APIConnectionError(
                f"watch of {path} at {self.base_url} broke: {e or type(e).__name__}") from e
