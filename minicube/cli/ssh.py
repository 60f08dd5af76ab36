"""`minicube ssh`."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Annotated

import typer

from minicube._errors import EngineUnavailable
from minicube.cli.options import PASSTHROUGH, ProfileOption
from minicube.cluster import nodes
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider

CONTEXT_SETTINGS = PASSTHROUGH


def ssh(
    profile: ProfileOption = DEFAULT_PROFILE,
    command: Annotated[list[str] | None, typer.Argument(
        help="A command to run instead of a shell, e.g. `minicube ssh -- docker ps`.", show_default=False)] = None,
) -> None:
    """Open a shell inside the node (or run one command there).

    Inside, `docker ps` shows the pods' containers and /var/log/minicube holds the logs.
    """
    node = nodes.require_running(DockerProvider.connect(), profile)
    if shutil.which("docker") is None:
        raise EngineUnavailable("minicube ssh needs the docker command-line client",
                                hint="apt-get install -y docker.io (or install Docker's CLI)")
    argv = nodes.shell_argv(node, command or [], tty=sys.stdin.isatty() and sys.stdout.isatty())
    sys.stdout.flush()
    os.execvp(argv[0], argv)  # the docker CLI handles the terminal (raw mode, resizes)
