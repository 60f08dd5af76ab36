"""`minicube stop`."""

from __future__ import annotations

from minicube.cli import ui
from minicube.cli.options import ProfileOption
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster import nodes
from minicube.cluster.provider import DockerProvider


def stop(profile: ProfileOption = DEFAULT_PROFILE) -> None:
    """Stop a cluster gracefully, keeping all its state (objects, images, pods' data).

    The control plane stops first, then the pods' containers. `minicube start` brings it back.
    """
    provider = DockerProvider.connect()
    with ui.StepUI().step(f"Stopping node {profile}"):
        stopped = nodes.stop(provider, profile)
    if stopped:
        ui.note(f"{profile} stopped; all state kept. Start it again: minicube start -p {profile}")
    else:
        ui.note(f"{profile} was not running")
