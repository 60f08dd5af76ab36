"""A CI job's smoke test, as users run it (issue 6): apply a multi-file app with `--wait`, hit it
through the NodePort and the Ingress, delete it; and the same with a broken set, which must fail
early, say why, and leave a readable debug bundle."""

from __future__ import annotations

import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

import yaml

from tests.e2e.conftest import HELLO_IMAGE, Cluster

NS = "smoke"


def _write(directory: Path, name: str, *docs: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(yaml.safe_dump_all(docs))


def _deployment(name: str, **container: object) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"terminationGracePeriodSeconds": 0, "containers": [
                    {"name": name, "image": HELLO_IMAGE, "imagePullPolicy": "Never", **container}]}}}}


def _app(directory: Path) -> None:
    _write(directory, "00-namespace.yaml", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    _write(directory / "config", "settings.yaml",
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": NS},
            "data": {"GREETING": "smoke-ok"}},
           {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token", "namespace": NS},
            "stringData": {"SECRET_TOKEN": "s3cr3t"}})
    _write(directory, "storage.yaml",
           {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": NS},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Mi"}}}})
    web = _deployment("web", envFrom=[{"configMapRef": {"name": "settings"}}, {"secretRef": {"name": "token"}}],
                      ports=[{"containerPort": 8080}], volumeMounts=[{"name": "data", "mountPath": "/data"}])
    web["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    _write(directory, "web.yaml", web,
           {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": NS},
            "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 8080}]}},
           {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": NS},
            "spec": {"rules": [{"host": "smoke.local", "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 8080}}}}]}}]}})
    _write(directory, "migrate.yaml",
           {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": NS},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "migrate", "image": HELLO_IMAGE, "imagePullPolicy": "Never",
                 "command": ["sh", "-c", "echo migrated"]}]}}}})


def _http(ip: str, port: int, host: str | None = None) -> str:
    request = urllib.request.Request(f"http://{ip}:{port}/", headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def test_an_app_applies_waits_answers_and_goes(cluster: Cluster, tmp_path: Path) -> None:
    _app(tmp_path)
    try:
        result = cluster.mc("apply", "-f", str(tmp_path), "--wait", "--timeout", "3m", timeout=240)
        assert result.returncode == 0 and "all 8 object(s) ready" in result.stderr, result.stderr
        ip = cluster.mc("ip").stdout.strip()
        port = cluster.get_json("svc", "web", "-n", NS)["spec"]["ports"][0]["nodePort"]
        assert "smoke-ok" in _http(ip, port)
        assert "smoke-ok" in _http(ip, 80, host="smoke.local")
    finally:
        cluster.mc("delete", "-f", str(tmp_path), "--wait", "--timeout", "3m", timeout=240)
    assert cluster.kubectl("get", "namespace", NS, check=False).returncode != 0


def test_a_broken_set_fails_early_names_both_reasons_and_leaves_a_bundle(cluster: Cluster, tmp_path: Path) -> None:
    app = tmp_path / "app"
    _write(app, "ns.yaml", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
           {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "queue", "namespace": NS},
            "stringData": {"password": "queue-pass-123"}})
    _write(app, "broken.yaml",
           _deployment("crasher", command=["sh", "-c", "echo fatal: cannot reach the queue; exit 1"]),
           _deployment("unloaded", image="example.com/never-loaded:1"))
    try:
        began = time.monotonic()
        result = cluster.mc("apply", "-f", str(app), "--wait", "--timeout", "5m", check=False, timeout=360)
        assert time.monotonic() - began < 150, "the failure was certain long before the timeout"
        assert result.returncode == 9, result.stderr
        out = result.stderr
        assert "Deployment smoke/crasher" in out and "CrashLoopBackOff" in out
        assert "Deployment smoke/unloaded" in out and "ErrImageNeverPull" in out
        assert "fatal: cannot reach the queue" in out
        bundle = tmp_path / "bundle.tar.gz"
        cluster.mc("logs", "--bundle", str(bundle))
        listing = subprocess.run(["tar", "tzf", str(bundle)], capture_output=True, text=True, check=True).stdout
        for part in ("node/control-plane.log", "node/dockerd.log", "node/inspect.json", "status.json",
                     "versions.json", "events.txt",
                     "objects/apps_v1/deployments.yaml", "objects/v1/secrets.yaml"):
            assert part in listing, part
        assert "/logs/smoke/crasher-" in listing
        with tarfile.open(bundle) as tar:
            names = [m for m in tar.getmembers() if m.name.endswith("objects/v1/secrets.yaml")]
            secrets = tar.extractfile(names[0]).read().decode()  # type: ignore[union-attr]
        queue = next(d for d in yaml.safe_load_all(secrets) if d["metadata"]["name"] == "queue")
        assert queue["data"] == {"password": "REDACTED"}
        with tarfile.open(bundle) as tar:
            everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())  # type: ignore[union-attr]
        assert b"queue-pass-123" not in everything
    finally:
        cluster.mc("delete", "-f", str(app), "--timeout", "2m", timeout=180)
