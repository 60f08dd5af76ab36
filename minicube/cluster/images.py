"""The node image, built locally in three layers tagged by what goes into them.

    minicube/base:bookworm        debian:bookworm-slim pulled, or made with debootstrap when no
                                  registry answers (the user is told which)
    minicube/node-deps:<hash>     Debian packages + Python dependencies (wheels fetched on the
                                  host: containers cannot reach PyPI)
    minicube/node:<hash>          minicube's own code and the entrypoint: the thin top layer

An unchanged tree builds nothing; a code change rebuilds only the top layer. Build contexts
are made in a temporary directory, never in the checkout.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from minicube import _paths
from minicube._errors import ImageUnavailable
from minicube.cluster.progress import Reporter
from minicube.cluster.provider import DockerProvider

log = logging.getLogger(__name__)

BASE_REPO, BASE_TAG = "minicube/base", "bookworm"
BASE_REF = f"{BASE_REPO}:{BASE_TAG}"
PULL_REPO, PULL_TAG = "debian", "bookworm-slim"
DEPS_REPO = "minicube/node-deps"
NODE_REPO = "minicube/node"
NODE_PYTHON = "3.11"  # Debian bookworm's python3: the wheels are fetched for it
DEBIAN_MIRROR = "http://deb.debian.org/debian"
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


def ensure_node_image(provider: DockerProvider, reporter: Reporter) -> str:
    """Build whatever layer is missing; return the node image reference."""
    deps_ref, node_ref = layer_refs(ensure_base(provider, reporter))
    if provider.image_id(deps_ref) is None:
        _build_deps(provider, deps_ref, reporter)
        _prune(provider, DEPS_REPO, keep=deps_ref)
    if provider.image_id(node_ref) is None:
        _build_node(provider, deps_ref, node_ref, reporter)
        _prune(provider, NODE_REPO, keep=node_ref)
    return node_ref


def wanted_node_image(provider: DockerProvider) -> str | None:
    """The node image the current tree would build (None before any base exists)."""
    base_id = provider.image_id(BASE_REF)
    return layer_refs(base_id)[1] if base_id else None


def layer_refs(base_id: str) -> tuple[str, str]:
    """The node-deps and node image tags the current tree wants on top of this base."""
    deps_ref = f"{DEPS_REPO}:{_digest(deps_inputs(base_id))}"
    return deps_ref, f"{NODE_REPO}:{_digest(node_inputs(deps_ref))}"


def _digest(parts: Iterator[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()[:12]


def deps_inputs(base_id: str) -> Iterator[bytes]:
    yield base_id.encode()
    yield (_node_sources() / "Dockerfile.deps").read_bytes()
    yield "\n".join(requirements()).encode()


def node_inputs(deps_ref: str) -> Iterator[bytes]:
    yield deps_ref.encode()
    yield (_node_sources() / "Dockerfile").read_bytes()
    yield from _tree(_node_sources() / "files")
    yield from _tree(_paths.package_dir())


def _tree(root: Path) -> Iterator[bytes]:
    """Each file's path, executable bit and content, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield f"{path.relative_to(root)}:{os.access(path, os.X_OK)}".encode()
            yield path.read_bytes()


def requirements() -> list[str]:
    """minicube's pinned runtime dependencies, as pyproject.toml declares them."""
    with open(_paths.source_root() / "pyproject.toml", "rb") as f:
        return sorted(tomllib.load(f)["project"]["dependencies"])


def _node_sources() -> Path:
    path = _paths.images_dir() / "node"
    if not (path / "Dockerfile").is_file():
        raise ImageUnavailable(f"the node image sources are missing (looked in {path})",
                               hint="run minicube from a source checkout: pip install -e .")
    return path


# -- the base ----------------------------------------------------------------------------


def ensure_base(provider: DockerProvider, reporter: Reporter) -> str:
    base_id = provider.image_id(BASE_REF)
    if base_id:
        return base_id
    reporter.detail(f"pulling {PULL_REPO}:{PULL_TAG}")
    try:
        provider.pull(PULL_REPO, PULL_TAG)
        provider.tag(f"{PULL_REPO}:{PULL_TAG}", BASE_REPO, BASE_TAG)
        reporter.info(f"base image: pulled {PULL_REPO}:{PULL_TAG}")
    except ImageUnavailable as e:
        log.info("pull failed, building the base with debootstrap: %s", e.message)
        reporter.info(f"base image: the pull failed, so it is built from Debian packages with debootstrap "
                      f"({e.message})")
        _debootstrap_base(provider, reporter)
    base_id = provider.image_id(BASE_REF)
    assert base_id, "the base image was just made"
    return base_id


def _debootstrap_base(provider: DockerProvider, reporter: Reporter) -> None:
    if shutil.which("debootstrap") is None:
        raise ImageUnavailable("no registry answers and debootstrap is not installed, so the Debian base "
                               "image cannot be made", hint="apt-get install -y debootstrap")
    if os.geteuid() != 0:
        raise ImageUnavailable("no registry answers, and building the Debian base with debootstrap needs root",
                               hint="run minicube start once as root, or make `docker pull debian:bookworm-slim` work")
    with _workdir() as work:
        root = work / "rootfs"
        _run(["debootstrap", "--variant=minbase", "bookworm", str(root), DEBIAN_MIRROR], reporter,
             what="debootstrap of Debian bookworm")
        reporter.detail("importing the base image")
        tar = work / "rootfs.tar"
        _run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(tar), "."], reporter, what="packing the rootfs")
        provider.import_rootfs(tar, BASE_REPO, BASE_TAG, changes=['CMD ["/bin/bash"]'])


# -- the two built layers ------------------------------------------------------------------


def _build_deps(provider: DockerProvider, ref: str, reporter: Reporter) -> None:
    with _workdir() as ctx:
        shutil.copy(_node_sources() / "Dockerfile.deps", ctx / "Dockerfile")
        wheels = ctx / "wheels"
        wheels.mkdir()
        (wheels / "requirements.txt").write_text("\n".join(requirements()) + "\n")
        reporter.detail("downloading Python wheels for the node")
        _run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:",
              "--python-version", NODE_PYTHON, *_platform_args(), "-d", str(wheels),
              "-r", str(wheels / "requirements.txt")], reporter, what="downloading the node's Python wheels",
             hint="PyPI must be reachable from this host (pip download)")
        _build(provider, ctx, ref, {}, reporter)


def _build_node(provider: DockerProvider, deps_ref: str, ref: str, reporter: Reporter) -> None:
    with _workdir() as ctx:
        sources = _node_sources()
        shutil.copy(sources / "Dockerfile", ctx / "Dockerfile")
        shutil.copytree(sources / "files", ctx / "files", ignore=_SKIP)
        shutil.copytree(_paths.package_dir(), ctx / "minicube", ignore=_SKIP)
        _build(provider, ctx, ref, {"DEPS_IMAGE": deps_ref}, reporter)


def _build(provider: DockerProvider, ctx: Path, ref: str, buildargs: dict[str, str], reporter: Reporter) -> None:
    reporter.detail(f"building {ref}")

    def on_line(line: str) -> None:
        log.info("build %s: %s", ref, line)
        if line.startswith("Step "):
            reporter.detail(f"{ref}: {line[:100]}")

    provider.build(ctx, ref, buildargs, on_line)


def _platform_args() -> list[str]:
    """Every manylinux tag bookworm's glibc (2.36) runs; pip does not widen a tag by itself."""
    arch = {"arm64": "aarch64", "amd64": "x86_64"}.get(platform.machine().lower(), platform.machine())
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(36, 16, -1)] + [f"manylinux2014_{arch}"]
    return [arg for tag in tags for arg in ("--platform", tag)]


def _prune(provider: DockerProvider, repository: str, keep: str) -> None:
    """Drop older builds of a layer; ones still used by a container stay."""
    for ref in provider.image_tags(repository):
        if ref != keep and provider.remove_image(ref):
            log.info("removed outdated image %s", ref)


# -- helpers -------------------------------------------------------------------------------


def _run(argv: list[str], reporter: Reporter, *, what: str, hint: str | None = None) -> None:
    """Run a build tool, its output going to the log and to the progress line."""
    log.info("running %s", " ".join(argv))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        line = line.rstrip()
        log.info("%s: %s", argv[0], line)
        tail = (tail + [line])[-5:]
        if line:
            reporter.detail(line[:100])
    if proc.wait() != 0:
        raise ImageUnavailable(f"{what} failed (exit {proc.returncode}): " + " | ".join(tail[-3:]),
                               hint=hint or "the full output is in ~/.minicube/logs/last-run.log")


@contextmanager
def _workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="minicube-build-"))
    try:
        yield path
    finally:
        _remove_tree(path)


def _remove_tree(path: Path) -> None:
    """rmtree, after unmounting anything an interrupted debootstrap left mounted inside."""
    with open("/proc/self/mounts") as f:
        mounts = [line.split()[1] for line in f if line.split()[1].startswith(f"{path}/")]
    for mount in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False)
    still = [m for m in mounts if os.path.ismount(m)]
    if still:
        log.warning("left %s in place: %s still mounted", path, still)
        return
    shutil.rmtree(path, ignore_errors=True)
