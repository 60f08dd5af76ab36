"""`minicube logs --bundle`: one archive with what a red CI run needs, secrets redacted."""

from __future__ import annotations

import tarfile
from pathlib import Path

import yaml

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

POD = f"""
apiVersion: v1
kind: Secret
metadata: {{name: bundle-secret}}
stringData: {{token: hunter2}}
---
apiVersion: v1
kind: Pod
metadata: {{name: bundle-pod}}
spec:
  containers: [{{name: hello, image: "{HELLO_IMAGE}", imagePullPolicy: Never}}]
"""


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}


def test_bundle_holds_logs_objects_events_and_redacted_secrets(cluster: Cluster, tmp_path: Path) -> None:
    cluster.kubectl("apply", "-f", "-", stdin=POD)
    wait_for("the pod to run", lambda: cluster.get_json("pod", "bundle-pod")["status"].get("phase") == "Running")
    try:
        path = tmp_path / "debug.tar.gz"
        cluster.mc("logs", "--bundle", str(path))
        files = _members(path)
    finally:
        cluster.kubectl("delete", "secret", "bundle-secret")
        cluster.kubectl("delete", "pod", "bundle-pod", "--grace-period=0")
    assert files["node/control-plane.log"].strip() and files["node/dockerd.log"].strip()
    assert {"status.json", "versions.json", "node/inspect.json", "events.txt"} <= files.keys()
    assert "errors.txt" not in files, files.get("errors.txt")
    nodes = list(yaml.safe_load_all(files["objects/v1/nodes.yaml"]))
    assert nodes[0]["metadata"]["name"] == cluster.profile
    secrets = {s["metadata"]["name"]: s for s in yaml.safe_load_all(files["objects/v1/secrets.yaml"])}
    assert secrets["bundle-secret"]["data"] == {"token": "REDACTED"}
    assert b"hunter2" not in b"".join(files.values())
    assert any(name.startswith("logs/default/bundle-pod/hello/") for name in files), sorted(files)
