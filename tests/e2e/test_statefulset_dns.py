"""A headless Service and a StatefulSet: `web-0.nginx` resolves to web-0's IP from another pod
(issue 4)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

NS = "stsdns"
MANIFEST = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nginx", "namespace": NS},
     "spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"port": 8080, "name": "web"}]}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": NS},
     "spec": {"serviceName": "nginx", "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                  "terminationGracePeriodSeconds": 0,
                  "containers": [{"name": "web", "image": HELLO_IMAGE, "imagePullPolicy": "Never"}]}}}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": NS},
     "spec": {"terminationGracePeriodSeconds": 0,
              "containers": [{"name": "c", "image": HELLO_IMAGE, "imagePullPolicy": "Never"}]}},
]}


@pytest.fixture(scope="module")
def sts(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(MANIFEST))
    try:
        cluster.kubectl("rollout", "status", "statefulset/web", "-n", NS, "--timeout=120s", timeout=150)
        cluster.kubectl("wait", "--for=condition=Ready", "pod/client", "-n", NS, "--timeout=60s", timeout=90)
        yield cluster
    finally:
        cluster.kubectl("delete", "namespace", NS, "--wait=false")


def test_each_statefulset_pod_has_a_stable_dns_name(sts: Cluster) -> None:
    for ordinal in (0, 1):
        ip = sts.get_json("pod", f"web-{ordinal}", "-n", NS)["status"]["podIP"]

        def resolved() -> str | None:
            # busybox nslookup ignores the search path: ask the full name (wget below uses the short one)
            out = sts.kubectl("exec", "client", "-n", NS, "--", "nslookup",
                              f"web-{ordinal}.nginx.{NS}.svc.cluster.local", check=False).stdout
            return out if ip in out else None
        wait_for(f"web-{ordinal}.nginx to resolve to {ip}", resolved, timeout=30)
    answer = sts.kubectl("exec", "client", "-n", NS, "--", "wget", "-q", "-O-", "http://web-1.nginx:8080/").stdout
    assert "hello from web-1" in answer
