"""Issue 3, parts 2 and 6, end to end with real pods: a StatefulSet with claims comes up in
order and keeps its data, a Job completes, a CronJob can be run by hand, a DaemonSet runs
one pod, and the default StorageClass provisions onto the node's state volume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "batch-storage"
VOLUMES = "/var/lib/minicube/volumes"


@pytest.fixture(scope="module", autouse=True)
def namespace(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)


def kubectl(cluster: Cluster, *args: str, **kw: Any) -> str:
    return cluster.kubectl("-n", NS, *args, **kw).stdout


def get(cluster: Cluster, *args: str) -> Any:
    return json.loads(kubectl(cluster, "get", *args, "-o", "json"))


def apply(cluster: Cluster, obj: dict[str, Any]) -> None:
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(obj))


def ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod["status"].get("conditions") or [])


def statefulset(replicas: int) -> dict[str, Any]:
    # Each start appends the pod's name to a file on its claim, then serves as usual.
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"serviceName": "web", "replicas": replicas,
                     "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                         "terminationGracePeriodSeconds": 1,
                         "containers": [{"name": "web", "image": HELLO_IMAGE,
                                         "command": ["sh", "-c",
                                                     "hostname >> /data/starts; exec sh /hello.sh"],
                                         "volumeMounts": [{"name": "www",
                                                           "mountPath": "/data"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": "10Mi"}}}}]}}


def starts_on_node(cluster: Cluster, claim: str) -> list[str]:
    volume = get(cluster, "pvc", claim)["spec"]["volumeName"]
    out = cluster.node_exec("cat", f"{VOLUMES}/{volume}/starts", check=False).stdout
    return out.split()


def test_default_storage_class_exists(cluster: Cluster) -> None:
    lines = cluster.kubectl("get", "storageclass").stdout.splitlines()
    assert lines[1].split()[:6] == ["standard", "(default)", "minicube.io/hostpath", "Delete",
                                    "Immediate", "false"]


def test_statefulset_comes_up_in_order_and_keeps_its_data(cluster: Cluster) -> None:
    apply(cluster, statefulset(2))
    web0 = wait_for("web-0 Ready", lambda: (p := get(cluster, "pods", "-l", "app=web")["items"])
                    and p[0]["metadata"]["name"] == "web-0" and ready(p[0]) and p[0], timeout=120)
    web1 = wait_for("web-1 Ready", lambda: (p := get(cluster, "pod", "web-1")) and ready(p) and p,
                    timeout=120)
    ready_at = next(c["lastTransitionTime"] for c in web0["status"]["conditions"]
                    if c["type"] == "Ready")
    assert web1["metadata"]["creationTimestamp"] >= ready_at  # created once web-0 was Ready
    assert web1["spec"]["hostname"] == "web-1" and web1["spec"]["subdomain"] == "web"
    claims = get(cluster, "pvc")["items"]
    assert sorted((c["metadata"]["name"], c["status"]["phase"], c["spec"]["storageClassName"])
                  for c in claims) == [("www-web-0", "Bound", "standard"),
                                       ("www-web-1", "Bound", "standard")]
    assert starts_on_node(cluster, "www-web-1") == ["web-1"]
    kubectl(cluster, "rollout", "status", "statefulset/web", "--timeout=60s")
    old_uid = web1["metadata"]["uid"]
    kubectl(cluster, "delete", "pod", "web-1", "--wait=true")
    wait_for("web-1 back and Ready", lambda: (p := get(cluster, "pod", "web-1"))
             and p["metadata"]["uid"] != old_uid and ready(p), timeout=120)
    assert starts_on_node(cluster, "www-web-1") == ["web-1", "web-1"]


def test_statefulset_scale_down_and_up_keeps_claims(cluster: Cluster) -> None:
    kubectl(cluster, "scale", "statefulset/web", "--replicas=1")
    wait_for("web-1 gone", lambda: not kubectl(cluster, "get", "pod", "web-1",
                                               "--ignore-not-found"), timeout=60)
    assert get(cluster, "pvc", "www-web-1")["status"]["phase"] == "Bound"
    assert get(cluster, "sts", "web")["status"]["replicas"] == 1
    kubectl(cluster, "scale", "statefulset/web", "--replicas=2")
    wait_for("web-1 Ready again", lambda: (p := get(cluster, "pods", "-l", "app=web")["items"])
             and len(p) == 2 and all(map(ready, p)), timeout=120)
    assert starts_on_node(cluster, "www-web-1") == ["web-1"] * 3  # the same claim, reused


def test_job_with_two_completions_completes(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "twice"},
                    "spec": {"completions": 2, "template": {"spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "c", "image": HELLO_IMAGE,
                                        "command": ["sh", "-c", "echo done"]}]}}}})
    kubectl(cluster, "wait", "--for=condition=complete", "job/twice", "--timeout=120s",
            timeout=130)
    job = get(cluster, "job", "twice")
    assert job["status"]["succeeded"] == 2 and job["status"].get("failed") is None
    row = kubectl(cluster, "get", "job", "twice").splitlines()[1].split()
    assert row[:3] == ["twice", "Complete", "2/2"]
    pods = get(cluster, "pods", "-l", "batch.kubernetes.io/job-name=twice")["items"]
    assert len(pods) == 2 and {p["status"]["phase"] for p in pods} == {"Succeeded"}


def test_job_that_fails_twice_then_succeeds_completes(cluster: Cluster) -> None:
    # The attempts are counted on a claim, so each new pod sees how many came before it.
    apply(cluster, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "attempts"},
                    "spec": {"accessModes": ["ReadWriteOnce"],
                             "resources": {"requests": {"storage": "1Mi"}}}})
    script = "n=$(( $(cat /d/n 2>/dev/null || echo 0) + 1 )); echo $n > /d/n; [ $n -ge 3 ]"
    apply(cluster, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "third-time"},
                    "spec": {"backoffLimit": 3, "template": {"spec": {
                        "restartPolicy": "Never",
                        "volumes": [{"name": "d",
                                     "persistentVolumeClaim": {"claimName": "attempts"}}],
                        "containers": [{"name": "c", "image": HELLO_IMAGE,
                                        "command": ["sh", "-c", script],
                                        "volumeMounts": [{"name": "d", "mountPath": "/d"}]}]}}}})
    # Back-off: 10 s after the first failure, 20 s after the second.
    kubectl(cluster, "wait", "--for=condition=complete", "job/third-time", "--timeout=150s",
            timeout=160)
    status = get(cluster, "job", "third-time")["status"]
    assert (status["succeeded"], status["failed"]) == (1, 2)
    pods = get(cluster, "pods", "-l", "batch.kubernetes.io/job-name=third-time")["items"]
    assert sorted(p["status"]["phase"] for p in pods) == ["Failed", "Failed", "Succeeded"]


def test_cronjob_can_be_triggered_by_hand(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
                    "spec": {"schedule": "*/1 * * * *", "suspend": True,
                             "jobTemplate": {"spec": {"template": {"spec": {
                                 "restartPolicy": "OnFailure",
                                 "containers": [{"name": "c", "image": HELLO_IMAGE,
                                                 "command": ["sh", "-c", "echo tick"]}]}}}}}})
    kubectl(cluster, "create", "job", "tick-now", "--from=cronjob/tick")
    kubectl(cluster, "wait", "--for=condition=complete", "job/tick-now", "--timeout=120s",
            timeout=130)
    job = get(cluster, "job", "tick-now")
    assert job["metadata"]["ownerReferences"][0]["name"] == "tick"
    pod = get(cluster, "pods", "-l", "batch.kubernetes.io/job-name=tick-now")["items"][0]
    assert kubectl(cluster, "logs", pod["metadata"]["name"]).strip() == "tick"
    assert get(cluster, "cronjob", "tick")["status"].get("active") is None  # suspended


def test_daemonset_runs_one_pod(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                    "spec": {"selector": {"matchLabels": {"app": "agent"}},
                             "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {
                                 "containers": [{"name": "c", "image": HELLO_IMAGE}]}}}})
    wait_for("the daemon Ready", lambda: (d := get(cluster, "ds", "agent")["status"])
             .get("numberReady") == 1 and d, timeout=120)
    pods = get(cluster, "pods", "-l", "app=agent")["items"]
    assert len(pods) == 1 and pods[0]["spec"]["nodeName"] == cluster.profile
    row = kubectl(cluster, "get", "ds", "agent").splitlines()[1].split()
    assert row[:6] == ["agent", "1", "1", "1", "1", "1"]


def test_deleting_owners_removes_their_pods_but_not_claims(cluster: Cluster) -> None:
    kubectl(cluster, "delete", "statefulset/web", "job/twice")
    wait_for("the pods of web and twice gone", lambda: not get(
        cluster, "pods", "-l", "app=web")["items"] and not get(
        cluster, "pods", "-l", "batch.kubernetes.io/job-name=twice")["items"], timeout=60)
    # Claims of a StatefulSet outlive it (persistentVolumeClaimRetentionPolicy: Retain).
    assert {c["metadata"]["name"] for c in get(cluster, "pvc")["items"]} >= {"www-web-0",
                                                                            "www-web-1"}


def test_deleting_a_claim_removes_its_volume_and_data(cluster: Cluster) -> None:
    volume = get(cluster, "pvc", "attempts")["spec"]["volumeName"]
    assert cluster.node_exec("test", "-f", f"{VOLUMES}/{volume}/n", check=False).returncode == 0
    kubectl(cluster, "delete", "pvc", "attempts", timeout=90)  # its pods are finished
    wait_for("the volume gone", lambda: not cluster.kubectl(
        "get", "pv", volume, "--ignore-not-found").stdout, timeout=60)
    assert cluster.node_exec("test", "-e", f"{VOLUMES}/{volume}", check=False).returncode != 0
