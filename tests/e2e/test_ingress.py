"""Ingress on a real cluster: nginx in the node routes host and path rules to Services,
answers from the host at the node's address, follows rule changes within seconds, and
serves TLS from a Secret by SNI.

Two hello pods (`alpha`, `beta`; each answers `hello from <pod name>`) behind two Services.
busybox httpd serves only `/`, so the path rules carry `rewrite-target: /`, as the classic
ingress-nginx example does.
"""

from __future__ import annotations

import json
import socket
import ssl
from pathlib import Path

import pytest
from cryptography import x509

from minicube.ingress.certs import self_signed_pem
from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "ing"
REWRITE = {"nginx.ingress.kubernetes.io/rewrite-target": "/"}


def _pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
            "spec": {"containers": [{"name": "c", "image": HELLO_IMAGE,
                                     "ports": [{"name": "http", "containerPort": 8080}]}],
                     "terminationGracePeriodSeconds": 0}}


def _service(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": {"app": name},
                     "ports": [{"name": "web", "port": 80, "targetPort": "http"}]}}


def _path(path: str, service: str, path_type: str = "Prefix") -> dict:
    return {"path": path, "pathType": path_type,
            "backend": {"service": {"name": service, "port": {"name": "web"}}}}


def _ingress(b_service: str = "beta") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "demo", "namespace": NS, "annotations": REWRITE},
            "spec": {"rules": [
                {"host": "demo.local", "http": {"paths": [
                    _path("/a", "alpha"), _path("/b", b_service), _path("/none", "nobody", "Exact")]}},
                {"host": "beta.local", "http": {"paths": [_path("/", "beta")]}}]}}


MANIFEST = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
    _pod("alpha"), _pod("beta"), _service("alpha"), _service("beta"), _service("nobody"),
    _ingress()]}


def _get(ip: str, host: str, path: str) -> tuple[int, str]:
    """One plain HTTP/1.0 request to the node's port 80 (no library proxies or redirects)."""
    with socket.create_connection((ip, 80), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        raw = b"".join(iter(lambda: s.recv(65536), b""))
    head, _, body = raw.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture(scope="module")
def ing(cluster: Cluster) -> tuple[Cluster, str]:
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(MANIFEST))
    for name in ("alpha", "beta"):
        wait_for(f"endpoints of {name}", lambda n=name: cluster.get_json("endpoints", n, "-n", NS)
                 .get("subsets"), timeout=120)
    return cluster, cluster.mc("ip").stdout.strip()


def test_default_ingress_class_nginx_exists(ing: tuple[Cluster, str]) -> None:
    cluster, _ = ing
    out = cluster.kubectl("get", "ingressclass", "nginx").stdout
    assert "k8s.io/ingress-nginx" in out
    annotations = cluster.get_json("ingressclass", "nginx")["metadata"]["annotations"]
    assert annotations["ingressclass.kubernetes.io/is-default-class"] == "true"


def test_paths_and_hosts_reach_their_services_from_the_host(ing: tuple[Cluster, str]) -> None:
    _, ip = ing
    wait_for("/a on demo.local to answer from alpha",
             lambda: "hello from alpha" in _get(ip, "demo.local", "/a")[1], timeout=30)
    assert _get(ip, "demo.local", "/b/deeper") == (200, "hello from beta: (no GREETING set)\n")
    assert "hello from beta" in _get(ip, "beta.local", "/")[1]
    assert _get(ip, "demo.local", "/none/x")[0] == 404  # Exact matches only itself
    assert _get(ip, "demo.local", "/none")[0] == 503  # a Service with no endpoints
    assert _get(ip, "nobody.local", "/a")[0] == 404  # no rule for this host


def test_kubectl_get_ingress_shows_the_node_address(ing: tuple[Cluster, str]) -> None:
    cluster, ip = ing
    wait_for("the ingress ADDRESS", lambda: cluster.kubectl("get", "ing", "demo", "-n", NS)
             .stdout.split("\n")[1].split()[3] == ip, timeout=30)
    header = cluster.kubectl("get", "ingress", "-n", NS).stdout.split("\n")[0].split()
    assert header == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]


def test_a_rule_change_takes_effect_within_seconds(ing: tuple[Cluster, str]) -> None:
    cluster, ip = ing
    wait_for("/b to answer from beta", lambda: "hello from beta" in _get(ip, "demo.local", "/b")[1])
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(_ingress(b_service="alpha")))
    wait_for("/b to move to alpha", lambda: "hello from alpha" in _get(ip, "demo.local", "/b")[1],
             timeout=5, interval=0.1)


def test_tls_is_served_from_the_secret_by_sni(ing: tuple[Cluster, str], tmp_path: Path) -> None:
    cluster, ip = ing
    pem = self_signed_pem("secure.local")
    cert, key = pem.split("-----BEGIN PRIVATE KEY-----")
    (tmp_path / "tls.crt").write_text(cert)
    (tmp_path / "tls.key").write_text("-----BEGIN PRIVATE KEY-----" + key)
    cluster.kubectl("create", "secret", "tls", "secure", "-n", NS, f"--cert={tmp_path / 'tls.crt'}",
                    f"--key={tmp_path / 'tls.key'}")
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "secure", "namespace": NS},
        "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["secure.local"], "secretName": "secure"}],
                 "rules": [{"host": "secure.local", "http": {"paths": [_path("/", "alpha")]}}]}}))
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE

    def served_cn() -> str:
        with socket.create_connection((ip, 443), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname="secure.local") as s:
            der = s.getpeercert(binary_form=True) or b""
            s.sendall(b"GET / HTTP/1.0\r\nHost: secure.local\r\n\r\n")
            body = b"".join(iter(lambda: s.recv(65536), b"")).decode(errors="replace")
        name = x509.load_der_x509_certificate(der).subject.rfc4514_string()
        return name if "hello from alpha" in body else ""

    assert wait_for("secure.local's own certificate", served_cn, timeout=15) == "CN=secure.local"
    # plain HTTP is redirected to HTTPS for a TLS host (once nginx has reloaded everywhere)
    wait_for("the redirect to HTTPS", lambda: _get(ip, "secure.local", "/")[0] == 308, timeout=15)


def test_routes_work_again_after_a_restart(ing: tuple[Cluster, str]) -> None:
    cluster, _ = ing
    cluster.mc("stop")
    cluster.mc("start")
    ip = cluster.mc("ip").stdout.strip()

    def answers() -> bool:
        try:
            return "hello from alpha" in _get(ip, "demo.local", "/a")[1]
        except OSError:  # nginx not listening yet
            return False
    wait_for("/a on demo.local to answer again", answers, timeout=60)
    assert "hello from beta" in _get(ip, "beta.local", "/")[1]
