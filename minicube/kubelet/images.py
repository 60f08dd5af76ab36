"""Making sure a container's image is on the node, under its imagePullPolicy.

Most clusters here have no registry, so every failure says how to bring the image in
(`minicube image load`). A failed pull puts the image in back-off (ErrImagePull, then
ImagePullBackOff) instead of retrying on every sync; nothing here hangs or raises past
`ContainerWaiting`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from minicube.client import Backoff, EventRecorder
from minicube.kubelet.containers import ContainerWaiting
from minicube.kubelet.lifecycle import field_path
from minicube.kubelet.runtime import Runtime, EngineError

log = logging.getLogger(__name__)

Obj = dict[str, Any]

REGISTRY_RETRY = 60.0


def default_pull_policy(image: str) -> str:
    """The API server's default: Always for `:latest` or no tag, else IfNotPresent."""
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    return "Always" if ":" not in last or last.endswith(":latest") else "IfNotPresent"


def load_hint(image: str, profile: str) -> str:
    flag = "" if profile == "minicube" else f" -p {profile}"
    return f"load it into the node with: minicube image load {image}{flag}"


class ImageManager:
    def __init__(self, runtime: Runtime, recorder: EventRecorder, *, profile: str,
                 backoff: Backoff | None = None) -> None:
        self.runtime = runtime
        self.recorder = recorder
        self.profile = profile
        self.backoff = backoff or Backoff(10.0, 300.0)
        # After a failed pull, `Always` images with a local copy skip pulling for a while:
        # without a registry every start would otherwise pay for a failing pull.
        self._registry_down_until = 0.0

    async def ensure(self, pod: Obj, container: Obj) -> str:
        """The local image id for the container, pulling when the policy says so."""
        image = container.get("image", "")
        ref = field_path(pod, container["name"])
        policy = container.get("imagePullPolicy") or default_pull_policy(image)
        present = await self._local(image)
        if policy == "Never" or (present and policy == "IfNotPresent"):
            if present:
                self.recorder.event(pod, "Normal", "Pulled",
                                    f'Container image "{image}" already present on machine',
                                    field_path=ref)
                return present
            message = f'Container image "{image}" is not present with pull policy of Never'
            self.recorder.event(pod, "Warning", "ErrImageNeverPull", message, field_path=ref)
            self.recorder.event(pod, "Warning", "Failed", "Error: ErrImageNeverPull",
                                field_path=ref)
            raise ContainerWaiting("ErrImageNeverPull",
                                   f"{message}; {load_hint(image, self.profile)}")
        if present and time.monotonic() < self._registry_down_until:
            self.recorder.event(pod, "Warning", "Failed",
                                f'Not pulling image "{image}" (pull policy Always): no registry '
                                "answered a moment ago; using the local copy", field_path=ref)
            return present
        key = (pod["metadata"]["uid"], image)
        remaining = self.backoff.remaining_since_update(key)
        if remaining > 0:
            self.recorder.event(pod, "Normal", "BackOff", f'Back-off pulling image "{image}"',
                                field_path=ref)
            raise ContainerWaiting(
                "ImagePullBackOff",
                f'Back-off pulling image "{image}"; {load_hint(image, self.profile)}',
                retry_after=remaining)
        return await self._pull(pod, image, ref, key, present)

    async def _pull(self, pod: Obj, image: str, ref: str, key: tuple[str, str],
                    present: str) -> str:
        self.recorder.event(pod, "Normal", "Pulling", f'Pulling image "{image}"', field_path=ref)
        started = time.monotonic()
        try:
            image_id = await self.runtime.pull(image)
        except EngineError as e:
            self._registry_down_until = time.monotonic() + REGISTRY_RETRY
            if present:
                # Always, but no registry answers: run the copy we have rather than fail.
                self.recorder.event(pod, "Warning", "Failed",
                                    f'Failed to pull image "{image}": {e}; using the local copy',
                                    field_path=ref)
                return present
            delay = self.backoff.next(key)
            self.recorder.event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {e}',
                                field_path=ref)
            self.recorder.event(pod, "Warning", "Failed", "Error: ErrImagePull", field_path=ref)
            raise ContainerWaiting(
                "ErrImagePull", f'Failed to pull image "{image}": {e}; '
                f"{load_hint(image, self.profile)}", retry_after=delay) from e
        self.backoff.reset(key)
        took = time.monotonic() - started
        self.recorder.event(pod, "Normal", "Pulled",
                            f'Successfully pulled image "{image}" in {took:.3f}s', field_path=ref)
        return image_id

    async def user(self, image: str) -> str:
        """The present image's configured USER ("" = unset); the container waits in
        CreateContainerConfigError when the engine cannot tell."""
        try:
            return await self.runtime.image_user(image)
        except EngineError as e:
            raise ContainerWaiting("CreateContainerConfigError",
                                   f"cannot read the user of image {image!r}: {e}") from e

    async def _local(self, image: str) -> str:
        try:
            return await self.runtime.image_id(image)
        except EngineError as e:
            log.warning("cannot inspect image %s: %s", image, e)
            return ""
