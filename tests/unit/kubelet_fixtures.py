"""Shared builders for the kubelet's unit tests."""

from __future__ import annotations

from typing import Any

from minicube.kubelet.containers import ContainerInfo


def make_pod(*containers: str, restart_policy: str = "Always", **spec: Any) -> dict[str, Any]:
    names = containers or ("web",)
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "uid": "u1",
                         "labels": {"app": "web"}},
            "spec": {"nodeName": "minicube", "restartPolicy": restart_policy,
                     "containers": [{"name": n, "image": "app:1"} for n in names], **spec},
            "status": {"phase": "Pending"}}


def info(name: str = "web", attempt: int = 0, state: str = "running", exit_code: int = 0,
         **kw: Any) -> ContainerInfo:
    defaults: dict[str, Any] = {
        "id": f"{name}-{attempt}", "pod_uid": "u1", "pod_name": "web", "namespace": "default",
        "image": "app:1", "image_id": "sha256:abc",
        "started_at": "2024-01-01T00:00:00.5Z",
        "finished_at": "" if state == "running" else "2024-01-01T00:01:00.5Z",
        "ip": "10.244.0.5" if name == "POD" else ""}
    defaults.update(kw)
    return ContainerInfo(name=name, attempt=attempt, state=state, exit_code=exit_code, **defaults)


class FakeRuntime:
    """The engine as a dict of ContainerInfo; records what the kubelet asked of it."""

    def __init__(self, images: dict[str, str] | None = None, pull_error: str = "") -> None:
        self.containers: dict[str, ContainerInfo] = {}
        self.images = images if images is not None else {"app:1": "sha256:abc"}
        self.pull_error = pull_error
        self.calls: list[str] = []
        self.specs: dict[str, dict[str, Any]] = {}
        self.exec_result: tuple[int, str] = (0, "")

    async def list_containers(self, pod_uid: str | None = None, **kw: Any) -> list[ContainerInfo]:
        return [c for c in self.containers.values() if pod_uid in (None, c.pod_uid)]

    async def inspect(self, cid: str) -> ContainerInfo | None:
        return self.containers.get(cid)

    async def image_id(self, image: str) -> str:
        return self.images.get(image, "")

    async def pull(self, image: str) -> str:
        from minicube.kubelet.runtime import EngineError
        self.calls.append(f"pull {image}")
        raise EngineError(self.pull_error or "no such host")

    async def create(self, spec: dict[str, Any]) -> str:
        from minicube.kubelet.containers import parse_labels
        uid, pod, ns, name, attempt = parse_labels(spec["labels"])  # type: ignore[misc]
        cid = spec["name"]
        self.specs[cid] = spec
        self.containers[cid] = ContainerInfo(
            id=cid, pod_uid=uid, pod_name=pod, namespace=ns, name=name, attempt=attempt,
            state="created", image=spec["image"], image_id=self.images.get(spec["image"], ""),
            sandbox_id=spec.get("network_mode", "").removeprefix("container:"))
        self.calls.append(f"create {cid}")
        return cid

    async def start(self, cid: str) -> None:
        c = self.containers[cid]
        ip = "10.244.0.7" if c.is_sandbox else ""
        self.containers[cid] = ContainerInfo(**{**c.__dict__, "state": "running", "ip": ip,
                                               "started_at": "2024-01-01T00:00:00Z"})
        self.calls.append(f"start {cid}")

    async def stop(self, cid: str, grace: float) -> None:
        c = self.containers[cid]
        self.containers[cid] = ContainerInfo(**{**c.__dict__, "state": "exited",
                                               "exit_code": 143, "ip": "",
                                               "finished_at": "2024-01-01T00:05:00Z"})
        self.calls.append(f"stop {cid} {grace}")

    async def remove(self, cid: str) -> None:
        self.containers.pop(cid, None)
        self.calls.append(f"remove {cid}")

    async def exec(self, cid: str, cmd: list[str], timeout: float) -> tuple[int, str]:
        self.calls.append(f"exec {cid} {' '.join(cmd)}")
        return self.exec_result


class FakeClient:
    """Records status patches, deletes and events; serves ConfigMaps from a dict."""

    def __init__(self, objects: dict[tuple[str, str], dict[str, Any]] | None = None) -> None:
        self.objects = objects or {}
        self.status_patches: list[dict[str, Any]] = []
        self.deletes: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    async def get(self, api_version: str, plural: str, name: str, **kw: Any) -> dict[str, Any]:
        from minicube.api.errors import NotFound
        if (plural, name) not in self.objects:
            raise NotFound(f'{plural} "{name}" not found')
        return self.objects[(plural, name)]

    async def list(self, api_version: str, plural: str, *, namespace: str | None = None,
                   **kw: Any) -> dict[str, Any]:
        return {"items": [o for (p, _), o in self.objects.items() if p == plural
                          and (namespace is None or o.get("metadata", {}).get("namespace") == namespace)]}

    async def patch_status(self, api_version: str, plural: str, name: str, patch: Any,
                           **kw: Any) -> dict[str, Any]:
        self.status_patches.append(patch["status"])
        return {}

    async def delete(self, api_version: str, plural: str, name: str, **kw: Any) -> dict[str, Any]:
        self.deletes.append({"name": name, **kw})
        return {}

    async def create(self, api_version: str, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.events.append(obj)
        return obj

    async def patch(self, *args: Any, **kw: Any) -> dict[str, Any]:
        return {}


class FakeLogs(FakeRuntime):
    """Serves fixed log bytes for every container."""

    def __init__(self, chunks: list[bytes]) -> None:
        super().__init__()
        self.chunks = chunks
        self.log_calls: list[dict[str, Any]] = []

    async def logs(self, cid: str, **kw: Any):  # type: ignore[no-untyped-def]
        self.log_calls.append({"id": cid, **kw})
        for chunk in self.chunks:
            yield chunk
