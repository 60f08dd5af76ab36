"""Pod workers: who triggers a sync (informer, engine events, resync) and what it gets."""

from __future__ import annotations

import asyncio
from typing import Any

from minicube.client.informer import Informer
from minicube.kubelet.pod_workers import PodWorkers
from tests.unit.kubelet_fixtures import FakeRuntime, info, make_pod


class RecordingSyncer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, Any]] = []
        self.listed: dict[str, Any] = {}
        self.reported: list[tuple[str, Any, int]] = []   # (uid, containers, syncs before)

    async def sync(self, uid: str, pod: Any, last_known: Any, listed: Any = None) -> float:
        self.calls.append((uid, pod, last_known))
        self.listed.setdefault(uid, listed)   # what its first sync got
        return 0.0

    async def report_stopped(self, pod: Any, containers: Any) -> None:
        self.reported.append((pod["metadata"]["uid"], containers, len(self.calls)))


class EventfulRuntime(FakeRuntime):
    def __init__(self) -> None:
        super().__init__()
        self.listings = 0

    async def pod_containers(self) -> dict[str, list[Any]]:
        self.listings += 1
        out: dict[str, list[Any]] = {}
        for c in self.containers.values():
            out.setdefault(c.pod_uid, []).append(c)
        return out

    async def events(self):  # type: ignore[no-untyped-def]
        yield {"Action": "die", "Actor": {"Attributes": {"io.kubernetes.pod.uid": "from-engine"}}}
        await asyncio.sleep(3600)


def run_workers(runtime: FakeRuntime, feed: Any, seconds: float = 0.1) -> RecordingSyncer:
    syncer = RecordingSyncer()

    async def main() -> None:
        informer = Informer(None, "v1", "pods")  # type: ignore[arg-type]
        informer._synced.set()
        workers = PodWorkers(informer, runtime, syncer, workers=1)  # type: ignore[arg-type]
        feed(informer)
        task = asyncio.create_task(workers.run())
        await asyncio.sleep(seconds)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    asyncio.run(main())
    return syncer


def test_a_deleted_pod_is_synced_with_its_last_known_state() -> None:
    pod = make_pod()
    syncer = run_workers(EventfulRuntime(), lambda inf: (inf._dispatch("ADDED", pod, None),
                                                         inf._dispatch("DELETED", pod, pod)))
    assert ("u1", None, pod) in syncer.calls


def test_engine_events_and_orphans_trigger_syncs() -> None:
    runtime = EventfulRuntime()
    runtime.containers = {"x": info(pod_uid="orphan", id="x")}
    uids = {uid for uid, _, _ in run_workers(runtime, lambda inf: None).calls}
    assert uids == {"from-engine", "orphan"}


def test_a_resync_round_lists_the_engine_once_for_every_pod() -> None:
    runtime = EventfulRuntime()
    runtime.containers = {"a": info(pod_uid="u1", id="a"), "b": info(pod_uid="u2", id="b")}
    pod = make_pod()
    syncer = run_workers(runtime, lambda inf: inf._apply("ADDED", pod))
    assert runtime.listings == 1
    assert syncer.listed["u2"] == [runtime.containers["b"]]


def test_at_start_bound_pods_are_reported_as_their_containers_are_before_any_sync() -> None:
    runtime = EventfulRuntime()
    runtime.containers = {"a": info(pod_uid="u1", id="a", state="exited")}
    pod = make_pod()
    syncer = run_workers(runtime, lambda inf: inf._apply("ADDED", pod))
    assert syncer.reported == [("u1", [runtime.containers["a"]], 0)]


class LateEventRuntime(EventfulRuntime):
    async def pod_containers(self) -> dict[str, list[Any]]:
        listing = await super().pod_containers()
        await asyncio.sleep(0.02)   # the engine answers slowly: the event comes meanwhile
        return listing

    async def events(self):  # type: ignore[no-untyped-def]
        while not self.listings:
            await asyncio.sleep(0)
        yield {"Action": "die", "Actor": {"Attributes": {"io.kubernetes.pod.uid": "from-engine"}}}
        await asyncio.sleep(3600)


def test_a_container_change_while_listing_makes_the_sync_list_again() -> None:
    runtime = LateEventRuntime()   # a container of from-engine dies while it is listed
    runtime.containers = {"a": info(pod_uid="from-engine", id="a"),
                          "b": info(pod_uid="quiet", id="b")}
    syncer = RecordingSyncer()

    async def main() -> None:
        informer = Informer(None, "v1", "pods")  # type: ignore[arg-type]
        workers = PodWorkers(informer, runtime, syncer, workers=1)  # type: ignore[arg-type]
        tasks = [asyncio.create_task(workers._engine_events())]
        await workers.resync()
        tasks.append(asyncio.create_task(workers._work()))
        await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    asyncio.run(main())
    assert syncer.listed == {"from-engine": None, "quiet": [runtime.containers["b"]]}


def test_pods_with_a_disk_size_limit_are_checked_between_resyncs(monkeypatch: Any) -> None:
    from minicube.kubelet import pod_workers
    monkeypatch.setattr(pod_workers, "EVICTION_PERIOD", 0.02)
    limited, plain = make_pod(), make_pod()
    limited["spec"]["volumes"] = [{"name": "s", "emptyDir": {"sizeLimit": "1Mi"}}]
    plain["metadata"]["uid"] = "u2"
    syncer = run_workers(EventfulRuntime(), lambda inf: (inf._apply("ADDED", limited),
                                                         inf._apply("ADDED", plain)), seconds=0.2)
    counts = [uid for uid, _, _ in syncer.calls]
    assert counts.count("u1") > 4 and counts.count("u2") <= 2


def test_configmap_changes_find_the_pods_that_read_them() -> None:
    from minicube.kubelet.pod_workers import pods_referencing
    env_pod = make_pod()
    env_pod["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "cfg"}}]
    vol_pod = make_pod()
    vol_pod["metadata"]["uid"] = "u2"
    vol_pod["spec"]["volumes"] = [{"name": "v", "secret": {"secretName": "cfg"}}]
    pods = [env_pod, vol_pod]
    assert pods_referencing(pods, "configmaps", "cfg", "default") == ["u1"]
    assert pods_referencing(pods, "secrets", "cfg", "default") == ["u2"]
    assert pods_referencing(pods, "configmaps", "cfg", "other") == []
