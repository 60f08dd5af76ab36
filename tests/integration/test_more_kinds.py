"""Kinds charts carry with every app — ServiceAccount, RBAC, quotas and limits, priority
classes, leases, autoscalers and disruption budgets — through the real kubectl's own
generators (protobuf bodies) and apply, with upstream's columns."""

from __future__ import annotations

import pytest
import requests
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
    assert rows[1].split()[1:6] == ["Deployment/web", "cpu:", "<unknown>/70%", "2", "5"]
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


def test_kubectl_create_token_authenticates_as_the_service_account(cluster: Cluster) -> None:
    cluster.kubectl("create", "serviceaccount", "robot", "-n", NS)
    token = cluster.kubectl("create", "token", "robot", "-n", NS, "--duration=20m").stdout.strip()
    assert token.count(".") == 2
    ca = str(cluster.pki_dir / "ca.crt")
    ok = requests.get(f"{cluster.https_url}/api/v1/namespaces/{NS}/serviceaccounts", verify=ca,
                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert ok.status_code == 200 and "robot" in ok.text
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    bad = requests.get(f"{cluster.https_url}/api/v1/namespaces/{NS}/serviceaccounts", verify=ca,
                       headers={"Authorization": f"Bearer {forged}"}, timeout=10)
    assert bad.status_code == 401
    missing = cluster.kubectl("create", "token", "nobody", "-n", NS, check=False)
    assert missing.returncode == 1 and 'serviceaccounts "nobody" not found' in missing.stderr
    short = cluster.kubectl("create", "token", "robot", "-n", NS, "--duration=1m", check=False)
    assert short.returncode == 1 and "spec.expirationSeconds" in short.stderr


def test_auth_can_i_whoami_and_access_reviews(cluster: Cluster) -> None:
    assert cluster.kubectl("auth", "can-i", "*", "*").stdout.strip() == "yes"
    assert cluster.kubectl("auth", "can-i", "delete", "pods", "-n", NS).stdout.strip() == "yes"
    rules = cluster.kubectl("auth", "can-i", "--list", "-n", NS).stdout
    assert "*.*" in rules
    who = cluster.kubectl("auth", "whoami", "-o", "json").stdout
    assert '"username": "minicube-admin"' in who and "system:masters" in who
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
              "spec": {"user": "jane", "resourceAttributes": {"verb": "get", "resource": "pods"}}}
    answer = cluster.api("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", json=review)
    assert answer.status_code == 201 and answer.json()["status"]["allowed"] is True
    review["spec"]["nonResourceAttributes"] = {"path": "/healthz", "verb": "get"}
    refused = cluster.api("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", json=review)
    assert refused.status_code == 422 and "exactly one of" in refused.json()["message"]


def test_kubectl_top_and_cluster_info(cluster: Cluster) -> None:
    # The metrics API is served; this fixture's kubelet (port 9) never answers.
    top = cluster.kubectl("top", "pods", "-n", NS, check=False)
    assert top.returncode == 1 and "ServiceUnavailable" in top.stderr and "kubelet" in top.stderr
    assert "Kubernetes control plane is running at" in cluster.kubectl("cluster-info").stdout


def test_events_k8s_io_events_are_stored_with_their_own_shape(cluster: Cluster) -> None:
    event = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e1", "namespace": NS},
             "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "example.com/ctl",
             "reportingInstance": "ctl-1", "action": "Sync", "reason": "Synced", "type": "Normal",
             "regarding": {"kind": "Pod", "name": "web", "namespace": NS}, "note": "all good"}
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(event))
    rows = cluster.kubectl("get", "events.v1.events.k8s.io", "-n", NS).stdout.splitlines()
    assert rows[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert rows[1].split()[1:] == ["Normal", "Synced", "pod/web", "all", "good"]
    bad = cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump({**event, "metadata": {
        "name": "e2", "namespace": NS}, "type": "Odd", "action": ""}), check=False)
    assert bad.returncode == 1 and "action: Required value" in bad.stderr and 'type: Unsupported value: "Odd"' in bad.stderr
