"""`minicube profile list`."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from minicube.cli import ui
from minicube.cli.options import Output, OutputOption
from minicube.cluster.config import format_memory
from minicube.cluster.provider import DockerProvider

app = typer.Typer(help="List the clusters (profiles) on this Docker engine.", no_args_is_help=True)


@app.command("list")
def list_profiles(output: OutputOption = Output.text) -> None:
    """List every cluster, running or stopped, found by the labels on its node container."""
    found = DockerProvider.connect().list_nodes()
    rows = [{"Name": n.profile, "Status": "Running" if n.running else "Stopped", "IP": n.ip or "",
             "Server": n.config.server, "CPUs": n.config.cpus, "Memory": format_memory(n.config.memory),
             "Image": n.image} for n in found]
    if output is Output.json:
        ui.out.print_json(json.dumps(rows))
        return
    if not rows:
        ui.note("no clusters; create one with: minicube start")
        return
    table = Table("PROFILE", "STATUS", "IP", "SERVER", "CPUS", "MEMORY", box=None, pad_edge=False)
    for row in rows:
        table.add_row(*(str(row[key]) for key in ("Name", "Status", "IP", "Server", "CPUs", "Memory")))
    ui.out.print(table)
