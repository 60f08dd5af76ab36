"""`minicube ip`."""

from __future__ import annotations

from minicube._errors import NoSuchCluster
from minicube.cli import ui
from minicube.cli.options import ProfileOption
from minicube.cluster import nodes
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider


def ip(profile: ProfileOption = DEFAULT_PROFILE) -> None:
    """Print the node's IP address (on the host's Docker network)."""
    node = nodes.require_running(DockerProvider.connect(), profile)
    if not node.ip:
        raise NoSuchCluster(f"node {profile} has no IP address", hint=f"docker inspect {node.name}")
    ui.out.print(node.ip)
