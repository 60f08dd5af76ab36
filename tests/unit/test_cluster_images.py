from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minicube import _paths
from minicube._errors import ImageUnavailable
from minicube.cluster import images


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake checkout: pyproject, images/node and a package."""
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["b==1", "a==2"]\n')
    node = tmp_path / "images" / "node"
    (node / "files" / "usr" / "local" / "bin").mkdir(parents=True)
    (node / "Dockerfile").write_text("FROM x\n")
    (node / "Dockerfile.deps").write_text("FROM base\n")
    (node / "files" / "usr" / "local" / "bin" / "entrypoint").write_text("#!/bin/sh\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    monkeypatch.setattr(_paths, "source_root", lambda: tmp_path)
    monkeypatch.setattr(_paths, "images_dir", lambda: tmp_path / "images")
    monkeypatch.setattr(_paths, "package_dir", lambda: tmp_path / "pkg")
    return tmp_path


def test_unchanged_tree_gives_the_same_tags(tree: Path) -> None:
    assert images.layer_refs("sha256:base") == images.layer_refs("sha256:base")


def test_code_change_rebuilds_only_the_node_layer(tree: Path) -> None:
    deps, node = images.layer_refs("sha256:base")
    (tree / "pkg" / "mod.py").write_text("x = 2\n")
    new_deps, new_node = images.layer_refs("sha256:base")
    assert new_deps == deps and new_node != node


def test_bytecode_caches_do_not_count_as_changes(tree: Path) -> None:
    before = images.layer_refs("sha256:base")
    (tree / "pkg" / "__pycache__").mkdir()
    (tree / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    assert images.layer_refs("sha256:base") == before


def test_dependency_or_base_change_rebuilds_the_deps_layer(tree: Path) -> None:
    deps, _ = images.layer_refs("sha256:base")
    assert images.layer_refs("sha256:other")[0] != deps
    (tree / "pyproject.toml").write_text('[project]\ndependencies = ["b==1", "a==3"]\n')
    assert images.layer_refs("sha256:base")[0] != deps


def test_requirements_come_sorted_from_pyproject(tree: Path) -> None:
    assert images.requirements() == ["a==2", "b==1"]


class FakeImages:
    def __init__(self, present: set[str], pull_fails: bool = True) -> None:
        self.present, self.pull_fails = present, pull_fails
        self.built: list[str] = []

    def image_id(self, ref: str) -> str | None:
        return f"id-{ref}" if ref in self.present else None

    def pull(self, repository: str, tag: str) -> None:
        if self.pull_fails:
            raise ImageUnavailable("no such host")
        self.present.add(f"{repository}:{tag}")

    def tag(self, source: str, repository: str, tag: str) -> None:
        self.present.add(f"{repository}:{tag}")

    def build(self, ctx: Path, ref: str, buildargs: dict[str, str], on_line: Any) -> None:
        self.built.append(ref)
        self.present.add(ref)

    def image_tags(self, repository: str) -> list[str]:
        return sorted(r for r in self.present if r.startswith(repository + ":"))

    def remove_image(self, ref: str) -> bool:
        self.present.discard(ref)
        return True


class Notes:
    def __init__(self) -> None:
        self.infos: list[str] = []

    def detail(self, text: str) -> None:
        pass

    def info(self, text: str) -> None:
        self.infos.append(text)


def test_a_complete_set_of_images_builds_nothing(tree: Path) -> None:
    deps, node = images.layer_refs(f"id-{images.BASE_REF}")
    fake = FakeImages({images.BASE_REF, deps, node})
    assert images.ensure_node_image(fake, Notes()) == node  # type: ignore[arg-type]
    assert fake.built == []


def test_pull_failure_falls_back_to_debootstrap_and_says_so(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, notes = FakeImages(set()), Notes()
    monkeypatch.setattr(images, "_debootstrap_base", lambda provider, reporter: provider.present.add(images.BASE_REF))
    monkeypatch.setattr(images, "_run", lambda *a, **k: None)  # no pip download
    ref = images.ensure_node_image(fake, notes)  # type: ignore[arg-type]
    assert any("debootstrap" in note for note in notes.infos)
    assert [r.split(":")[0] for r in fake.built] == [images.DEPS_REPO, images.NODE_REPO] and fake.built[1] == ref


def test_a_new_build_prunes_the_older_node_image(tree: Path) -> None:
    deps, node = images.layer_refs(f"id-{images.BASE_REF}")
    fake = FakeImages({images.BASE_REF, deps, f"{images.NODE_REPO}:old"})
    images.ensure_node_image(fake, Notes())  # type: ignore[arg-type]
    assert fake.image_tags(images.NODE_REPO) == [node]
