"""Running one probe or lifecycle handler: exec, httpGet, tcpSocket (and a hook's sleep).

exec runs in the container through the engine; httpGet and tcpSocket go from the node to the
pod's IP (or `host`), with named ports looked up in the container's ports. Results follow
upstream's prober: HTTP 200-399 is success, output is cut to 10 KiB, a timeout is a failure.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from minicube.kubelet.runtime import EngineError

Obj = dict[str, Any]

MAX_OUTPUT = 10 * 1024
USER_AGENT = "kube-probe/1.32"


class Execer(Protocol):
    async def exec(self, container_id: str, cmd: list[str], timeout: float) -> tuple[int, str]: ...


@dataclass(frozen=True)
class Target:
    """What a handler acts on: one running container of a pod."""
    container_id: str
    container: Obj
    pod_ip: str


def resolve_port(port: int | str, container: Obj) -> int:
    """A port number, or the containerPort of the container's port of that name."""
    if isinstance(port, int) or str(port).isdigit():
        number = int(port)
    else:
        found = [p.get("containerPort") for p in container.get("ports") or []
                 if p.get("name") == port]
        if not found:
            raise ValueError(f"couldn't find port {port!r} in the container's ports")
        number = int(found[0])
    if not 0 < number < 65536:
        raise ValueError(f"invalid port number: {number}")
    return number


def handler_kind(handler: Obj) -> str:
    return next((k for k in ("exec", "httpGet", "tcpSocket", "grpc", "sleep") if k in handler),
                "")


async def run(handler: Obj, target: Target, runtime: Execer, timeout: float) -> tuple[bool, str]:
    """(success, message) of one run; message explains a failure as upstream's events do."""
    kind = handler_kind(handler)
    try:
        if kind == "exec":
            return await _exec(handler["exec"] or {}, target, runtime, timeout)
        if kind == "httpGet":
            return await _http_get(handler["httpGet"] or {}, target, timeout)
        if kind == "tcpSocket":
            return await _tcp(handler["tcpSocket"] or {}, target, timeout)
        if kind == "sleep":
            await asyncio.sleep(int((handler["sleep"] or {}).get("seconds", 0)))
            return True, ""
    except ValueError as e:
        return False, str(e)
    return False, f"{kind or 'an empty'} handler is not supported by this kubelet"


async def _exec(spec: Obj, target: Target, runtime: Execer, timeout: float) -> tuple[bool, str]:
    cmd = list(spec.get("command") or [])
    try:
        code, output = await runtime.exec(target.container_id, cmd, timeout)
    except TimeoutError:
        return False, f"command {cmd!r} timed out"
    except EngineError as e:  # the engine refused (container gone, no such binary)
        return False, str(e)
    output = output[:MAX_OUTPUT]
    if code == 0:
        return True, output
    return False, output or f"command {cmd!r} exited with {code}"


async def _http_get(spec: Obj, target: Target, timeout: float) -> tuple[bool, str]:
    port = resolve_port(spec.get("port", 0), target.container)
    host = spec.get("host") or target.pod_ip
    scheme = (spec.get("scheme") or "HTTP").lower()
    path = spec.get("path") or "/"
    if not path.startswith("/"):
        path = "/" + path
    url = f"{scheme}://{host}:{port}{path}"
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    for h in spec.get("httpHeaders") or []:
        headers[h["name"]] = h.get("value", "")
    # HTTPS probes do not verify certificates, as upstream's prober.
    tls = ssl.create_default_context() if scheme == "https" else None
    if tls is not None:
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as s:
            async with s.get(url, headers=headers, ssl=tls if tls else False,
                             allow_redirects=False) as resp:
                body = (await resp.content.read(MAX_OUTPUT)).decode("utf-8", "replace")
                if 200 <= resp.status < 400:
                    return True, body
                return False, f"HTTP probe failed with statuscode: {resp.status}"
    except asyncio.TimeoutError:
        return False, (f'Get "{url}": context deadline exceeded (Client.Timeout exceeded '
                       "while awaiting headers)")
    except aiohttp.ClientError as e:
        return False, f'Get "{url}": {e}'


async def _tcp(spec: Obj, target: Target, timeout: float) -> tuple[bool, str]:
    port = resolve_port(spec.get("port", 0), target.container)
    host = spec.get("host") or target.pod_ip
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, asyncio.TimeoutError) as e:
        return False, f"dial tcp {host}:{port}: {e or 'i/o timeout'}"
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True, ""
