"""Images with no registry: load (skipping what the node has), archives, and builds in the node."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import HELLO_IMAGE, Cluster, docker


def _node_images(cluster: Cluster) -> dict[str, str]:
    rows = json.loads(cluster.mc("image ls", "-o", "json").stdout)
    return {row["image"]: row["id"] for row in rows}


def _node_image_id(cluster: Cluster, ref: str) -> str:
    return cluster.node_exec("docker", "image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()


def _minicube(cluster: Cluster, *args: str) -> str:
    """A minicube command that is not about one profile (no -p)."""
    result = subprocess.run([sys.executable, "-m", "minicube", *args], env=cluster.env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _host_build(tmp_path: Path, tag: str, marker: str) -> str:
    (tmp_path / "Dockerfile").write_text(f"FROM {HELLO_IMAGE}\nLABEL e2e.marker={marker}\n")
    docker("build", "-q", "-t", tag, str(tmp_path))
    return docker("image", "inspect", "--format", "{{.Id}}", tag).strip()


def test_loading_an_image_the_node_has_is_skipped(cluster: Cluster) -> None:
    result = cluster.mc("image load", HELLO_IMAGE)
    assert "already in node" in result.stdout + result.stderr


def test_a_rebuilt_image_under_the_same_tag_replaces_the_old_one(cluster: Cluster, tmp_path: Path) -> None:
    tag = "e2e/rebuilt:1"
    try:
        _host_build(tmp_path, tag, "one")
        cluster.mc("image load", tag)
        second = _host_build(tmp_path, tag, "two")
        cluster.mc("image load", tag)
        assert _node_image_id(cluster, tag) == second
    finally:
        docker("rmi", "-f", tag)


def test_a_docker_save_archive_loads(cluster: Cluster, tmp_path: Path) -> None:
    tag, archive = "e2e/archived:1", tmp_path / "image.tar"
    docker("tag", HELLO_IMAGE, tag)
    docker("save", "-o", str(archive), tag)
    docker("rmi", tag)
    result = cluster.mc("image load", "--from-archive", str(archive))
    assert f"loaded {tag}" in result.stdout
    assert tag in _node_images(cluster)


def test_image_build_runs_in_the_node_and_honours_dockerignore(cluster: Cluster, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {HELLO_IMAGE}\nCOPY . /ctx/\n")
    (tmp_path / "kept.txt").write_text("kept")
    (tmp_path / "secret.txt").write_text("never sent")
    (tmp_path / ".dockerignore").write_text("secret.txt\n")
    cluster.mc("image build", str(tmp_path), "-t", "e2e/built:1")
    assert "e2e/built:1" in _node_images(cluster)
    listing = cluster.node_exec("docker", "run", "--rm", "--entrypoint", "ls", "e2e/built:1", "/ctx").stdout
    assert "kept.txt" in listing and "secret.txt" not in listing
    assert docker("images", "-q", "e2e/built:1").strip() == "", "the host engine must not get it"


def test_image_build_without_a_dockerfile_is_a_clear_usage_error(cluster: Cluster, tmp_path: Path) -> None:
    result = cluster.mc("image build", str(tmp_path), "-t", "e2e/none:1", check=False)
    assert result.returncode != 0 and "no Dockerfile in" in result.stderr


def test_the_node_image_exports_and_imports_for_ci_caches(cluster: Cluster, tmp_path: Path) -> None:
    archive = tmp_path / "node.tar"
    exported = _minicube(cluster, "cache", "export", str(archive))
    refs = exported.split(": ", 1)[1].split()
    assert [r.split(":")[0] for r in refs] == ["minicube/base", "minicube/node-deps", "minicube/node"]
    imported = _minicube(cluster, "cache", "import", str(archive))
    assert sorted(imported.removeprefix("loaded ").split()) == sorted(refs)
