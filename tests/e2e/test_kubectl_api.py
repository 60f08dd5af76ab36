"""The API contract against a real cluster: protobuf creates, server-side apply of a pod the
kubelet runs, chunked lists, describe with the kubelet's events, and delete --wait."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "e2e-api"


@pytest.fixture(scope="module")
def ns(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("create", "namespace", NS)  # a protobuf body
    yield cluster
    cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def test_server_side_applied_pod_runs_and_describe_shows_kubelet_events(ns: Cluster) -> None:
    ns.kubectl("create", "configmap", "greeting", "-n", NS, "--from-literal=text=hi")  # protobuf
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ssa-web", "namespace": NS},
           "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
               "name": "web", "image": HELLO_IMAGE,
               "env": [{"name": "TEXT", "valueFrom": {"configMapKeyRef": {"name": "greeting", "key": "text"}}}]}]}}
    ns.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(pod))
    wait_for("the applied pod to run",
             lambda: ns.get_json("pod", "ssa-web", "-n", NS)["status"].get("phase") == "Running")
    described = wait_for("the kubelet's Started event in describe", lambda: (
        out if "Started" in (out := ns.kubectl("describe", "pod", "ssa-web", "-n", NS).stdout) else None))
    events = described[described.index("Events:"):]
    assert re.search(r"Normal\s+Scheduled", events) and re.search(r"Normal\s+Started.*container web", events)


def test_chunked_list_across_namespaces_sees_every_pod(ns: Cluster) -> None:
    full = ns.get_json("pods", "-A")["items"]
    chunked = ns.kubectl("get", "pods", "-A", "--chunk-size=1", "-o", "name").stdout.split()
    assert len(chunked) == len(full) >= 1 and "pod/ssa-web" in chunked


def test_delete_wait_returns_after_the_kubelet_stopped_the_pod(ns: Cluster) -> None:
    out = ns.kubectl("delete", "pod", "ssa-web", "-n", NS, "--wait", "--timeout=60s").stdout
    assert 'pod "ssa-web" deleted' in out
    assert ns.kubectl("get", "pod", "ssa-web", "-n", NS, check=False).returncode == 1
