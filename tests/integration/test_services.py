"""Services, Endpoints and EndpointSlices through the real kubectl."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Cluster, manifest

pytestmark = pytest.mark.integration


def _service(name: str, **spec: object) -> str:
    return manifest({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                     "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}})


def test_get_svc_shows_the_allocated_ip_and_ports(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=_service(
        "int-np", type="NodePort", ports=[{"name": "http", "port": 80, "targetPort": "http"}]))
    out = cluster.kubectl("get", "svc", "int-np", "-o", "wide").stdout.split("\n")
    assert out[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE",
                              "SELECTOR"]
    name, kind, ip, external, ports, _age, selector = out[1].split()
    assert (name, kind, external, selector) == ("int-np", "NodePort", "<none>", "app=int-np")
    assert ip.startswith("10.") and ports.startswith("80:3") and ports.endswith("/TCP")


def test_node_port_clash_is_rejected_with_the_field(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=_service(
        "int-a", type="NodePort", ports=[{"port": 80, "nodePort": 31999}]))
    result = cluster.kubectl("apply", "-f", "-", check=False, input=_service(
        "int-b", type="NodePort", ports=[{"port": 80, "nodePort": 31999}]))
    assert result.returncode != 0
    assert "spec.ports[0].nodePort: Invalid value: 31999: provided port is already allocated" \
        in result.stderr


def test_short_names_and_category_all(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=_service("int-lb", type="LoadBalancer"))
    assert "<pending>" in cluster.kubectl("get", "svc", "int-lb").stdout
    assert "service/int-lb" in cluster.kubectl("get", "all").stdout
    assert cluster.kubectl("get", "ep", "-A").returncode == 0
    assert cluster.kubectl("get", "endpointslices", "-A").returncode == 0


def test_headless_and_invalid_services(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=_service("int-hl", clusterIP="None"))
    assert cluster.kubectl("get", "svc", "int-hl", "-o", "jsonpath={.spec.clusterIP}").stdout == "None"
    bad = cluster.kubectl("apply", "-f", "-", check=False, input=_service(
        "int-bad", ports=[{"port": 80}, {"port": 81}], sessionAffinity="Sometimes"))
    assert "spec.ports[1].name: Required value" in bad.stderr
    assert 'spec.sessionAffinity: Unsupported value: "Sometimes"' in bad.stderr
