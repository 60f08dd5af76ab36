"""Informers: the cache follows list + watch, re-lists on 410, and feeds handlers/queues."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from minicube.client.informer import Informer, diff_relist, object_key


def pod(name: str, rv: str, ns: str = "default") -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns, "resourceVersion": rv}}


class FakeClient:
    """Lists from `lists` in turn; each watch plays the next script of events."""

    def __init__(self, lists: list[list[dict[str, Any]]],
                 watches: list[list[tuple[str, dict[str, Any]]]]) -> None:
        self.lists, self.watches = lists, watches
        self.list_calls = 0
        self.watch_rvs: list[str | None] = []

    async def list(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        items = self.lists[min(self.list_calls, len(self.lists) - 1)]
        self.list_calls += 1
        return {"kind": "PodList", "metadata": {"resourceVersion": str(10 * self.list_calls)},
                "items": [dict(i) for i in items]}

    async def watch(self, *args: Any, resource_version: str | None = None,
                    **kwargs: Any) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        self.watch_rvs.append(resource_version)
        script = self.watches.pop(0) if self.watches else []
        for event in script:
            yield event
        if not self.watches:
            await asyncio.sleep(3600)


def test_object_key_is_namespace_slash_name() -> None:
    assert object_key(pod("web", "1")) == "default/web"
    assert object_key({"metadata": {"name": "node1"}}) == "node1"


def test_diff_relist_reports_added_changed_and_gone() -> None:
    cache = {"default/a": pod("a", "1"), "default/b": pod("b", "1")}
    events = diff_relist(cache, [pod("a", "2"), pod("c", "1")])
    assert [(t, o["metadata"]["name"]) for t, o, _ in events] == [
        ("MODIFIED", "a"), ("ADDED", "c"), ("DELETED", "b")]


def _run(informer: Informer, until: float = 0.1) -> None:
    async def main() -> None:
        task = asyncio.create_task(informer.run())
        await asyncio.sleep(until)
        task.cancel()
    asyncio.run(main())


def test_watch_events_update_the_cache_and_the_handlers() -> None:
    client = FakeClient([[pod("a", "1")]], [[("MODIFIED", pod("a", "11")), ("DELETED", pod("a", "12")),
                                              ("ADDED", pod("b", "13"))]])
    informer = Informer(client, "v1", "pods")  # type: ignore[arg-type]
    seen: list[tuple[str, str]] = []
    informer.add_handler(lambda t, o, _old: seen.append((t, o["metadata"]["name"])))
    _run(informer)
    assert seen == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a"), ("ADDED", "b")]
    assert informer.has_synced and [object_key(o) for o in informer.items()] == ["default/b"]


def test_listed_items_get_the_kind_the_list_omits() -> None:
    informer = Informer(FakeClient([[pod("a", "1")]], []), "v1", "pods")  # type: ignore[arg-type]
    _run(informer)
    assert informer.items()[0]["kind"] == "Pod" and informer.items()[0]["apiVersion"] == "v1"


def test_an_expired_watch_makes_it_list_again_and_diff() -> None:
    gone = {"code": 410, "reason": "Expired", "message": "too old resource version"}
    client = FakeClient([[pod("a", "1")], [pod("b", "5")]], [[("ERROR", gone)], []])
    informer = Informer(client, "v1", "pods")  # type: ignore[arg-type]
    seen: list[tuple[str, str]] = []
    informer.add_handler(lambda t, o, _old: seen.append((t, o["metadata"]["name"])))
    _run(informer, 0.5)
    assert client.list_calls == 2 and client.watch_rvs == ["10", "20"]
    assert seen == [("ADDED", "a"), ("ADDED", "b"), ("DELETED", "a")]


def test_new_queue_receives_keys_of_changed_objects() -> None:
    client = FakeClient([[pod("a", "1"), pod("b", "1")]], [])
    informer = Informer(client, "v1", "pods")  # type: ignore[arg-type]
    queue = informer.new_queue()
    _run(informer)
    assert len(queue) == 2
