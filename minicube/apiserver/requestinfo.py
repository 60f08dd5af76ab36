"""Turn a request path into what it addresses (upstream's RequestInfoFactory, in small).

/api/v1/namespaces/default/pods/web/log -> group "", version v1, namespace default,
resource pods, name web, subresource log. `/api/v1/namespaces/x` addresses the Namespace
`x` itself, and `/api/v1/namespaces/x/status` its status.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    group: str
    version: str
    resource: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""


def parse(path: str) -> RequestInfo | None:
    """The resource a path names, or None when it names no resource (discovery, health...)."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None
    namespace = ""
    # "namespaces/<ns>/<resource>..." scopes a namespaced resource; anything shorter is the
    # Namespace object itself (or one of its subresources).
    namespace_itself = group == "" and len(rest) == 3 and rest[2] in ("status", "finalize")
    if rest[0] == "namespaces" and len(rest) >= 3 and not namespace_itself:
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if len(rest) > 3:
        return None
    return RequestInfo(group, version, resource, namespace, name, subresource)
