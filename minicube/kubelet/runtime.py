"""The inner container engine, behind async methods: the ONLY module using the Docker SDK.

Blocking SDK calls run on a private thread pool (so a slow engine never stalls the event
loop, and long log/event streams never starve short calls, which get their own threads).
Everything the rest of the kubelet sees is a `ContainerInfo` or plain data.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, AsyncIterator, Callable, Iterator, TypeVar

import docker
import docker.errors
import requests

from minicube.kubelet.containers import (LABEL_NAMESPACE, LABEL_POD, LABEL_UID, PAUSE_IMAGE,
                                         POD_NETWORK, POD_SUBNET, ContainerInfo, parse_inspect)
from minicube.kubelet.streams_engine import EngineStream, HijackRefused, open_hijacked

log = logging.getLogger(__name__)

T = TypeVar("T")

PAUSE_CMD = ["/bin/busybox", "sleep", "2147483647"]
_STREAM_END = object()


class EngineError(Exception):
    """The engine failed or refused an operation (message says which and why)."""


class ImageNotFound(EngineError):
    pass


class Runtime:
    def __init__(self, base_url: str = "unix:///var/run/docker.sock", *,
                 busybox: str | None = None) -> None:
        self.base_url = base_url
        self.busybox = busybox
        self._docker: docker.DockerClient | None = None
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="runtime")
        # Probe and hook commands that hang hold their thread (up to the client's read
        # timeout): they get their own threads, so they can never starve the pod syncs.
        self._exec_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="runtime-exec")
        # container id -> (its state in the listing, its inspection): see _inspected()
        self._inspections: dict[str, tuple[str, ContainerInfo]] = {}

    # --- plumbing --------------------------------------------------------------------------

    @property
    def docker(self) -> docker.DockerClient:
        if self._docker is None:
            raise EngineError("the container engine is not connected")
        return self._docker

    async def _call(self, fn: Callable[..., T], *args: Any,
                    _pool: ThreadPoolExecutor | None = None, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(_pool or self._pool, partial(fn, *args, **kwargs))
        except docker.errors.ImageNotFound as e:
            raise ImageNotFound(_explain(e)) from e
        except (docker.errors.DockerException, requests.RequestException) as e:
            raise EngineError(_explain(e)) from e

    async def _stream(self, open_stream: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
        """Iterate a blocking SDK stream in its own thread; closing the iterator ends it."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=256)
        stream = await self._call(open_stream)

        def pump() -> None:
            try:
                for item in stream:
                    asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()
            except Exception as e:  # the stream broke: hand the error to the reader
                item = e
            else:
                item = _STREAM_END
            try:
                asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()
            except RuntimeError:
                pass  # the loop is gone

        thread = threading.Thread(target=pump, name="runtime-stream", daemon=True)
        thread.start()
        try:
            while True:
                item = await queue.get()
                if item is _STREAM_END:
                    return
                if isinstance(item, Exception):
                    raise EngineError(_explain(item)) from item
                yield item
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                # Closing the HTTP response unblocks the pump thread, which then exits.
                await loop.run_in_executor(self._pool, close)
            while not queue.empty():
                queue.get_nowait()

    async def connect(self, *, timeout: float = 60.0) -> None:
        """Wait until the engine answers (it may still be starting next to us)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._docker = await self._call(docker.DockerClient, base_url=self.base_url,
                                                max_pool_size=32)
                return
            except EngineError as e:
                if time.monotonic() > deadline:
                    raise EngineError(f"no container engine answers at {self.base_url} "
                                        f"after {timeout:.0f}s: {e}") from e
                log.info("waiting for the container engine at %s: %s", self.base_url, e)
                await asyncio.sleep(0.5)

    async def close(self) -> None:
        if self._docker is not None:
            await self._call(self._docker.close)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._exec_pool.shutdown(wait=False, cancel_futures=True)

    async def ping(self) -> bool:
        try:
            return bool(await self._call(self.docker.ping))
        except EngineError:
            return False

    async def version(self) -> str:
        """The engine's version without distribution suffixes, e.g. `20.10.24`."""
        info = await self._call(self.docker.version)
        return str(info.get("Version", "unknown")).split("+")[0]

    # --- node set-up -----------------------------------------------------------------------

    async def ensure_network(self) -> None:
        """The bridge network every pod sandbox joins (subnet = node.spec.podCIDR)."""
        found = await self._call(self.docker.networks.list, names=[POD_NETWORK])
        if any(n.name == POD_NETWORK for n in found):
            return
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=POD_SUBNET)])
        await self._call(self.docker.networks.create, POD_NETWORK, driver="bridge", ipam=ipam,
                         labels={"io.minicube.role": "pod-network"})
        log.info("created the pod network %s (%s)", POD_NETWORK, POD_SUBNET)

    async def ensure_pause_image(self) -> None:
        """Build the sandbox image from the node's static busybox when it is missing."""
        if await self.image_id(PAUSE_IMAGE):
            return
        busybox = self.busybox or ("/bin/busybox" if os.path.exists("/bin/busybox")
                                   else shutil.which("busybox"))
        if not busybox:
            raise EngineError("cannot build the pod sandbox image: no busybox binary found "
                                "(install busybox-static)")
        repo, tag = PAUSE_IMAGE.split(":")
        await self._call(self.docker.api.import_image_from_data, _busybox_tar(busybox),
                         repository=repo, tag=tag,
                         changes=[f"CMD {json.dumps(PAUSE_CMD)}"])
        log.info("built the sandbox image %s from %s", PAUSE_IMAGE, busybox)

    # --- images ----------------------------------------------------------------------------

    async def image_id(self, image: str) -> str:
        """The local image's id (sha256:...), or "" when it is not present."""
        try:
            found = await self._call(self.docker.api.inspect_image, image)
        except ImageNotFound:
            return ""
        except EngineError as e:
            if "No such image" in str(e) or "404" in str(e):
                return ""
            raise
        return str(found.get("Id", ""))

    async def image_user(self, image: str) -> str:
        """The image's configured USER (`docker inspect` .Config.User; "" when unset)."""
        found = await self._call(self.docker.api.inspect_image, image)
        return str((found.get("Config") or {}).get("User") or "")

    async def pull(self, image: str) -> str:
        """Pull from a registry; returns the image id."""
        repo, tag = _split_tag(image)
        await self._call(self.docker.api.pull, repo, tag=tag)
        return await self.image_id(image)

    async def images(self) -> list[dict[str, Any]]:
        """Local images as a Node's status.images: {names, sizeBytes}."""
        rows = await self._call(self.docker.api.images)
        out = []
        for row in rows:
            names = [t for t in (row.get("RepoTags") or []) if t != "<none>:<none>"]
            if names:
                out.append({"names": names, "sizeBytes": int(row.get("Size") or 0)})
        return out

    # --- containers ------------------------------------------------------------------------

    async def list_containers(self, pod_uid: str | None = None, *,
                              pod: tuple[str, str] | None = None) -> list[ContainerInfo]:
        """Every labelled container, inspected; of one pod when pod_uid or pod=(ns, name)."""
        labels = [f"{LABEL_UID}={pod_uid}" if pod_uid else LABEL_UID]
        if pod is not None:
            labels += [f"{LABEL_NAMESPACE}={pod[0]}", f"{LABEL_POD}={pod[1]}"]
        summaries = await self._call(self.docker.api.containers, all=True,
                                     filters={"label": labels})
        infos = await asyncio.gather(*(self._inspected(s) for s in summaries))
        return [i for i in infos if i is not None]

    async def pod_containers(self) -> dict[str, list[ContainerInfo]]:
        """Every pod uid that has containers on this engine, with them: one listing."""
        summaries = await self._call(self.docker.api.containers, all=True,
                                     filters={"label": LABEL_UID})
        present = {s["Id"] for s in summaries}
        for gone in [cid for cid in self._inspections if cid not in present]:
            del self._inspections[gone]
        out: dict[str, list[ContainerInfo]] = {}
        for info in await asyncio.gather(*(self._inspected(s) for s in summaries)):
            if info is not None:
                out.setdefault(info.pod_uid, []).append(info)
        return out

    async def _inspected(self, summary: dict[str, Any]) -> ContainerInfo | None:
        """The container's inspection, reused while the listing shows it in the same state:
        what an inspection tells only changes with a state change (start, exit), and every
        start/stop/removal of ours or event of the engine drops the container's entry."""
        cid, state = summary["Id"], summary.get("State", "")
        cached = self._inspections.get(cid)
        if cached is not None and cached[0] == state:
            return cached[1]
        info = await self.inspect(cid)
        if info is not None and info.state == state:
            self._inspections[cid] = (state, info)
        return info

    def _changed(self, container_id: str) -> None:
        self._inspections.pop(container_id, None)

    async def inspect(self, container_id: str) -> ContainerInfo | None:
        try:
            attrs = await self._call(self.docker.api.inspect_container, container_id)
        except EngineError as e:
            if "No such container" in str(e):
                return None
            raise
        return parse_inspect(attrs)

    async def create(self, spec: dict[str, Any]) -> str:
        """Create a container from keyword arguments of the SDK's containers.create()."""
        container = await self._call(self.docker.containers.create, **spec)
        return str(container.id)

    async def start(self, container_id: str) -> None:
        self._changed(container_id)
        await self._call(self.docker.api.start, container_id)

    async def stop(self, container_id: str, grace: float) -> None:
        """SIGTERM (or the image's stop signal), then SIGKILL after grace seconds."""
        self._changed(container_id)
        try:
            await self._call(self.docker.api.stop, container_id, timeout=max(0, int(grace)))
        except EngineError as e:
            if "No such container" not in str(e):
                raise

    async def remove(self, container_id: str) -> None:
        self._changed(container_id)
        try:
            await self._call(self.docker.api.remove_container, container_id, force=True)
        except EngineError as e:
            if "No such container" not in str(e) and "already in progress" not in str(e):
                raise

    async def exec(self, container_id: str, cmd: list[str], timeout: float) -> tuple[int, str]:
        """Run cmd in the container (probes and hooks); returns (exit code, output).

        Raises TimeoutError after timeout seconds (the command may run on in the container,
        as with upstream's exec probes on dockershim).
        """
        def run() -> tuple[int, str]:
            created = self.docker.api.exec_create(container_id, cmd, stdout=True, stderr=True)
            output = self.docker.api.exec_start(created["Id"])
            code = self.docker.api.exec_inspect(created["Id"]).get("ExitCode")
            return (-1 if code is None else int(code)), output.decode("utf-8", "replace")
        return await asyncio.wait_for(self._call(run, _pool=self._exec_pool), timeout)

    async def logs(self, container_id: str, *, follow: bool = False, tail: int | None = None,
                   timestamps: bool = False, since: float | None = None) -> AsyncIterator[bytes]:
        """The container's stdout and stderr as they were written (streamed with follow)."""
        kwargs: dict[str, Any] = {"stdout": True, "stderr": True, "stream": True,
                                  "follow": follow, "timestamps": timestamps,
                                  "tail": "all" if tail is None else max(0, tail)}
        if since is not None:
            kwargs["since"] = int(since)
        open_stream = partial(self.docker.api.logs, container_id, **kwargs)
        async for chunk in self._stream(open_stream):
            yield chunk

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """Engine events about our containers (start, die, oom, destroy, ...)."""
        open_stream = partial(self.docker.api.events, decode=True,
                              filters={"type": "container", "label": LABEL_UID})
        async for event in self._stream(open_stream):
            self._changed(str(event.get("id") or (event.get("Actor") or {}).get("ID") or ""))
            yield event

    # --- interactive streams (kubectl exec / attach) -----------------------------------------

    async def exec_stream(self, container_id: str, cmd: list[str], *, stdin: bool,
                          tty: bool) -> tuple[str, EngineStream]:
        """Start cmd in the container with its stdio on a stream; returns (exec id, stream)."""
        created = await self._call(self.docker.api.exec_create, container_id, cmd, stdout=True,
                                   stderr=True, stdin=stdin, tty=tty)
        stream = await self._hijack(f"/exec/{created['Id']}/start", {"Detach": False, "Tty": tty},
                                    tty=tty)
        return str(created["Id"]), stream

    async def exec_exit_code(self, exec_id: str, *, timeout: float = 5.0) -> int | None:
        """The exit code once the engine has noted it (the stream may end a moment earlier)."""
        deadline = time.monotonic() + timeout
        while True:
            found = await self._call(self.docker.api.exec_inspect, exec_id)
            if not found.get("Running") and found.get("ExitCode") is not None:
                return int(found["ExitCode"])
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.05)

    async def attach_stream(self, container_id: str, *, stdin: bool) -> EngineStream:
        """The running container's stdio from now on; for a container made to be attached
        once (stdinOnce: `kubectl run -i`, `kubectl debug -i`) from its start, since it may
        have written before its attacher could connect."""
        attrs = await self._call(self.docker.api.inspect_container, container_id)
        config = attrs.get("Config") or {}
        tty = bool(config.get("Tty"))  # the container's, not the client's
        replay = int(bool(config.get("StdinOnce")))
        query = f"stream=1&stdout=1&stderr=1&stdin={int(stdin)}&logs={replay}"
        return await self._hijack(f"/containers/{container_id}/attach?{query}", None, tty=tty)

    async def resize(self, container_id: str, *, exec_id: str = "", width: int, height: int) -> None:
        """Resize the TTY of an exec session (exec_id) or of the container itself."""
        if exec_id:
            await self._call(self.docker.api.exec_resize, exec_id, height=height, width=width)
        else:
            await self._call(self.docker.api.resize, container_id, height, width)

    async def _hijack(self, path: str, body: dict[str, Any] | None, *, tty: bool) -> EngineStream:
        try:
            return await open_hijacked(self.base_url, f"/v{self.docker.api.api_version}{path}", body,
                                       tty=tty)
        except (OSError, HijackRefused) as e:
            raise EngineError(str(e) or type(e).__name__) from e


def _explain(e: BaseException) -> str:
    explanation = getattr(e, "explanation", None)
    if explanation:
        return explanation.decode() if isinstance(explanation, bytes) else str(explanation)
    return str(e) or type(e).__name__


def _split_tag(image: str) -> tuple[str, str]:
    """("repo", "tag") with the default tag `latest`; digests stay in the repo part."""
    if "@" in image:
        return image, ""
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return image, "latest"
    return name, tag


def _busybox_tar(busybox: str) -> bytes:
    """A root filesystem holding only /bin/busybox."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for d in ("bin", "tmp"):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755
            tar.addfile(info)
        real = os.path.realpath(busybox)
        info = tar.gettarinfo(real, arcname="bin/busybox")
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o755, 0, 0, "root", "root"
        with open(real, "rb") as f:
            tar.addfile(info, f)
    return buf.getvalue()

