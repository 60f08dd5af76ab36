"""`minicube apply -f` (and the object half of `minicube delete -f`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from minicube._errors import NoSuchCluster, UsageError
from minicube.cli import ui
from minicube.cli.options import Output, OutputOption, ProfileOption
from minicube.cluster import applying, manifests, nodes
from minicube.cluster.apiclient import ApiClient
from minicube.cluster.config import DEFAULT_PROFILE
from minicube.cluster.endpoint import Endpoint, read_credentials
from minicube.cluster.objectstatus import FAILED, READY
from minicube.cluster.provider import DockerProvider

FilenameOption = Annotated[list[str], typer.Option(
    "--filename", "-f", show_default=False,
    help="A file, a directory (read recursively) or - for stdin; YAML or JSON, several documents "
         "and List kinds allowed. Repeatable.")]
NamespaceOption = Annotated[Optional[str], typer.Option(
    "--namespace", "-n", show_default=False, help="The namespace for objects that name none.")]
TimeoutOption = Annotated[str, typer.Option(
    "--timeout", help="How long --wait waits, e.g. 90s, 5m (a bare number is seconds).")]
_STYLE = {READY: "green", FAILED: "red"}


def parse_duration(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", text)
    if not m:
        raise UsageError(f"invalid duration {text!r}", hint="use e.g. 90s, 5m or 1h")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


@contextmanager
def api_for(profile: str) -> Iterator[ApiClient]:
    provider = DockerProvider.connect()
    node = nodes.require_running(provider, profile)
    creds = read_credentials(provider, node)
    if creds is None:
        raise NoSuchCluster(f"{profile} has no API credentials yet", hint=f"minicube start -p {profile}")
    with Endpoint(node.config.server, creds) as endpoint:
        yield ApiClient(endpoint)


def apply(
    filename: FilenameOption,
    namespace: NamespaceOption = None,
    wait: Annotated[bool, typer.Option(
        "--wait", help="Then wait until every object works: rollouts done, Jobs complete, pods ready, "
                       "Services with ready endpoints, claims bound.")] = False,
    timeout: TimeoutOption = "5m",
    force_conflicts: Annotated[bool, typer.Option(
        "--force-conflicts", help="Take over fields another manager owns (server-side apply's force).")] = False,
    profile: ProfileOption = DEFAULT_PROFILE,
    output: OutputOption = Output.text,
) -> None:
    """Apply manifests in dependency order (server-side apply, field manager `minicube`), then
    optionally wait until they work.

    Namespaces and CRDs go first, then configuration and claims, then workloads, Services and
    Ingresses. Everything is read and dry-run first, so bad input changes nothing. On failure
    (a crash loop, a missing image, a failed Job, an unschedulable pod) or timeout, each object
    that is not ready is shown with its events and its failing containers' last log lines,
    and the exit code is 9 (failed) or 6 (timed out).
    """
    seconds = parse_duration(timeout)
    objects = manifests.read(filename)
    as_json = output is Output.json
    with api_for(profile) as api:
        tracked = applying.apply_all(api, objects, namespace, force=force_conflicts, on_applied=lambda t: (
            ui.emit({"object": t.title, "result": "applied"}) if as_json else ui.done(f"{t.title} applied")))
        if not wait:
            return
        try:
            if as_json:
                applying.wait_all(api, tracked, seconds)
            else:
                with _progress(tracked) as on_change:
                    applying.wait_all(api, tracked, seconds, on_change)
        except applying.Diagnosed as e:
            _report(tracked, e.diagnoses, as_json)
            raise
        if as_json:
            for t in tracked:
                ui.emit({"object": t.title, "state": t.state, "summary": t.summary})
        else:
            ui.done(f"all {len(tracked)} object(s) ready")


@contextmanager
def _progress(tracked: list[applying.Tracked]) -> Iterator[object]:
    """A live table on a terminal; elsewhere (CI) one line per change of state."""
    if ui.err.is_terminal:
        with Live(_table(tracked), console=ui.err, transient=True, refresh_per_second=4) as live:
            yield lambda ts: live.update(_table(ts))
    else:
        seen: dict[str, str] = {}

        def print_changes(ts: list[applying.Tracked]) -> None:
            for t in ts:
                line = f"{t.state}: {t.summary}"
                if seen.get(t.title) != line:
                    seen[t.title] = line
                    ui.err.print(f"  {escape(t.title)}: {escape(line)}")
        yield print_changes


def _table(tracked: list[applying.Tracked]) -> Table:
    table = Table("OBJECT", "STATE", "DETAIL", box=None, pad_edge=False)
    for t in tracked:
        table.add_row(escape(t.title), f"[{_STYLE.get(t.state, 'yellow')}]{t.state}[/]", escape(t.summary))
    return table


def _report(tracked: list[applying.Tracked], diagnoses: list[applying.Diagnosis], as_json: bool) -> None:
    if as_json:
        by_title = {d.title: d for d in diagnoses}
        for t in tracked:
            d = by_title.get(t.title)
            ui.emit({"object": t.title, "state": t.state, "summary": t.summary,
                     **({"events": d.events, "logs": d.logs} if d else {})})
        return
    for d in diagnoses:
        ui.err.print(f"\n[{_STYLE.get(d.state, 'yellow')}]{d.state.upper()}[/] {escape(d.title)}: {escape(d.summary)}")
        for line in d.events:
            ui.err.print(f"  event: {escape(line)}")
        for where, text in d.logs.items():
            ui.err.print(f"  last log lines of {escape(where)}:")
            for line in text.splitlines():
                ui.err.print(f"    {escape(line)}")


def delete_objects(filename: list[str], namespace: str | None, profile: str, wait: bool, timeout: str) -> None:
    """`minicube delete -f`: the objects, in reverse dependency order (the cluster stays)."""
    seconds = parse_duration(timeout)
    objects = manifests.read(filename)
    with api_for(profile) as api:
        tracked = applying.delete_all(api, objects, namespace, on_deleted=lambda t, found: ui.done(
            f"{t.title} deleted") if found else ui.note(f"{t.title} was not there"))
        if wait:
            applying.wait_gone(api, tracked, seconds)

