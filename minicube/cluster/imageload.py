"""`minicube image load|ls`: with no registry, images go from the host engine into the node.

`docker save` on the host is streamed straight into `docker load` inside the node, so no
archive is written to disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from minicube._errors import ImageUnavailable
from minicube.cluster.progress import Reporter
from minicube.cluster.provider import DockerProvider, Node


@dataclass(frozen=True)
class NodeImage:
    ref: str
    id: str
    size: str


def load(provider: DockerProvider, node: Node, refs: list[str], reporter: Reporter) -> None:
    missing = [ref for ref in refs if provider.image_id(ref) is None]
    if missing:
        raise ImageUnavailable(f"not in the host's Docker engine: {', '.join(missing)}",
                               hint="build or pull them first; `docker images` lists what the host has")
    for ref in refs:
        with reporter.step(f"Loading {ref} into node {node.profile}"):
            stream = _counted(provider.save(ref), provider.image_size(ref), reporter)
            result = provider.exec_with_input(node, ["docker", "load"], stream)
            if not result.ok:
                raise ImageUnavailable(f"loading {ref} into the node failed: "
                                       f"{result.stderr.decode(errors='replace').strip()}")


def _counted(chunks: Iterable[bytes], size: int, reporter: Reporter) -> Iterator[bytes]:
    sent = 0
    for chunk in chunks:
        sent += len(chunk)
        reporter.detail(f"{sent / 1e6:.1f} of about {size / 1e6:.1f} MB sent")
        yield chunk


def list_images(provider: DockerProvider, node: Node) -> list[NodeImage]:
    result = provider.exec(node, ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.Size}}"])
    if not result.ok:
        raise ImageUnavailable(f"listing the node's images failed: {result.stderr.decode(errors='replace').strip()}",
                               hint=f"is the node's engine up? minicube status -p {node.profile}")
    rows = [line.split("\t") for line in result.stdout.decode().splitlines() if line.count("\t") == 2]
    return [NodeImage(ref, image_id, size) for ref, image_id, size in sorted(rows)]
