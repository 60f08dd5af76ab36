"""ClusterIP and NodePort allocation at Service admission."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from minicube.api import errors
from minicube.api.kinds import SERVICE
from minicube.apiserver.allocators import NODE_PORT_RANGE, SERVICE_CIDR
from minicube.apiserver.objects import DeleteOptions, Objects
from minicube.store.sqlite import SqliteStore


@pytest.fixture
def objects(tmp_path) -> Iterator[Objects]:
    store = SqliteStore(tmp_path / "state.db")
    yield Objects(store)
    store.close()


def svc(name: str, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"ports": [{"port": 80}], **spec}}


def create(objects: Objects, name: str, **spec) -> dict:
    return objects.create(SERVICE, "default", svc(name, **spec))


def test_cluster_ip_is_allocated_in_the_service_range_at_create(objects):
    spec = create(objects, "web")["spec"]
    assert ipaddress.ip_address(spec["clusterIP"]) in SERVICE_CIDR
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"]


def test_allocated_ips_are_distinct(objects):
    ips = {create(objects, f"s{i}")["spec"]["clusterIP"] for i in range(20)}
    assert len(ips) == 20


def test_explicit_cluster_ip_is_honoured_when_free(objects):
    assert create(objects, "dns", clusterIP="10.96.0.10")["spec"]["clusterIP"] == "10.96.0.10"


def test_taken_cluster_ip_is_422_naming_the_field(objects):
    create(objects, "a", clusterIP="10.96.0.20")
    with pytest.raises(errors.Invalid) as e:
        create(objects, "b", clusterIP="10.96.0.20")
    assert "spec.clusterIPs" in str(e.value.to_status())
    assert "provided IP is already allocated" in e.value.message


def test_out_of_range_cluster_ip_is_422(objects):
    with pytest.raises(errors.Invalid) as e:
        create(objects, "a", clusterIP="192.168.1.1")
    assert "not in the valid range" in e.value.message


def test_headless_service_gets_no_ip(objects):
    spec = create(objects, "h", clusterIP="None")["spec"]
    assert spec["clusterIP"] == "None" and spec["clusterIPs"] == ["None"]


def test_node_ports_are_allocated_in_range_and_clash_is_422(objects):
    port = create(objects, "np", type="NodePort")["spec"]["ports"][0]["nodePort"]
    assert port in NODE_PORT_RANGE
    with pytest.raises(errors.Invalid) as e:
        create(objects, "np2", type="NodePort", ports=[{"port": 80, "nodePort": port}])
    assert "provided port is already allocated" in e.value.message
    assert "spec.ports[0].nodePort" in str(e.value.to_status())


def test_deleting_a_service_releases_its_node_port_and_ip(objects):
    create(objects, "a", type="NodePort", clusterIP="10.96.0.30",
           ports=[{"port": 80, "nodePort": 30100}])
    objects.delete(SERVICE, "default", "a", DeleteOptions())
    spec = create(objects, "b", type="NodePort", clusterIP="10.96.0.30",
                  ports=[{"port": 80, "nodePort": 30100}])["spec"]
    assert spec["ports"][0]["nodePort"] == 30100


def test_node_port_out_of_range_is_422(objects):
    with pytest.raises(errors.Invalid):
        create(objects, "a", type="NodePort", ports=[{"port": 80, "nodePort": 8080}])


def test_update_keeps_allocations_the_client_left_out(objects):
    old = create(objects, "a", type="NodePort")
    new = objects.update(SERVICE, "default", "a", svc("a", type="NodePort"))
    assert new["spec"]["clusterIP"] == old["spec"]["clusterIP"]
    assert new["spec"]["ports"][0]["nodePort"] == old["spec"]["ports"][0]["nodePort"]


def test_cluster_ip_is_immutable(objects):
    create(objects, "a", clusterIP="10.96.0.40")
    with pytest.raises(errors.Invalid) as e:
        objects.update(SERVICE, "default", "a", svc("a", clusterIP="10.96.0.41"))
    assert "spec.clusterIPs[0]" in str(e.value.to_status())
