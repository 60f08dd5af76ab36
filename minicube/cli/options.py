"""Options shared by several commands."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from minicube.cluster.config import DEFAULT_PROFILE

ProfileOption = Annotated[str, typer.Option(
    "--profile", "-p", envvar="MINICUBE_PROFILE", metavar="NAME",
    help="The cluster to act on. Each profile is its own cluster (node container, volumes, kubeconfig context).")]


class Output(str, Enum):
    text = "text"
    json = "json"


OutputOption = Annotated[Output, typer.Option("--output", "-o", help="Output format.")]

# Commands that hand their arguments to another program (kubectl, a shell) take them as-is.
PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "allow_interspersed_args": False}
