"""Writing a volume's files so a reader never sees half an update (the kubelet's AtomicWriter).

Layout of a target directory (what `ls -la` shows in a configMap volume):

    ..2026_11_26_23_58_19.123456789/   the current payload, written in full first
    ..data -> ..2026_11_26_23_58_19.123456789
    key    -> ..data/key              one link per top-level name of the payload

An update writes a new timestamped directory, points `..data_tmp` at it and renames that over
`..data` (rename is atomic), then removes the old directory and the links of names that are
gone. Containers that mount the target directory see the whole old or the whole new payload.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATA = "..data"
_DATA_TMP = "..data_tmp"


@dataclass(frozen=True)
class FileProjection:
    data: bytes
    mode: int = 0o644
    uid: int | None = None   # owner to set (fsGroup: gid only); None keeps the kubelet's
    gid: int | None = None


Payload = dict[str, FileProjection]   # relative path -> content


class PayloadError(ValueError):
    """A payload path that would escape the target directory or clash with our own names."""


def validate_path(path: str) -> None:
    """Upstream's rules: relative, no `..` element, not starting with `..`."""
    if not path or path.startswith("/"):
        raise PayloadError(f"invalid path {path!r}: must be a relative path")
    if len(path) > 4096:
        raise PayloadError(f"invalid path {path[:40]!r}...: longer than 4096 characters")
    if any(part == ".." for part in path.split("/")):
        raise PayloadError(f"invalid path {path!r}: must not contain '..'")
    if path.startswith(".."):
        raise PayloadError(f"invalid path {path!r}: must not start with '..'")


def _timestamp_dir(target: Path) -> Path:
    stamp = time.strftime("%Y_%m_%d_%H_%M_%S", time.gmtime())
    return Path(tempfile.mkdtemp(prefix=f"..{stamp}.", dir=target))


def _current(target: Path) -> Path | None:
    link = target / DATA
    if not link.is_symlink():
        return None
    return target / os.readlink(link)


def _unchanged(current: Path | None, payload: Payload) -> bool:
    """Same files, contents and modes as the payload (nothing extra either)."""
    if current is None or not current.is_dir():
        return False
    found = {str(p.relative_to(current)) for p in current.rglob("*") if p.is_file()}
    if found != set(payload):
        return False
    for rel, proj in payload.items():
        path = current / rel
        st = path.stat()
        if (st.st_mode & 0o7777) != proj.mode or path.read_bytes() != proj.data:
            return False
        if (proj.uid is not None and st.st_uid != proj.uid) or \
                (proj.gid is not None and st.st_gid != proj.gid):
            return False
    return True


def write(target: Path, payload: Payload) -> bool:
    """Make target hold exactly payload; returns False when it already did (nothing written)."""
    for rel in payload:
        validate_path(rel)
    target.mkdir(parents=True, exist_ok=True)
    old = _current(target)
    if _unchanged(old, payload):
        return False
    new = _timestamp_dir(target)
    for rel, proj in payload.items():
        path = new / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(proj.data)
        os.chmod(path, proj.mode)
        if proj.uid is not None or proj.gid is not None:
            os.chown(path, -1 if proj.uid is None else proj.uid,
                     -1 if proj.gid is None else proj.gid)
    os.chmod(new, 0o755)
    tops = {rel.split("/", 1)[0] for rel in payload}
    for top in tops:   # user-visible links first: they resolve once ..data swaps
        link = target / top
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link) if link.is_dir() else link.unlink()
            os.symlink(f"{DATA}/{top}", link)
    tmp = target / _DATA_TMP
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(new.name, tmp)
    os.rename(tmp, target / DATA)   # the atomic switch
    if old is not None and old.exists():
        shutil.rmtree(old, ignore_errors=True)
    for entry in target.iterdir():
        if entry.name.startswith(".."):
            if entry.name not in (DATA, new.name) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)   # left by an interrupted write
            continue
        if entry.name not in tops:
            entry.unlink() if entry.is_symlink() or entry.is_file() else shutil.rmtree(entry)
    return True
