"""A container's volumeMounts as engine bind mounts (pure).

A mount binds the volume's node directory (or `subPath` inside it) at mountPath; it is
read-only when the mount asks or the volume is read-only by nature (configMap, secret, ...).
`subPathExpr` expands `$(VAR)` from the container's environment. A subPath of a projected
volume binds the file as it is now and, as upstream, does not follow later updates.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Mapping

from minicube.kubelet.envvars import expand
from minicube.kubelet.volumes import Mounted

Obj = dict[str, Any]


@dataclass(frozen=True)
class Bind:
    source: str
    target: str
    read_only: bool
    create: bool = False   # a subPath that may be created as a directory when missing

    def engine(self) -> str:
        return f"{self.source}:{self.target}:{'ro' if self.read_only else 'rw'}"


def _sub_path(mount: Obj, env: Mapping[str, str]) -> str:
    sub = mount.get("subPath") or ""
    if mount.get("subPathExpr"):
        sub = expand(mount["subPathExpr"], env)
    if sub.startswith("/") or ".." in sub.split("/"):
        raise ValueError(f"invalid subPath {sub!r}: must be a relative path without '..'")
    return sub


def binds(container: Obj, volumes: Mapping[str, Mounted], env: Mapping[str, str]) -> list[Bind]:
    """The binds of the container's volumeMounts; raises ValueError for a bad one."""
    out = []
    for m in container.get("volumeMounts") or []:
        vol = volumes.get(m.get("name", ""))
        if vol is None:
            raise ValueError(f"volume {m.get('name')!r} is not set up")
        sub = _sub_path(m, env)
        source = posixpath.join(vol.path, sub) if sub else vol.path
        out.append(Bind(source, m["mountPath"], bool(m.get("readOnly")) or vol.read_only,
                        create=bool(sub) and vol.writable_subpaths))
    return out
