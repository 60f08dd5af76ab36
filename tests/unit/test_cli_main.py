from __future__ import annotations

import json
from pathlib import Path

import pytest

from minicube._errors import EngineUnavailable
from minicube.cli import kubectl as kubectl_cmd
from minicube.cli import main as cli
from minicube.cluster import status as cluster_status
from minicube.cluster.provider import DockerProvider
from minicube.cluster.status import RUNNING, STOPPED, ClusterStatus


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINICUBE_HOME", str(tmp_path))
    return tmp_path


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    return int(e.value.code or 0)


def test_a_minicube_error_is_one_line_a_hint_and_its_exit_code(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    def refuse() -> DockerProvider:
        raise EngineUnavailable("no Docker engine answers", hint="start one")
    monkeypatch.setattr(DockerProvider, "connect", staticmethod(refuse))
    assert run(["status"]) == 4
    assert capsys.readouterr().err == "✗ no Docker engine answers\n  hint: start one\n"


def test_an_unexpected_error_is_internal_with_the_traceback_in_the_log(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path) -> None:
    def boom() -> DockerProvider:
        raise RuntimeError("boom")
    monkeypatch.setattr(DockerProvider, "connect", staticmethod(boom))
    assert run(["status"]) == 1
    assert "✗ internal error: boom" in capsys.readouterr().err
    assert "Traceback" in (home / "logs" / "last-run.log").read_text()


def test_a_usage_error_exits_2_and_points_at_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["start", "--bogus"]) == 2
    assert "hint: see: minicube start --help" in capsys.readouterr().err


def test_top_level_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "4 Docker" in capsys.readouterr().out


def test_status_exits_with_the_bits_and_prints_each_part(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(DockerProvider, "connect", staticmethod(lambda: None))
    monkeypatch.setattr(cluster_status, "collect",
                        lambda p, name, k: ClusterStatus(name, STOPPED, STOPPED, STOPPED, "Configured"))
    assert run(["status", "-p", "dev"]) == 3
    assert "host: Stopped" in capsys.readouterr().out
    assert run(["status", "-p", "dev", "-o", "json"]) == 3
    assert json.loads(capsys.readouterr().out)["Host"] == "Stopped"


def test_status_of_a_running_cluster_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DockerProvider, "connect", staticmethod(lambda: None))
    monkeypatch.setattr(cluster_status, "collect",
                        lambda p, name, k: ClusterStatus(name, RUNNING, RUNNING, RUNNING, "Configured"))
    assert run(["status"]) == 0


def test_kubectl_runs_with_the_profiles_context(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(kubectl_cmd.shutil, "which", lambda name: "/usr/bin/kubectl")
    monkeypatch.setattr(kubectl_cmd.os, "execv", lambda path, argv: calls.append(argv))
    assert run(["kubectl", "-p", "dev", "--", "get", "pods", "-n", "x"]) == 0
    assert run(["kubectl", "get", "pods", "-p", "x"]) == 0  # after the first argument, all is kubectl's
    assert calls == [["kubectl", "--context", "dev", "get", "pods", "-n", "x"],
                     ["kubectl", "--context", "minicube", "get", "pods", "-p", "x"]]


def test_missing_kubectl_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(kubectl_cmd.shutil, "which", lambda name: None)
    assert run(["kubectl", "--", "get", "pods"]) == 1
    assert "apt-get install -y kubectl" in capsys.readouterr().err
