"""`minicube status`."""

from __future__ import annotations

import json

import typer

from minicube import _paths
from minicube.cli import ui
from minicube.cli.options import Output, OutputOption, ProfileOption
from minicube.cluster import status as cluster_status
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.provider import DockerProvider


def status(profile: ProfileOption = DEFAULT_PROFILE, output: OutputOption = Output.text) -> None:
    """Show whether each part of a cluster runs.

    The parts: host (the node container), engine (the Docker engine inside it), apiserver, and
    kubeconfig (the profile's context points at this cluster).

    The exit code adds up, as minikube's does: 1 host not running, 2 engine or API server not
    running, 4 kubeconfig entry missing or pointing elsewhere (0 = all fine; 7 = no such cluster).
    """
    result = cluster_status.collect(DockerProvider.connect(), profile, _paths.kubeconfig())
    if output is Output.json:
        ui.out.print_json(json.dumps(result.as_dict()))
    else:
        ui.out.print(f"{result.name}\nhost: {result.host}\nengine: {result.engine}\n"
                     f"apiserver: {result.apiserver}\nkubeconfig: {result.kubeconfig}")
        if result.server:
            ui.out.print(f"server: {result.server}")
    raise typer.Exit(result.exit_code())
