"""A pod's /etc/resolv.conf from its dnsPolicy and dnsConfig (the kubelet's dns.Configurer).

- ClusterFirst (default): the cluster DNS, search `<ns>.svc.cluster.local svc.cluster.local
  cluster.local` plus the node's search domains, `options ndots:5`. A hostNetwork pod falls
  back to Default, unless its policy is ClusterFirstWithHostNet.
- Default: what the node resolves with (the engine's own file for the sandbox).
- None: only what dnsConfig says.
dnsConfig's nameservers and searches are appended (de-duplicated, at most 3 nameservers and
32 search domains), its options override same-named ones.

As dockershim did, the file is written over the one the engine made for the sandbox after
it started; the pod's containers share the sandbox's file, so they all see it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Obj = dict[str, Any]

CLUSTER_DNS = "10.96.0.10"
CLUSTER_DOMAIN = "cluster.local"
ENGINE_ROOT = Path("/var/lib/docker")  # the inner dockerd's data root (its default)
_MAX_NAMESERVERS = 3
_MAX_SEARCHES = 32


def parse(text: str) -> tuple[list[str], list[str], list[str]]:
    """(nameservers, search domains, options) of a resolv.conf."""
    servers, searches, options = [], [], []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if fields[0] == "nameserver" and len(fields) > 1:
            servers.append(fields[1])
        elif fields[0] in ("search", "domain"):
            searches = fields[1:]
        elif fields[0] == "options":
            options += fields[1:]
    return servers, searches, options


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _merge_options(base: list[str], extra: list[Obj]) -> list[str]:
    merged = {o.split(":", 1)[0]: o for o in base}
    for opt in extra:
        name = opt.get("name") or ""
        if name:
            merged[name] = f"{name}:{opt['value']}" if opt.get("value") not in (None, "") else name
    return list(merged.values())


def resolv_conf(pod: Obj, node_conf: str) -> str | None:
    """The pod's resolv.conf, or None to keep the engine's (node's) file as it is."""
    spec = pod.get("spec") or {}
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    config = spec.get("dnsConfig") or {}
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"
    node_servers, node_searches, node_options = parse(node_conf)
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        ns = pod["metadata"].get("namespace") or "default"
        servers = [CLUSTER_DNS]
        searches = [f"{ns}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN,
                    *node_searches]
        options = ["ndots:5"]
    elif policy == "Default":
        if not config:
            return None
        servers, searches, options = node_servers, node_searches, node_options
    else:  # None
        servers, searches, options = [], [], []
    servers = _unique(servers + list(config.get("nameservers") or []))[:_MAX_NAMESERVERS]
    searches = _unique(searches + list(config.get("searches") or []))[:_MAX_SEARCHES]
    options = _merge_options(options, list(config.get("options") or []))
    lines = [f"nameserver {s}" for s in servers]
    if searches:
        lines.append("search " + " ".join(searches))
    if options:
        lines.append("options " + " ".join(options))
    return "\n".join(lines) + "\n"


def write_for_sandbox(pod: Obj, sandbox_id: str, engine_root: Path = ENGINE_ROOT) -> None:
    """Rewrite the started sandbox's resolv.conf in place (its containers bind-mount it)."""
    path = engine_root / "containers" / sandbox_id / "resolv.conf"
    if not path.exists():  # an engine with another data root: its file stays
        log.warning("no resolv.conf at %s; pod %s keeps the engine's", path, pod["metadata"]["name"])
        return
    content = resolv_conf(pod, path.read_text())
    if content is not None:
        path.write_text(content)
