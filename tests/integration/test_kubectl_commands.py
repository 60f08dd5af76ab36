"""Everyday kubectl commands against the in-process API server: what a user sees, and exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Cluster

NS = "kc-cmds"


@pytest.fixture(scope="module", autouse=True)
def namespace(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)


def k(cluster: Cluster, *args: str, check: bool = True, input: str | None = None):
    return cluster.kubectl("-n", NS, *args, check=check, input=input)


@pytest.mark.parametrize("args", [
    ("deployment", "web", "--image=nginx:1.25", "--replicas=2"),
    ("service", "clusterip", "websvc", "--tcp=80:8080"),
    ("configmap", "cfg", "--from-literal=a=1"),
    ("secret", "generic", "sec", "--from-literal=pw=x"),
    ("job", "once", "--image=busybox"),
    ("cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *"),
    ("ingress", "ing", "--rule=example.com/=websvc:80"),
])
def test_create_subcommands_make_the_object(cluster: Cluster, args: tuple[str, ...]) -> None:
    out = k(cluster, "create", *args).stdout
    assert "created" in out
    again = k(cluster, "create", *args, check=False)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_get_output_formats(cluster: Cluster) -> None:
    k(cluster, "create", "configmap", "fmt", "--from-literal=x=1")
    k(cluster, "label", "configmap", "fmt", "tier=front")
    assert k(cluster, "get", "cm", "fmt", "-o", "name").stdout.strip() == "configmap/fmt"
    assert yaml.safe_load(k(cluster, "get", "cm", "fmt", "-o", "yaml").stdout)["data"] == {"x": "1"}
    assert json.loads(k(cluster, "get", "cm", "fmt", "-o", "json").stdout)["metadata"]["labels"] == {"tier": "front"}
    assert k(cluster, "get", "cm", "fmt", "-o", "jsonpath={.data.x}").stdout == "1"
    cc = k(cluster, "get", "cm", "fmt", "-o", "custom-columns=N:.metadata.name,T:.metadata.labels.tier").stdout
    assert cc.split() == ["N", "T", "fmt", "front"]
    assert "tier=front" in k(cluster, "get", "cm", "fmt", "--show-labels").stdout
    assert k(cluster, "get", "cm", "-l", "tier=front", "-o", "name").stdout.split() == ["configmap/fmt"]
    names = k(cluster, "get", "cm", "--field-selector", "metadata.name=fmt", "-o", "name").stdout.split()
    assert names == ["configmap/fmt"]
    sorted_names = k(cluster, "get", "cm", "--sort-by=.metadata.name", "-o", "name").stdout.split()
    assert sorted_names == sorted(sorted_names)
    everywhere = cluster.kubectl("get", "cm", "-A").stdout
    assert "NAMESPACE" in everywhere and NS in everywhere


def test_get_wide_and_watch(cluster: Cluster) -> None:
    k(cluster, "create", "deployment", "wide", "--image=nginx:1.25")
    header = k(cluster, "get", "deploy", "wide", "-o", "wide").stdout.splitlines()[0].split()
    assert {"CONTAINERS", "IMAGES", "SELECTOR"} <= set(header)
    watched = k(cluster, "get", "deploy", "wide", "-w", "--request-timeout=2s", check=False)
    assert "wide" in watched.stdout


def test_label_annotate_scale_set_and_rollout_history(cluster: Cluster) -> None:
    k(cluster, "create", "deployment", "roll", "--image=nginx:1.25")
    assert "labeled" in k(cluster, "label", "deploy", "roll", "team=a").stdout
    assert "annotated" in k(cluster, "annotate", "deploy", "roll", "note=hi").stdout
    overwrite = k(cluster, "label", "deploy", "roll", "team=b", check=False)
    assert overwrite.returncode == 1 and "already has a value" in overwrite.stderr
    assert "scaled" in k(cluster, "scale", "deploy", "roll", "--replicas=3").stdout
    assert k(cluster, "get", "deploy", "roll", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    assert "image updated" in k(cluster, "set", "image", "deploy/roll", "nginx=nginx:1.26").stdout
    assert "env updated" in k(cluster, "set", "env", "deploy/roll", "MODE=prod").stdout
    spec = json.loads(k(cluster, "get", "deploy", "roll", "-o", "json").stdout)["spec"]["template"]["spec"]
    assert spec["containers"][0]["image"] == "nginx:1.26"
    assert {"name": "MODE", "value": "prod"} in spec["containers"][0]["env"]
    assert "paused" in k(cluster, "rollout", "pause", "deploy/roll").stdout
    assert "resumed" in k(cluster, "rollout", "resume", "deploy/roll").stdout
    assert "restarted" in k(cluster, "rollout", "restart", "deploy/roll").stdout


def test_edit_with_an_editor_script(cluster: Cluster, tmp_path: Path) -> None:
    k(cluster, "create", "configmap", "ed", "--from-literal=k=old")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/k: old/k: new/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env_before = os.environ.get("KUBE_EDITOR")
    os.environ["KUBE_EDITOR"] = str(editor)
    try:
        assert "edited" in k(cluster, "edit", "cm", "ed").stdout
    finally:
        os.environ.pop("KUBE_EDITOR")
        if env_before is not None:
            os.environ["KUBE_EDITOR"] = env_before
    assert k(cluster, "get", "cm", "ed", "-o", "jsonpath={.data.k}").stdout == "new"


def test_replace_apply_delete_and_not_found(cluster: Cluster) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rep", "namespace": NS}, "data": {"a": "1"}}
    assert "created" in k(cluster, "apply", "-f", "-", input=json.dumps(cm)).stdout
    cm["data"] = {"a": "2"}
    assert "replaced" in k(cluster, "replace", "-f", "-", input=json.dumps(cm)).stdout
    assert "deleted" in k(cluster, "delete", "cm", "rep").stdout
    missing = k(cluster, "get", "cm", "rep", check=False)
    assert missing.returncode == 1 and 'configmaps "rep" not found' in missing.stderr
    invalid = k(cluster, "create", "configmap", "Bad_Name", check=False)
    assert invalid.returncode == 1 and "Invalid" in invalid.stderr


def test_wait_for_jsonpath_and_delete(cluster: Cluster) -> None:
    k(cluster, "create", "configmap", "w8", "--from-literal=ready=yes")
    assert k(cluster, "wait", "cm/w8", "--for=jsonpath={.data.ready}=yes", "--timeout=5s").returncode == 0
    k(cluster, "delete", "cm", "w8", "--wait=false")
    assert k(cluster, "wait", "cm/w8", "--for=delete", "--timeout=5s").returncode == 0


def test_describe_shows_events(cluster: Cluster) -> None:
    k(cluster, "create", "deployment", "desc", "--image=nginx:1.25")
    out = k(cluster, "describe", "deployment", "desc").stdout
    assert "Name:" in out and "desc" in out and "Events:" in out
    k(cluster, "create", "service", "clusterip", "descsvc", "--tcp=80:8080")
    svc = k(cluster, "describe", "service", "descsvc").stdout
    assert "TargetPort:" in svc and "8080/TCP" in svc


@pytest.mark.parametrize("args,expect", [
    (("api-resources",), "deployments"),
    (("api-versions",), "apps/v1"),
    (("explain", "pod.spec.containers"), "image\t<string>"),
    (("cluster-info",), "is running at"),
    (("version",), "Server Version"),
    (("config", "view"), "current-context"),
    (("events", "-A"), ""),
])
def test_informational_commands(cluster: Cluster, args: tuple[str, ...], expect: str) -> None:
    assert expect in cluster.kubectl(*args).stdout


def test_run_and_expose(cluster: Cluster) -> None:
    assert "created" in k(cluster, "run", "solo", "--image=nginx:1.25", "--port=80").stdout
    assert "exposed" in k(cluster, "expose", "pod", "solo", "--port=80").stdout
    assert k(cluster, "get", "svc", "solo", "-o", "jsonpath={.spec.selector.run}").stdout == "solo"
