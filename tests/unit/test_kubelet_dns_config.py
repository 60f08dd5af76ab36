"""A pod's resolv.conf from dnsPolicy and dnsConfig."""

from __future__ import annotations

from minicube.kubelet.dns_config import parse, resolv_conf, write_for_sandbox

NODE = "nameserver 127.0.0.11\nsearch corp.example\noptions ndots:0\n"


def pod(**spec) -> dict:
    return {"metadata": {"name": "p", "namespace": "shop"}, "spec": spec}


def test_cluster_first_points_at_cluster_dns_with_the_namespace_search_path():
    assert resolv_conf(pod(), NODE) == (
        "nameserver 10.96.0.10\n"
        "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
        "options ndots:5\n")


def test_default_keeps_the_node_file_unless_dns_config_adds_to_it():
    assert resolv_conf(pod(dnsPolicy="Default"), NODE) is None
    out = resolv_conf(pod(dnsPolicy="Default", dnsConfig={"searches": ["x.test"]}), NODE)
    assert parse(out or "") == (["127.0.0.11"], ["corp.example", "x.test"], ["ndots:0"])


def test_none_uses_only_dns_config_and_options_override():
    out = resolv_conf(pod(dnsPolicy="None", dnsConfig={
        "nameservers": ["1.2.3.4"], "searches": ["a.test"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}), NODE)
    assert out == "nameserver 1.2.3.4\nsearch a.test\noptions ndots:2 edns0\n"


def test_cluster_first_options_are_overridden_by_dns_config():
    out = resolv_conf(pod(dnsConfig={"options": [{"name": "ndots", "value": "1"}]}), NODE)
    assert parse(out or "")[2] == ["ndots:1"]


def test_host_network_pods_fall_back_to_default():
    assert resolv_conf(pod(hostNetwork=True), NODE) is None
    assert "10.96.0.10" in (resolv_conf(pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"),
                                        NODE) or "")


def test_the_sandbox_file_is_rewritten_in_place(tmp_path):
    path = tmp_path / "containers" / "abc" / "resolv.conf"
    path.parent.mkdir(parents=True)
    path.write_text(NODE)
    write_for_sandbox(pod(), "abc", engine_root=tmp_path)
    assert path.read_text().startswith("nameserver 10.96.0.10\n")
    write_for_sandbox(pod(), "missing", engine_root=tmp_path)  # no file: left alone, no error
