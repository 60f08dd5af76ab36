"""`minicube image load|build|ls`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from minicube._errors import UsageError
from minicube.cli import ui
from minicube.cli.options import Output, OutputOption, ProfileOption
from minicube.cluster import imageload, nodes
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider

app = typer.Typer(help="Bring images into the cluster (no registry needed) and list them.",
                  no_args_is_help=True)


@app.command()
def load(
    images: Annotated[Optional[list[str]], typer.Argument(
        help="Images in the host's Docker engine, e.g. minicube/hello:1.", show_default=False)] = None,
    from_archive: Annotated[Optional[Path], typer.Option(
        "--from-archive", help="Load a `docker save` archive (tar, or tar.gz) instead.",
        show_default=False)] = None,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Copy images from the host's Docker engine (or a `docker save` archive) into the node.

    Pods then find the image without pulling it (use imagePullPolicy: IfNotPresent or Never,
    or a tag other than :latest). An image the node already has with the same ID is skipped;
    a rebuilt image under the same tag replaces the old one.
    """
    if bool(images) == bool(from_archive):
        raise UsageError("name images to load, or one archive with --from-archive (not both)",
                         hint="e.g. minicube image load minicube/hello:1")
    provider = DockerProvider.connect()
    node = nodes.require_running(provider, profile)
    if from_archive:
        loaded = imageload.load_archive(provider, node, from_archive, ui.StepUI())
        ui.out.print("\n".join(f"loaded {ref}" for ref in loaded))
    else:
        imageload.load(provider, node, images or [], ui.StepUI())


@app.command()
def build(
    context: Annotated[Path, typer.Argument(help="The build context directory.", show_default=False)],
    tag: Annotated[str, typer.Option("--tag", "-t", help="The image name, e.g. myapp:dev.",
                                     show_default=False)],
    file: Annotated[str, typer.Option("--file", "-f", help="The Dockerfile, a path inside the context.")
                    ] = "Dockerfile",
    build_arg: Annotated[Optional[list[str]], typer.Option(
        "--build-arg", help="KEY=VALUE, as for docker build; repeatable.", show_default=False)] = None,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Build an image with the node's own engine, so pods can use it with no load step.

    The context is sent as `docker build` sends it (honouring .dockerignore). Base images must
    already be in the node (there is no registry): load them first with `minicube image load`.
    """
    args = {}
    for item in build_arg or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--build-arg {item!r} is not KEY=VALUE")
        args[key] = value
    provider = DockerProvider.connect()
    node = nodes.require_running(provider, profile)
    imageload.build(provider, node, context, tag, ui.StepUI(), dockerfile=file, build_args=args)


@app.command("ls")
def list_images(
    profile: ProfileOption = DEFAULT_PROFILE,
    output: OutputOption = Output.text,
) -> None:
    """List the images inside the node."""
    provider = DockerProvider.connect()
    found = imageload.list_images(provider, nodes.require_running(provider, profile))
    if output is Output.json:
        ui.out.print_json(json.dumps([{"image": i.ref, "id": i.id, "size": i.size} for i in found]))
        return
    table = Table("IMAGE", "ID", "SIZE", box=None, pad_edge=False)
    for image in found:
        table.add_row(image.ref, image.id, image.size)
    ui.out.print(table)
