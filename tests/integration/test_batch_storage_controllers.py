"""The Job, StatefulSet, CronJob and storage controllers against an in-process API server.

No kubelet runs here: the tests play it by writing pod status, which makes ordering,
counting and binding decisions observable step by step (the e2e file runs real pods)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import pytest

from minicube.client import Client
from minicube.controllers.cronjob import CronJobController
from minicube.controllers.job import JobController
from minicube.controllers.persistentvolume import PersistentVolumeController
from minicube.controllers.protection import StorageProtectionController
from minicube.controllers.provisioner import HostPathProvisioner
from minicube.controllers.statefulset import StatefulSetController
from tests.integration.conftest import Cluster

NS = "ctrl"
T = TypeVar("T")


@pytest.fixture(scope="module")
def volumes_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("volumes")


@pytest.fixture(scope="module", autouse=True)
def controllers(cluster: Cluster, volumes_root: Path) -> Iterator[None]:
    cluster.kubectl("create", "namespace", NS, check=False)
    loop = asyncio.new_event_loop()

    async def main() -> None:
        async with Client(cluster.http_url) as client:
            await asyncio.gather(
                JobController(client).run(), StatefulSetController(client).run(),
                CronJobController(client).run(), PersistentVolumeController(client).run(),
                HostPathProvisioner(client, root=volumes_root).run(),
                StorageProtectionController(client).run())

    task = loop.create_task(main())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield
    loop.call_soon_threadsafe(task.cancel)
    time.sleep(0.2)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 15) -> T:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if last := check():
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def get(cluster: Cluster, path: str) -> Any:
    response = cluster.api("GET", path)
    return response.json() if response.status_code == 200 else None


def pods(cluster: Cluster, selector: str) -> list[dict[str, Any]]:
    return get(cluster, f"/api/v1/namespaces/{NS}/pods?labelSelector={selector}")["items"]


def set_phase(cluster: Cluster, name: str, phase: str, ready: bool = False) -> None:
    """Play the kubelet: the pod's phase and Ready condition."""
    status = {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False"}]}
    if phase in ("Succeeded", "Failed"):
        status["containerStatuses"] = [{
            "name": "c", "ready": False, "restartCount": 0, "image": "x", "imageID": "",
            "state": {"terminated": {"exitCode": 0 if phase == "Succeeded" else 1,
                                     "finishedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                 time.gmtime())}}}]
    r = cluster.api("PATCH", f"/api/v1/namespaces/{NS}/pods/{name}/status",
                    data=json.dumps({"status": status}),
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text


def bound(cluster: Cluster, path: str) -> dict[str, Any]:
    """The claim at path, once Bound."""
    return wait_for(f"{path} Bound", lambda: (c := get(cluster, path))
                    and c["status"]["phase"] == "Bound" and c)


def complete(cluster: Cluster, path: str) -> dict[str, Any]:
    """The Job at path, once Complete."""
    return wait_for(f"{path} Complete", lambda: (j := get(cluster, path))
                    and condition(j, "Complete") and j)


def apply(cluster: Cluster, obj: dict[str, Any]) -> None:
    cluster.kubectl("apply", "-n", NS, "-f", "-", input=json.dumps(obj))


def job(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "c", "image": "x:1"}]}}, **spec}}


def condition(obj: dict[str, Any] | None, kind: str) -> bool:
    return any(c["type"] == kind and c["status"] == "True"
               for c in ((obj or {}).get("status") or {}).get("conditions") or [])


def test_job_runs_parallel_pods_until_completions(cluster: Cluster) -> None:
    apply(cluster, job("twice", completions=3, parallelism=2))
    sel = "batch.kubernetes.io/job-name=twice"
    first = wait_for("2 pods", lambda: (p := pods(cluster, sel)) and len(p) == 2 and p)
    assert first[0]["metadata"]["ownerReferences"][0]["kind"] == "Job"
    for p in first:
        set_phase(cluster, p["metadata"]["name"], "Succeeded")
    third = wait_for("a third pod", lambda: [p for p in pods(cluster, sel)
                                             if p["metadata"]["name"] not in
                                             {f["metadata"]["name"] for f in first}])
    assert len(third) == 1  # only one completion was still missing
    set_phase(cluster, third[0]["metadata"]["name"], "Succeeded")
    path = f"/apis/batch/v1/namespaces/{NS}/jobs/twice"
    done = complete(cluster, path)
    assert done["status"]["succeeded"] == 3 and done["status"].get("active") is None
    assert done["status"]["completionTime"]
    cluster.kubectl("wait", "-n", NS, "--for=condition=complete", "job/twice", "--timeout=5s")


def test_job_fails_past_its_backoff_limit(cluster: Cluster) -> None:
    apply(cluster, job("doomed", backoffLimit=0))
    sel = "batch.kubernetes.io/job-name=doomed"
    pod = wait_for("a pod", lambda: pods(cluster, sel))[0]
    set_phase(cluster, pod["metadata"]["name"], "Failed")
    path = f"/apis/batch/v1/namespaces/{NS}/jobs/doomed"
    failed = wait_for("Failed", lambda: (j := get(cluster, path)) and condition(j, "Failed") and j)
    cond = next(c for c in failed["status"]["conditions"] if c["type"] == "Failed")
    assert cond["reason"] == "BackoffLimitExceeded" and failed["status"]["failed"] == 1
    assert len(pods(cluster, sel)) == 1  # no replacement


def test_statefulset_creates_in_order_and_provisions_claims(cluster: Cluster,
                                                            volumes_root: Path) -> None:
    apply(cluster, {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                    "spec": {"serviceName": "db", "replicas": 2,
                             "selector": {"matchLabels": {"app": "db"}},
                             "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                                 "containers": [{"name": "c", "image": "x:1"}]}},
                             "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                                 "accessModes": ["ReadWriteOnce"],
                                 "resources": {"requests": {"storage": "1Gi"}}}}]}})
    pod_path = f"/api/v1/namespaces/{NS}/pods/db-"
    web0 = wait_for("db-0", lambda: get(cluster, pod_path + "0"))
    assert web0["spec"]["hostname"] == "db-0" and web0["spec"]["subdomain"] == "db"
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}} in \
        web0["spec"]["volumes"]
    time.sleep(0.5)
    assert get(cluster, pod_path + "1") is None  # waits for db-0 to be Ready
    claim_path = f"/api/v1/namespaces/{NS}/persistentvolumeclaims/data-db-0"
    claim = bound(cluster, claim_path)
    assert claim["spec"]["storageClassName"] == "standard"
    pv = get(cluster, f"/api/v1/persistentvolumes/{claim['spec']['volumeName']}")
    assert pv["spec"]["hostPath"]["path"] == str(volumes_root / pv["metadata"]["name"])
    assert Path(pv["spec"]["hostPath"]["path"]).is_dir()
    set_phase(cluster, "db-0", "Running", ready=True)
    wait_for("db-1", lambda: get(cluster, pod_path + "1"))
    set_phase(cluster, "db-1", "Running", ready=True)
    sts_path = f"/apis/apps/v1/namespaces/{NS}/statefulsets/db"
    status = wait_for("2 ready", lambda: (s := get(cluster, sts_path)["status"])
                      .get("readyReplicas") == 2 and s)
    assert status["currentRevision"] == status["updateRevision"]
    assert status["updatedReplicas"] == 2
    cluster.kubectl("scale", "-n", NS, "sts/db", "--replicas=1")
    wait_for("db-1 deleted", lambda: (pod := get(cluster, pod_path + "1")) is None
             or pod["metadata"].get("deletionTimestamp"))  # (one read: it may go meanwhile)
    assert get(cluster, f"/api/v1/namespaces/{NS}/persistentvolumeclaims/data-db-1")


def test_claim_deletion_reclaims_a_provisioned_volume(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "scratch"},
                    "spec": {"accessModes": ["ReadWriteOnce"],
                             "resources": {"requests": {"storage": "10Mi"}}}})
    path = f"/api/v1/namespaces/{NS}/persistentvolumeclaims/scratch"
    claim = bound(cluster, path)
    pv = get(cluster, f"/api/v1/persistentvolumes/{claim['spec']['volumeName']}")
    directory = Path(pv["spec"]["hostPath"]["path"])
    assert directory.is_dir() and pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    cluster.kubectl("delete", "-n", NS, "pvc", "scratch")
    wait_for("the volume gone",
             lambda: get(cluster, f"/api/v1/persistentvolumes/{pv['metadata']['name']}") is None)
    assert not directory.exists()


def test_claim_binds_to_a_matching_static_volume(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "static-small"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                 "storageClassName": "", "hostPath": {"path": "/tmp/static-small"}}}))
    apply(cluster, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "static"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                             "resources": {"requests": {"storage": "512Mi"}}}})
    path = f"/api/v1/namespaces/{NS}/persistentvolumeclaims/static"
    claim = bound(cluster, path)
    assert claim["spec"]["volumeName"] == "static-small"
    assert claim["status"]["capacity"] == {"storage": "1Gi"}
    pv = get(cluster, "/api/v1/persistentvolumes/static-small")
    assert pv["status"]["phase"] == "Bound" and pv["spec"]["claimRef"]["name"] == "static"
    cluster.kubectl("delete", "-n", NS, "pvc", "static")
    wait_for("Released", lambda: get(cluster, "/api/v1/persistentvolumes/static-small")
             ["status"]["phase"] == "Released")


def test_claim_of_unknown_class_stays_pending_with_an_event(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "nowhere"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gold",
                             "resources": {"requests": {"storage": "1Gi"}}}})
    events = f"/api/v1/namespaces/{NS}/events?fieldSelector=involvedObject.name%3Dnowhere"
    event = wait_for("ProvisioningFailed", lambda: [e for e in get(cluster, events)["items"]
                                                    if e["reason"] == "ProvisioningFailed"])
    assert 'storageclass.storage.k8s.io "gold" not found' in event[0]["message"]
    assert get(cluster, f"/api/v1/namespaces/{NS}/persistentvolumeclaims/nowhere")[
        "status"]["phase"] == "Pending"


def test_cronjob_runs_a_due_schedule_and_records_it(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "every"},
                    "spec": {"schedule": "@every 1s", "concurrencyPolicy": "Forbid",
                             "jobTemplate": {"metadata": {"labels": {"from": "cron"}},
                                             "spec": {"template": {"spec": {
                                                 "restartPolicy": "Never", "containers": [
                                                     {"name": "c", "image": "x:1"}]}}}}}})
    jobs = f"/apis/batch/v1/namespaces/{NS}/jobs?labelSelector=from%3Dcron"
    first = wait_for("a job", lambda: get(cluster, jobs)["items"])
    assert first[0]["metadata"]["ownerReferences"][0]["name"] == "every"
    cj = get(cluster, f"/apis/batch/v1/namespaces/{NS}/cronjobs/every")
    assert cj["status"]["lastScheduleTime"] and len(cj["status"]["active"]) == 1
    time.sleep(2.5)
    assert len(get(cluster, jobs)["items"]) == 1  # Forbid: the first is still running
    cluster.kubectl("patch", "-n", NS, "cronjob/every", "-p", '{"spec":{"suspend":true}}')


def test_cronjob_keeps_only_its_history_limits(cluster: Cluster) -> None:
    # Job names count minutes (as upstream's), so this CronJob starts one Job a minute at most.
    apply(cluster, {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "often"},
                    "spec": {"schedule": "@every 1s", "successfulJobsHistoryLimit": 0,
                             "jobTemplate": {"metadata": {"labels": {"from": "often"}},
                                             "spec": {"template": {"spec": {
                                                 "restartPolicy": "Never", "containers": [
                                                     {"name": "c", "image": "x:1"}]}}}}}})
    jobs = f"/apis/batch/v1/namespaces/{NS}/jobs?labelSelector=from%3Doften"
    first = wait_for("a job", lambda: get(cluster, jobs)["items"])[0]["metadata"]["name"]
    cluster.kubectl("patch", "-n", NS, "cronjob/often", "-p", '{"spec":{"suspend":true}}')
    # Play the job controller's last word: the Job completes.
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    r = cluster.api("PATCH", f"/apis/batch/v1/namespaces/{NS}/jobs/{first}/status",
                    data=json.dumps({"status": {"completionTime": now, "conditions": [
                        {"type": "Complete", "status": "True"}]}}),
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    wait_for("the finished job deleted",
             lambda: get(cluster, f"/apis/batch/v1/namespaces/{NS}/jobs/{first}") is None)
    cj = wait_for("lastSuccessfulTime", lambda: (c := get(
        cluster, f"/apis/batch/v1/namespaces/{NS}/cronjobs/often"))["status"].get(
        "lastSuccessfulTime") and c)
    assert cj["status"]["lastSuccessfulTime"] == now and not cj["status"].get("active")


def test_indexed_job_completes_when_every_index_succeeded(cluster: Cluster) -> None:
    apply(cluster, job("indexed", completions=3, parallelism=3, completionMode="Indexed"))
    sel = "batch.kubernetes.io/job-name=indexed"
    running = wait_for("3 pods", lambda: (p := pods(cluster, sel)) and len(p) == 3 and p)
    index = "batch.kubernetes.io/job-completion-index"
    assert sorted(p["metadata"]["annotations"][index] for p in running) == ["0", "1", "2"]
    for p in running:
        set_phase(cluster, p["metadata"]["name"], "Succeeded")
    path = f"/apis/batch/v1/namespaces/{NS}/jobs/indexed"
    done = complete(cluster, path)
    assert done["status"]["completedIndexes"] == "0-2" and done["status"]["succeeded"] == 3


def test_wait_for_first_consumer_binds_once_a_pod_is_scheduled(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "late"},
        "provisioner": "minicube.io/hostpath", "volumeBindingMode": "WaitForFirstConsumer"}))
    apply(cluster, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "lazy"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "late",
                             "resources": {"requests": {"storage": "1Mi"}}}})
    events = f"/api/v1/namespaces/{NS}/events?fieldSelector=involvedObject.name%3Dlazy"
    wait_for("WaitForFirstConsumer", lambda: [e for e in get(cluster, events)["items"]
                                              if e["reason"] == "WaitForFirstConsumer"])
    path = f"/api/v1/namespaces/{NS}/persistentvolumeclaims/lazy"
    assert get(cluster, path)["status"]["phase"] == "Pending"
    apply(cluster, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "consumer"},
                    "spec": {"nodeName": "testnode",
                             "containers": [{"name": "c", "image": "x:1"}],
                             "volumes": [{"name": "d",
                                          "persistentVolumeClaim": {"claimName": "lazy"}}]}})
    claim = bound(cluster, path)
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "testnode"


def test_statefulset_rolls_from_the_highest_ordinal_down_to_the_partition(
        cluster: Cluster) -> None:
    def sts(image: str) -> dict[str, Any]:
        return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "roll"},
                "spec": {"replicas": 3, "podManagementPolicy": "Parallel",
                         "updateStrategy": {"type": "RollingUpdate",
                                            "rollingUpdate": {"partition": 1}},
                         "selector": {"matchLabels": {"app": "roll"}},
                         "template": {"metadata": {"labels": {"app": "roll"}}, "spec": {
                             "containers": [{"name": "c", "image": image}]}}}}
    apply(cluster, sts("x:1"))
    names = ["roll-0", "roll-1", "roll-2"]
    path = f"/api/v1/namespaces/{NS}/pods/"
    wait_for("3 pods at once (Parallel)", lambda: all(get(cluster, path + n) for n in names))
    for n in names:
        set_phase(cluster, n, "Running", ready=True)
    old = {n: get(cluster, path + n)["metadata"]["uid"] for n in names}
    apply(cluster, sts("x:2"))

    def image(n: str) -> str | None:
        pod = get(cluster, path + n)
        return pod and not pod["metadata"].get("deletionTimestamp") and \
            pod["spec"]["containers"][0]["image"]
    wait_for("roll-2 replaced", lambda: image("roll-2") == "x:2")
    assert get(cluster, path + "roll-1")["metadata"]["uid"] == old["roll-1"]  # one at a time
    set_phase(cluster, "roll-2", "Running", ready=True)
    wait_for("roll-1 replaced", lambda: image("roll-1") == "x:2")
    set_phase(cluster, "roll-1", "Running", ready=True)
    sts_path = f"/apis/apps/v1/namespaces/{NS}/statefulsets/roll"
    status = wait_for("2 updated", lambda: (s := get(cluster, sts_path)["status"])
                      .get("updatedReplicas") == 2 and s.get("readyReplicas") == 3 and s)
    assert get(cluster, path + "roll-0")["metadata"]["uid"] == old["roll-0"]  # below partition
    assert status["currentRevision"] != status["updateRevision"]


def test_a_claim_in_use_is_kept_until_its_pod_goes(cluster: Cluster) -> None:
    apply(cluster, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "busy"},
                    "spec": {"accessModes": ["ReadWriteOnce"],
                             "resources": {"requests": {"storage": "1Mi"}}}})
    path = f"/api/v1/namespaces/{NS}/persistentvolumeclaims/busy"
    claim = bound(cluster, path)
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    apply(cluster, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"},
                    "spec": {"containers": [{"name": "c", "image": "x:1"}],
                             "volumes": [{"name": "d",
                                          "persistentVolumeClaim": {"claimName": "busy"}}]}})
    cluster.kubectl("delete", "-n", NS, "pvc", "busy", "--wait=false")
    time.sleep(0.5)
    assert get(cluster, path)["metadata"]["deletionTimestamp"]  # Terminating, still there
    cluster.kubectl("delete", "-n", NS, "pod", "user", "--grace-period=0", "--force")
    wait_for("the claim gone", lambda: get(cluster, path) is None)
    volume = f"/api/v1/persistentvolumes/{claim['spec']['volumeName']}"
    wait_for("its volume gone too", lambda: get(cluster, volume) is None)


def history_sts(image: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "hist"},
            "spec": {"replicas": 0, "revisionHistoryLimit": 2,
                     "selector": {"matchLabels": {"app": "hist"}},
                     "template": {"metadata": {"labels": {"app": "hist"}}, "spec": {
                         "containers": [{"name": "c", "image": image}]}}}}


def hist_revisions(cluster: Cluster) -> dict[int, tuple[str, str]]:
    """revision number -> (name, image in its data) of set `hist`'s ControllerRevisions."""
    r = cluster.api("GET", f"/apis/apps/v1/namespaces/{NS}/controllerrevisions")
    return {rev["revision"]: (rev["metadata"]["name"],
                              rev["data"]["spec"]["template"]["spec"]["containers"][0]["image"])
            for rev in r.json()["items"] if rev["metadata"]["name"].startswith("hist-")}


def test_rollout_history_and_undo_of_a_statefulset(cluster: Cluster) -> None:
    for image in ("x:1", "x:2"):
        cluster.kubectl("apply", "-n", NS, "-f", "-", input=json.dumps(history_sts(image)))
        wait_for(f"a revision of {image}",
                 lambda: image in (img for _, img in hist_revisions(cluster).values()))
    assert {n: img for n, (_, img) in hist_revisions(cluster).items()} == {1: "x:1", 2: "x:2"}
    listed = cluster.kubectl("get", "controllerrevisions", "-n", NS).stdout
    assert re.search(r"^hist-\w+\s+statefulset\.apps/hist\s+2\s", listed, re.M), listed
    history = cluster.kubectl("rollout", "history", "statefulset/hist", "-n", NS).stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M), history

    cluster.kubectl("rollout", "undo", "statefulset/hist", "-n", NS)
    live = cluster.api("GET", f"/apis/apps/v1/namespaces/{NS}/statefulsets/hist").json()
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "x:1"
    # The old template's revision is renumbered as the newest, not copied.
    wait_for("x:1 renumbered 3", lambda: {n: img for n, (_, img) in hist_revisions(cluster).items()}
             == {2: "x:2", 3: "x:1"})

    for image in ("x:3", "x:4"):  # revisionHistoryLimit 2 keeps the current + 2 others
        cluster.kubectl("apply", "-n", NS, "-f", "-", input=json.dumps(history_sts(image)))
    wait_for("the oldest revision trimmed",
             lambda: sorted(img for _, img in hist_revisions(cluster).values())
             == ["x:1", "x:3", "x:4"])


def partitioned(image: str, partition: int, start: int = 0) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "part"},
            "spec": {"replicas": 3, "podManagementPolicy": "Parallel", "ordinals": {"start": start},
                     "updateStrategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"partition": partition}},
                     "selector": {"matchLabels": {"app": "part"}},
                     "template": {"metadata": {"labels": {"app": "part"}}, "spec": {
                         "containers": [{"name": "c", "image": image}]}}}}


def live_pod(cluster: Cluster, name: str) -> dict[str, Any] | None:
    pod = get(cluster, f"/api/v1/namespaces/{NS}/pods/{name}")
    return pod if pod and not pod["metadata"].get("deletionTimestamp") else None


def image_now(cluster: Cluster, name: str) -> str | None:
    pod = live_pod(cluster, name)
    return pod["spec"]["containers"][0]["image"] if pod else None


def test_a_deleted_pod_below_the_partition_returns_on_the_current_revision(cluster: Cluster) -> None:
    # Ordinals 5, 6, 7: the partition (2) counts from the first ordinal, so 7 alone updates.
    apply(cluster, partitioned("x:1", 2, start=5))
    names = ["part-5", "part-6", "part-7"]
    wait_for("3 pods", lambda: all(live_pod(cluster, n) for n in names))
    for n in names:
        set_phase(cluster, n, "Running", ready=True)
    sts_path = f"/apis/apps/v1/namespaces/{NS}/statefulsets/part"
    first = wait_for("the first revision current", lambda: (s := get(cluster, sts_path)["status"])
                     .get("currentRevision") and s.get("readyReplicas") == 3 and s)
    apply(cluster, partitioned("x:2", 2, start=5))
    wait_for("part-7 updated", lambda: image_now(cluster, "part-7") == "x:2")
    set_phase(cluster, "part-7", "Running", ready=True)
    status = wait_for("1 updated", lambda: (s := get(cluster, sts_path)["status"])
                      .get("updatedReplicas") == 1 and s.get("readyReplicas") == 3 and s)
    assert status["currentRevision"] == first["currentRevision"] != status["updateRevision"]

    for name, image, revision in (("part-5", "x:1", status["currentRevision"]),
                                  ("part-7", "x:2", status["updateRevision"])):
        uid = live_pod(cluster, name)["metadata"]["uid"]  # type: ignore[index]
        cluster.kubectl("delete", "pod", name, "-n", NS, "--wait=false")
        pod = wait_for(f"{name} re-created", lambda: (p := live_pod(cluster, name))
                       and p["metadata"]["uid"] != uid and p)
        assert pod["spec"]["containers"][0]["image"] == image
        assert pod["metadata"]["labels"]["controller-revision-hash"] == revision
        set_phase(cluster, name, "Running", ready=True)
    assert image_now(cluster, "part-6") == "x:1"

    # Lowering the partition to 0 rolls the rest onto the update revision.
    apply(cluster, partitioned("x:2", 0, start=5))
    for name in ("part-6", "part-5"):
        wait_for(f"{name} updated", lambda: image_now(cluster, name) == "x:2")
        set_phase(cluster, name, "Running", ready=True)
    done = wait_for("the roll complete", lambda: (s := get(cluster, sts_path)["status"])
                    .get("currentRevision") == s.get("updateRevision") and s)
    assert done["currentReplicas"] == 3
