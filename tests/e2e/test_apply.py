"""`minicube apply -f --wait` and `minicube delete -f`: apply a folder, wait until it works,
say exactly why when it does not."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import HELLO_IMAGE, Cluster

NAMESPACE = """apiVersion: v1
kind: Namespace
metadata: {name: applied}
"""
CONFIG = """apiVersion: v1
kind: ConfigMap
metadata: {name: greeting, namespace: applied}
data: {GREETING: from-minicube-apply}
"""
POD = f"""apiVersion: v1
kind: Pod
metadata: {{name: web, namespace: applied, labels: {{app: web}}}}
spec:
  containers:
  - name: web
    image: {HELLO_IMAGE}
    imagePullPolicy: Never
    envFrom: [{{configMapRef: {{name: greeting}}}}]
"""


def _pod(name: str, image: str, command: list[str] | None = None) -> str:
    cmd = f"\n    command: {json.dumps(command)}" if command else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  restartPolicy: Always\n"
            f"  containers:\n  - name: main\n    image: {image}\n    imagePullPolicy: Never{cmd}\n")


def test_a_folder_applies_in_dependency_order_and_waits_until_ready(cluster: Cluster, tmp_path: Path) -> None:
    # written so that a naive order (file name) would create the pod before its namespace
    (tmp_path / "a-pod.yaml").write_text(POD)
    (tmp_path / "b-config.yaml").write_text(CONFIG)
    (tmp_path / "z-namespace.yaml").write_text(NAMESPACE)
    try:
        result = cluster.mc("apply", "-f", str(tmp_path), "--wait", "--timeout", "120s", "-o", "json")
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert [e["object"] for e in lines if e.get("result") == "applied"] == [
            "Namespace applied", "ConfigMap applied/greeting", "Pod applied/web"]
        assert all(e["state"] == "ready" for e in lines if "state" in e)
        pod = cluster.get_json("pod", "web", "-n", "applied", "--show-managed-fields")
        assert pod["metadata"]["managedFields"][0]["manager"] == "minicube"
    finally:
        cluster.mc("delete", "-f", str(tmp_path), "--wait", "--timeout", "120s")
    assert "applied" not in cluster.kubectl("get", "namespaces", "-o", "name").stdout


def test_a_missing_image_fails_early_with_the_reason_and_events(cluster: Cluster, tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(_pod("no-image", "minicube/not-loaded:1"))
    try:
        result = cluster.mc("apply", "-f", str(manifest), "--wait", "--timeout", "300s", check=False)
        assert result.returncode == 9, result.stderr
        assert "ErrImageNeverPull" in result.stderr and "Pod default/no-image" in result.stderr
    finally:
        cluster.mc("delete", "-f", str(manifest))


def test_a_crash_loop_shows_the_last_log_lines(cluster: Cluster, tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(_pod("crasher", HELLO_IMAGE, ["sh", "-c", "echo boom-marker; exit 3"]))
    try:
        result = cluster.mc("apply", "-f", str(manifest), "--wait", "--timeout", "300s", check=False)
        assert result.returncode == 9, result.stderr
        assert "CrashLoopBackOff" in result.stderr and "boom-marker" in result.stderr
    finally:
        cluster.mc("delete", "-f", str(manifest))


def test_bad_input_is_refused_before_anything_is_applied(cluster: Cluster, tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: half-done}\n")
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n")
    result = cluster.mc("apply", "-f", str(tmp_path), check=False)
    assert result.returncode == 8, result.stderr
    assert "bad.yaml" in result.stderr and "Bad_Name" in result.stderr
    assert cluster.kubectl("get", "configmap", "half-done", check=False).returncode != 0
    (tmp_path / "bad.yaml").write_text("kind: [unclosed")
    result = cluster.mc("apply", "-f", str(tmp_path), check=False)
    assert result.returncode == 8 and "bad.yaml: not valid YAML" in result.stderr
