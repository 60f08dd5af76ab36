"""Events: new ones are created with upstream's fields; identical repeats bump count."""

from __future__ import annotations

import asyncio
from typing import Any

from minicube.api.errors import NotFound
from minicube.client.events import EventRecorder, new_event, object_reference

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7"}}


class FakeClient:
    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.patched: list[tuple[str, dict[str, Any]]] = []
        self.missing = False

    async def create(self, api_version: str, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.created.append(obj)
        return obj

    async def patch(self, api_version: str, plural: str, name: str, patch: Any,
                    **kwargs: Any) -> dict[str, Any]:
        if self.missing:
            raise NotFound("gone")
        self.patched.append((name, patch))
        return {}


def test_object_reference_names_the_container_field_path() -> None:
    ref = object_reference(POD, "spec.containers{web}")
    assert ref == {"apiVersion": "v1", "kind": "Pod", "name": "web", "namespace": "default",
                   "uid": "u1", "resourceVersion": "7", "fieldPath": "spec.containers{web}"}


def test_new_event_has_count_timestamps_and_source() -> None:
    event = new_event(object_reference(POD), "Normal", "Started", "Started container web",
                      component="kubelet", host="minicube", now=0.0)
    assert event["metadata"] == {"name": "web.0", "namespace": "default"}
    assert event["count"] == 1 and event["firstTimestamp"] == "1970-01-01T00:00:00Z"
    assert event["source"] == {"component": "kubelet", "host": "minicube"}


def _record(client: FakeClient, *messages: str) -> None:
    async def main() -> None:
        recorder = EventRecorder(client, "kubelet")  # type: ignore[arg-type]
        for m in messages:
            recorder.event(POD, "Warning", "BackOff", m)
            await recorder.flush()
        await recorder.close()
    asyncio.run(main())


def test_an_identical_repeat_bumps_the_count() -> None:
    client = FakeClient()
    _record(client, "same", "same", "same")
    assert len(client.created) == 1
    assert [p["count"] for _, p in client.patched] == [2, 3]


def test_a_different_message_makes_a_new_event() -> None:
    client = FakeClient()
    _record(client, "one", "two")
    assert [e["message"] for e in client.created] == ["one", "two"]


def test_a_repeat_of_an_expired_event_creates_it_again() -> None:
    client = FakeClient()
    client.missing = True
    _record(client, "same", "same")
    assert len(client.created) == 2
