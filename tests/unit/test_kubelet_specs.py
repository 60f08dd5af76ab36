"""Engine create-arguments: command/args semantics, env, limits, the sandbox."""

from __future__ import annotations

from typing import Any

from docker.types import ContainerConfig

from minicube.kubelet.specs import app_spec, needs_image_user, non_root_violation, sandbox_spec
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
    assert s["mem_limit"] == s["memswap_limit"] == 64 * 2**20
    assert (s["cpu_quota"], s["cpu_period"], s["cpu_shares"]) == (50_000, 100_000, 512)


def test_requests_become_cpu_shares_and_no_limit_means_no_quota() -> None:
    s = spec(resources={"requests": {"cpu": "250m", "memory": "1Gi"}})
    assert s["cpu_shares"] == 256 and "cpu_quota" not in s and "mem_limit" not in s
    assert spec()["cpu_shares"] == 2   # BestEffort: the minimum, as upstream


def test_working_dir_and_run_as_user() -> None:
    s = spec(workingDir="/srv", securityContext={"runAsUser": 1000})
    assert s["working_dir"] == "/srv" and s["user"] == "1000"


def test_security_context_merges_pod_and_container_settings() -> None:
    pod = make_pod(securityContext={"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000})
    c = {"name": "web", "image": "app:1", "securityContext": {
        "runAsUser": 1001, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]}}}
    s = app_spec(pod, c, 0, "sb1", [])
    assert (s["user"], s["group_add"], s["read_only"]) == ("1001:3000", ["2000"], True)
    assert s["cap_drop"] == ["ALL"] and s["security_opt"] == ["no-new-privileges"]
    assert "privileged" not in s


def test_volume_binds_become_engine_volumes() -> None:
    from minicube.kubelet.mounts import Bind
    s = app_spec(make_pod(), {"name": "web", "image": "app:1"}, 0, "sb1", [],
                 [Bind("/var/lib/v/cfg", "/etc/cfg", True), Bind("/data", "/data", False)])
    assert s["volumes"] == ["/var/lib/v/cfg:/etc/cfg:ro", "/data:/data:rw"]


def test_hostname_and_subdomain_give_the_sandbox_its_fqdn() -> None:
    s = sandbox_spec(make_pod(hostname="db-0", subdomain="db"), 0)
    assert (s["hostname"], s["domainname"]) == ("db-0", "db.default.svc.cluster.local")


def test_the_sandbox_takes_the_pod_name_as_hostname() -> None:
    s = sandbox_spec(make_pod(), 1)
    assert s["hostname"] == "web" and s["network"] == "minicube-pods"
    assert s["name"] == "k8s_POD_web_default_u1_1" and s["image"] == "minicube/pause:1"


def test_stdin_once_reaches_the_engine_through_a_non_detached_create() -> None:
    once = spec(stdin=True, stdinOnce=True)
    config = ContainerConfig(version="1.43", image="app:1", command=None,
                             detach=once["detach"], stdin_open=once["stdin_open"])
    assert config["StdinOnce"] and config["OpenStdin"]
    assert spec(stdin=True)["detach"] and spec()["detach"]  # stdin stays open, or none


def _non_root(image_user: str, pod_sc: dict[str, Any] | None = None,
              sc: dict[str, Any] | None = None) -> str | None:
    pod = make_pod(securityContext=pod_sc or {})
    container = {**pod["spec"]["containers"][0], "securityContext": sc or {}}
    return non_root_violation(pod, container, image_user, "web_default(u1)")


def test_run_as_non_root_refuses_an_image_that_runs_as_root() -> None:
    where = '(pod: "web_default(u1)", container: web)'
    for user in ("", "0", "0:0"):
        assert _non_root(user, {"runAsNonRoot": True}) == (
            f"container has runAsNonRoot and image will run as root {where}")
    assert _non_root("app", sc={"runAsNonRoot": True}) == (
        "container has runAsNonRoot and image has non-numeric user (app), cannot verify user "
        f"is non-root {where}")
    assert _non_root("1000", {"runAsNonRoot": True, "runAsUser": 0}) == (
        f"container's runAsUser breaks non-root policy {where}")


def test_run_as_non_root_accepts_numeric_non_root_users_and_the_container_wins() -> None:
    assert _non_root("1000:1000", {"runAsNonRoot": True}) is None
    assert _non_root("", {"runAsNonRoot": True, "runAsUser": 1000}) is None
    assert _non_root("", {"runAsNonRoot": True}, {"runAsUser": 1000}) is None
    assert _non_root("", {"runAsNonRoot": True}, {"runAsNonRoot": False}) is None
    assert _non_root("", {"runAsUser": 1000}, {"runAsNonRoot": True, "runAsUser": 0}) is not None
    assert _non_root("") is None


def test_the_image_user_is_read_only_when_no_run_as_user_decides() -> None:
    pod = make_pod(securityContext={"runAsNonRoot": True})
    c = pod["spec"]["containers"][0]
    assert needs_image_user(pod, c)
    assert not needs_image_user(pod, {**c, "securityContext": {"runAsUser": 5}})
    assert not needs_image_user(make_pod(), c)


def test_an_ephemeral_container_sees_its_target_processes() -> None:
    s = app_spec(make_pod(), {"name": "dbg", "image": "busybox"}, 0, "sb1", [], pid_target="c1")
    assert s["pid_mode"] == "container:c1" and "pid_mode" not in spec()
