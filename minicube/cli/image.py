"""`minicube image load|ls`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from minicube.cli import ui
from minicube.cli.options import ProfileOption
from minicube.cluster import imageload, nodes
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider

app = typer.Typer(help="Bring images into the cluster (no registry needed) and list them.",
                  no_args_is_help=True)


@app.command()
def load(
    images: Annotated[list[str], typer.Argument(help="Images in the host's Docker engine, e.g. minicube/hello:1.",
                                                show_default=False)],
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Copy images from the host's Docker engine into the node, where pods can use them.

    Pods then find the image without pulling it (use imagePullPolicy: IfNotPresent or Never,
    or a tag other than :latest).
    """
    provider = DockerProvider.connect()
    node = nodes.require_running(provider, profile)
    imageload.load(provider, node, images, ui.StepUI())


@app.command("ls")
def list_images(profile: ProfileOption = DEFAULT_PROFILE) -> None:
    """List the images inside the node."""
    provider = DockerProvider.connect()
    found = imageload.list_images(provider, nodes.require_running(provider, profile))
    table = Table("IMAGE", "ID", "SIZE", box=None, pad_edge=False)
    for image in found:
        table.add_row(image.ref, image.id, image.size)
    ui.out.print(table)
