"""What the user sees: ✓/✗ step lines (a spinner only on a terminal), notes, results.

Progress and errors go to stderr; results (an IP, a status, JSON) go to stdout, so scripts
can read them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.status import Status

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_PLAIN_DETAIL_EVERY_SECONDS = 5.0  # off a terminal, progress lines are throttled to keep CI logs short


class StepUI:
    """The CLI's Reporter (see minicube.cluster.progress)."""

    def __init__(self, console: Console = err) -> None:
        self._console = console
        self._status: Status | None = None
        self._title = ""
        self._last_plain_detail = 0.0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.monotonic()
        self._title = escape(title)
        if self._console.is_terminal:
            self._status = self._console.status(self._title)
            self._status.start()
        try:
            yield
        except BaseException:
            self._end()
            self._console.print(f"[red]✗[/] {self._title}")
            raise
        self._end()
        self._console.print(f"[green]✓[/] {self._title} [dim]({time.monotonic() - started:.1f}s)[/]")

    def _end(self) -> None:
        if self._status:
            self._status.stop()
            self._status = None

    def detail(self, text: str) -> None:
        if self._status:
            self._status.update(f"{self._title} [dim]· {escape(text)}[/]")
        elif time.monotonic() - self._last_plain_detail >= _PLAIN_DETAIL_EVERY_SECONDS:
            self._last_plain_detail = time.monotonic()
            self._console.print(f"  [dim]… {escape(text)}[/]")

    def info(self, text: str) -> None:
        self._console.print(f"  • {escape(text)}")


class JsonStepUI:
    """A Reporter for scripts (`-o json`): one JSON object per line on stdout for each step's
    start and end and each info line; transient details are left out."""

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.monotonic()
        emit({"event": "step", "step": title, "status": "started"})
        try:
            yield
        except BaseException as e:
            emit({"event": "step", "step": title, "status": "failed", "error": str(e),
                  "seconds": round(time.monotonic() - started, 3)})
            raise
        emit({"event": "step", "step": title, "status": "done",
              "seconds": round(time.monotonic() - started, 3)})

    def detail(self, text: str) -> None:
        pass

    def info(self, text: str) -> None:
        emit({"event": "info", "message": text})


def emit(event: dict[str, object]) -> None:
    """One JSON line on stdout, flushed at once so a reader sees progress as it happens."""
    out.file.write(json.dumps(event) + "\n")
    out.file.flush()


def note(text: str) -> None:
    """A line about what happened (stderr)."""
    err.print(f"• {escape(text)}")


def done(text: str) -> None:
    err.print(f"[green]✓[/] {escape(text)}")


def fail(message: str, hint: str | None) -> None:
    err.print(f"[red]✗[/] {escape(message)}")
    if hint:
        err.print(f"  hint: {escape(hint)}")
