"""Engine create-arguments: command/args semantics, env, limits, the sandbox."""

from __future__ import annotations

from typing import Any

from minicube.kubelet.specs import app_spec, sandbox_spec
from tests.unit.kubelet_fixtures import make_pod


def spec(**container: Any) -> dict[str, Any]:
    return app_spec(make_pod(), {"name": "web", "image": "app:1", **container}, 0, "sb1",
                    [("GREETING", "hi")])


def test_app_containers_join_the_sandbox_network() -> None:
    s = spec()
    assert s["network_mode"] == "container:sb1" and s["name"] == "k8s_web_web_default_u1_0"
    assert s["environment"] == ["GREETING=hi"] and "entrypoint" not in s


def test_command_replaces_entrypoint_and_drops_the_image_cmd() -> None:
    s = spec(command=["/bin/sh", "-c", "echo $(GREETING)"])
    assert s["entrypoint"] == ["/bin/sh", "-c", "echo hi"] and s["command"] == []


def test_args_alone_replace_only_the_cmd() -> None:
    s = spec(args=["--port", "80"])
    assert s["command"] == ["--port", "80"] and "entrypoint" not in s


def test_limits_become_cgroup_limits() -> None:
    s = spec(resources={"limits": {"memory": "64Mi", "cpu": "500m"}})
    assert s["mem_limit"] == 64 * 2**20 and s["nano_cpus"] == 500_000_000


def test_working_dir_and_run_as_user() -> None:
    s = spec(workingDir="/srv", securityContext={"runAsUser": 1000})
    assert s["working_dir"] == "/srv" and s["user"] == "1000"


def test_the_sandbox_takes_the_pod_name_as_hostname() -> None:
    s = sandbox_spec(make_pod(), 1)
    assert s["hostname"] == "web" and s["network"] == "minicube-pods"
    assert s["name"] == "k8s_POD_web_default_u1_1" and s["image"] == "minicube/pause:1"
