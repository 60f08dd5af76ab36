"""In-cluster API access: a pod finds the API server through the `kubernetes` Service and its
environment, and its mounted ServiceAccount token and CA authenticate a call to it."""

from __future__ import annotations

import json

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

NS = "sa-e2e"
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def _sh(cluster: Cluster, script: str, check: bool = True) -> str:
    return cluster.kubectl("exec", "-n", NS, "client", "--", "sh", "-c", script, check=check).stdout


def test_a_pod_calls_the_api_with_its_mounted_token(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NS)
    try:
        wait_for("the default ServiceAccount", lambda: cluster.kubectl(
            "get", "sa", "default", "-n", NS, check=False).returncode == 0, timeout=30)
        cluster.kubectl("run", "client", "-n", NS, f"--image={HELLO_IMAGE}",
                        "--image-pull-policy=Never")
        wait_for("the pod to run", lambda: cluster.get_json(
            "pod", "client", "-n", NS)["status"].get("phase") == "Running")
        pod = cluster.get_json("pod", "client", "-n", NS)
        assert pod["spec"]["serviceAccountName"] == "default"
        assert any(m["mountPath"] == SA_DIR for m in pod["spec"]["containers"][0]["volumeMounts"])
        assert _sh(cluster, f"cat {SA_DIR}/namespace") == NS
        ca = cluster.get_json("cm", "kube-root-ca.crt", "-n", NS)["data"]["ca.crt"]
        assert _sh(cluster, f"cat {SA_DIR}/ca.crt") == ca
        env = _sh(cluster, "env")
        assert "KUBERNETES_SERVICE_HOST=10.96.0.1" in env and "KUBERNETES_SERVICE_PORT=443" in env
        # busybox's TLS client offers no ECDSA signatures, and the cluster's keys are ECDSA: the pod
        # proves the route (DNS, Service, a TLS server answering); the node's Python makes the
        # authenticated call with the pod's own token and CA, through the same ClusterIP.
        route = _sh(cluster, "wget -q -O- https://kubernetes.default.svc/api 2>&1", check=False)
        assert "TLS" in route, route
        token = _sh(cluster, f"cat {SA_DIR}/token")
        script = ("import ssl,sys,urllib.request as u;c=ssl.create_default_context(cadata=sys.argv[1]);"
                  "r=u.urlopen(u.Request('https://10.96.0.1/api',headers={'Authorization':'Bearer '+sys.argv[2]}),context=c);"
                  "print(r.status, r.read().decode())")
        answer = cluster.node_exec("python3", "-c", script, ca, token).stdout
        assert answer.startswith("200 ") and json.loads(answer[4:])["kind"] == "APIVersions"
        denied = cluster.node_exec("python3", "-c", script, ca, token[:-4] + "AAAA", check=False)
        assert denied.returncode != 0 and "401" in denied.stderr
    finally:
        cluster.kubectl("delete", "namespace", NS, "--wait=false", check=False)
