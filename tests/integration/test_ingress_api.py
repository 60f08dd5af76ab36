"""Ingress, IngressClass and NetworkPolicy through the real kubectl (API only: no nginx here)."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import Cluster, manifest

pytestmark = pytest.mark.integration

INGRESS = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": "int-ing"},
           "spec": {"ingressClassName": "nginx",
                    "rules": [{"host": "demo.local", "http": {"paths": [
                        {"path": "/a", "pathType": "Prefix",
                         "backend": {"service": {"name": "a", "port": {"number": 80}}}}]}}]}}


def test_ingress_is_served_with_its_table_and_status(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest(INGRESS))
    out = cluster.kubectl("get", "ing", "int-ing").stdout.split("\n")
    assert out[0].split() == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert out[1].split()[:4] == ["int-ing", "nginx", "demo.local", "80"]
    patch = '{"status":{"loadBalancer":{"ingress":[{"ip":"172.18.0.2"}]}}}'
    cluster.kubectl("patch", "ing", "int-ing", "--subresource=status", "--type=merge", "-p", patch)
    assert cluster.kubectl("get", "ing", "int-ing").stdout.split("\n")[1].split()[3] == "172.18.0.2"


def test_invalid_ingress_names_the_field(cluster: Cluster) -> None:
    bad = {**INGRESS, "metadata": {"name": "int-bad"},
           "spec": {"rules": [{"http": {"paths": [
               {"path": "a", "backend": {"service": {"name": "a", "port": {"number": 80}}}}]}}]}}
    result = cluster.kubectl("apply", "-f", "-", check=False, input=manifest(bad))
    assert result.returncode != 0
    assert ("spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
            in result.stderr)


def test_ingress_class_and_network_policy_are_listed(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=manifest({
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "int-ic"},
        "spec": {"controller": "example.com/ingress"}}))
    line = cluster.kubectl("get", "ingressclass", "int-ic").stdout.split("\n")
    assert line[0].split() == ["NAME", "CONTROLLER", "PARAMETERS", "AGE"]
    assert line[1].split()[:3] == ["int-ic", "example.com/ingress", "<none>"]
    cluster.kubectl("apply", "-f", "-", input=manifest({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "int-np"},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [
            {"podSelector": {"matchLabels": {"role": "client"}}}]}]}}))
    line = cluster.kubectl("get", "netpol", "int-np").stdout.split("\n")
    assert line[0].split() == ["NAME", "POD-SELECTOR", "AGE"] and line[1].split()[:2] == ["int-np", "app=web"]
    assert cluster.kubectl("get", "netpol", "int-np", "-o",
                           "jsonpath={.spec.policyTypes}").stdout == '["Ingress"]'


def test_kubectl_create_ingress_gets_the_default_class(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": "house", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "example.com/house"}}))
    try:
        cluster.kubectl("create", "ingress", "shop", "--rule=shop.local/cart*=cart:80")
        row = cluster.kubectl("get", "ingress", "shop").stdout.splitlines()[1].split()
        assert row[:3] == ["shop", "house", "shop.local"]
        got = json.loads(cluster.kubectl("get", "ingress", "shop", "-o", "json").stdout)
        assert got["spec"]["rules"][0]["http"]["paths"][0] == {
            "path": "/cart", "pathType": "Prefix",
            "backend": {"service": {"name": "cart", "port": {"number": 80}}}}
    finally:
        cluster.kubectl("delete", "ingressclass", "house", "--ignore-not-found")
        cluster.kubectl("delete", "ingress", "shop", "--ignore-not-found")
