"""Issue 2's acceptance, against one real cluster, in order (minikube's validate_* table).

start -> node Ready -> a Pod of the sample image with env from a ConfigMap and a Secret runs
-> bad inputs change nothing -> kill -9 of the control plane -> a second profile beside it
-> delete leaves nothing -> stop/start keeps everything. Later steps build on earlier ones.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, REPO, Cluster, docker, wait_for

pytestmark = pytest.mark.e2e

MANIFESTS = Path(__file__).parent / "manifests"
HELLO_MANIFEST = REPO / "images" / "hello" / "hello.yaml"  # the README's quick-start workload
HELLO_LINE = "hello: listening on :8080 GREETING=hi-from-configmap SECRET_TOKEN=s3cr3t-token"
POD_CIDR = ipaddress.ip_network("10.244.0.0/16")


def _pod(cluster: Cluster, name: str) -> dict[str, Any]:
    return cluster.get_json("pod", name)  # type: ignore[no-any-return]


def _running(cluster: Cluster, name: str) -> dict[str, Any] | None:
    pod = _pod(cluster, name)
    statuses = pod["status"].get("containerStatuses") or []
    ok = pod["status"].get("phase") == "Running" and statuses and "running" in statuses[0]["state"]
    return pod if ok else None


def _uids(cluster: Cluster) -> dict[str, str]:
    """What exists in the default namespace, by kind/name -> uid."""
    found = {}
    for kind in ("pods", "configmaps", "secrets"):
        for item in cluster.get_json(kind)["items"]:
            found[f"{kind}/{item['metadata']['name']}"] = item["metadata"]["uid"]
    return found


def _kubeconfig_contexts(cluster: Cluster) -> set[str]:
    out = cluster.kubectl("config", "get-contexts", "-o", "name").stdout
    return set(out.split())


def test_start_makes_the_node_ready(cluster: Cluster) -> None:
    table = cluster.kubectl("get", "nodes").stdout.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert table[1].split()[:2] == [cluster.profile, "Ready"]
    assert cluster.mc("status").stdout.splitlines()[1:5] == [
        "host: Running", "engine: Running", "apiserver: Running", "kubeconfig: Configured"]


def test_start_on_a_running_cluster_is_a_no_op_that_says_so(cluster: Cluster) -> None:
    assert "already running" in cluster.mc("start").stderr


def test_start_with_json_output_prints_one_event_per_line(cluster: Cluster) -> None:
    events = [json.loads(line) for line in cluster.mc("start", "-o", "json").stdout.splitlines()]
    assert events[-1]["event"] == "result" and events[-1]["action"] == "already running"
    assert events[-1]["context"] == cluster.profile and events[-1]["server"].startswith("https://127.0.0.1:")
    assert all(e["status"] == "done" for e in events if e["event"] == "step")


def test_the_node_runs_unprivileged_with_its_volumes_and_loopback_api(cluster: Cluster) -> None:
    info = json.loads(docker("inspect", cluster.profile))[0]
    assert info["HostConfig"]["Privileged"] is False
    assert info["HostConfig"]["CapDrop"] == ["SYS_RESOURCE"]
    mounts = {m["Destination"]: m.get("Name") for m in info["Mounts"]}
    assert mounts["/var/lib/docker"] == f"minicube-{cluster.profile}-docker"
    assert mounts["/var/lib/minicube"] == f"minicube-{cluster.profile}-state"
    assert [b["HostIp"] for b in info["HostConfig"]["PortBindings"]["8443/tcp"]] == ["127.0.0.1"]
    assert info["Config"]["Labels"]["io.minicube.cluster"] == cluster.profile


def test_ip_and_logs_describe_the_node(cluster: Cluster) -> None:
    ipaddress.ip_address(cluster.mc("ip").stdout.strip())
    assert "entrypoint: control plane started" in cluster.mc("logs", "-n", "1000").stdout


def test_pod_with_env_from_configmap_and_secret_runs(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", str(HELLO_MANIFEST))
    pod = wait_for("pod hello to run", lambda: _running(cluster, "hello"))
    pod_ip = ipaddress.ip_address(pod["status"]["podIP"])
    assert pod_ip in POD_CIDR
    assert pod["spec"]["nodeName"] == cluster.profile
    logs = wait_for("the hello line in kubectl logs", lambda: cluster.kubectl("logs", "hello").stdout)
    assert HELLO_LINE in logs
    # The node reaches the pod on its own IP; the answer carries the ConfigMap's value.
    answer = wait_for("an HTTP answer from the pod", lambda: cluster.node_exec(
        "timeout", "5", "busybox", "wget", "-qO-", f"http://{pod_ip}:8080/", check=False).stdout)
    assert "hi-from-configmap" in answer


def test_missing_image_waits_with_a_reason_naming_the_fix(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", str(MANIFESTS / "missing-image.yaml"))
    try:
        def waiting() -> dict[str, Any] | None:
            statuses = _pod(cluster, "missing-image")["status"].get("containerStatuses") or []
            waiting = statuses[0]["state"].get("waiting") if statuses else None
            # ContainerCreating comes first, while the kubelet looks for the image
            return waiting if waiting and waiting.get("reason") != "ContainerCreating" else None
        state = wait_for("the missing image to be reported", waiting, timeout=60)
        assert state["reason"] in {"ErrImageNeverPull", "ImagePullBackOff", "ErrImagePull"}
        assert "minicube/not-loaded:1" in state["message"] and "minicube image load" in state["message"]
        assert _running(cluster, "hello"), "the other pod must not be disturbed"
    finally:
        cluster.kubectl("delete", "pod", "missing-image", "--grace-period=0", "--wait=false", check=False)
    wait_for("the missing-image pod to go", lambda: "missing-image" not in cluster.kubectl(
        "get", "pods", "-o", "name").stdout, timeout=60)


@pytest.mark.parametrize("manifest, expected", [
    ("invalid-name.yaml", ["metadata.name", "Bad_Name"]),
    ("invalid-missing-containers.yaml", ["spec.containers", "Required value"]),
    ("invalid-wrong-type.yaml", ["containerPort"]),
    ("invalid-unknown-kind.yaml", ["Frobnicator"]),
    ("invalid-malformed.yaml", ["yaml"]),
])
def test_bad_manifest_is_refused_clearly_and_changes_nothing(cluster: Cluster, manifest: str,
                                                             expected: list[str]) -> None:
    before = _uids(cluster)
    result = cluster.kubectl("apply", "-f", "-", stdin=(MANIFESTS / manifest).read_text(), check=False)
    assert result.returncode != 0
    for text in expected:
        assert text in result.stderr, result.stderr
    assert _uids(cluster) == before


@pytest.mark.parametrize("args, code, message", [
    (["start", "--memory", "lots"], 8, "invalid memory size 'lots'"),
    (["image load", "minicube/never-built:1"], 5, "not in the host's Docker engine: minicube/never-built:1"),
])
def test_bad_cli_input_is_one_line_with_a_hint(cluster: Cluster, args: list[str], code: int,
                                               message: str) -> None:
    result = cluster.mc(args[0], *args[1:], check=False)
    assert result.returncode == code
    lines = result.stderr.splitlines()
    assert lines[0] == f"✗ {message}" and lines[1].startswith("  hint: ")


def test_invalid_profile_name_is_refused(cluster: Cluster) -> None:
    result = cluster.sibling("Bad_Name").mc("start", check=False)
    assert result.returncode == 8 and result.stderr.startswith("✗ invalid profile name")


def test_control_plane_kill_9_is_back_within_seconds_and_pods_keep_running(cluster: Cluster) -> None:
    before_objects = _uids(cluster)
    before = _pod(cluster, "hello")["status"]["containerStatuses"][0]
    inner_before = set(cluster.node_exec("docker", "ps", "-q").stdout.split())
    cluster.node_exec("pkill", "-9", "-f", "^/opt/minicube/bin/python -m minicube.node")
    wait_for("the API server after kill -9", lambda: cluster.kubectl(
        "get", "--raw", "/readyz", check=False, timeout=5).returncode == 0, timeout=15, interval=0.2)
    time.sleep(3)  # give the kubelet time to (wrongly) restart anything
    assert _uids(cluster) == before_objects
    after = _running(cluster, "hello")
    assert after, "pod hello must still be running"
    status = after["status"]["containerStatuses"][0]
    assert (status["containerID"], status["restartCount"]) == (before["containerID"], before["restartCount"])
    assert inner_before <= set(cluster.node_exec("docker", "ps", "-q").stdout.split())


@pytest.fixture(scope="module")
def second(cluster: Cluster) -> Iterator[Cluster]:
    other = cluster.sibling("b")
    try:
        other.mc("start")
        yield other
    finally:
        other.mc("delete", check=False)


def test_two_profiles_run_side_by_side(cluster: Cluster, second: Cluster) -> None:
    assert second.kubectl("get", "node", second.profile).returncode == 0
    second.kubectl("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only-in-b\n")
    assert "NotFound" in cluster.kubectl("get", "configmap", "only-in-b", check=False).stderr
    assert _running(cluster, "hello")
    assert {cluster.profile, second.profile} <= _kubeconfig_contexts(cluster)
    assert cluster.mc("status", check=False).returncode == 0


def test_delete_leaves_no_container_volume_or_kubeconfig_entry(cluster: Cluster, second: Cluster) -> None:
    second.mc("delete")
    label = f"label=io.minicube.cluster={second.profile}"
    assert docker("ps", "-aq", "--filter", label).strip() == ""
    assert docker("volume", "ls", "-q", "--filter", label).strip() == ""
    assert not re.search(rf"minicube-{second.profile}-", docker("volume", "ls", "-q"))
    assert second.profile not in _kubeconfig_contexts(cluster)
    assert second.mc("delete").returncode == 0  # idempotent
    assert cluster.profile in _kubeconfig_contexts(cluster)
    assert _running(cluster, "hello"), "deleting one profile must not touch another"


def test_stop_then_start_keeps_objects_and_the_pod_runs_again(cluster: Cluster) -> None:
    cluster.mc("apply", "-f", str(MANIFESTS / "crontabs.yaml"))  # custom objects are kept too
    crontab_uid = cluster.get_json("crontab", "my-new-cron-object")["metadata"]["uid"]
    before = _uids(cluster)
    cluster.mc("stop")
    assert cluster.mc("status", check=False).returncode == 3  # host and cluster down, kubeconfig kept
    began = time.monotonic()
    cluster.mc("start")
    print(f"warm start took {time.monotonic() - began:.1f}s")
    assert _uids(cluster) == before
    wait_for("pod hello to run again", lambda: _running(cluster, "hello"))
    assert HELLO_LINE in wait_for("the hello line after the restart",
                                  lambda: cluster.kubectl("logs", "hello").stdout)
    assert _pod(cluster, "hello")["status"]["containerStatuses"][0]["image"].endswith(HELLO_IMAGE)
    assert cluster.get_json("crontab", "my-new-cron-object")["metadata"]["uid"] == crontab_uid
    cluster.kubectl("delete", "crd", "crontabs.stable.example.com")
