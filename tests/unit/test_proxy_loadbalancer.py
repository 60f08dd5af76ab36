"""LoadBalancer Services get the node's address unless a port there is taken."""

from __future__ import annotations

from minicube.proxy.loadbalancer import assign


def lb(name: str, created: str, *ports: int, **spec) -> dict:
    return {"metadata": {"name": name, "namespace": "default", "creationTimestamp": created},
            "spec": {"type": "LoadBalancer", "ports": [{"port": p, "protocol": "TCP"} for p in ports],
                     **spec}}


def test_each_service_gets_the_node_address():
    got = assign([lb("a", "2026-01-01T00:00:00Z", 8080), lb("b", "2026-01-01T00:00:01Z", 81)],
                 "172.17.0.2")
    assert got == {"default/a": [{"ip": "172.17.0.2", "ipMode": "VIP"}],
                   "default/b": [{"ip": "172.17.0.2", "ipMode": "VIP"}]}


def test_the_later_service_on_a_taken_port_stays_pending():
    got = assign([lb("late", "2026-01-01T00:00:05Z", 8080), lb("early", "2026-01-01T00:00:00Z", 8080)],
                 "172.17.0.2")
    assert got["default/early"] and got["default/late"] == []


def test_node_ports_of_the_node_itself_are_never_given_away():
    assert assign([lb("api", "2026-01-01T00:00:00Z", 8443)], "172.17.0.2") == {"default/api": []}
    assert assign([lb("web", "2026-01-01T00:00:00Z", 80)], "172.17.0.2") == {"default/web": []}, \
        "80 and 443 belong to the ingress controller"


def test_other_classes_and_types_are_left_alone():
    other = lb("x", "2026-01-01T00:00:00Z", 80, loadBalancerClass="example.com/lb")
    plain = {"metadata": {"name": "c", "namespace": "default"}, "spec": {"type": "ClusterIP"}}
    assert assign([other, plain], "172.17.0.2") == {}
