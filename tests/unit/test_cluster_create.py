from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from minicube._errors import UsageError, WaitTimeout
from minicube.cluster import create, images, kubeconfig, readiness
from minicube.cluster.config import ClusterConfig
from minicube.cluster.kubeconfig import Credentials
from minicube.cluster.progress import Silent
from minicube.cluster.provider import EngineInfo, ExecResult, Node

CREDS = Credentials(ca=b"ca", cert=b"cert", key=b"key")
IMAGE = "minicube/node:new"


class FakeProvider:
    """Just enough of DockerProvider for the start pipeline, recording what it is asked to do."""

    def __init__(self, node: Node | None = None, volumes: set[str] | None = None) -> None:
        self.node = node
        self.volumes = set(volumes or ())
        self.removed_volumes: list[str] = []
        self.created: list[str] = []

    def info(self) -> EngineInfo:
        return EngineInfo(version="20.10", cgroup_version=1, cpus=2, memory=8 * 1024**3, operating_system="test")

    def find(self, profile: str) -> Node | None:
        return self.node

    def volume_exists(self, name: str) -> bool:
        return name in self.volumes

    def create_node(self, cfg: ClusterConfig, image: str, *, cgroup_v2: bool) -> Node:
        self.volumes |= {f"minicube-{cfg.profile}-docker", f"minicube-{cfg.profile}-state"}
        self.created.append(image)
        self.node = Node(cfg.profile, "id1", cfg.profile, "running", image, cfg, "172.17.0.2")
        return self.node

    def start_node(self, node: Node) -> Node:
        self.node = dataclasses.replace(node, state="running")
        return self.node

    def remove_container(self, node: Node) -> None:
        self.node = None

    def remove_volume(self, name: str) -> bool:
        self.volumes.discard(name)
        self.removed_volumes.append(name)
        return True

    def inspect(self, node: Node) -> dict[str, Any]:
        return {"State": {"Status": node.state}}

    def container_logs(self, node: Node, tail: int) -> str:
        return "entrypoint: hello"

    def exec(self, node: Node, argv: list[str]) -> ExecResult:
        return ExecResult(0, b"log line\n", b"")


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No images, no waiting: every step but the one a test breaks succeeds at once."""
    monkeypatch.setenv("MINICUBE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    monkeypatch.setattr(images, "ensure_node_image", lambda provider, reporter: IMAGE)
    monkeypatch.setattr(images, "wanted_node_image", lambda provider: IMAGE)
    monkeypatch.setattr(readiness, "inner_engine", lambda *a: None)
    monkeypatch.setattr(readiness, "credentials", lambda *a: CREDS)
    monkeypatch.setattr(readiness, "api_server", lambda *a: None)
    monkeypatch.setattr(readiness, "node_ready", lambda *a: None)
    monkeypatch.setattr(readiness, "cluster_dns", lambda *a: None)
    monkeypatch.setattr(readiness, "api_object", lambda *a: None)
    monkeypatch.setattr(readiness, "ingress_serving", lambda *a: None)
    monkeypatch.setattr(create, "read_credentials", lambda *a: CREDS)


def _api_never_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any) -> None:
        raise WaitTimeout("timed out waiting for the API server")
    monkeypatch.setattr(readiness, "api_server", fail)


def _stopped(image: str) -> Node:
    cfg = ClusterConfig("dev", 2.0, 4 * 1024**3, 40000)
    return Node("dev", "id0", "dev", "exited", image, cfg, None)


def test_new_cluster_is_created_and_written_to_kubeconfig(tmp_path: Path) -> None:
    result = create.start(FakeProvider(), create.StartOptions("dev"), Silent())  # type: ignore[arg-type]
    assert result.action == "created"
    doc = kubeconfig.load(tmp_path / "kubeconfig")
    assert doc["current-context"] == "dev" and kubeconfig.server_of(doc, "dev") == result.node.config.server


def test_failed_start_saves_logs_then_removes_container_and_new_volumes(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _api_never_ready(monkeypatch)
    fake = FakeProvider()
    with pytest.raises(WaitTimeout):
        create.start(fake, create.StartOptions("dev"), Silent())  # type: ignore[arg-type]
    assert fake.node is None and fake.volumes == set()
    assert "entrypoint: hello" in (tmp_path / "home" / "logs" / "dev-postmortem.log").read_text()
    assert kubeconfig.server_of(kubeconfig.load(tmp_path / "kubeconfig"), "dev") is None


def test_rollback_keeps_volumes_that_were_there_before(monkeypatch: pytest.MonkeyPatch) -> None:
    _api_never_ready(monkeypatch)
    fake = FakeProvider(volumes={"minicube-dev-state"})
    with pytest.raises(WaitTimeout):
        create.start(fake, create.StartOptions("dev"), Silent())  # type: ignore[arg-type]
    assert fake.removed_volumes == ["minicube-dev-docker"] and "minicube-dev-state" in fake.volumes


def test_retain_keeps_a_failed_node(monkeypatch: pytest.MonkeyPatch) -> None:
    _api_never_ready(monkeypatch)
    fake = FakeProvider()
    with pytest.raises(WaitTimeout):
        create.start(fake, create.StartOptions("dev", retain=True), Silent())  # type: ignore[arg-type]
    assert fake.node is not None and fake.removed_volumes == []


def test_stopped_cluster_is_started_without_rollback(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeProvider(_stopped(IMAGE), volumes={"minicube-dev-docker", "minicube-dev-state"})
    assert create.start(fake, create.StartOptions("dev"), Silent()).action == "started"  # type: ignore[arg-type]
    fake.node = _stopped(IMAGE)
    _api_never_ready(monkeypatch)
    with pytest.raises(WaitTimeout):
        create.start(fake, create.StartOptions("dev"), Silent())  # type: ignore[arg-type]
    assert fake.node is not None and fake.removed_volumes == []


def test_stopped_cluster_on_an_old_image_is_recreated_keeping_its_config() -> None:
    fake = FakeProvider(_stopped("minicube/node:old"))
    result = create.start(fake, create.StartOptions("dev"), Silent())  # type: ignore[arg-type]
    assert result.action == "recreated" and fake.created == [IMAGE]
    assert result.node.config.api_port == 40000


def test_running_cluster_is_left_alone_but_its_kubeconfig_entry_is_repaired(tmp_path: Path) -> None:
    node = dataclasses.replace(_stopped(IMAGE), state="running")
    fake = FakeProvider(node)
    result = create.start(fake, create.StartOptions("dev"), Silent())  # type: ignore[arg-type]
    assert result.action == "already running" and fake.created == []
    assert kubeconfig.server_of(kubeconfig.load(tmp_path / "kubeconfig"), "dev") == node.config.server


def test_wait_takes_all_none_or_a_list_of_components() -> None:
    assert create.parse_wait("all") == create.WAIT_COMPONENTS
    assert create.parse_wait("none") == frozenset()
    assert create.parse_wait("apiserver, dns") == {"apiserver", "dns"}
    with pytest.raises(UsageError, match="unknown component 'dsn'"):
        create.parse_wait("dns,dsn")


def test_each_wait_component_adds_its_step() -> None:
    titles = [s.title for s in create._waits(create.StartOptions("dev"))]
    assert titles[-4:] == ["Waiting for cluster DNS", "Waiting for the default StorageClass",
                           "Waiting for the default ServiceAccount", "Waiting for the ingress controller"]
    assert [s.title for s in create._waits(create.StartOptions("dev", wait=frozenset()))] == [
        "Waiting for the cluster certificates"]
