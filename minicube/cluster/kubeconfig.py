"""The user's kubeconfig: merge a profile's entries in, take them out, leave the rest alone.

A profile owns one cluster, one user and one context, all named after it. Files are changed
under a `<file>.lock` (kind's scheme, so two minicube commands cannot interleave), written
atomically, and kept at mode 0600: they hold a private key.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from minicube._errors import MinicubeError

Doc = dict[str, Any]
_LOCK_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Credentials:
    """PEM bytes of the cluster CA and the admin client certificate and key."""

    ca: bytes
    cert: bytes
    key: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def empty() -> Doc:
    return {"apiVersion": "v1", "kind": "Config", "preferences": {}, "clusters": [], "users": [],
            "contexts": [], "current-context": ""}


def _upsert(entries: list[Doc], name: str, key: str, value: Doc) -> list[Doc]:
    return [e for e in entries if e.get("name") != name] + [{"name": name, key: value}]


def merge(doc: Doc, name: str, server: str, creds: Credentials, *, make_current: bool = True) -> Doc:
    """`doc` with the profile's cluster, user and context set (replacing older ones of that name)."""
    out = copy.deepcopy(doc) if doc else empty()
    out["clusters"] = _upsert(out.get("clusters") or [], name, "cluster",
                              {"server": server, "certificate-authority-data": _b64(creds.ca)})
    out["users"] = _upsert(out.get("users") or [], name, "user",
                           {"client-certificate-data": _b64(creds.cert), "client-key-data": _b64(creds.key)})
    out["contexts"] = _upsert(out.get("contexts") or [], name, "context", {"cluster": name, "user": name})
    if make_current:
        out["current-context"] = name
    return out


def remove(doc: Doc, name: str) -> Doc:
    """`doc` without the profile's entries; the current context is cleared if it was the profile's."""
    out = copy.deepcopy(doc)
    for section in ("clusters", "users", "contexts"):
        if out.get(section):
            out[section] = [e for e in out[section] if e.get("name") != name]
    if out.get("current-context") == name:
        out["current-context"] = ""
    return out


def server_of(doc: Doc, name: str) -> str | None:
    """The server URL of the profile's context, if the context, cluster and user all exist."""
    contexts = {e.get("name"): e.get("context") or {} for e in doc.get("contexts") or []}
    clusters = {e.get("name"): e.get("cluster") or {} for e in doc.get("clusters") or []}
    users = {e.get("name") for e in doc.get("users") or []}
    context = contexts.get(name)
    if not context or context.get("user") not in users or context.get("cluster") not in clusters:
        return None
    server = clusters[context["cluster"]].get("server")
    return str(server) if server else None


def load(path: Path) -> Doc:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return empty()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise MinicubeError(f"the kubeconfig {path} is not valid YAML: {e}",
                            hint="fix or move the file, then run the command again") from e
    return doc if isinstance(doc, dict) else empty()


def save(path: Path, doc: Doc) -> None:
    """Write atomically (temp file + rename) with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), 0o600)
            yaml.safe_dump(doc, f, default_flow_style=False, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold `<path>.lock` (created exclusively, removed after) while the file is changed."""
    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    while True:
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise MinicubeError(f"the kubeconfig {path} stayed locked for {_LOCK_WAIT_SECONDS:g}s",
                                    hint=f"if no other minicube or kind command runs, remove {lock}") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def update(path: Path, change: Callable[[Doc], Doc]) -> None:
    """Read, change and write the kubeconfig under its lock (not written when nothing changed)."""
    with locked(path):
        old = load(path)
        new = change(old)
        if new != old:
            save(path, new)
