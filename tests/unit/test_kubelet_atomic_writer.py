"""The atomic writer: ..data swaps, stale names go, unchanged payloads write nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from minicube.kubelet.atomic_writer import DATA, FileProjection, PayloadError, write


def files(target: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in target.iterdir() if not p.name.startswith("..")}


def test_files_are_links_through_the_data_link(tmp_path: Path) -> None:
    assert write(tmp_path, {"a": FileProjection(b"1"), "dir/b": FileProjection(b"2", 0o600)})
    assert os.readlink(tmp_path / "a") == f"{DATA}/a" and (tmp_path / DATA).is_symlink()
    assert (tmp_path / "dir" / "b").read_text() == "2"
    assert (tmp_path / "dir" / "b").stat().st_mode & 0o777 == 0o600


def test_an_update_swaps_the_whole_payload_and_drops_what_is_gone(tmp_path: Path) -> None:
    write(tmp_path, {"a": FileProjection(b"1"), "old": FileProjection(b"x")})
    first = os.readlink(tmp_path / DATA)
    assert write(tmp_path, {"a": FileProjection(b"2")})
    assert files(tmp_path) == {"a": "2"} and os.readlink(tmp_path / DATA) != first
    assert not (tmp_path / first).exists()   # the old payload directory went


def test_an_unchanged_payload_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"a": FileProjection(b"1")})
    data = os.readlink(tmp_path / DATA)
    assert not write(tmp_path, {"a": FileProjection(b"1")})
    assert os.readlink(tmp_path / DATA) == data
    assert write(tmp_path, {"a": FileProjection(b"1", 0o400)})   # a mode change is a change


@pytest.mark.parametrize("path", ["/abs", "../up", "a/../../b", "..hidden", ""])
def test_paths_may_not_escape_or_clash(tmp_path: Path, path: str) -> None:
    with pytest.raises(PayloadError):
        write(tmp_path, {path: FileProjection(b"")})
