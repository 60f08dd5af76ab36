"""Kinds charts carry with every app — ServiceAccount, RBAC, quotas and limits, priority
classes, leases, autoscalers and disruption budgets — through the real kubectl's own
generators (protobuf bodies) and apply, with upstream's columns."""

from __future__ import annotations

import pytest
import yaml

from tests.integration.conftest import Cluster

pytestmark = pytest.mark.integration

NS = "access"


@pytest.fixture(scope="module", autouse=True)
def namespace(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)


def _header(cluster: Cluster, *args: str) -> list[str]:
    return cluster.kubectl("get", *args).stdout.splitlines()[0].split()


def test_kubectl_create_generators_for_accounts_and_rbac(cluster: Cluster) -> None:
    cluster.kubectl("create", "serviceaccount", "builder", "-n", NS)
    cluster.kubectl("create", "role", "reader", "-n", NS, "--verb=get,list", "--resource=pods")
    cluster.kubectl("create", "rolebinding", "read", "-n", NS, "--role=reader",
                    f"--serviceaccount={NS}:builder")
    cluster.kubectl("create", "clusterrole", "viewer", "--verb=get", "--resource=nodes")
    cluster.kubectl("create", "clusterrolebinding", "view", "--clusterrole=viewer", "--user=jane")
    assert _header(cluster, "sa", "-n", NS) == ["NAME", "SECRETS", "AGE"]
    binding = cluster.kubectl("get", "rolebinding", "read", "-n", NS, "-o", "wide").stdout.splitlines()
    assert binding[0].split()[:3] == ["NAME", "ROLE", "AGE"] and "Role/reader" in binding[1]
    assert f"{NS}/builder" in binding[1]
    role = yaml.safe_load(cluster.kubectl("get", "role", "reader", "-n", NS, "-o", "yaml").stdout)
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]
    assert "ClusterRole/viewer" in cluster.kubectl("get", "clusterrolebinding", "view").stdout


def test_a_binding_to_a_missing_kind_of_role_is_refused(cluster: Cluster) -> None:
    bad = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
           "metadata": {"name": "bad"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                    "kind": "Role", "name": "x"}}
    result = cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(bad), check=False)
    assert result.returncode == 1 and 'roleRef.kind: Unsupported value: "Role"' in result.stderr


def test_autoscale_pdb_and_priority_classes(cluster: Cluster) -> None:
    cluster.kubectl("create", "deployment", "web", "-n", NS, "--image=minicube/hello:1")
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
           "metadata": {"name": "web", "namespace": NS},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "minReplicas": 2, "maxReplicas": 5, "metrics": [{"type": "Resource", "resource": {
                        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(hpa))
    rows = cluster.kubectl("get", "hpa", "web", "-n", NS).stdout.splitlines()
    assert rows[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert rows[1].split()[1:5] == ["Deployment/web", "<unknown>/70%", "2", "5"]
    cluster.kubectl("create", "poddisruptionbudget", "web", "-n", NS, "--selector=app=web", "--min-available=1")
    assert _header(cluster, "pdb", "-n", NS) == ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE",
                                                 "ALLOWED", "DISRUPTIONS", "AGE"]
    cluster.kubectl("create", "priorityclass", "high", "--value=1000", "--description=important")
    row = cluster.kubectl("get", "pc", "high").stdout.splitlines()[1].split()
    assert row[:3] == ["high", "1000", "false"]


def test_quota_limits_and_leases_apply_and_list(cluster: Cluster) -> None:
    docs = [
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": NS},
         "spec": {"hard": {"pods": "10", "requests.cpu": "2", "limits.memory": "4Gi"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l", "namespace": NS},
         "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}},
        {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "leader", "namespace": NS},
         "spec": {"holderIdentity": "pod-a", "leaseDurationSeconds": 15}},
    ]
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    quota = cluster.kubectl("get", "quota", "q", "-n", NS).stdout
    assert "pods: 0/10" in quota and "limits.memory: 0/4Gi" in quota
    assert "pod-a" in cluster.kubectl("get", "lease", "leader", "-n", NS).stdout
    assert "limits" in cluster.kubectl("api-resources", "--namespaced=true").stdout


def test_pods_run_as_the_default_service_account(cluster: Cluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sa-pod", "namespace": NS},
           "spec": {"containers": [{"name": "c", "image": "minicube/hello:1"}]}}
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(pod))
    got = yaml.safe_load(cluster.kubectl("get", "pod", "sa-pod", "-n", NS, "-o", "yaml").stdout)
    assert got["spec"]["serviceAccountName"] == "default"
