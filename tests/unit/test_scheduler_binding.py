"""The scheduler binds unbound pods of the default scheduler to the node."""

from __future__ import annotations

import asyncio
from typing import Any

from minicube.api.errors import Conflict
from minicube.controllers.scheduler import Scheduler, binding_for, wants_binding


def pod(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {"containers": [{"name": "c", "image": "x"}], **spec}}


class FakeClient:
    def __init__(self, fail: Exception | None = None) -> None:
        self.bindings: list[tuple[str, dict[str, Any]]] = []
        self.events: list[dict[str, Any]] = []
        self.fail = fail

    async def post_subresource(self, api_version: str, plural: str, name: str, sub: str,
                               body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if self.fail:
            raise self.fail
        self.bindings.append((f"{plural}/{name}/{sub}", body))
        return {}

    async def create(self, api_version: str, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.events.append(obj)
        return obj


def test_only_unbound_live_default_scheduler_pods_want_binding() -> None:
    assert wants_binding(pod())
    assert not wants_binding(pod(nodeName="n"))
    assert not wants_binding(pod(schedulerName="other"))
    deleting = pod()
    deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    assert not wants_binding(deleting)


def test_binding_targets_the_node() -> None:
    body = binding_for(pod(), "minicube")
    assert body["kind"] == "Binding" and body["metadata"]["name"] == "web"
    assert body["target"] == {"apiVersion": "v1", "kind": "Node", "name": "minicube"}


def _schedule(client: FakeClient) -> None:
    async def main() -> None:
        s = Scheduler(client, "minicube")  # type: ignore[arg-type]
        s.pods._cache["default/web"] = pod()
        await s.schedule("default/web")
        await s.recorder.flush()
        await s.recorder.close()
    asyncio.run(main())


def test_schedule_posts_a_binding_and_records_scheduled() -> None:
    client = FakeClient()
    _schedule(client)
    assert client.bindings[0][0] == "pods/web/binding"
    assert client.events[0]["reason"] == "Scheduled"
    assert client.events[0]["message"] == "Successfully assigned default/web to minicube"


def test_a_pod_bound_meanwhile_is_left_alone() -> None:
    client = FakeClient(fail=Conflict('pod web is already assigned to node "minicube"'))
    _schedule(client)
    assert client.events == []
