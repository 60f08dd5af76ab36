"""`minicube cache export|import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minicube.cli import ui
from minicube.cluster import cache
from minicube.cluster.provider import DockerProvider

app = typer.Typer(help="Save and restore the node image, so a cached CI run skips building it.",
                  no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(metavar="FILE", show_default=False,
                                              help="The archive (.tar, or .tar.gz to compress).")]


@app.command("export")
def export(file: FileArgument) -> None:
    """Write the node image this version of minicube uses to FILE (build it first with start)."""
    refs = cache.export(DockerProvider.connect(), file, ui.StepUI())
    ui.out.print(f"wrote {file}: {' '.join(refs)}")


@app.command("import")
def import_(file: FileArgument) -> None:
    """Load a node image written by `minicube cache export`; `minicube start` then builds nothing."""
    refs = cache.import_(DockerProvider.connect(), file, ui.StepUI())
    ui.out.print(f"loaded {' '.join(refs)}")
