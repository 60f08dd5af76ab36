"""`minicube service NAME [--url]` and `minicube service list` (minikube's service command)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from minicube._errors import BadInput, NoSuchCluster
from minicube.cli import ui
from minicube.cli.options import Output, OutputOption, ProfileOption
from minicube.cluster import nodes
from minicube.cluster import services as svcs
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.endpoint import Endpoint, read_credentials
from minicube.cluster.provider import DockerProvider


def service(
    name: Annotated[str, typer.Argument(help="The Service, or `list` to list every Service.")],
    namespace: Annotated[Optional[str], typer.Option(
        "--namespace", "-n", show_default=False,
        help="The Service's namespace (default: default; for list: all namespaces).")] = None,
    url: Annotated[bool, typer.Option("--url", help="Print only the URLs, one a line.")] = False,
    profile: ProfileOption = DEFAULT_PROFILE,
    output: OutputOption = Output.text,
) -> None:
    """Print the URLs a Service answers on from this host: http://<node ip>:<nodePort> for
    NodePort and LoadBalancer Services (or the load balancer's address once it has one)."""
    provider = DockerProvider.connect()
    node = nodes.require_running(provider, profile)
    creds = read_credentials(provider, node)
    if creds is None or not node.ip:
        raise NoSuchCluster(f"{profile} is not ready yet", hint=f"minicube start -p {profile}")
    with Endpoint(node.config.server, creds) as api:
        if name == "list":
            found = [u for s in svcs.list_services(api, namespace) for u in svcs.urls(s, node.ip)]
        else:
            ns = namespace or "default"
            found = svcs.urls(svcs.get_service(api, ns, name), node.ip)
            if not any(u.url for u in found):
                raise BadInput(f'service {ns}/{name} has no node port',
                               hint=f"minicube kubectl -p {profile} -- expose or patch it with "
                                    "type: NodePort")
    if output is Output.json:
        ui.emit({"services": [u.as_dict() for u in found]})
    elif url:
        for u in found:
            if u.url:
                ui.out.print(u.url)
    else:
        table = Table("NAMESPACE", "NAME", "TARGET PORT", "URL")
        for u in found:
            target = f"{u.port_name}/{u.target_port}" if u.port_name else u.target_port
            table.add_row(u.namespace, u.name, target, u.url or "No node port")
        ui.out.print(table)
