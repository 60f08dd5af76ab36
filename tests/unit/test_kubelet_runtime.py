"""The runtime's listings: inspections are reused while a container keeps its state."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from minicube.kubelet.containers import container_labels
from minicube.kubelet.runtime import Runtime
from tests.unit.kubelet_fixtures import make_pod


class FakeEngine:
    """docker.DockerClient's low-level api: containers and their inspections."""

    def __init__(self) -> None:
        labels = container_labels(make_pod(), "web", 0)
        self.states = {"c1": "running"}
        self.labels = {"c1": labels}
        self.inspected: list[str] = []

    def containers(self, all: bool, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"Id": cid, "State": state, "Labels": self.labels[cid]}
                for cid, state in self.states.items()]

    def inspect_container(self, cid: str) -> dict[str, Any]:
        self.inspected.append(cid)
        return {"Id": cid, "Config": {"Labels": self.labels[cid], "Image": "app:1"},
                "State": {"Status": self.states[cid], "ExitCode": 0}}


def listings(engine: FakeEngine, *steps: Any) -> list[Any]:
    async def main() -> list[Any]:
        runtime = Runtime()
        runtime._docker = SimpleNamespace(api=engine)  # type: ignore[assignment]
        out = []
        for step in steps:
            out.append(await step(runtime))
        runtime._pool.shutdown()
        return out
    return asyncio.run(main())


def test_a_container_in_the_same_state_is_inspected_once() -> None:
    engine = FakeEngine()
    first, second, one = listings(engine, lambda r: r.pod_containers(),
                                  lambda r: r.pod_containers(), lambda r: r.list_containers("u1"))
    assert engine.inspected == ["c1"]
    assert first == second == {"u1": one}


def test_a_state_change_inspects_again() -> None:
    engine = FakeEngine()

    async def exits(runtime: Runtime) -> Any:
        engine.states["c1"] = "exited"
        return (await runtime.list_containers("u1"))[0].state

    async def removed(runtime: Runtime) -> Any:
        engine.remove_container = lambda cid, force: engine.states.pop(cid)  # type: ignore[attr-defined]
        await runtime.remove("c1")
        return await runtime.pod_containers()

    _, state, gone = listings(engine, lambda r: r.list_containers("u1"), exits, removed)
    assert state == "exited" and gone == {} and engine.inspected == ["c1", "c1"]
