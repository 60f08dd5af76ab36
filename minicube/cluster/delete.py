"""`minicube delete`: the node container, its volumes and its kubeconfig entries; idempotent.

Like kind's delete, it goes on past a kubeconfig failure, removes the rest, then reports it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from minicube.cluster import kubeconfig
from minicube.cluster.provider import DockerProvider

log = logging.getLogger(__name__)


def delete(provider: DockerProvider, profile: str, kubeconfig_path: Path) -> list[str]:
    """Remove everything of `profile`; return what was there (empty when nothing was)."""
    removed: list[str] = []
    node = provider.find(profile)
    if node:
        provider.remove_container(node)
        removed.append(f"container {node.name}")
    removed += [f"volume {name}" for name in provider.remove_volumes(profile)]
    had_entry = kubeconfig.server_of(kubeconfig.load(kubeconfig_path), profile) is not None
    kubeconfig.update(kubeconfig_path, lambda doc: kubeconfig.remove(doc, profile))
    if had_entry:
        removed.append(f"kubeconfig context {profile} in {kubeconfig_path}")
    log.info("deleted %s: %s", profile, removed or "nothing was there")
    return removed


def all_profiles(provider: DockerProvider) -> list[str]:
    """Every profile with a node container or a left-over volume."""
    return sorted({n.profile for n in provider.list_nodes()} | provider.volume_profiles())
