"""Discovery documents, all generated from the kind registry.

Aggregated discovery (apidiscovery.k8s.io v2 / v2beta1, two requests for kubectl) when the
Accept header asks for it, the legacy APIVersions / APIGroupList / APIResourceList otherwise.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from minicube.api.registry import Kind, Registry
from minicube.apiserver.negotiation import accept_clauses, respond

VERSION_INFO = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-minicube",
    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23", "compiler": "gc",
    "platform": "linux/amd64",
}

# Subresource -> (group, version, kind) of what it answers with, and its verbs.
_SUBRESOURCES: dict[str, tuple[tuple[str, str, str] | None, tuple[str, ...]]] = {
    "status": (None, ("get", "patch", "update")),
    "scale": (("autoscaling", "v1", "Scale"), ("get", "patch", "update")),
    "log": (("", "v1", "Pod"), ("get",)),
    "binding": (("", "v1", "Binding"), ("create",)),
    "eviction": (("policy", "v1", "Eviction"), ("create",)),
    "exec": (("", "v1", "PodExecOptions"), ("create", "get")),
    "attach": (("", "v1", "PodAttachOptions"), ("create", "get")),
    "portforward": (("", "v1", "PodPortForwardOptions"), ("create", "get")),
    "finalize": (None, ("update",)),
    "ephemeralcontainers": (("", "v1", "Pod"), ("get", "patch", "update")),
    "proxy": (None, ("create", "delete", "get", "patch", "update")),
}


def _subresource(kind: Kind, sub: str) -> tuple[tuple[str, str, str], tuple[str, ...]]:
    gvk, verbs = _SUBRESOURCES.get(sub, (None, ("get",)))
    return gvk or (kind.group, kind.version, kind.kind), verbs


def _aggregated_resource(kind: Kind) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "resource": kind.plural, "singularResource": kind.singular,
        "scope": "Namespaced" if kind.namespaced else "Cluster",
        "responseKind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
        "verbs": sorted(kind.verbs),
    }
    if kind.short_names:
        doc["shortNames"] = list(kind.short_names)
    if kind.categories:
        doc["categories"] = list(kind.categories)
    subs = []
    for sub in kind.subresources:
        (g, v, k), verbs = _subresource(kind, sub)
        subs.append({"subresource": sub, "responseKind": {"group": g, "version": v, "kind": k},
                     "verbs": list(verbs)})
    if subs:
        doc["subresources"] = subs
    return doc


def _aggregated_group(registry: Registry, group: str, versions: list[str]) -> dict[str, Any]:
    return {"metadata": {"name": group}, "versions": [
        {"version": v, "freshness": "Current",
         "resources": [_aggregated_resource(k) for k in registry if k.group == group and k.version == v]}
        for v in versions]}


def _aggregated_version(request: web.Request) -> str | None:
    for clause in accept_clauses(request):
        if clause.get("as") == "APIGroupDiscoveryList" and clause.get("g") == "apidiscovery.k8s.io":
            return clause.get("v")
        if clause["type"] in ("application/json", "*/*"):
            return None
    return None


def _aggregated_response(request: web.Request, groups: list[dict[str, Any]]) -> web.Response | None:
    version = _aggregated_version(request)
    if version not in ("v2", "v2beta1"):
        return None
    body = {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}",
            "metadata": {}, "items": groups}
    ctype = f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
    return respond(body, content_type=ctype)


def core_group(request: web.Request, registry: Registry) -> web.Response:
    """GET /api."""
    versions = registry.group_versions().get("", [])
    aggregated = _aggregated_response(request, [_aggregated_group(registry, "", versions)])
    if aggregated:
        return aggregated
    return respond({"kind": "APIVersions", "versions": versions, "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": request.host}]})


def groups(request: web.Request, registry: Registry) -> web.Response:
    """GET /apis."""
    named = {g: v for g, v in registry.group_versions().items() if g}
    aggregated = _aggregated_response(
        request, [_aggregated_group(registry, g, v) for g, v in named.items()])
    if aggregated:
        return aggregated
    return respond({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
         "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}}
        for g, vs in named.items()]})


def group(registry: Registry, name: str) -> dict[str, Any] | None:
    """GET /apis/{group}: one APIGroup, or None when the group is unknown."""
    versions = registry.group_versions().get(name)
    if not name or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", "name": name,
            "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
            "preferredVersion": {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}}


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """GET /api/v1 or /apis/{group}/{version}: the legacy APIResourceList."""
    kinds = [k for k in registry if k.group == group and k.version == version]
    if not kinds:
        return None
    resources: list[dict[str, Any]] = []
    for k in kinds:
        entry: dict[str, Any] = {"name": k.plural, "singularName": k.singular,
                                 "namespaced": k.namespaced, "kind": k.kind, "verbs": sorted(k.verbs)}
        if k.short_names:
            entry["shortNames"] = list(k.short_names)
        if k.categories:
            entry["categories"] = list(k.categories)
        resources.append(entry)
        for sub in k.subresources:
            (g, v, sub_kind), verbs = _subresource(k, sub)
            resources.append({"name": f"{k.plural}/{sub}", "singularName": "", "namespaced": k.namespaced,
                              "group": g, "version": v, "kind": sub_kind, "verbs": list(verbs)})
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}
