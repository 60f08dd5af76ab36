"""The Docker engine, behind one class: the only module that imports the Docker SDK.

Everything else in `cluster` speaks in nodes, images and exec results. Errors leave this
module as MinicubeError subclasses carrying the engine's own explanation.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import docker
import docker.errors
import docker.utils
from docker.utils.socket import frames_iter

from minicube._errors import ClusterConflict, EngineUnavailable, ImageUnavailable
from minicube.cluster import runargs
from minicube.cluster.config import LABEL_CLUSTER, LABEL_CONFIG, LABEL_ROLE, ROLE_NODE, ClusterConfig

log = logging.getLogger(__name__)

_STDOUT = 1


@dataclass(frozen=True)
class EngineInfo:
    version: str
    cgroup_version: int
    cpus: int
    memory: int
    operating_system: str


@dataclass(frozen=True)
class Node:
    """A node container, as the labels and the engine describe it."""

    profile: str
    id: str
    name: str
    state: str  # the engine's word: running, exited, created, paused, ...
    image: str  # the reference it was created from
    config: ClusterConfig
    ip: str | None

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def _engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def _explain(error: docker.errors.DockerException) -> str:
    if isinstance(error, docker.errors.APIError):
        return str(error.explanation or error).strip()
    return str(error).strip()


class DockerProvider:
    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client

    @classmethod
    def connect(cls) -> DockerProvider:
        """Reach the engine named by the environment, as the docker CLI would."""
        try:
            # "auto" negotiates the API version: the engine may be much older than the SDK.
            client = docker.from_env(version="auto", timeout=180)
            client.ping()
        except docker.errors.DockerException as e:
            raise EngineUnavailable(
                f"no Docker engine answers at {_engine_address()} ({_explain(e)})",
                hint="start one: sudo scripts/ensure-docker.sh (or start Docker Desktop); "
                     "DOCKER_HOST selects another engine") from e
        return cls(client)

    def info(self) -> EngineInfo:
        data = self._client.info()
        return EngineInfo(version=data.get("ServerVersion", "?"),
                          cgroup_version=int(data.get("CgroupVersion") or 1),
                          cpus=int(data.get("NCPU") or 1), memory=int(data.get("MemTotal") or 0),
                          operating_system=data.get("OperatingSystem", "?"))

    # -- nodes ---------------------------------------------------------------------------

    def find(self, profile: str) -> Node | None:
        nodes = self._list_nodes([f"{LABEL_CLUSTER}={profile}"])
        return nodes[0] if nodes else None

    def list_nodes(self) -> list[Node]:
        return sorted(self._list_nodes([]), key=lambda n: n.profile)

    def _list_nodes(self, extra: list[str]) -> list[Node]:
        filters: dict[str, str | list[str] | bool] = {"label": [f"{LABEL_ROLE}={ROLE_NODE}", *extra]}
        return [self._node(c) for c in self._client.containers.list(all=True, filters=filters)]

    @staticmethod
    def _node(container: Any) -> Node:
        labels = container.labels
        networks = container.attrs["NetworkSettings"].get("Networks") or {}
        ips = [n.get("IPAddress") for n in networks.values() if n.get("IPAddress")]
        return Node(profile=labels[LABEL_CLUSTER], id=container.id, name=container.name,
                    state=container.status, image=container.attrs["Config"]["Image"],
                    config=ClusterConfig.from_label(labels[LABEL_CONFIG]), ip=ips[0] if ips else None)

    def create_node(self, cfg: ClusterConfig, image: str, *, cgroup_v2: bool) -> Node:
        """Create the volumes and the node container, and start it."""
        kwargs = runargs.node_run_kwargs(cfg, image, cgroup_v2=cgroup_v2)
        log.info("creating node %s: %s", cfg.profile, runargs.describe(kwargs))
        for name in (runargs.docker_volume(cfg.profile), runargs.state_volume(cfg.profile)):
            # Created here (not implicitly by run) so they carry the cluster label for `delete --all`.
            self._client.volumes.create(name=name, labels={LABEL_CLUSTER: cfg.profile})
        try:
            self._client.containers.run(**kwargs)
        except docker.errors.ImageNotFound as e:
            raise ImageUnavailable(f"node image {image} is missing", hint="run minicube start again") from e
        except docker.errors.APIError as e:
            if e.status_code == 409:
                raise ClusterConflict(f"a container named {cfg.profile!r} exists and is not a minicube node",
                                      hint=f"remove it (docker rm -f {cfg.profile}) or choose another "
                                           "profile with -p") from e
            raise EngineUnavailable(f"the Docker engine refused to start the node container: {_explain(e)}",
                                    hint=f"flags tried: {runargs.describe(kwargs)}") from e
        node = self.find(cfg.profile)
        assert node is not None, "the container just created carries the cluster label"
        return node

    def start_node(self, node: Node) -> Node:
        try:
            self._client.containers.get(node.id).start()
        except docker.errors.APIError as e:
            raise EngineUnavailable(f"the Docker engine refused to start node {node.profile}: {_explain(e)}",
                                    hint=f"see: docker logs {node.name}") from e
        return self.find(node.profile) or node

    def stop_node(self, node: Node, timeout: int) -> None:
        self._client.containers.get(node.id).stop(timeout=timeout)

    def remove_container(self, node: Node) -> None:
        try:
            self._client.containers.get(node.id).remove(force=True)
        except docker.errors.NotFound:
            pass

    def volume_exists(self, name: str) -> bool:
        try:
            self._client.volumes.get(name)
            return True
        except docker.errors.NotFound:
            return False

    def remove_volume(self, name: str) -> bool:
        try:
            self._client.volumes.get(name).remove(force=True)
            return True
        except docker.errors.NotFound:
            return False

    def remove_volumes(self, profile: str) -> list[str]:
        """Remove the profile's volumes (by label, and by name for ones made by hand); idempotent."""
        names = {v.name for v in self._client.volumes.list(filters={"label": f"{LABEL_CLUSTER}={profile}"})}
        names |= {runargs.docker_volume(profile), runargs.state_volume(profile)}
        return [name for name in sorted(names) if self.remove_volume(name)]

    def volume_profiles(self) -> set[str]:
        """Profiles that still own a volume, running or not (for `delete --all`)."""
        volumes = self._client.volumes.list(filters={"label": LABEL_CLUSTER})
        return {v.attrs.get("Labels", {})[LABEL_CLUSTER] for v in volumes}

    def container_logs(self, node: Node, tail: int) -> str:
        return self._client.containers.get(node.id).logs(tail=tail).decode(errors="replace")

    def inspect(self, node: Node) -> dict[str, Any]:
        return self._client.containers.get(node.id).attrs

    # -- running things in the node -------------------------------------------------------

    def exec(self, node: Node, argv: list[str]) -> ExecResult:
        code, output = self._client.containers.get(node.id).exec_run(argv, demux=True)
        out, err = cast(tuple[bytes | None, bytes | None], output)  # demux: each None when empty
        return ExecResult(code if code is not None else -1, out or b"", err or b"")

    def exec_with_input(self, node: Node, argv: list[str], chunks: Iterable[bytes]) -> ExecResult:
        """Run `argv` in the node with `chunks` as its stdin (a `docker save` stream, say)."""
        exec_id, sock = self._exec_socket(node, argv)
        raw = getattr(sock, "_sock", sock)
        try:
            for chunk in chunks:
                raw.sendall(chunk)
            raw.shutdown(socket.SHUT_WR)  # EOF on the process's stdin
            out, err = bytearray(), bytearray()
            for stream, data in frames_iter(sock, tty=False):  # type: ignore[no-untyped-call]
                (out if stream == _STDOUT else err).extend(data)
        finally:
            sock.close()
        code = self._client.api.exec_inspect(exec_id).get("ExitCode")
        return ExecResult(code if code is not None else -1, bytes(out), bytes(err))

    def exec_stream(self, node: Node, argv: list[str]) -> Generator[bytes, None, None]:
        """Stream a command's output. Its stdin stays open and closes when the stream is closed,
        so a command that ends on stdin EOF ends when the caller goes away."""
        _, sock = self._exec_socket(node, argv)
        try:
            for _, data in frames_iter(sock, tty=False):  # type: ignore[no-untyped-call]
                yield data
        finally:
            sock.close()

    def _exec_socket(self, node: Node, argv: list[str]) -> tuple[str, Any]:
        exec_id = self._client.api.exec_create(node.id, argv, stdin=True, stdout=True, stderr=True)["Id"]
        return exec_id, self._client.api.exec_start(exec_id, socket=True)

    def read_file(self, node: Node, path: str) -> bytes | None:
        result = self.exec(node, ["cat", path])
        return result.stdout if result.ok else None

    # -- images ---------------------------------------------------------------------------

    def image_id(self, ref: str) -> str | None:
        try:
            return str(self._client.images.get(ref).id)
        except docker.errors.ImageNotFound:
            return None

    def image_size(self, ref: str) -> int:
        return int(self._client.images.get(ref).attrs.get("Size") or 0)

    def image_tags(self, repository: str) -> list[str]:
        return sorted(t for image in self._client.images.list(name=repository) for t in image.tags)

    def pull(self, repository: str, tag: str) -> None:
        try:
            self._client.images.pull(repository, tag=tag)
        except docker.errors.DockerException as e:
            raise ImageUnavailable(f"pulling {repository}:{tag} failed: {_explain(e)}") from e

    def tag(self, source: str, repository: str, tag: str) -> None:
        self._client.images.get(source).tag(repository, tag=tag)

    def import_rootfs(self, tar_path: Path, repository: str, tag: str, changes: list[str]) -> None:
        try:
            self._client.api.import_image_from_file(str(tar_path), repository=repository, tag=tag,
                                                    changes=changes)
        except docker.errors.APIError as e:
            raise ImageUnavailable(f"importing {repository}:{tag} failed: {_explain(e)}") from e

    def build(self, context: Path, ref: str, buildargs: dict[str, str], on_line: Callable[[str], None]) -> None:
        """`docker build` of a prepared context directory; every output line goes to `on_line`."""
        try:
            for chunk in self._client.api.build(path=str(context), tag=ref, buildargs=buildargs, rm=True,
                                                forcerm=True, pull=False, decode=True):
                if "error" in chunk:
                    raise ImageUnavailable(f"building {ref} failed: {chunk['error'].strip()}",
                                           hint="the build output is in ~/.minicube/logs/last-run.log")
                for line in chunk.get("stream", "").splitlines():
                    if line.strip():
                        on_line(line)
        except docker.errors.APIError as e:
            raise ImageUnavailable(f"building {ref} failed: {_explain(e)}") from e

    def remove_image(self, ref: str) -> bool:
        try:
            self._client.images.remove(ref)
            return True
        except docker.errors.APIError as e:  # in use by a container: keep it
            log.debug("kept image %s: %s", ref, _explain(e))
            return False

    def save_images(self, refs: list[str]) -> Iterator[bytes]:
        """One `docker save` archive of several images, their shared layers stored once.
        (The SDK saves one image per call; the engine's endpoint takes several names.)"""
        api = self._client.api
        try:
            response = api._get(api._url("/images/get"), params={"names": refs}, stream=True)
            return iter(api._stream_raw_result(response, 1024 * 1024, False))
        except docker.errors.APIError as e:
            raise ImageUnavailable(f"saving {', '.join(refs)} failed: {_explain(e)}") from e

    def load_images(self, archive: IO[bytes]) -> list[str]:
        """`docker load` of an archive into the host engine; returns the images it named."""
        loaded = []
        try:
            for message in self._client.api.load_image(archive):
                if "error" in message:
                    raise ImageUnavailable(f"loading the archive failed: {message['error'].strip()}")
                text = message.get("stream", "")
                if text.startswith("Loaded image"):
                    loaded.append(text.split(": ", 1)[1].strip())
        except docker.errors.APIError as e:
            raise ImageUnavailable(f"loading the archive failed: {_explain(e)}") from e
        return loaded

    @staticmethod
    def build_context(directory: Path, dockerfile: str) -> IO[bytes]:
        """A build context as `docker build` sends it: a tar of the directory without what
        its .dockerignore excludes (the Dockerfile, a path inside it, always goes)."""
        ignore = directory / ".dockerignore"
        exclude = None
        if ignore.exists():
            exclude = [line.strip() for line in ignore.read_text().splitlines()
                       if line.strip() and not line.strip().startswith("#")]
        return cast(IO[bytes], docker.utils.tar(str(directory), exclude=exclude,
                                                  dockerfile=(dockerfile, None)))

    def save(self, ref: str) -> Iterator[bytes]:
        """`docker save REF` as a stream; the archive keeps the name it was asked by."""
        try:
            self._client.images.get(ref)
        except docker.errors.ImageNotFound as e:
            raise ImageUnavailable(f"image {ref} is not in the host's Docker engine",
                                   hint=f"build or pull it first (docker images | grep {ref.split(':')[0]})") from e
        return iter(self._client.api.get_image(ref, chunk_size=1024 * 1024))
