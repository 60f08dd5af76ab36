"""A 3-replica Deployment behind a ClusterIP Service: requests by name reach every backend, and
once a deleted pod has left the endpoints no request fails (issue 4)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

NS = "balance"
MANIFEST = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": NS},
     "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                  "terminationGracePeriodSeconds": 5,
                  "containers": [{"name": "web", "image": HELLO_IMAGE, "imagePullPolicy": "Never",
                                  "ports": [{"name": "http", "containerPort": 8080}],
                                  "readinessProbe": {"httpGet": {"path": "/", "port": "http"},
                                                     "periodSeconds": 1}}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": NS},
     "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": NS},
     "spec": {"terminationGracePeriodSeconds": 0,
              "containers": [{"name": "c", "image": HELLO_IMAGE, "imagePullPolicy": "Never"}]}},
]}
# Each request prints the answering pod's line, or FAIL.
REQUESTS = "for i in $(seq {n}); do timeout 3 wget -q -O- http://web/ || echo FAIL; done"


@pytest.fixture(scope="module")
def balance(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(MANIFEST))
    try:
        cluster.kubectl("rollout", "status", "deployment/web", "-n", NS, "--timeout=120s", timeout=150)
        cluster.kubectl("wait", "--for=condition=Ready", "pod/client", "-n", NS, "--timeout=60s", timeout=90)
        wait_for("3 ready endpoints", lambda: len(_endpoint_ips(cluster)) == 3)
        yield cluster
    finally:
        cluster.kubectl("delete", "namespace", NS, "--wait=false")


def _endpoint_ips(cluster: Cluster) -> set[str]:
    ep = cluster.get_json("endpoints", "web", "-n", NS)
    return {a["ip"] for s in ep.get("subsets") or [] for a in s.get("addresses") or []}


def _requests(cluster: Cluster, n: int) -> Counter[str]:
    out = cluster.kubectl("exec", "client", "-n", NS, "--", "sh", "-c", REQUESTS.format(n=n),
                          timeout=600).stdout
    return Counter(m.group(1) if (m := re.match(r"hello from (\S+):", line)) else line.strip()
                   for line in out.splitlines() if line.strip())


def test_300_requests_by_name_reach_all_three_backends(balance: Cluster) -> None:
    answers = _requests(balance, 300)
    assert answers["FAIL"] == 0 and sum(answers.values()) == 300, answers
    assert len(answers) == 3 and min(answers.values()) >= 30, answers  # random balancing


def test_no_request_fails_once_a_deleted_pod_has_left_the_endpoints(balance: Cluster) -> None:
    victim = balance.get_json("pods", "-n", NS, "-l", "app=web")["items"][0]
    balance.kubectl("delete", "pod", victim["metadata"]["name"], "-n", NS, "--wait=false")
    wait_for("the deleted pod to leave the endpoints",
             lambda: victim["status"]["podIP"] not in _endpoint_ips(balance), timeout=30, interval=0.2)
    answers = _requests(balance, 100)
    assert answers["FAIL"] == 0, answers
    assert victim["metadata"]["name"] not in answers
