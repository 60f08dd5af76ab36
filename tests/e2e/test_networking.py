"""Services, cluster DNS, the iptables proxy and NodePorts on a real cluster.

Pods with labels and Services in their own namespace; a client pod runs busybox (the hello
image) and is driven with `docker exec` inside the node, as a user would `kubectl exec`.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for

pytestmark = pytest.mark.e2e

NS = "net"


def _pod(name: str, labels: dict[str, str], **spec: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": HELLO_IMAGE,
                                     "ports": [{"name": "http", "containerPort": 8080}]}],
                     "terminationGracePeriodSeconds": 0, **spec}}


def _service(name: str, selector: dict[str, str], **spec: object) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": selector, "ports": [{"name": "http", "port": 80,
                                                      "targetPort": "http"}], **spec}}


MANIFEST = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
    _pod("web-a", {"app": "web"}), _pod("web-b", {"app": "web"}),
    _pod("db-0", {"app": "db"}, hostname="db-0", subdomain="db"),
    _pod("client", {"role": "client"}),
    _service("web", {"app": "web"}),
    _service("web-np", {"app": "web"}, type="NodePort"),
    _service("db", {"app": "db"}, clusterIP="None"),
    _service("empty", {"app": "nothing"}),
    _service("web-lb", {"app": "web"}, type="LoadBalancer",
             ports=[{"port": 8081, "targetPort": "http"}]),
]}


@pytest.fixture(scope="module")
def net(cluster: Cluster) -> Cluster:
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(MANIFEST))
    _wait_ready(cluster, 2)
    return cluster


def _wait_ready(cluster: Cluster, web_pods: int) -> None:
    wait_for("the network test pods to be Ready", lambda: all(
        any(c["type"] == "Ready" and c["status"] == "True"
            for c in (p.get("status") or {}).get("conditions") or [])
        for p in cluster.get_json("pods", "-n", NS)["items"]) or None)
    wait_for(f"endpoints of web to list {web_pods} pods",
             lambda: len(_ready_ips(cluster, "web")) == web_pods)


def _ready_ips(cluster: Cluster, service: str) -> list[str]:
    ep = cluster.get_json("endpoints", service, "-n", NS)
    return [a["ip"] for s in ep.get("subsets") or [] for a in s.get("addresses") or []]


def in_client(cluster: Cluster, script: str) -> str:
    """Run a shell script in the client pod's container; its stdout and stderr ("" while
    the container is not running)."""
    running = cluster.node_exec(
        "docker", "ps", "-q", "--filter", "label=io.kubernetes.pod.name=client",
        "--filter", f"label=io.kubernetes.pod.namespace={NS}",
        "--filter", "label=io.kubernetes.container.name=c").stdout.split()
    if not running:
        return ""
    result = cluster.node_exec("docker", "exec", running[0], "sh", "-c", "exec 2>&1; " + script,
                               check=False)
    return result.stdout


def test_service_shows_its_cluster_ip_right_after_create(net: Cluster) -> None:
    table = net.kubectl("get", "svc", "web", "web-np", "db", "-n", NS, "-o", "wide").stdout
    lines = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    assert table.split()[:6] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert lines["web"][1] == "ClusterIP" and lines["web"][2].startswith("10.")
    assert lines["web-np"][4].startswith("80:3") and lines["web-np"][4].endswith("/TCP")
    assert lines["db"][2] == "None"


def test_pods_get_cluster_dns_in_resolv_conf(net: Cluster) -> None:
    conf = in_client(net, "cat /etc/resolv.conf")
    assert "nameserver 10.96.0.10" in conf
    assert f"search {NS}.svc.cluster.local svc.cluster.local cluster.local" in conf
    assert "options ndots:5" in conf


def test_cluster_ip_by_dns_name_balances_over_both_pods(net: Cluster) -> None:
    out = in_client(net, "for i in $(seq 24); do timeout 5 wget -q -O- http://web/; done; "
                         f"timeout 5 wget -q -O- http://web.{NS}.svc.cluster.local/")
    assert out.count("hello from") == 25, out
    assert "hello from web-a" in out and "hello from web-b" in out


def test_service_without_endpoints_and_unassigned_ips_are_refused_at_once(net: Cluster) -> None:
    started = time.monotonic()
    out = in_client(net, "timeout 5 wget -q -O- http://empty/; timeout 5 wget -q -O- http://10.111.222.33/")
    assert out.count("Connection refused") == 2, out
    assert time.monotonic() - started < 8
    node = net.node_exec("timeout", "5", "busybox", "wget", "-q", "-O-", "http://10.111.222.33/",
                         check=False)
    assert "Connection refused" in node.stdout + node.stderr


def test_node_port_is_reachable_from_the_host(net: Cluster) -> None:
    ip = net.mc("ip").stdout.strip()
    port = net.get_json("svc", "web-np", "-n", NS)["spec"]["ports"][0]["nodePort"]
    with urllib.request.urlopen(f"http://{ip}:{port}/", timeout=10) as response:
        assert b"hello from web-" in response.read()


def test_minicube_service_url_opens(net: Cluster) -> None:
    url = net.mc("service", "web-np", "-n", NS, "--url").stdout.strip()
    assert url.startswith("http://") and url.count("\n") == 0
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"hello from web-" in response.read()
    listed = json.loads(net.mc("service", "list", "-n", NS, "-o", "json").stdout)
    assert {"web", "web-np", "db", "empty"} <= {s["name"] for s in listed["services"]}


def test_load_balancer_gets_the_node_address_and_answers_there(net: Cluster) -> None:
    ip = net.mc("ip").stdout.strip()
    wait_for("web-lb to get its ingress", lambda: net.get_json("svc", "web-lb", "-n", NS).get(
        "status", {}).get("loadBalancer", {}).get("ingress"), timeout=30)
    assert ip in net.kubectl("get", "svc", "web-lb", "-n", NS).stdout
    url = net.mc("service", "web-lb", "-n", NS, "--url").stdout.strip()
    assert url == f"http://{ip}:8081"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"hello from web-" in response.read()


def test_headless_service_resolves_to_pod_ips_and_pod_names(net: Cluster) -> None:
    pod_ip = net.get_json("pod", "db-0", "-n", NS)["status"]["podIP"]
    out = in_client(net, f"nslookup db.{NS}.svc.cluster.local; "
                         f"nslookup db-0.db.{NS}.svc.cluster.local")
    assert out.count(f"Address: {pod_ip}") == 2, out
    # A short name goes through the pod's search path (busybox nslookup skips it; wget does not).
    assert "hello from db-0" in in_client(net, "timeout 5 wget -q -O- http://db-0.db:8080/")


def test_endpoints_follow_pod_deletion(net: Cluster) -> None:
    net.kubectl("delete", "pod", "web-b", "-n", NS, "--wait=false")
    wait_for("web-b to leave the endpoints", lambda: _ready_ips(net, "web") and
             len(_ready_ips(net, "web")) == 1, timeout=30, interval=0.2)
    out = in_client(net, "for i in $(seq 10); do timeout 5 wget -q -O- http://web/; done")
    assert out.count("hello from web-a") == 10, out


def test_services_dns_and_node_ports_work_again_after_a_restart(net: Cluster) -> None:
    net.mc("stop")
    net.mc("start")
    _wait_ready(net, 1)
    out = wait_for("the client to reach web by name again", lambda: (
        o if "hello from web-a" in (o := in_client(net, "timeout 5 wget -q -O- http://web/")) else None),
        timeout=60)
    assert "hello from web-a" in out
    ip = net.mc("ip").stdout.strip()
    port = net.get_json("svc", "web-np", "-n", NS)["spec"]["ports"][0]["nodePort"]
    with urllib.request.urlopen(f"http://{ip}:{port}/", timeout=10) as response:
        assert b"hello from web-a" in response.read()
