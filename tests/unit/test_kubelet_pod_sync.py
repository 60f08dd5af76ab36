"""One pod sync against a fake engine and API: start, adopt, back off, delete, orphans."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from minicube.client import EventRecorder
from minicube.client.clock import rfc3339
from minicube.kubelet.images import ImageManager
from minicube.kubelet.pod_sync import WAITING_RETRY, PodSyncer, go_duration
from minicube.kubelet.probes import Prober
from minicube.kubelet.volumes import VolumeManager
from tests.unit.kubelet_fixtures import FakeClient, FakeRuntime, info, make_pod


class Harness:
    """A PodSyncer on fakes, driven on one event loop for the whole test."""

    def __init__(self, runtime: FakeRuntime, client: FakeClient) -> None:
        self.runner = asyncio.Runner()
        self.runtime, self.client = runtime, client
        self.root = tempfile.TemporaryDirectory()

        async def build() -> PodSyncer:
            recorder = EventRecorder(client, "kubelet")  # type: ignore[arg-type]
            images = ImageManager(runtime, recorder, profile="minicube")  # type: ignore[arg-type]
            volumes = VolumeManager(Path(self.root.name), client,  # type: ignore[arg-type]
                                    recorder, node_name="minicube", allocatable=dict,
                                    tmpfs=False)
            self.prober = Prober(runtime, recorder, lambda uid: None)  # type: ignore[arg-type]
            return PodSyncer(client, runtime, recorder, images,  # type: ignore[arg-type]
                             volumes, self.prober, node_name="minicube",
                             host_ip=lambda: "192.168.49.2")
        self.syncer = self.runner.run(build())

    def sync(self, pod: dict[str, Any] | None, uid: str = "u1") -> float:
        async def main() -> float:
            retry = await self.syncer.sync(uid, pod, None)
            await self.syncer.recorder.flush()
            return retry
        return self.runner.run(main())


    def close(self) -> None:
        self.runner.run(self.syncer.recorder.close())
        self.runner.close()
        self.root.cleanup()


_open: list[Harness] = []


@pytest.fixture(autouse=True)
def _close_harnesses() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def syncer(runtime: FakeRuntime, client: FakeClient) -> Harness:
    _open.append(Harness(runtime, client))
    return _open[-1]


def sync(h: Harness, pod: dict[str, Any] | None, uid: str = "u1") -> float:
    return h.sync(pod, uid)


def test_a_new_pod_runs_sandbox_first_and_reports_running() -> None:
    runtime, client = FakeRuntime(), FakeClient()
    sync(syncer(runtime, client), make_pod())
    assert [c.split()[0] + " " + c.split()[1].split("_")[1] for c in runtime.calls] == [
        "create POD", "start POD", "create web", "start web"]
    last = client.status_patches[-1]
    assert last["phase"] == "Running" and last["podIP"] == "10.244.0.7"
    assert [e["reason"] for e in client.events] == ["Pulled", "Created", "Started"]


def test_a_running_pod_is_adopted_without_any_action_or_write() -> None:
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    pod = make_pod()
    sync(s, pod)
    pod["status"] = client.status_patches[-1]
    calls, writes = len(runtime.calls), len(client.status_patches)
    sync(syncer(runtime, client), pod)  # a new kubelet: nothing remembered
    assert len(runtime.calls) == calls and len(client.status_patches) == writes


def test_a_ready_pod_whose_containers_stopped_is_reported_not_ready_without_acting() -> None:
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    pod = make_pod()
    sync(s, pod)
    pod["status"] = client.status_patches[-1]
    stopped = [info(name=c.name, id=c.id, state="exited", exit_code=137, finished_at=rfc3339())
               for c in runtime.containers.values()]   # the node restarted meanwhile
    calls, writes = len(runtime.calls), len(client.status_patches)
    fresh = syncer(runtime, client)   # a new kubelet
    fresh.runner.run(fresh.syncer.report_stopped(pod, list(runtime.containers.values())))
    assert len(client.status_patches) == writes   # still running: nothing to say
    fresh.runner.run(fresh.syncer.report_stopped(pod, stopped))
    status = client.status_patches[-1]
    assert len(runtime.calls) == calls and len(client.status_patches) == writes + 1
    assert {c["type"]: c["status"] for c in status["conditions"]}["Ready"] == "False"
    assert status["containerStatuses"][0]["ready"] is False


def test_a_missing_configmap_waits_and_retries_later() -> None:
    pod = make_pod()
    pod["spec"]["containers"][0]["env"] = [
        {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "a"}}}]
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    assert sync(s, pod) == WAITING_RETRY
    waiting = client.status_patches[-1]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {"reason": "CreateContainerConfigError", "message": 'configmap "cfg" not found'}
    client.objects[("configmaps", "cfg")] = {"data": {"a": "1"}}
    sync(s, pod)
    assert client.status_patches[-1]["phase"] == "Running"
    assert runtime.specs["k8s_web_web_default_u1_0"]["environment"] == ["A=1"]


def test_a_crashing_container_restarts_then_backs_off() -> None:
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    pod = make_pod()
    sync(s, pod)
    for attempt in (0, 1):
        cid = f"k8s_web_web_default_u1_{attempt}"
        runtime.containers[cid] = info(attempt=attempt, state="exited", exit_code=1, id=cid,
                                       finished_at=rfc3339())
        retry = sync(s, pod)
    assert "create k8s_web_web_default_u1_1" in runtime.calls
    assert "create k8s_web_web_default_u1_2" not in runtime.calls and retry > 0
    state = client.status_patches[-1]["containerStatuses"][0]["state"]["waiting"]
    assert state["reason"] == "CrashLoopBackOff"
    assert state["message"] == "back-off 10s restarting failed container=web pod=web_default(u1)"


def test_a_deleted_pod_is_stopped_with_its_grace_then_deleted_for_good() -> None:
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    pod = make_pod()
    sync(s, pod)
    pod["metadata"].update(deletionTimestamp="2024-01-01T00:00:00Z", deletionGracePeriodSeconds=5)
    sync(s, pod)
    assert "stop k8s_web_web_default_u1_0 5" in runtime.calls and runtime.containers == {}
    assert client.deletes == [{"name": "web", "namespace": "default", "grace_period_seconds": 0,
                               "preconditions": {"uid": "u1"}}]
    assert any(e["reason"] == "Killing" for e in client.events)


def test_containers_of_a_pod_that_is_gone_are_removed() -> None:
    runtime = FakeRuntime()
    runtime.containers = {"a": info("POD", id="a", pod_uid="old"), "b": info(id="b", pod_uid="old")}
    sync(syncer(runtime, FakeClient()), None, uid="old")
    assert runtime.containers == {}


def test_go_durations() -> None:
    assert [go_duration(s) for s in (10, 80, 300)] == ["10s", "1m20s", "5m0s"]


def test_a_pod_waits_for_its_volumes_before_any_container() -> None:
    pod = make_pod(volumes=[{"name": "cfg", "configMap": {"name": "cm"}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "cfg", "mountPath": "/etc/cfg"}]
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    assert sync(s, pod) > 0 and runtime.calls == []
    assert client.status_patches[-1]["containerStatuses"][0]["state"]["waiting"]["reason"] == \
        "ContainerCreating"
    assert [e["reason"] for e in client.events] == ["FailedMount"]
    client.objects[("configmaps", "cm")] = {"data": {"k": "v"}}
    sync(s, pod)
    assert client.status_patches[-1]["phase"] == "Running"
    assert runtime.specs["k8s_web_web_default_u1_0"]["volumes"][0].endswith(
        "/pods/u1/volumes/kubernetes.io~configmap/cfg:/etc/cfg:ro")


def test_init_containers_run_first_and_their_status_is_reported() -> None:
    pod = make_pod()
    pod["spec"]["initContainers"] = [{"name": "init", "image": "app:1"}]
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    sync(s, pod)
    assert not any("k8s_web_" in c for c in runtime.calls)
    assert client.status_patches[-1]["initContainerStatuses"][0]["state"]["running"]
    cid = "k8s_init_web_default_u1_0"
    runtime.containers[cid] = info("init", state="exited", id=cid,
                                   sandbox_id="k8s_POD_web_default_u1_0")
    sync(s, pod)
    assert "start k8s_web_web_default_u1_0" in runtime.calls
    assert client.status_patches[-1]["phase"] == "Running"


def test_an_exceeded_active_deadline_kills_the_pod_and_fails_it() -> None:
    pod = make_pod(activeDeadlineSeconds=5)
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    sync(s, pod)
    pod["status"] = {**client.status_patches[-1], "startTime": "2024-01-01T00:00:00Z"}
    s.syncer._written.clear()
    sync(s, pod)
    last = client.status_patches[-1]
    assert (last["phase"], last["reason"]) == ("Failed", "DeadlineExceeded")
    assert "stop k8s_web_web_default_u1_0 30" in runtime.calls
    assert "DeadlineExceeded" in [e["reason"] for e in client.events]


def test_hooks_run_after_the_start_and_before_the_stop() -> None:
    pod = make_pod()
    pod["spec"]["containers"][0]["lifecycle"] = {
        "postStart": {"exec": {"command": ["touch", "/started"]}},
        "preStop": {"exec": {"command": ["drain"]}}}
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    sync(s, pod)
    cid = "k8s_web_web_default_u1_0"
    assert runtime.calls[-2:] == [f"start {cid}", f"exec {cid} touch /started"]
    pod["metadata"].update(deletionTimestamp="2024-01-01T00:00:00Z", deletionGracePeriodSeconds=5)
    sync(s, pod)
    assert runtime.calls.index(f"exec {cid} drain") < runtime.calls.index(f"stop {cid} 5")


def test_a_failed_post_start_hook_kills_the_container() -> None:
    pod = make_pod()
    pod["spec"]["containers"][0]["lifecycle"] = {"postStart": {"exec": {"command": ["false"]}}}
    runtime, client = FakeRuntime(), FakeClient()
    runtime.exec_result = (1, "boom")
    sync(syncer(runtime, client), pod)
    assert "stop k8s_web_web_default_u1_0 30" in runtime.calls
    failed = [e for e in client.events if e["reason"] == "FailedPostStartHook"]
    assert failed and "failed - error: boom" in failed[0]["message"]


def test_run_as_non_root_with_a_root_image_is_not_created(monkeypatch: pytest.MonkeyPatch) -> None:
    async def image_user(self: ImageManager, image: str) -> str:
        return users[image]
    users = {"app:1": ""}
    monkeypatch.setattr(ImageManager, "user", image_user)
    pod = make_pod(securityContext={"runAsNonRoot": True})
    runtime, client = FakeRuntime(), FakeClient()
    s = syncer(runtime, client)
    sync(s, pod)
    message = ('container has runAsNonRoot and image will run as root '
               '(pod: "web_default(u1)", container: web)')
    waiting = client.status_patches[-1]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {"reason": "CreateContainerConfigError", "message": message}
    assert not [c for c in runtime.calls if c.startswith("create k8s_web_")]
    assert any(e["reason"] == "Failed" and e["message"] == f"Error: {message}" for e in client.events)
    users["app:1"] = "1000"   # a non-root image user: created at the next sync
    sync(s, pod)
    assert client.status_patches[-1]["phase"] == "Running"
