"""The everyday kubectl commands against a real cluster (the in-process API suite checks each
in depth; this checks them with the controllers and the kubelet behind the API): a small app
is labelled, annotated, edited, exposed, autoscaled, read back in every output format,
watched, waited on, and removed with `delete all --all`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "e2e-tour"


@pytest.fixture(scope="module")
def app(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("create", "namespace", NS)
    cluster.kubectl("create", "deployment", "tour", f"--image={HELLO_IMAGE}", "--replicas=2",
                    "-n", NS)
    cluster.kubectl("rollout", "status", "deployment/tour", "-n", NS, "--timeout=90s")
    yield cluster
    cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def test_cluster_facts(app: Cluster) -> None:
    assert "Kubernetes control plane is running at https://" in app.kubectl("cluster-info").stdout
    version = json.loads(app.kubectl("version", "-o", "json").stdout)
    assert version["serverVersion"]["minor"] == "32"
    assert "apps/v1" in app.kubectl("api-versions").stdout.split()
    resources = app.kubectl("api-resources", "-o", "name").stdout.split()
    assert {"pods", "deployments.apps", "customresourcedefinitions.apiextensions.k8s.io"} <= set(resources)
    assert app.kubectl("auth", "can-i", "delete", "nodes").stdout.strip() == "yes"
    assert "replicas" in app.kubectl("explain", "deployment.spec").stdout
    described = app.kubectl("describe", "node", app.profile).stdout
    assert re.search(rf"Lease:\s+HolderIdentity:\s+{app.profile}", described)  # the node's Lease
    top = wait_for("node metrics (two samples, 15 s apart)", lambda: (
        out if (out := app.kubectl("top", "nodes", check=False)).returncode == 0 else None),
        timeout=60)
    header, row = top.stdout.splitlines()[:2]
    assert header.split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    assert row.split()[0] == app.profile


def test_label_annotate_and_read_back_in_every_format(app: Cluster) -> None:
    app.kubectl("label", "deployment", "tour", "tier=web", "-n", NS)
    app.kubectl("annotate", "deployment", "tour", "owner=team-a", "-n", NS)
    labels = app.kubectl("get", "deployment", "tour", "-n", NS, "--show-labels").stdout
    assert "tier=web" in labels.splitlines()[1]
    assert app.kubectl("get", "deploy", "-n", NS, "-l", "tier=web", "-o", "name").stdout.strip() == \
        "deployment.apps/tour"
    assert app.kubectl("get", "deploy", "tour", "-n", NS, "-o",
                       "jsonpath={.metadata.annotations.owner}").stdout == "team-a"
    columns = app.kubectl("get", "pods", "-n", NS, "-o",
                          "custom-columns=NAME:.metadata.name,PHASE:.status.phase",
                          "--sort-by=.metadata.name").stdout.splitlines()
    assert columns[0].split() == ["NAME", "PHASE"] and len(columns) == 3
    assert [line.split()[1] for line in columns[1:]] == ["Running", "Running"]
    assert columns[1:] == sorted(columns[1:])
    running = app.kubectl("get", "pods", "-n", NS, "--field-selector=status.phase=Running",
                          "-o", "name").stdout.split()
    assert len(running) == 2
    assert "tour" in app.kubectl("get", "all", "-n", NS).stdout


def test_edit_changes_the_object(app: Cluster) -> None:
    # kubectl edit runs $EDITOR on a temporary file: a one-line Python edit stands in for a person
    editor = f"{sys.executable} -c \"import sys; p=sys.argv[1]; s=open(p).read(); " \
             f"open(p,'w').write(s.replace('replicas: 2', 'replicas: 3'))\""
    env = {**app.env, "KUBE_EDITOR": editor}
    argv = ["kubectl", f"--kubeconfig={app.kubeconfig}", f"--cache-dir={app.cache_dir}",
            "--context", app.profile, "edit", "deployment", "tour", "-n", NS]
    edited = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert edited.returncode == 0, edited.stderr
    assert "edited" in edited.stdout
    app.kubectl("rollout", "status", "deployment/tour", "-n", NS, "--timeout=90s")
    assert app.get_json("deployment", "tour", "-n", NS)["status"]["readyReplicas"] == 3


def test_expose_autoscale_and_scale_back(app: Cluster) -> None:
    app.kubectl("expose", "deployment", "tour", "--port=80", "--target-port=8080", "-n", NS)
    svc = app.get_json("service", "tour", "-n", NS)
    assert svc["spec"]["selector"] == {"app": "tour"} and svc["spec"]["clusterIP"]
    wait_for("the Service's endpoints", lambda: len(
        (app.get_json("endpoints", "tour", "-n", NS).get("subsets") or [{}])[0].get("addresses") or []) == 3)
    app.kubectl("autoscale", "deployment", "tour", "--min=1", "--max=4", "--cpu-percent=70", "-n", NS)
    row = app.kubectl("get", "hpa", "tour", "-n", NS).stdout.splitlines()[1].split()
    assert row[:3] == ["tour", "Deployment/tour", "cpu:"] and row[3].endswith("/70%")
    assert row[4:6] == ["1", "4"]
    app.kubectl("scale", "deployment", "tour", "--replicas=1", "-n", NS)
    app.kubectl("wait", "--for=jsonpath={.status.replicas}=1", "deployment/tour", "-n", NS,
                "--timeout=60s")


def test_watch_sees_a_change_and_wait_for_delete_returns(app: Cluster) -> None:
    argv = ["kubectl", f"--kubeconfig={app.kubeconfig}", f"--cache-dir={app.cache_dir}",
            "--context", app.profile, "get", "configmaps", "-n", NS, "-w", "-o", "name"]
    watcher = subprocess.Popen(argv, env=app.env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == "configmap/kube-root-ca.crt"
        app.kubectl("create", "configmap", "watched", "-n", NS, "--from-literal=a=1")
        assert watcher.stdout.readline().strip() == "configmap/watched"
    finally:
        watcher.kill()
        watcher.wait()
    app.kubectl("delete", "configmap", "watched", "-n", NS, "--wait=false")
    app.kubectl("wait", "--for=delete", "configmap/watched", "-n", NS, "--timeout=30s")


def test_delete_all_removes_the_app(app: Cluster) -> None:
    app.kubectl("delete", "all", "--all", "-n", NS, "--timeout=90s")
    wait_for("every pod of the app to go", lambda: not app.get_json("pods", "-n", NS)["items"])
    assert app.kubectl("get", "all", "-n", NS, "-o", "name").stdout.strip() == ""
