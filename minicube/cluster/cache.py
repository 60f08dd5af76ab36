"""`minicube cache export|import`: the node image as one file, for CI caches.

The export holds the three hash-tagged layers (`minicube/base`, `node-deps`, `node`) in one
`docker save` archive, their shared layers stored once. The base goes too because the other
tags are hashes of its image ID: after an import, `minicube start` computes the same tags
and builds nothing. A `.gz` name is compressed.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO

from minicube._errors import ImageUnavailable, UsageError
from minicube.cluster import images
from minicube.cluster.progress import Reporter
from minicube.cluster.provider import DockerProvider


def export(provider: DockerProvider, path: Path, reporter: Reporter) -> list[str]:
    """Write the node image this tree wants; returns the images written."""
    base_id = provider.image_id(images.BASE_REF)
    refs = [images.BASE_REF, *images.layer_refs(base_id)] if base_id else []
    missing = [ref for ref in refs if provider.image_id(ref) is None] if refs else [images.BASE_REF]
    if missing:
        raise ImageUnavailable(f"the node image is not built yet (missing {', '.join(missing)})",
                               hint="minicube start builds it; then export it")
    with reporter.step(f"Writing {', '.join(refs)} to {path}"):
        with _open_for_write(path) as out:
            written = 0
            for chunk in provider.save_images(refs):
                out.write(chunk)
                written += len(chunk)
                reporter.detail(f"{written / 1e6:.0f} MB written")
    return refs


def import_(provider: DockerProvider, path: Path, reporter: Reporter) -> list[str]:
    """Load an exported node image into the host engine; returns the images it held."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}", hint="make one with: minicube cache export FILE")
    with reporter.step(f"Loading the node image from {path}"):
        with path.open("rb") as f:
            return provider.load_images(f)


def _open_for_write(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        return gzip.open(path, "wb", compresslevel=1)  # CI caches want speed over size
    return path.open("wb")

