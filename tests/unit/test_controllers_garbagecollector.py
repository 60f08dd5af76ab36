import asyncio
from typing import Any

from minicube.api.errors import NotFound
from minicube.controllers.discovery import Resource
from minicube.controllers.garbagecollector import GarbageCollector

RS = Resource("apps/v1", "replicasets", "ReplicaSet", True, frozenset({"list", "watch", "delete"}))
POD = Resource("v1", "pods", "Pod", True, frozenset({"list", "watch", "delete"}))


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def get(self, api_version: str, plural: str, name: str, **_: Any) -> dict:
        raise NotFound(f'{plural} "{name}" not found')

    async def delete(self, api_version: str, plural: str, name: str, **kw: Any) -> dict:
        self.calls.append(("delete", plural, name, kw.get("propagation_policy")))
        return {}

    async def patch(self, api_version: str, plural: str, name: str, body: dict, **_: Any) -> dict:
        self.calls.append(("patch", plural, name, body["metadata"]))
        return {}


def _obj(name: str, uid: str, *, owner: str | None = None, finalizers: list[str] | None = None,
         deleting: bool = False) -> dict:
    md: dict[str, Any] = {"name": name, "namespace": "default", "uid": uid, "resourceVersion": "1"}
    if owner:
        md["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                  "uid": owner, "controller": True}]
    if finalizers:
        md["finalizers"] = finalizers
    if deleting:
        md["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": md}


def _collector(*objects: tuple[Resource, dict]) -> tuple[GarbageCollector, FakeClient]:
    client = FakeClient()
    gc = GarbageCollector(client)  # type: ignore[arg-type]
    gc.kinds[("apps/v1", "ReplicaSet")] = RS
    for resource, obj in objects:
        gc._changed(resource, "ADDED", obj, None)
    return gc, client


def test_a_dependent_whose_owner_is_gone_is_deleted_in_the_background() -> None:
    gc, client = _collector((POD, _obj("p", "p1", owner="gone")))
    asyncio.run(gc.reconcile("p1"))
    assert client.calls == [("delete", "pods", "p", "Background")]


def test_a_live_owner_keeps_its_dependent() -> None:
    gc, client = _collector((RS, _obj("rs", "r1")), (POD, _obj("p", "p1", owner="r1")))
    asyncio.run(gc.reconcile("p1"))
    assert client.calls == []


def test_orphaning_strips_the_owner_then_its_finalizer() -> None:
    gc, client = _collector((RS, _obj("rs", "r1", finalizers=["orphan"], deleting=True)),
                            (POD, _obj("p", "p1", owner="r1")))
    asyncio.run(gc.reconcile("r1"))
    assert [c[:3] for c in client.calls] == [("patch", "pods", "p"), ("patch", "replicasets", "rs")]
    assert client.calls[0][3]["ownerReferences"] is None
    assert client.calls[1][3]["finalizers"] is None


def test_foreground_deletes_dependents_before_dropping_the_finalizer() -> None:
    owner = _obj("rs", "r1", finalizers=["foregroundDeletion"], deleting=True)
    gc, client = _collector((RS, owner), (POD, _obj("p", "p1", owner="r1")))
    asyncio.run(gc.reconcile("r1"))
    assert client.calls == [("delete", "pods", "p", "Background")]
    gc._changed(POD, "DELETED", _obj("p", "p1", owner="r1"), None)
    asyncio.run(gc.reconcile("r1"))
    assert client.calls[-1][:3] == ("patch", "replicasets", "rs")
