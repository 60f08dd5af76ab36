"""Ingress, IngressClass and NetworkPolicy: upstream's validation messages and table cells."""

from __future__ import annotations

import pytest

from minicube.api.kinds import INGRESS, INGRESS_CLASS, NETWORK_POLICY
from minicube.api.kinds.ingressclasses import nginx_class
from minicube.api.tables import table


def _ing(spec: dict, **meta: object) -> dict:
    return {"metadata": {"name": "web", "namespace": "default", **meta}, "spec": spec}


def _paths(*paths: dict) -> dict:
    return {"rules": [{"host": "demo.local", "http": {"paths": list(paths)}}]}


def _svc(name: str = "web", /, **port: object) -> dict:
    return {"service": {"name": name, "port": port or {"number": 80}}}


def _causes(kind: object, obj: dict) -> list[tuple[str, str]]:
    return [(c["field"], c["message"]) for c in kind.validate(obj)]  # type: ignore[attr-defined]


def test_a_valid_ingress_has_no_causes() -> None:
    spec = {**_paths({"path": "/a", "pathType": "Prefix", "backend": _svc()},
                     {"path": "/b", "pathType": "Exact", "backend": _svc("other", name="http")}),
            "defaultBackend": _svc(), "ingressClassName": "nginx",
            "tls": [{"hosts": ["demo.local", "*.demo.local"], "secretName": "tls"}]}
    assert _causes(INGRESS, _ing(spec)) == []


def test_either_default_backend_or_rules() -> None:
    assert _causes(INGRESS, _ing({})) == [
        ("spec", "Invalid value: []: either `defaultBackend` or `rules` must be specified")]


@pytest.mark.parametrize("path,causes", [
    ({"path": "/a", "backend": _svc()}, [("spec.rules[0].http.paths[0].pathType",
                                          "Required value: pathType must be specified")]),
    ({"path": "a", "pathType": "Prefix", "backend": _svc()},
     [("spec.rules[0].http.paths[0].path", 'Invalid value: "a": must be an absolute path')]),
    ({"path": "/a//b", "pathType": "Exact", "backend": _svc()},
     [("spec.rules[0].http.paths[0].path", "Invalid value: \"/a//b\": must not contain '//'")]),
    ({"path": "/a", "pathType": "Regex", "backend": _svc()},
     [("spec.rules[0].http.paths[0].pathType", 'Unsupported value: "Regex": supported values: '
       '"Exact", "ImplementationSpecific", "Prefix"')]),
    ({"path": "/a", "pathType": "Prefix", "backend": _svc(number=80, name="http")},
     [("spec.rules[0].http.paths[0].backend", 'Invalid value: "": cannot set both port name & port number')]),
    ({"path": "/a", "pathType": "Prefix", "backend": {"service": {"name": "web"}}},
     [("spec.rules[0].http.paths[0].backend", "Required value: port name or number is required")]),
    ({"path": "/a", "pathType": "Prefix", "backend": {}},
     [("spec.rules[0].http.paths[0].backend", 'Invalid value: "": resource or service backend is required')]),
    ({"path": "/a", "pathType": "Prefix", "backend": _svc(number=70000)},
     [("spec.rules[0].http.paths[0].backend.service.port.number",
       "Invalid value: 70000: must be between 1 and 65535, inclusive")]),
])
def test_path_validation(path: dict, causes: list) -> None:
    assert _causes(INGRESS, _ing(_paths(path))) == causes


def test_implementation_specific_may_be_empty_and_service_names_are_dns1035() -> None:
    ok = {"pathType": "ImplementationSpecific", "backend": _svc()}
    assert _causes(INGRESS, _ing(_paths(ok))) == []
    [(field, message)] = _causes(INGRESS, _ing(_paths({**ok, "backend": _svc("1web")})))
    assert field.endswith("backend.service.name") and "DNS-1035 label" in message


def test_host_must_be_a_name_not_an_ip() -> None:
    spec = {"rules": [{"host": "10.0.0.1", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": _svc()}]}}]}
    assert _causes(INGRESS, _ing(spec)) == [
        ("spec.rules[0].host", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address')]


def test_class_annotation_must_match_the_field() -> None:
    ing = _ing({"defaultBackend": _svc(), "ingressClassName": "nginx"},
               annotations={"kubernetes.io/ingress.class": "other"})
    assert _causes(INGRESS, ing) == [("annotations.kubernetes.io/ingress.class",
                                      'Invalid value: "other": must match `ingressClassName` when both are specified')]


def test_ingress_table_shows_class_hosts_address_and_ports() -> None:
    ing = _ing({**_paths({"path": "/", "pathType": "Prefix", "backend": _svc()}),
                "tls": [{"hosts": ["demo.local"]}]}, creationTimestamp="2026-01-01T00:00:00Z")
    ing["status"] = {"loadBalancer": {"ingress": [{"ip": "172.17.0.2"}]}}
    t = table(INGRESS, [ing])
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Class", "Hosts", "Address", "Ports", "Age"]
    assert t["rows"][0]["cells"][:5] == ["web", "<none>", "demo.local", "172.17.0.2", "80, 443"]


def test_ingress_class_controller_must_be_domain_prefixed_and_is_immutable() -> None:
    assert _causes(INGRESS_CLASS, nginx_class()) == []
    bad = {"metadata": {"name": "x"}, "spec": {"controller": "nginx"}}
    assert _causes(INGRESS_CLASS, bad) == [
        ("spec.controller", 'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")')]
    [c] = INGRESS_CLASS.validate_update(bad, nginx_class())  # type: ignore[misc]
    assert c["field"] == "spec.controller" and "field is immutable" in c["message"]


def test_ingress_class_parameters_default_to_cluster_scope() -> None:
    ic = nginx_class()
    ic["spec"]["parameters"] = {"kind": "Params", "apiGroup": "example.com", "name": "p"}
    INGRESS_CLASS.default(ic)  # type: ignore[misc]
    assert ic["spec"]["parameters"]["scope"] == "Cluster"
    assert table(INGRESS_CLASS, [ic])["rows"][0]["cells"][:3] == [
        "nginx", "k8s.io/ingress-nginx", "Params.example.com/p"]
    ic["spec"]["parameters"]["namespace"] = "default"
    assert _causes(INGRESS_CLASS, ic) == [
        ("spec.parameters.namespace", "Forbidden: `parameters.scope` is set to 'Cluster'")]


def _netpol(spec: dict) -> dict:
    return {"metadata": {"name": "deny", "namespace": "default"}, "spec": spec}


def test_network_policy_defaults_policy_types_and_protocol() -> None:
    np = _netpol({"egress": [{"ports": [{"port": 53}]}]})
    NETWORK_POLICY.default(np)  # type: ignore[misc]
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"] and np["spec"]["podSelector"] == {}
    assert np["spec"]["egress"][0]["ports"][0]["protocol"] == "TCP"


@pytest.mark.parametrize("spec,causes", [
    ({"ingress": [{"from": [{}]}]}, [("spec.ingress[0].from[0]", "Required value: must specify a peer")]),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     [("spec.ingress[0].from[0]", "Forbidden: may not specify both ipBlock and another peer")]),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8"]}}]}]},
     [("spec.egress[0].to[0].ipBlock.except[0]", 'Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`')]),
    ({"ingress": [{"ports": [{"port": "http", "endPort": 90}]}]},
     [("spec.ingress[0].ports[0].endPort", "Invalid value: 90: may not be specified when `port` is non-numeric")]),
    ({"policyTypes": ["Sideways"]},
     [("spec.policyTypes[0]", 'Unsupported value: "Sideways": supported values: "Ingress", "Egress"')]),
])
def test_network_policy_validation(spec: dict, causes: list) -> None:
    assert _causes(NETWORK_POLICY, _netpol(spec)) == causes


def test_network_policy_table_shows_the_pod_selector() -> None:
    rows = table(NETWORK_POLICY, [_netpol({"podSelector": {"matchLabels": {"app": "web"}}}),
                                  _netpol({"podSelector": {}})])["rows"]
    assert [r["cells"][:2] for r in rows] == [["deny", "app=web"], ["deny", "<none>"]]
