"""What nginx serves for given Ingresses, Services and Endpoints (ingress-nginx's semantics)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from minicube.api.kinds.ingressclasses import nginx_class
from minicube.ingress.certs import self_signed_pem
from minicube.ingress.render import render
from minicube.ingress.routes import CATCH_ALL, DEFAULT_CERT, Config, Server, build, is_ours

NS = "demo"


def svc(name: str, ports: list[dict] | None = None) -> dict:
    return {"metadata": {"namespace": NS, "name": name},
            "spec": {"ports": ports or [{"name": "http", "port": 80, "targetPort": "web"}]}}


def eps(name: str, *ips: str, port_name: str = "http", not_ready: tuple[str, ...] = ()) -> dict:
    return {"metadata": {"namespace": NS, "name": name},
            "subsets": [{"addresses": [{"ip": ip} for ip in ips],
                         "notReadyAddresses": [{"ip": ip} for ip in not_ready],
                         "ports": [{"name": port_name, "port": 8080, "protocol": "TCP"}]}]}


def backend(name: str, number: int | None = 80, port_name: str | None = None) -> dict:
    return {"service": {"name": name, "port": {"name": port_name} if port_name else {"number": number}}}


def path(p: str, service: str, path_type: str = "Prefix", **port: object) -> dict:
    return {"path": p, "pathType": path_type, "backend": backend(service, **port)}  # type: ignore[arg-type]


def ingress(name: str, rules: list[dict], *, created: str = "2026-01-01T00:00:00Z",
            annotations: dict | None = None, **spec: object) -> dict:
    return {"metadata": {"namespace": NS, "name": name, "creationTimestamp": created,
                         "annotations": annotations or {}},
            "spec": {"rules": rules, **spec}}


def rule(paths: list[dict], host: str | None = None) -> dict:
    return {**({"host": host} if host else {}), "http": {"paths": paths}}


SERVICES = {f"{NS}/{n}": svc(n) for n in ("a", "b", "empty")}
ENDPOINTS = {f"{NS}/a": eps("a", "10.244.0.5", "10.244.0.6"), f"{NS}/b": eps("b", "10.244.0.7"),
             f"{NS}/empty": eps("empty", not_ready=("10.244.0.9",))}


def config(*ingresses: dict, secrets: dict | None = None, classes: list | None = None) -> Config:
    return build(list(ingresses), classes or [nginx_class()], SERVICES, ENDPOINTS, secrets or {})


def server(cfg: Config, name: str) -> Server:
    return next(s for s in cfg.servers if s.name == name)


def routes(srv: Server) -> list[tuple[str, str | None, int]]:
    """(match, upstream, status answered instead of proxying: 0 when proxying)."""
    return [(loc.match, loc.upstream, 0 if loc.upstream else loc.status) for loc in srv.ordered()]


def test_prefix_matches_whole_segments_and_exact_only_itself() -> None:
    cfg = config(ingress("i", [rule([path("/a", "a"), path("/b/", "b", "Exact")], "demo.local")]))
    assert routes(server(cfg, "demo.local")) == [
        ('= "/a"', "demo-a-80", 0), ('"/a/"', "demo-a-80", 0),
        ('= "/b/"', "demo-b-80", 0), ('"/"', None, 404)]


def test_upstreams_are_the_ready_addresses_of_the_named_endpoints_port() -> None:
    cfg = config(ingress("i", [rule([path("/", "a", number=None, port_name="http")])]))
    assert cfg.upstreams == {"demo-a-http": ["10.244.0.5:8080", "10.244.0.6:8080"]}


@pytest.mark.parametrize("backend_name", ["empty", "missing"])
def test_backend_without_ready_endpoints_or_service_answers_503(backend_name: str) -> None:
    cfg = config(ingress("i", [rule([path("/x", backend_name)])]))
    assert routes(server(cfg, CATCH_ALL))[0] == ('= "/x"', None, 503)
    assert cfg.upstreams == {}


def test_unknown_service_port_answers_503() -> None:
    cfg = config(ingress("i", [rule([path("/x", "a", number=81)])]))
    assert routes(server(cfg, CATCH_ALL))[0][2] == 503


def test_unmatched_paths_go_to_the_default_backend_of_the_ingress() -> None:
    cfg = config(ingress("i", [rule([path("/a", "a")], "demo.local")], defaultBackend=backend("b")))
    assert routes(server(cfg, "demo.local"))[-1] == ('"/"', "demo-b-80", 0)
    assert routes(server(cfg, CATCH_ALL)) == [('"/"', None, 404)]


def test_default_backend_alone_serves_the_catch_all_server() -> None:
    cfg = config(ingress("i", [], defaultBackend=backend("b")))
    assert routes(server(cfg, CATCH_ALL)) == [('"/"', "demo-b-80", 0)]


def test_a_prefix_root_path_replaces_the_fallback() -> None:
    cfg = config(ingress("i", [rule([path("/", "a")])], defaultBackend=backend("b")))
    assert routes(server(cfg, CATCH_ALL)) == [('"/"', "demo-a-80", 0)]


def test_older_ingress_wins_the_same_host_and_path() -> None:
    new = ingress("new", [rule([path("/a", "b")], "h.io")], created="2026-01-02T00:00:00Z")
    old = ingress("old", [rule([path("/a", "a")], "h.io")], created="2026-01-01T00:00:00Z")
    assert {up for _, up, _ in routes(server(config(new, old), "h.io"))} == {"demo-a-80", None}


def test_regex_paths_are_ordered_longest_first_and_plain_prefixes_stay_segment_wise() -> None:
    regex = ingress("r", [rule([path("/api/v1/.*", "b", "ImplementationSpecific")], "h.io")],
                    annotations={"nginx.ingress.kubernetes.io/use-regex": "true"})
    plain = ingress("p", [rule([path("/api", "a"), path("/z", "a", "Exact")], "h.io")],
                    created="2026-01-02T00:00:00Z")
    matches = [m for m, _, _ in routes(server(config(regex, plain), "h.io"))]
    assert matches == ['~* "^/api/v1/.*"', '~* "^/api(?:/|$)"', '= "/api"', '= "/z"', '"/"']


def test_rewrite_target_uses_the_path_as_a_regex_with_capture_groups() -> None:
    ing = ingress("r", [rule([path("/app(/|$)(.*)", "a", "ImplementationSpecific")])],
                  annotations={"nginx.ingress.kubernetes.io/rewrite-target": "/$2"})
    loc = server(config(ing), CATCH_ALL).ordered()[0]
    assert (loc.match, loc.rewrite) == ('~* "^/app(/|$)(.*)"', ("(?i)^/app(/|$)(.*)", "/$2"))


def tls_secret(host: str) -> dict:
    pem = self_signed_pem(host)
    cert, key = pem.split("-----BEGIN PRIVATE KEY-----")
    data = {"tls.crt": cert, "tls.key": "-----BEGIN PRIVATE KEY-----" + key}
    return {"metadata": {"namespace": NS, "name": "tls"}, "type": "kubernetes.io/tls",
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


def test_tls_hosts_get_their_secret_as_certificate_and_redirect_http() -> None:
    ing = ingress("i", [rule([path("/", "a")], "s.io"), rule([path("/", "b")], "p.io")],
                  tls=[{"hosts": ["s.io"], "secretName": "tls"}])
    cfg = config(ing, secrets={f"{NS}/tls": tls_secret("s.io")})
    assert (server(cfg, "s.io").cert, server(cfg, "p.io").cert) == ("demo-tls.pem", DEFAULT_CERT)
    assert "BEGIN CERTIFICATE" in cfg.certs["demo-tls.pem"]
    assert [loc.ssl_redirect for loc in server(cfg, "s.io").locations] == [True]
    assert [loc.ssl_redirect for loc in server(cfg, "p.io").locations] == [False]


def test_ssl_redirect_false_and_missing_secret() -> None:
    ing = ingress("i", [rule([path("/", "a")], "s.io")], tls=[{"hosts": ["s.io"], "secretName": "tls"}],
                  annotations={"nginx.ingress.kubernetes.io/ssl-redirect": "false"})
    cfg = config(ing, secrets={f"{NS}/tls": tls_secret("s.io")})
    assert [loc.ssl_redirect for loc in server(cfg, "s.io").locations] == [False]
    assert server(config(ing), "s.io").cert == DEFAULT_CERT  # no Secret: the default certificate


def other_class(name: str, default: bool = False) -> dict:
    annotations = {"ingressclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {"metadata": {"name": name, "annotations": annotations}, "spec": {"controller": "example.com/x"}}


@pytest.mark.parametrize("spec,annotations,classes,ours", [
    ({}, {}, [nginx_class()], True),
    ({"ingressClassName": "nginx"}, {}, [nginx_class()], True),
    ({}, {"kubernetes.io/ingress.class": "nginx"}, [], True),
    ({"ingressClassName": "other"}, {}, [nginx_class(), other_class("other")], False),
    ({}, {}, [other_class("other", default=True)], False),
    ({"ingressClassName": "nope"}, {}, [nginx_class()], False),
])
def test_which_ingresses_are_ours(spec: dict, annotations: dict, classes: list, ours: bool) -> None:
    ing = {"metadata": {"name": "i", "namespace": NS, "annotations": annotations}, "spec": spec}
    assert is_ours(ing, classes) is ours


def test_rendered_configuration_listens_on_80_and_443_with_sni_and_quotes_paths() -> None:
    ing = ingress("i", [rule([path('/we"ird', "a")], "s.io")], tls=[{"hosts": ["s.io"], "secretName": "tls"}])
    text = render(config(ing, secrets={f"{NS}/tls": tls_secret("s.io")}),
                  cert_dir=Path("/state/certs"), pid_file=Path("/state/nginx.pid"))
    assert "listen 80 default_server;" in text and "listen 443 ssl default_server;" in text
    assert "server_name s.io;" in text and "ssl_certificate /state/certs/demo-tls.pem;" in text
    assert 'location = "/we\\"ird" {' in text
    assert "upstream demo-a-80 {\n        server 10.244.0.5:8080;\n        server 10.244.0.6:8080;" in text
    assert "return 308 https://$host$request_uri;" in text
