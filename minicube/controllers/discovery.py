"""Which resources the API serves, from its legacy discovery documents (as controllers that
handle every kind — the garbage collector, the namespace controller — find them)."""

from __future__ import annotations

from dataclasses import dataclass

from minicube.client import Client


@dataclass(frozen=True)
class Resource:
    api_version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: frozenset[str]


async def resources(client: Client) -> list[Resource]:
    """Every top-level resource of every group's preferred version (subresources left out)."""
    versions = ["v1"]
    groups = await client.request("GET", "/apis")
    versions += [g["preferredVersion"]["groupVersion"] for g in groups.get("groups") or []
                 if g.get("preferredVersion")]
    out = []
    for gv in versions:
        listing = await client.request("GET", "/api/v1" if gv == "v1" else f"/apis/{gv}")
        for r in listing.get("resources") or []:
            if "/" not in r["name"]:
                out.append(Resource(gv, r["name"], r["kind"], bool(r.get("namespaced")),
                                    frozenset(r.get("verbs") or ())))
    return out
