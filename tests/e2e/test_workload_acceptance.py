"""Issue 3 acceptance items not covered by test_workloads / test_batch_storage / test_pods:
CrashLoopBackOff with a growing delay and de-duplicated BackOff Events, and a CronJob on a
real one-minute schedule keeping only its history limit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

NS = "e2e-accept"


@pytest.fixture(scope="module")
def ns(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("create", "namespace", NS)
    yield cluster
    cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def apply(c: Cluster, obj: dict[str, Any]) -> None:
    obj = {**obj, "metadata": {**obj["metadata"], "namespace": NS}}
    c.kubectl("apply", "-f", "-", stdin=json.dumps(obj))


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_crashing_container_backs_off_longer_each_time(ns: Cluster) -> None:
    apply(ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crasher"},
               "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                   {"name": "c", "image": HELLO_IMAGE, "imagePullPolicy": "Never",
                    "command": ["sh", "-c", "exit 3"]}]}})
    starts: dict[int, datetime] = {}  # attempt -> its start time, read from lastState
    waiting: set[str] = set()

    def third_restart() -> bool:
        status = (ns.get_json("pod", "crasher", "-n", NS)["status"].get("containerStatuses")
                  or [{}])[0]
        count = status.get("restartCount", 0)
        last = (status.get("lastState") or {}).get("terminated")
        waiting.add(((status.get("state") or {}).get("waiting") or {}).get("reason", ""))
        if count and last:
            starts.setdefault(count - 1, _ts(last["startedAt"]))
        return count >= 3 and {0, 1, 2} <= starts.keys()

    wait_for("three restarts of the crashing container", third_restart, timeout=150)
    gaps = [(starts[i + 1] - starts[i]).total_seconds() for i in range(2)]
    # Upstream: 10 s, then 20 s (doubling); allow for a second of timestamp rounding.
    assert gaps[0] >= 9 and gaps[1] >= gaps[0] + 8, gaps
    assert "CrashLoopBackOff" in waiting
    described = wait_for("a BackOff event seen more than once", lambda: (
        lambda out: out if re.search(r"BackOff\s+\S+\s+\(x\d+ over \S+\)", out) else None)(
            ns.kubectl("describe", "pod", "crasher", "-n", NS).stdout), timeout=60)
    assert "Back-off restarting failed container c" in described
    for reason in ("Scheduled", "Pulled", "Created", "Started"):
        assert re.search(rf"^\s+Normal\s+{reason}\s", described, re.M), (reason, described)
    assert f'Container image "{HELLO_IMAGE}" already present on machine' in described
    backoffs = [e for e in ns.get_json("events", "-n", NS, "--field-selector",
                                       "involvedObject.name=crasher")["items"]
                if e["reason"] == "BackOff"]
    assert len(backoffs) == 1 and backoffs[0]["count"] > 1  # one Event, counted


def test_a_cronjob_every_minute_keeps_only_its_history_limit(ns: Cluster) -> None:
    apply(ns, {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
               "spec": {"schedule": "* * * * *", "successfulJobsHistoryLimit": 1,
                        "failedJobsHistoryLimit": 1, "jobTemplate": {"spec": {"template": {
                            "spec": {"restartPolicy": "Never",
                                     "terminationGracePeriodSeconds": 1, "containers": [
                                         {"name": "t", "image": HELLO_IMAGE,
                                          "imagePullPolicy": "Never",
                                          "command": ["sh", "-c", "true"]}]}}}}}})
    created: set[str] = set()

    def jobs() -> list[dict[str, Any]]:
        items = ns.get_json("jobs", "-n", NS)["items"]
        created.update(j["metadata"]["name"] for j in items)
        return items

    def second_done_and_first_gone() -> bool:
        items = jobs()
        done = [j for j in items if (j.get("status") or {}).get("succeeded")]
        return len(created) >= 2 and len(items) == 1 and len(done) == 1

    wait_for("a second scheduled Job, with only the newest kept", second_done_and_first_gone,
             timeout=200, interval=2)
    assert all(re.fullmatch(r"tick-\d+", name) for name in created), created
    ns.kubectl("delete", "cronjob", "tick", "-n", NS)


def _ready_pods(c: Cluster, selector: str) -> list[dict[str, Any]]:
    return [p for p in c.get_json("pods", "-n", NS, "-l", selector)["items"]
            if not p["metadata"].get("deletionTimestamp") and any(
                x["type"] == "Ready" and x["status"] == "True"
                for x in p["status"].get("conditions") or [])]


def _template(name: str, labels: dict[str, str], env: str, **extra: Any) -> dict[str, Any]:
    return {"metadata": {"labels": labels}, "spec": {
        "terminationGracePeriodSeconds": 1, "containers": [
            {"name": name, "image": HELLO_IMAGE, "imagePullPolicy": "Never",
             "env": [{"name": "V", "value": env}], **extra}]}}


def test_a_deployment_scales_to_ten_and_back_to_one(ns: Cluster) -> None:
    apply(ns, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "many"},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "many"}},
                        "template": _template("hello", {"app": "many"}, "1")}})
    ns.kubectl("scale", "deploy/many", "-n", NS, "--replicas=10")
    wait_for("10 ready pods", lambda: len(_ready_pods(ns, "app=many")) == 10, timeout=180)
    ns.kubectl("scale", "deploy/many", "-n", NS, "--replicas=1")
    wait_for("1 pod left", lambda: len([p for p in ns.get_json(
        "pods", "-n", NS, "-l", "app=many")["items"]]) == 1, timeout=120)
    ns.kubectl("delete", "deploy/many", "-n", NS)


def _sts(env: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"serviceName": "db", "replicas": 3, "podManagementPolicy": "Parallel",
                     "selector": {"matchLabels": {"app": "db"}},
                     "template": _template("db", {"app": "db"}, env, volumeMounts=[
                         {"name": "data", "mountPath": "/data"}]),
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": "10Mi"}}}}]}}


def _env_of(c: Cluster, pod: str) -> str:
    return str(c.get_json("pod", pod, "-n", NS)["spec"]["containers"][0]["env"][0]["value"])


def test_statefulset_history_undo_and_data_through_a_restart(ns: Cluster) -> None:
    apply(ns, _sts("1"))
    wait_for("3 ready members", lambda: len(_ready_pods(ns, "app=db")) == 3, timeout=180)
    ns.kubectl("exec", "db-1", "-n", NS, "--", "sh", "-c", "echo kept > /data/f")
    apply(ns, _sts("2"))
    ns.kubectl("rollout", "status", "sts/db", "-n", NS, "--timeout=180s", timeout=200)
    history = ns.kubectl("rollout", "history", "sts/db", "-n", NS).stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M), history
    ns.kubectl("rollout", "undo", "sts/db", "-n", NS)
    ns.kubectl("rollout", "status", "sts/db", "-n", NS, "--timeout=180s", timeout=200)
    assert {_env_of(ns, f"db-{i}") for i in range(3)} == {"1"}
    revs = {r["revision"]: r["metadata"]["name"]
            for r in ns.get_json("controllerrevisions", "-n", NS)["items"]
            if r["metadata"]["name"].startswith("db-")}
    assert sorted(revs) == [2, 3]  # revision 1 came back as 3
    ns.kubectl("scale", "sts/db", "-n", NS, "--replicas=1")
    wait_for("db-1 gone", lambda: not ns.kubectl("get", "pod", "db-1", "-n", NS,
                                                 "--ignore-not-found").stdout, timeout=60)
    ns.kubectl("scale", "sts/db", "-n", NS, "--replicas=3")
    wait_for("3 ready again", lambda: len(_ready_pods(ns, "app=db")) == 3, timeout=180)
    try:
        ns.mc("stop")
    finally:
        ns.mc("start")  # leave the shared cluster running whatever happened
    # Ready conditions from before the stop linger until the kubelet has re-run each pod, so
    # wait for db-1's container itself to answer.
    wait_for("db-1 to read its data after the restart", lambda: ns.kubectl(
        "exec", "db-1", "-n", NS, "--", "cat", "/data/f", check=False).stdout == "kept\n", timeout=180)
    wait_for("3 ready after the restart", lambda: len(_ready_pods(ns, "app=db")) == 3, timeout=180)
    ns.kubectl("delete", "sts/db", "-n", NS)


def test_daemonset_rollout_history_and_undo(ns: Cluster) -> None:
    def ds(env: str) -> dict[str, Any]:
        return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                "spec": {"selector": {"matchLabels": {"app": "agent"}},
                         "template": _template("agent", {"app": "agent"}, env)}}
    apply(ns, ds("1"))
    ns.kubectl("rollout", "status", "ds/agent", "-n", NS, "--timeout=120s", timeout=150)
    apply(ns, ds("2"))
    ns.kubectl("rollout", "status", "ds/agent", "-n", NS, "--timeout=120s", timeout=150)
    history = ns.kubectl("rollout", "history", "ds/agent", "-n", NS).stdout
    assert re.search(r"^2\s", history, re.M), history
    ns.kubectl("rollout", "undo", "ds/agent", "-n", NS)
    ns.kubectl("rollout", "status", "ds/agent", "-n", NS, "--timeout=120s", timeout=150)
    live = ns.get_json("ds", "agent", "-n", NS)
    assert live["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "1"
    wait_for("the pod on the old template", lambda: [
        _env_of(ns, p["metadata"]["name"]) for p in _ready_pods(ns, "app=agent")] == ["1"],
        timeout=120)
    ns.kubectl("delete", "ds/agent", "-n", NS)
