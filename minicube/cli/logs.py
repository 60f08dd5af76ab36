"""`minicube logs`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from minicube import _paths
from minicube.cli import ui
from minicube.cli.options import ProfileOption
from minicube.cluster import bundle, nodes
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider


def logs(
    profile: ProfileOption = DEFAULT_PROFILE,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines (Ctrl-C ends).")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many of the last lines to show.", min=0)] = 200,
    bundle_path: Annotated[Optional[Path], typer.Option(
        "--bundle", metavar="FILE.tar.gz", show_default=False,
        help="Write everything needed to debug the cluster (logs, every object, events, every "
             "container's current and previous logs, status, versions) to one archive.")] = None,
    include_secrets: Annotated[bool, typer.Option(
        "--include-secrets", help="With --bundle: keep Secret values (redacted by default).")] = False,
) -> None:
    """Show the control plane's log (API server, scheduler, kubelet), from inside the node.

    In CI, `minicube logs --bundle debug.tar.gz` after a failure collects what a red run needs.
    """
    provider = DockerProvider.connect()
    node = nodes.require_running(provider, profile)
    if bundle_path is not None:
        missing = bundle.write(provider, node, bundle_path, _paths.kubeconfig(), ui.StepUI(),
                               include_secrets=include_secrets)
        ui.out.print(f"wrote {bundle_path}" + (f" ({len(missing)} part(s) missing: see errors.txt)"
                                               if missing else ""))
        return
    stream = nodes.control_plane_log(provider, node, lines, follow)
    try:
        for chunk in stream:
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
    except KeyboardInterrupt:
        pass
    finally:
        stream.close()  # closes the exec's stdin: the tail inside the node ends too
