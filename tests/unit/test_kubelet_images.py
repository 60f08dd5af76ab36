"""Images under imagePullPolicy, with no registry: clear waiting reasons, back-off, hints."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from minicube.client import EventRecorder
from minicube.kubelet.containers import ContainerWaiting
from minicube.kubelet.images import ImageManager, default_pull_policy
from tests.unit.kubelet_fixtures import FakeClient, FakeRuntime, make_pod


def ensure(runtime: FakeRuntime, image: str, policy: str | None = None,
           profile: str = "minicube", times: int = 1,
           client: FakeClient | None = None) -> list[Any]:
    async def main() -> list[Any]:
        recorder = EventRecorder(client or FakeClient(), "kubelet")  # type: ignore[arg-type]
        images = ImageManager(runtime, recorder, profile=profile)  # type: ignore[arg-type]
        container = {"name": "web", "image": image,
                     **({"imagePullPolicy": policy} if policy else {})}
        out: list[Any] = []
        for _ in range(times):
            try:
                out.append(await images.ensure(make_pod(), container))
            except ContainerWaiting as w:
                out.append(w)
        await recorder.flush()
        await recorder.close()
        return out
    return asyncio.run(main())


def test_default_pull_policy_follows_the_tag() -> None:
    assert default_pull_policy("nginx") == "Always"
    assert default_pull_policy("nginx:latest") == "Always"
    assert default_pull_policy("localhost:5000/nginx:1.2") == "IfNotPresent"


def test_a_present_image_is_used_without_pulling() -> None:
    runtime = FakeRuntime()
    assert ensure(runtime, "app:1") == ["sha256:abc"] and runtime.calls == []


def test_never_with_a_missing_image_says_how_to_load_it() -> None:
    [w] = ensure(FakeRuntime(), "web:2", "Never", profile="dev")
    assert w.reason == "ErrImageNeverPull"
    assert w.message.startswith('Container image "web:2" is not present with pull policy of Never')
    assert "minicube image load web:2 -p dev" in w.message


def test_a_failed_pull_backs_off_and_names_the_image() -> None:
    runtime = FakeRuntime()
    first, second = ensure(runtime, "web:2", times=2)
    assert first.reason == "ErrImagePull" and 'Failed to pull image "web:2"' in first.message
    assert second.reason == "ImagePullBackOff" and second.retry_after > 0
    assert "minicube image load web:2" in second.message
    assert runtime.calls == ["pull web:2"]


def test_always_falls_back_to_a_local_copy_when_no_registry_answers() -> None:
    runtime = FakeRuntime(images={"app:latest": "sha256:1"})
    assert ensure(runtime, "app:latest", times=2) == ["sha256:1", "sha256:1"]
    assert runtime.calls == ["pull app:latest"]  # the second start skips the doomed pull


def test_always_with_a_local_copy_warns_every_time_it_is_used_unpulled() -> None:
    client = FakeClient()
    ensure(FakeRuntime(images={"app:latest": "sha256:1"}), "app:latest", times=2, client=client)
    warnings = [e["message"] for e in client.events if e["type"] == "Warning"]
    assert len(warnings) == 2 and all("using the local copy" in m for m in warnings)


@pytest.mark.parametrize("policy", ["IfNotPresent", None])
def test_missing_images_are_pulled_under_the_other_policies(policy: str | None) -> None:
    runtime = FakeRuntime()
    [w] = ensure(runtime, "web:2", policy)
    assert w.reason == "ErrImagePull" and runtime.calls == ["pull web:2"]
