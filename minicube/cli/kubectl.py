"""`minicube kubectl`."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Annotated

import typer

from minicube._errors import MinicubeError
from minicube.cli.options import PASSTHROUGH, ProfileOption
from minicube.cluster.config import DEFAULT_PROFILE

CONTEXT_SETTINGS = PASSTHROUGH


def kubectl(
    profile: ProfileOption = DEFAULT_PROFILE,
    args: Annotated[list[str] | None, typer.Argument(
        help="kubectl's arguments, e.g. `minicube kubectl -- get pods -A`.", show_default=False)] = None,
) -> None:
    """Run kubectl against the cluster (adds --context PROFILE).

    Anything after `--` (or after the first argument) goes to kubectl unchanged.
    """
    binary = shutil.which("kubectl")
    if binary is None:
        raise MinicubeError("kubectl is not installed",
                            hint="install it: sudo apt-get install -y kubectl (scripts/ensure-kubectl.sh does this)")
    sys.stdout.flush()
    os.execv(binary, ["kubectl", "--context", profile, *(args or [])])
