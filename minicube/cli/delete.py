"""`minicube delete`."""

from __future__ import annotations

from typing import Annotated

import typer

from minicube import _paths
from minicube.cli import ui
from minicube.cli.options import ProfileOption
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster import delete as deleting
from minicube.cluster.provider import DockerProvider


def delete(
    profile: ProfileOption = DEFAULT_PROFILE,
    all_: Annotated[bool, typer.Option("--all", help="Delete every minicube cluster on this Docker engine.")] = False,
) -> None:
    """Delete a cluster: its node container, its volumes and its kubeconfig entries.

    Everything in the cluster is lost. Deleting a cluster that does not exist does nothing.
    """
    provider = DockerProvider.connect()
    profiles = deleting.all_profiles(provider) if all_ else [profile]
    if not profiles:
        ui.note("no minicube clusters to delete")
    for name in profiles:
        with ui.StepUI().step(f"Deleting {name}"):
            removed = deleting.delete(provider, name, _paths.kubeconfig())
        ui.note(f"removed {', '.join(removed)}" if removed else f"nothing named {name} was there")
