"""Every path minicube uses on the host, each behind one function.

`MINICUBE_HOME` moves minicube's own files (default `~/.minicube`); `KUBECONFIG` picks the
kubeconfig as kubectl does. Nothing here holds cluster state: clusters are found by
Docker labels.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """minicube's own directory: logs and postmortems (no cluster state)."""
    return Path(os.environ.get("MINICUBE_HOME") or Path.home() / ".minicube")


def logs_dir() -> Path:
    return home() / "logs"


def last_run_log() -> Path:
    """The full log (with tracebacks) of the latest command."""
    return logs_dir() / "last-run.log"


def postmortem_log(profile: str) -> Path:
    """Where a failed `start` leaves the node's own logs before rolling back."""
    return logs_dir() / f"{profile}-postmortem.log"


def kubeconfig() -> Path:
    """The kubeconfig minicube writes: the first path of `$KUBECONFIG`, else ~/.kube/config."""
    paths = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return Path(paths[0]).expanduser() if paths else Path.home() / ".kube" / "config"


def source_root() -> Path:
    """The checkout minicube runs from: it holds `images/` and `pyproject.toml`."""
    return Path(__file__).resolve().parent.parent


def package_dir() -> Path:
    """The `minicube` package itself, copied into the node image."""
    return Path(__file__).resolve().parent


def images_dir() -> Path:
    return Path(os.environ.get("MINICUBE_IMAGES_DIR") or source_root() / "images")
