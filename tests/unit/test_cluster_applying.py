from __future__ import annotations

from typing import Any

import pytest

from minicube._errors import WaitTimeout
from minicube.cluster import applying, objectstatus
from minicube.cluster.apiclient import ApiError, Resource
from minicube.cluster.manifests import Manifest
from minicube.cluster.objectstatus import FAILED, WAITING

CRD = Resource("apiextensions.k8s.io/v1", "customresourcedefinitions", False)
WIDGET = Resource("example.com/v1", "widgets", True)


class FakeApi:
    """Serves the Widget kind only after its definition has been applied and rediscovered,
    and reports the definition Established after `establish_after` reads."""

    def __init__(self, establish_after: int = 2) -> None:
        self.served = {("apiextensions.k8s.io/v1", "CustomResourceDefinition"): CRD}
        self.discovered = dict(self.served)
        self.crd_applied = False
        self.reads_left = establish_after
        self.calls: list[str] = []

    def resource(self, api_version: str, kind: str, where: str = "") -> Resource:
        found = self.discovered.get((api_version, kind))
        if found is None:
            raise ApiError(f"no kind {kind!r} in {api_version}", 404)
        return found

    def forget_resources(self) -> None:
        self.discovered = dict(self.served)

    def apply(self, obj: dict[str, Any], namespace: str | None, *, force: bool = False,
              dry_run: bool = False) -> dict[str, Any]:
        self.calls.append(("dry-run " if dry_run else "apply ") + obj["kind"])
        if obj["kind"] == "CustomResourceDefinition" and not dry_run:
            self.crd_applied = True
        return obj

    def get(self, path: str, **params: str) -> dict[str, Any]:
        assert path == CRD.path(None, "widgets.example.com")
        self.reads_left -= 1
        if self.reads_left <= 0:
            self.served[("example.com/v1", "Widget")] = WIDGET
            return {"status": {"conditions": [{"type": "Established", "status": "True"}]}}
        return {"status": {}}


def manifests() -> list[Manifest]:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"}}
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}
    return [Manifest(crd, "crd.yaml"), Manifest(widget, "widget.yaml")]


def test_custom_objects_wait_for_their_definition_to_be_established(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(applying, "POLL_SECONDS", 0.0)
    api = FakeApi(establish_after=3)
    tracked = applying.apply_all(api, manifests(), None)  # type: ignore[arg-type]
    assert [t.title for t in tracked] == ["CustomResourceDefinition widgets.example.com", "Widget default/w"]
    assert api.calls == ["dry-run CustomResourceDefinition", "apply CustomResourceDefinition",
                         "dry-run Widget", "apply Widget"]


def test_a_definition_never_established_times_out_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(applying, "POLL_SECONDS", 0.0)
    api = FakeApi(establish_after=10**9)
    with pytest.raises(WaitTimeout, match="widgets.example.com is not Established"):
        applying.apply_all(api, manifests(), None, crd_timeout=0.01)  # type: ignore[arg-type]
    assert "apply Widget" not in api.calls


def _scripted(monkeypatch: pytest.MonkeyPatch, script: dict[str, list[str]]) -> list[applying.Tracked]:
    """Tracked objects whose states follow `script` (one state per poll, the last repeating)."""
    monkeypatch.setattr(applying, "POLL_SECONDS", 0.0)
    monkeypatch.setattr(applying, "diagnose", lambda api, t: t.title)

    def assess(api: Any, t: applying.Tracked) -> objectstatus.Assessment:
        states = script[t.manifest.name]
        return objectstatus.Assessment(states.pop(0) if len(states) > 1 else states[0], "")
    monkeypatch.setattr(applying, "_assess", assess)
    return [applying.Tracked(Manifest({"kind": "Deployment", "metadata": {"name": n}}, "x.yaml"),
                             WIDGET, "default") for n in script]


def test_a_failure_waits_briefly_for_the_others_to_show_theirs(monkeypatch: pytest.MonkeyPatch) -> None:
    tracked = _scripted(monkeypatch, {"unloaded": [FAILED],
                                      "crasher": [WAITING, WAITING, WAITING, FAILED]})
    with pytest.raises(applying.ObjectsFailed, match="2 object"):
        applying.wait_all(None, tracked, timeout=60)  # type: ignore[arg-type]


def test_a_failure_ends_the_wait_after_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(applying, "FAILURE_GRACE_SECONDS", 0.05)
    tracked = _scripted(monkeypatch, {"unloaded": [FAILED], "slow": [WAITING]})
    with pytest.raises(applying.ObjectsFailed, match="1 object.*unloaded"):
        applying.wait_all(None, tracked, timeout=60)  # type: ignore[arg-type]
