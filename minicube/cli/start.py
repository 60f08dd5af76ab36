"""`minicube start`."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from minicube.cli import ui
from minicube.cli.options import Output, OutputOption, ProfileOption
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster import create
from minicube.cluster.provider import DockerProvider


def start(
    profile: ProfileOption = DEFAULT_PROFILE,
    cpus: Annotated[float | None, typer.Option(
        help="CPUs for the node (default: 2, or fewer if the engine has fewer). Set when the cluster is created.",
        show_default=False)] = None,
    memory: Annotated[str | None, typer.Option(
        help="Memory for the node, e.g. 4g or 2048m (default: 4g). Set when the cluster is created.",
        show_default=False)] = None,
    api_port: Annotated[int | None, typer.Option(
        help="Host port for the API server on 127.0.0.1 (default: a free port, kept across restarts).",
        min=1, max=65535, show_default=False)] = None,
    ingress_ports: Annotated[bool, typer.Option(
        "--ingress-ports", help="Also publish the Ingress ports 80 and 443 on 127.0.0.1 of the host. "
                                "Set when the cluster is created.")] = False,
    wait: Annotated[str, typer.Option(
        "--wait", metavar="WHAT",
        help="What must be ready before start returns: all (the API server, the node, cluster DNS, "
             "the default StorageClass and ServiceAccount, the ingress controller), none, or a "
             "comma list of apiserver,node,dns,storage,default_sa,ingress.")] = "all",
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Same as --wait=none.")] = False,
    wait_timeout: Annotated[float, typer.Option(help="Seconds to wait, in all, before giving up.", min=1)] = 360,
    retain: Annotated[bool, typer.Option(
        "--retain", help="If a new cluster fails to come up, keep its node for debugging instead of removing it.")] = False,
    output: OutputOption = Output.text,
) -> None:
    """Create a cluster, or start a stopped one; then point kubectl at it.

    The first start builds the node image (a few minutes on a fresh machine). kubectl's
    current context becomes the profile's. On a running cluster this is a quick no-op.
    With `-o json`, each step is a JSON line on stdout and the last line sums up.
    """
    began = time.monotonic()
    provider = DockerProvider.connect()
    components = create.parse_wait("none" if no_wait else wait)
    opts = create.StartOptions(profile=profile, cpus=cpus, memory=memory, api_port=api_port, wait=components,
                               wait_timeout=wait_timeout, retain=retain, ingress_ports=ingress_ports)
    as_json = output is Output.json
    result = create.start(provider, opts, ui.JsonStepUI() if as_json else ui.StepUI())
    server = result.node.config.server
    if as_json:
        ui.emit({"event": "result", "profile": profile, "action": result.action, "server": server,
                 "context": profile, "kubeconfig": str(result.kubeconfig_path),
                 "seconds": round(time.monotonic() - began, 3)})
        return
    if result.action == "already running":
        ui.note(f"{profile} is already running (API {server}); nothing to do")
        return
    ui.done(f"{profile} {result.action} in {time.monotonic() - began:.0f}s; API {server}")
    ui.note(f'kubectl now uses context "{profile}" ({result.kubeconfig_path}). Try: '
            f"minicube kubectl -p {profile} -- get nodes")
