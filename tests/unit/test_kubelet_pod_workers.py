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

    async def sync(self, uid: str, pod: Any, last_known: Any) -> float:
        self.calls.append((uid, pod, last_known))
        return 0.0


class EventfulRuntime(FakeRuntime):
    async def pod_uids(self) -> set[str]:
        return {c.pod_uid for c in self.containers.values()}

    async def events(self):  # type: ignore[no-untyped-def]
        yield {"Action": "die", "Actor": {"Attributes": {"io.kubernetes.pod.uid": "from-engine"}}}
        await asyncio.sleep(3600)


def run_workers(runtime: FakeRuntime, feed: Any) -> RecordingSyncer:
    syncer = RecordingSyncer()

    async def main() -> None:
        informer = Informer(None, "v1", "pods")  # type: ignore[arg-type]
        informer._synced.set()
        workers = PodWorkers(informer, runtime, syncer, workers=1)  # type: ignore[arg-type]
        feed(informer)
        task = asyncio.create_task(workers.run())
        await asyncio.sleep(0.1)
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
