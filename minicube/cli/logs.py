"""`minicube logs`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from minicube.cli.options import ProfileOption
from minicube.cluster import nodes
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider


def logs(
    profile: ProfileOption = DEFAULT_PROFILE,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines (Ctrl-C ends).")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many of the last lines to show.", min=0)] = 200,
) -> None:
    """Show the control plane's log (API server, scheduler, kubelet), from inside the node."""
    provider = DockerProvider.connect()
    stream = nodes.control_plane_log(provider, nodes.require_running(provider, profile), lines, follow)
    try:
        for chunk in stream:
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
    except KeyboardInterrupt:
        pass
    finally:
        stream.close()  # closes the exec's stdin: the tail inside the node ends too
