"""In-cluster clients with small TLS stacks reach the API server: busybox wget (its own TLS
1.2 code: no signature_algorithms, no certificate checks) over the `kubernetes` Service."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "tls-clients"


def test_busybox_wget_reads_the_api_over_https(cluster: Cluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "wget", "namespace": NS},
           "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 0, "containers": [{
               "name": "c", "image": HELLO_IMAGE, "command": [
                   "wget", "-q", "-O", "-", "https://kubernetes.default.svc/version"]}]}}
    cluster.kubectl("create", "namespace", NS)
    try:
        cluster.kubectl("apply", "-f", "-", stdin=json.dumps(pod))
        phase = wait_for("the wget pod to finish", lambda: (cluster.get_json(
            "pod", "wget", "-n", NS).get("status") or {}).get("phase") in ("Succeeded", "Failed")
            and cluster.get_json("pod", "wget", "-n", NS)["status"]["phase"])
        logs = cluster.kubectl("logs", "wget", "-n", NS).stdout
        assert phase == "Succeeded", logs
        assert json.loads(logs[logs.index("{"):])["minor"] == "32"
    finally:
        cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)
