"""Logging set-up for the host CLI.

Every run writes its full log, tracebacks included, to `~/.minicube/logs/last-run.log`;
`-v` also shows it on stderr. What users normally see is the CLI's own output, not this log.
"""

from __future__ import annotations

import logging
import sys

from minicube import _paths

_FORMAT = "%(asctime)s %(levelname)-5s %(name)s: %(message)s"
_console: logging.Handler | None = None
_file: logging.Handler | None = None


def configure() -> None:
    """Send everything to the last-run log (a fresh file per command), and nothing to the screen."""
    global _console, _file
    root = logging.getLogger()
    for old in (_console, _file):  # a second run in one process (tests) starts afresh
        if old:
            root.removeHandler(old)
            old.close()
    _console = None
    root.setLevel(logging.DEBUG)
    try:
        path = _paths.last_run_log()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    except OSError:
        # A read-only home must not stop the CLI; the log is a convenience.
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    _file = handler
    # One line per HTTP request to the engine is noise even in a debug log.
    logging.getLogger("urllib3").setLevel(logging.INFO)


def set_verbose() -> None:
    """Also show the log (with tracebacks) on stderr."""
    global _console
    if _console is None:
        _console = logging.StreamHandler(sys.stderr)
        _console.setFormatter(logging.Formatter(_FORMAT))
        logging.getLogger().addHandler(_console)


def is_verbose() -> bool:
    return _console is not None
