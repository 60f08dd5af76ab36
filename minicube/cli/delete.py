"""`minicube delete`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from minicube import _paths
from minicube._errors import UsageError
from minicube.cli import ui
from minicube.cli.apply import NamespaceOption, TimeoutOption, delete_objects
from minicube.cli.options import ProfileOption
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster import delete as deleting
from minicube.cluster.provider import DockerProvider


def delete(
    profile: ProfileOption = DEFAULT_PROFILE,
    all_: Annotated[bool, typer.Option("--all", help="Delete every minicube cluster on this Docker engine.")] = False,
    filename: Annotated[Optional[list[str]], typer.Option(
        "--filename", "-f", show_default=False,
        help="Delete the objects in these manifests instead of the cluster (as applied with "
             "`minicube apply -f`).")] = None,
    namespace: NamespaceOption = None,
    wait: Annotated[bool, typer.Option("--wait", help="With -f: wait until the objects are gone.")] = False,
    timeout: TimeoutOption = "5m",
) -> None:
    """Delete a cluster: its node container, its volumes and its kubeconfig entries.

    Everything in the cluster is lost. Deleting a cluster that does not exist does nothing.
    With -f, delete only the objects those manifests describe, in reverse dependency order.
    """
    if filename:
        if all_:
            raise UsageError("--all deletes clusters; -f deletes objects: use one of them")
        delete_objects(filename, namespace, profile, wait, timeout)
        return
    provider = DockerProvider.connect()
    profiles = deleting.all_profiles(provider) if all_ else [profile]
    if not profiles:
        ui.note("no minicube clusters to delete")
    for name in profiles:
        with ui.StepUI().step(f"Deleting {name}"):
            removed = deleting.delete(provider, name, _paths.kubeconfig())
        ui.note(f"removed {', '.join(removed)}" if removed else f"nothing named {name} was there")
