"""`minicube image load|build|ls`: with no registry, images reach the node's engine directly.

`load` streams `docker save` from the host straight into `docker load` inside the node (no
archive on disk) and skips an image the node already has with the same ID, so a rebuilt
image under an old tag always replaces the stale one (minikube's stale-tag bug) while an
unchanged one costs nothing. `load_archive` feeds a `docker save` file the same way, and
`build` sends a build context to the node's own engine, so there is no load step at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from minicube._errors import ImageUnavailable, UsageError
from minicube.cluster.progress import Reporter
from minicube.cluster.provider import DockerProvider, ExecResult, Node

_CHUNK = 1024 * 1024
# The context is unpacked in the node and built from there: `docker build -` would have to
# sniff a tar in a piped stream, which it does not do reliably. Build flags come as "$@".
_UNPACK_AND_BUILD = ["sh", "-c", 'd=$(mktemp -d) && cd "$d" && tar -x && docker build "$@" .; '
                     'rc=$?; cd /; rm -rf "$d"; exit $rc', "build"]


@dataclass(frozen=True)
class NodeImage:
    ref: str
    id: str
    size: str


def load(provider: DockerProvider, node: Node, refs: list[str], reporter: Reporter) -> list[str]:
    """Load each image unless the node has it with the same ID; returns the refs loaded."""
    missing = [ref for ref in refs if provider.image_id(ref) is None]
    if missing:
        raise ImageUnavailable(f"not in the host's Docker engine: {', '.join(missing)}",
                               hint="build or pull them first; `docker images` lists what the host has")
    loaded = []
    for ref in refs:
        if node_image_id(provider, node, ref) == provider.image_id(ref):
            reporter.info(f"{ref} is already in node {node.profile} (same image ID)")
            continue
        with reporter.step(f"Loading {ref} into node {node.profile}"):
            stream = _counted(provider.save(ref), provider.image_size(ref), reporter)
            _check(provider.exec_with_input(node, ["docker", "load"], stream), f"loading {ref}")
        loaded.append(ref)
    return loaded


def load_archive(provider: DockerProvider, node: Node, archive: Path, reporter: Reporter) -> list[str]:
    """Load a `docker save` archive (plain or gzip, as `docker load` takes); returns the
    images it named."""
    if not archive.is_file():
        raise UsageError(f"no such archive: {archive}", hint="make one with: docker save -o FILE IMAGE")
    with reporter.step(f"Loading {archive.name} into node {node.profile}"):
        with archive.open("rb") as f:
            chunks = _counted(iter(lambda: f.read(_CHUNK), b""), archive.stat().st_size, reporter)
            result = _check(provider.exec_with_input(node, ["docker", "load"], chunks),
                            f"loading {archive}")
    return re.findall(r"Loaded image(?: ID)?: (\S+)", result.stdout.decode(errors="replace"))


def build(provider: DockerProvider, node: Node, context: Path, tag: str, reporter: Reporter, *,
          dockerfile: str = "Dockerfile", build_args: dict[str, str] | None = None) -> None:
    """`docker build` by the node's own engine from a context directory on the host."""
    if not context.is_dir():
        raise UsageError(f"the build context {context} is not a directory")
    if not (context / dockerfile).is_file():
        raise UsageError(f"no {dockerfile} in {context}",
                         hint="name another one with --file (a path inside the context)")
    build_argv = ["-t", tag, "-f", dockerfile]
    for key, value in (build_args or {}).items():
        build_argv += ["--build-arg", f"{key}={value}"]
    with reporter.step(f"Building {tag} in node {node.profile}"):
        tar = provider.build_context(context, dockerfile)
        with tar:
            chunks = _counted(iter(lambda: tar.read(_CHUNK), b""), os.fstat(tar.fileno()).st_size,
                              reporter)
            _check(provider.exec_with_input(node, [*_UNPACK_AND_BUILD, *build_argv], chunks),
                   f"building {tag}")


def node_image_id(provider: DockerProvider, node: Node, ref: str) -> str | None:
    result = provider.exec(node, ["docker", "image", "inspect", "--format", "{{.Id}}", ref])
    return result.stdout.decode().strip() if result.ok else None


def list_images(provider: DockerProvider, node: Node) -> list[NodeImage]:
    result = provider.exec(node, ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.Size}}"])
    if not result.ok:
        raise ImageUnavailable(f"listing the node's images failed: {result.stderr.decode(errors='replace').strip()}",
                               hint=f"is the node's engine up? minicube status -p {node.profile}")
    rows = [line.split("\t") for line in result.stdout.decode().splitlines() if line.count("\t") == 2]
    return [NodeImage(ref, image_id, size) for ref, image_id, size in sorted(rows)]


def _check(result: ExecResult, what: str) -> ExecResult:
    if not result.ok:
        output = (result.stderr or result.stdout).decode(errors="replace").strip()
        raise ImageUnavailable(f"{what} in the node failed: {_last_lines(output)}")
    return result


def _last_lines(text: str, n: int = 8) -> str:
    return "\n".join(text.splitlines()[-n:])


def _counted(chunks: Iterable[bytes], size: int, reporter: Reporter) -> Iterator[bytes]:
    sent = 0
    for chunk in chunks:
        sent += len(chunk)
        reporter.detail(f"{sent / 1e6:.1f} of about {size / 1e6:.1f} MB sent")
        yield chunk
