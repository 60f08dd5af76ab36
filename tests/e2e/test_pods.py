"""Pods in full against a real cluster: init containers, probes, env, volumes, limits.

Every workload is the sample image's busybox with a shell command, in its own namespace,
applied with the real kubectl; waits poll the API with short intervals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "e2e-pods"


@pytest.fixture(scope="module")
def ns(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("create", "namespace", NS)
    yield cluster
    cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def apply(c: Cluster, *objects: dict[str, Any]) -> None:
    items = [{**o, "metadata": {**o["metadata"], "namespace": NS}} for o in objects]
    c.kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                    "items": items}))


def pod(name: str, *containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": list(containers), **spec}}


def sh(name: str, script: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": HELLO_IMAGE, "command": ["sh", "-c", script], **extra}


def get(c: Cluster, name: str) -> dict[str, Any]:
    return c.get_json("pod", name, "-n", NS)  # type: ignore[no-any-return]


def pod_when(c: Cluster, name: str, what: str, check: Callable[[dict[str, Any]], bool],
             timeout: float = 60) -> dict[str, Any]:
    """The pod once check(pod) holds."""
    return wait_for(what, lambda: (lambda p: p if check(p) else None)(get(c, name)), timeout)


def phase_is(want: str) -> Callable[[dict[str, Any]], bool]:
    return lambda p: p["status"].get("phase") == want


def logs(c: Cluster, name: str, container: str) -> str:
    return c.kubectl("logs", name, "-c", container, "-n", NS, check=False).stdout


def state(p: dict[str, Any], container: str, init: bool = False) -> dict[str, Any]:
    key = "initContainerStatuses" if init else "containerStatuses"
    found = [s for s in p["status"].get(key) or [] if s["name"] == container]
    return found[0] if found else {}


def condition(p: dict[str, Any], ctype: str) -> str:
    return next((x["status"] for x in p["status"].get("conditions") or []
                 if x["type"] == ctype), "")


def events(c: Cluster, name: str) -> list[tuple[str, str]]:
    out = c.get_json("events", "-n", NS, "--field-selector", f"involvedObject.name={name}")
    return [(e["reason"], e["message"]) for e in out["items"]]


def test_init_containers_run_in_order_before_the_app(ns: Cluster) -> None:
    scratch = [{"name": "work", "mountPath": "/work"}]
    apply(ns, pod("init-order",
                  sh("app", "cat /work/order; sleep 3600", volumeMounts=scratch),
                  initContainers=[sh("first", "echo first >> /work/order", volumeMounts=scratch),
                                  sh("second", "test -s /work/order && echo second >> /work/order",
                                     volumeMounts=scratch)],
                  volumes=[{"name": "work", "emptyDir": {}}]))
    wait_for("the app after its init containers",
             lambda: logs(ns, "init-order", "app") == "first\nsecond\n", timeout=60)
    p = get(ns, "init-order")
    assert [state(p, n, init=True)["state"]["terminated"]["reason"] for n in ("first", "second")] \
        == ["Completed", "Completed"]
    assert condition(p, "Initialized") == "True"


def test_a_readiness_probe_gates_ready_without_restarts(ns: Cluster) -> None:
    server = sh("web", "(sleep 4; echo ok > /www/ready.txt) & exec httpd -f -p 8080 -h /www",
                ports=[{"name": "http", "containerPort": 8080}],
                startupProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 1},
                readinessProbe={"httpGet": {"path": "/ready.txt", "port": "http",
                                            "httpHeaders": [{"name": "X-Check", "value": "1"}]},
                                "periodSeconds": 1, "failureThreshold": 1})
    apply(ns, pod("ready-gate", server))
    p = pod_when(ns, "ready-gate", "the pod running", phase_is("Running"))
    assert condition(p, "Ready") == "False" and state(p, "web")["ready"] is False
    p = pod_when(ns, "ready-gate", "Ready once /ready.txt answers",
                 lambda p: condition(p, "Ready") == "True")
    assert state(p, "web")["ready"] is True and state(p, "web")["restartCount"] == 0
    assert state(p, "web")["started"] is True
    assert any(r == "Unhealthy" and "Readiness probe failed" in m
               for r, m in events(ns, "ready-gate"))


def test_a_failing_liveness_probe_restarts_the_container(ns: Cluster) -> None:
    app = sh("app", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600",
             livenessProbe={"exec": {"command": ["cat", "/tmp/healthy"]},
                            "periodSeconds": 1, "failureThreshold": 2})
    apply(ns, pod("liveness", app))
    wait_for("a restart after the liveness probe failed",
             lambda: state(get(ns, "liveness"), "app").get("restartCount", 0) >= 1, timeout=90)
    reasons = events(ns, "liveness")
    assert any(r == "Unhealthy" and m.startswith("Liveness probe failed") for r, m in reasons)
    assert ("Killing", "Container app failed liveness probe, will be restarted") in reasons


def test_env_from_configmap_secret_and_the_downward_api(ns: Cluster) -> None:
    ns.kubectl("create", "configmap", "env-cfg", "-n", NS, "--from-literal=A=1")
    ns.kubectl("create", "secret", "generic", "env-secret", "-n", NS, "--from-literal=TOKEN=t0k")
    env = [{"name": n, "valueFrom": {"fieldRef": {"fieldPath": p}}} for n, p in [
        ("POD_NAME", "metadata.name"), ("POD_NS", "metadata.namespace"),
        ("POD_IP", "status.podIP"), ("NODE", "spec.nodeName"),
        ("APP", "metadata.labels['app']")]]
    env.append({"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {
        "resource": "limits.memory", "divisor": "1Mi"}}})
    app = sh("app", "env | sort; sleep 3600", env=env,
             envFrom=[{"configMapRef": {"name": "env-cfg"}, "prefix": "CFG_"},
                      {"secretRef": {"name": "env-secret"}}],
             resources={"limits": {"memory": "64Mi"}})
    p = pod("env", app)
    p["metadata"]["labels"] = {"app": "envtest"}
    apply(ns, p)
    out = wait_for("the environment in the logs",
                   lambda: logs(ns, "env", "app") if "MEM_MI=" in logs(ns, "env", "app") else None,
                   timeout=60)
    pod_ip = get(ns, "env")["status"]["podIP"]
    for line in ("CFG_A=1", "TOKEN=t0k", "POD_NAME=env", f"POD_NS={NS}", f"POD_IP={pod_ip}",
                 f"NODE={ns.profile}", "APP=envtest", "MEM_MI=64"):
        assert line in out.splitlines()


def test_a_missing_configmap_waits_then_the_pod_starts_by_itself(ns: Cluster) -> None:
    app = sh("app", "echo $GREETING; sleep 3600", env=[
        {"name": "GREETING", "valueFrom": {"configMapKeyRef": {"name": "late", "key": "g"}}}])
    apply(ns, pod("late-config", app))
    waiting = wait_for("CreateContainerConfigError", lambda: state(
        get(ns, "late-config"), "app").get("state", {}).get("waiting", {}).get("reason") ==
        "CreateContainerConfigError" and state(get(ns, "late-config"), "app"), timeout=60)
    assert waiting["state"]["waiting"]["message"] == 'configmap "late" not found'
    ns.kubectl("create", "configmap", "late", "-n", NS, "--from-literal=g=hello-late")
    wait_for("the pod running once the ConfigMap exists",
             lambda: logs(ns, "late-config", "app") == "hello-late\n", timeout=30)


def test_a_configmap_volume_follows_updates(ns: Cluster) -> None:
    ns.kubectl("create", "configmap", "vol-cfg", "-n", NS, "--from-literal=greeting=one")
    app = sh("app", "while true; do cat /etc/cfg/greeting; echo; sleep 1; done",
             volumeMounts=[{"name": "cfg", "mountPath": "/etc/cfg"}])
    apply(ns, pod("cm-volume", app, volumes=[{"name": "cfg", "configMap": {"name": "vol-cfg"}}]))
    wait_for("the first value", lambda: "one" in logs(ns, "cm-volume", "app"), timeout=60)
    ns.kubectl("patch", "configmap", "vol-cfg", "-n", NS, "-p", '{"data":{"greeting":"two"}}')
    wait_for("the update in the mounted file",
             lambda: "two" in logs(ns, "cm-volume", "app"), timeout=15)


def test_two_containers_share_an_empty_dir_and_localhost(ns: Cluster) -> None:
    mount = [{"name": "shared", "mountPath": "/shared"}]
    writer = sh("writer", "echo from-writer > /shared/note; exec httpd -f -p 8080 -h /shared",
                volumeMounts=mount)
    reader = sh("reader", "until test -s /shared/note; do sleep 0.2; done; cat /shared/note; "
                          "until wget -q -O - http://localhost:8080/note; do sleep 0.5; done; "
                          "sleep 3600", volumeMounts=mount)
    apply(ns, pod("shared", writer, reader, volumes=[{"name": "shared", "emptyDir": {}}]))
    wait_for("the reader seeing the file and the writer's port",
             lambda: logs(ns, "shared", "reader") == "from-writer\nfrom-writer\n", timeout=60)


def test_a_memory_empty_dir_is_a_tmpfs_of_its_size_limit(ns: Cluster) -> None:
    app = sh("app", "grep ' /cache ' /proc/mounts; sleep 3600",
             volumeMounts=[{"name": "cache", "mountPath": "/cache"}])
    apply(ns, pod("tmpfs", app, volumes=[{"name": "cache", "emptyDir": {
        "medium": "Memory", "sizeLimit": "16Mi"}}]))
    line = wait_for("the mount in the logs", lambda: logs(ns, "tmpfs", "app"), timeout=60)
    assert line.split()[2] == "tmpfs" and "size=16384k" in line


def test_a_disk_empty_dir_over_its_size_limit_evicts_the_pod(ns: Cluster) -> None:
    app = sh("app", "dd if=/dev/zero of=/scratch/fill bs=1024 count=2048; sleep 3600",
             volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}])
    apply(ns, pod("evicted", app, volumes=[{"name": "scratch", "emptyDir": {"sizeLimit": "1Mi"}}]))
    p = pod_when(ns, "evicted", "the eviction", phase_is("Failed"))
    assert p["status"]["reason"] == "Evicted"
    assert p["status"]["message"].startswith('Usage of EmptyDir volume "scratch" exceeds')


def test_a_container_over_its_memory_limit_is_oom_killed(ns: Cluster) -> None:
    hog = sh("hog", 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done',
             resources={"limits": {"memory": "20Mi"}})
    apply(ns, pod("oom", hog, restartPolicy="Never"))
    term = wait_for("the container terminated", lambda: state(get(ns, "oom"), "hog").get(
        "state", {}).get("terminated"), timeout=60)
    assert term["reason"] == "OOMKilled" and term["exitCode"] == 137
    assert get(ns, "oom")["status"]["phase"] == "Failed"


def test_projected_files_security_context_and_hooks(ns: Cluster) -> None:
    ns.kubectl("create", "secret", "generic", "files", "-n", NS, "--from-literal=pw=s3cr3t")
    # postStart runs right after the start: the script waits for the file it writes.
    script = ("until test -s /host/started; do sleep 0.2; done; id -u; id -G; "
              "cat /etc/podinfo/labels; echo; ls -ln /etc/secret/..data/; "
              "cat /etc/secret/password; echo; cat /host/started; "
              "touch /rootfs-file 2>/dev/null || echo read-only-root; sleep 3600")
    app = sh("app", script,
             securityContext={"runAsUser": 1000, "readOnlyRootFilesystem": True},
             lifecycle={"postStart": {"exec": {"command": ["sh", "-c",
                                                           "echo post-start > /host/started"]}}},
             volumeMounts=[{"name": "podinfo", "mountPath": "/etc/podinfo"},
                           {"name": "secret", "mountPath": "/etc/secret"},
                           {"name": "host", "mountPath": "/host"}])
    p = pod("files", app, securityContext={"fsGroup": 2000}, volumes=[
        {"name": "podinfo", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        {"name": "secret", "secret": {"secretName": "files", "defaultMode": 0o400,
                                      "items": [{"key": "pw", "path": "password"}]}},
        {"name": "host", "hostPath": {"path": "/tmp/e2e-pods-host", "type": "DirectoryOrCreate"}}])
    p["metadata"]["labels"] = {"tier": "files"}
    ns.node_exec("sh", "-c", "mkdir -p /tmp/e2e-pods-host && chmod 777 /tmp/e2e-pods-host")
    apply(ns, p)
    out = wait_for("the container's report", lambda: (lambda t: t if "read-only-root" in t
                                                      else None)(logs(ns, "files", "app")), 60)
    lines = out.splitlines()
    assert lines[0] == "1000" and "2000" in lines[1].split()
    assert 'tier="files"' in out and "s3cr3t" in lines and "post-start" in lines
    listing = next(line for line in lines if line.endswith("password"))
    assert listing.startswith("-r--r-----") and " 2000 " in listing   # 0400 + fsGroup read


def test_an_active_deadline_fails_the_pod(ns: Cluster) -> None:
    apply(ns, pod("deadline", sh("app", "sleep 3600"), activeDeadlineSeconds=3))
    p = pod_when(ns, "deadline", "the pod Failed", phase_is("Failed"))
    assert p["status"]["reason"] == "DeadlineExceeded"
    assert "terminated" in state(p, "app")["state"]


def test_a_claims_data_outlives_its_pod(ns: Cluster) -> None:
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": "1Mi"}}}}
    mount = [{"name": "data", "mountPath": "/data"}]
    volumes = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    writer = sh("app", "echo kept > /data/file; sleep 3600", volumeMounts=mount)
    apply(ns, claim, pod("writer", writer, volumes=volumes))
    wait_for("the writer running", lambda: get(ns, "writer")["status"].get("phase") == "Running",
             timeout=60)
    ns.kubectl("delete", "pod", "writer", "-n", NS, "--wait=true")
    apply(ns, pod("reader", sh("app", "cat /data/file; sleep 3600", volumeMounts=mount),
                  volumes=volumes))
    wait_for("the data in a new pod", lambda: logs(ns, "reader", "app") == "kept\n", timeout=60)
