"""StatefulSet, DaemonSet, Job, CronJob, PV, PVC and StorageClass through the real kubectl:
defaults, validation, Tables and discovery (the API side of issue 3's parts 2 and 6)."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.integration.conftest import Cluster

NS = "batchstore"
TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "minicube/hello:1"}]}}


def _apply(cluster: Cluster, obj: dict, check: bool = True):  # type: ignore[no-untyped-def]
    return cluster.kubectl("apply", "-n", NS, "-f", "-", input=json.dumps(obj), check=check)


@pytest.fixture(scope="module", autouse=True)
def namespace(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS, check=False)


def sts(name: str = "web", **spec: object) -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": name, "replicas": 2,
                     "selector": {"matchLabels": {"app": "web"}},
                     "template": TEMPLATE,
                     "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": "1Gi"}}}}], **spec}}


def test_statefulset_defaults_columns_and_categories(cluster: Cluster) -> None:
    _apply(cluster, sts())
    got = json.loads(cluster.kubectl("get", "-n", NS, "sts", "web", "-o", "json").stdout)
    spec = got["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                           "whenScaled": "Retain"}
    assert spec["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    header = cluster.kubectl("get", "-n", NS, "statefulsets").stdout.splitlines()[0].split()
    assert header == ["NAME", "READY", "AGE"]
    assert "statefulset.apps/web" in cluster.kubectl("get", "all", "-n", NS).stdout


def test_statefulset_spec_is_mostly_immutable(cluster: Cluster) -> None:
    _apply(cluster, sts("frozen"))
    out = _apply(cluster, sts("frozen", serviceName="other"), check=False)
    assert out.returncode == 1
    assert "updates to statefulset spec for fields other than 'replicas'" in out.stderr


def test_statefulset_template_must_match_selector(cluster: Cluster) -> None:
    bad = sts("bad", selector={"matchLabels": {"app": "other"}})
    out = _apply(cluster, bad, check=False)
    assert "`selector` does not match template `labels`" in out.stderr


def test_job_selector_and_labels_are_generated(cluster: Cluster) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
           "spec": {"completions": 2, "template": {"spec": {
               "restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]}}}}
    _apply(cluster, job)
    got = json.loads(cluster.kubectl("get", "-n", NS, "job", "pi", "-o", "json").stdout)
    uid = got["metadata"]["uid"]
    assert got["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = got["spec"]["template"]["metadata"]["labels"]
    assert labels["batch.kubernetes.io/job-name"] == "pi" and labels["controller-uid"] == uid
    assert (got["spec"]["parallelism"], got["spec"]["backoffLimit"]) == (1, 6)
    lines = cluster.kubectl("get", "-n", NS, "jobs").stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert lines[1].split()[:3] == ["pi", "Running", "0/2"]


def test_job_restart_policy_always_is_refused(cluster: Cluster) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "always"},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}
    out = _apply(cluster, job, check=False)
    assert ('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: '
            '"OnFailure", "Never"') in out.stderr


def test_cronjob_columns_and_bad_schedule(cluster: Cluster) -> None:
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
          "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {"spec": {
              "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "x:1"}]}}}}}}
    _apply(cluster, cj)
    lines = cluster.kubectl("get", "-n", NS, "cj").stdout.splitlines()
    assert lines[0].split() == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE",
                                "LAST", "SCHEDULE", "AGE"]
    assert lines[1].split()[:6] == ["tick", "@hourly", "<none>", "False", "0", "<none>"]
    got = json.loads(cluster.kubectl("get", "-n", NS, "cj", "tick", "-o", "json").stdout)
    assert (got["spec"]["concurrencyPolicy"], got["spec"]["successfulJobsHistoryLimit"],
            got["spec"]["failedJobsHistoryLimit"]) == ("Allow", 3, 1)
    cj["metadata"]["name"] = "broken"
    cj["spec"]["schedule"] = "every minute"
    out = _apply(cluster, cj, check=False)
    assert 'spec.schedule: Invalid value: "every minute": expected exactly 5 fields' in out.stderr
    cj["spec"]["schedule"], cj["spec"]["timeZone"] = "* * * * *", "Mars/Olympus"
    out = _apply(cluster, cj, check=False)
    assert 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone' in out.stderr


def test_create_job_from_cronjob(cluster: Cluster) -> None:
    cluster.kubectl("create", "job", "-n", NS, "manual", "--from=cronjob/tick")
    got = json.loads(cluster.kubectl("get", "-n", NS, "job", "manual", "-o", "json").stdout)
    assert got["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert got["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"


def test_daemonset_columns(cluster: Cluster) -> None:
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
          "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE}}
    _apply(cluster, ds)
    header = cluster.kubectl("get", "-n", NS, "ds").stdout.splitlines()[0].split()
    assert header == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE",
                      "SELECTOR", "AGE"]
    got = json.loads(cluster.kubectl("get", "-n", NS, "ds", "agent", "-o", "json").stdout)
    assert got["spec"]["updateStrategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}


def test_storage_kinds_columns_and_validation(cluster: Cluster) -> None:
    docs = [
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
         "metadata": {"name": "fast", "annotations": {
             "storageclass.kubernetes.io/is-default-class": "true"}},
         "provisioner": "example.com/fast"},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv1"},
         "spec": {"capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
                  "hostPath": {"path": "/tmp/pv1"}, "storageClassName": "fast"}},
    ]
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    sc = cluster.kubectl("get", "sc").stdout.splitlines()
    assert sc[0].split() == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                             "ALLOWVOLUMEEXPANSION", "AGE"]
    assert sc[1].split()[:6] == ["fast", "(default)", "example.com/fast", "Delete", "Immediate",
                                 "false"]
    pv = cluster.kubectl("get", "pv").stdout.splitlines()
    assert pv[0].split() == ["NAME", "CAPACITY", "ACCESS", "MODES", "RECLAIM", "POLICY",
                             "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS",
                             "REASON", "AGE"]
    assert pv[1].split()[:6] == ["pv1", "2Gi", "RWO,ROX", "Retain", "Pending", "fast"]
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
           "spec": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}
    _apply(cluster, pvc)
    header = cluster.kubectl("get", "-n", NS, "pvc").stdout.splitlines()[0].split()
    assert header == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS",
                      "VOLUMEATTRIBUTESCLASS", "AGE"]
    pvc["metadata"]["name"] = "nosize"
    del pvc["spec"]["resources"]
    out = _apply(cluster, pvc, check=False)
    assert "spec.resources[storage]: Required value" in out.stderr
    bad_pv = {**docs[1], "metadata": {"name": "pv2"},
              "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteSometimes"]}}
    out = cluster.kubectl("apply", "-f", "-", input=json.dumps(bad_pv), check=False)
    assert 'spec.accessModes: Unsupported value: "ReadWriteSometimes"' in out.stderr
    assert "spec: Required value: must specify a volume type" in out.stderr
    cluster.kubectl("delete", "sc", "fast")
