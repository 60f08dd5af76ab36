"""From Ingresses, Services, Endpoints and Secrets to what nginx must serve (pure, no I/O).

The rules are ingress-nginx's reading of the Ingress API:
- one nginx server per host; rules without a host (and everything unmatched) land on the
  catch-all server `_`;
- Exact paths are `location = /p`; Prefix (and ImplementationSpecific) match whole path
  segments: `/a` serves `/a`, `/a/` and `/a/b`, never `/ab`; nginx's longest-prefix rule is
  upstream's "longest path wins", and Exact beats Prefix on the same path;
- an Ingress with `use-regex` or `rewrite-target` turns its paths into case-insensitive
  regexes (`~* "^<path>"`) and with them every location of the same host, ordered longest
  path first; `rewrite-target` replaces the URI, with the path's capture groups as `$1..`;
- when two Ingresses claim the same host and path, the older one wins;
- the backend's Service port (by number or name) is resolved to the Endpoints port of the
  same name; its ready addresses are the upstream servers, and a backend with none answers
  503; a host's (or the catch-all's) unmatched paths go to the owning Ingress's
  defaultBackend, else 404;
- a host listed in an Ingress's `tls` with a usable kubernetes.io/tls Secret is served with
  that certificate (SNI), and that Ingress's plain-HTTP requests get a 308 to HTTPS unless
  `ssl-redirect: "false"`; other servers answer HTTPS with the default certificate.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from minicube.api.kinds.ingressclasses import NGINX_CONTROLLER, is_default
from minicube.api.kinds.ingresses import CLASS_ANNOTATION

Obj = dict[str, Any]

CLASS_NAME = "nginx"
CATCH_ALL = "_"
DEFAULT_CERT = "default.pem"
_ANNOTATION = "nginx.ingress.kubernetes.io/"


@dataclass
class Location:
    match: str                    # what follows `location`: `= "/a"`, `"/a/"`, `~* "^/a"`
    upstream: str | None = None   # None: answer `status` instead of proxying
    status: int = 404
    rewrite: tuple[str, str] | None = None  # (regex, replacement)
    ssl_redirect: bool = False
    length: int = 0               # the path's length (regex locations: longest first)


@dataclass
class Server:
    name: str
    cert: str = DEFAULT_CERT
    regex: bool = False
    locations: list[Location] = field(default_factory=list)
    fallback: Location | None = None  # `location /` when no path claims it
    taken: set[str] = field(default_factory=set)

    @property
    def default(self) -> bool:
        return self.name == CATCH_ALL

    def add(self, location: Location) -> None:
        """The first claim on a location wins (Ingresses arrive oldest first)."""
        if location.match not in self.taken:
            self.taken.add(location.match)
            self.locations.append(location)

    def ordered(self) -> list[Location]:
        out = sorted(self.locations, key=lambda loc: -loc.length) if self.regex else list(self.locations)
        if self.fallback is not None and '"/"' not in self.taken:
            out.append(self.fallback)
        return out


@dataclass
class Config:
    servers: list[Server]
    upstreams: dict[str, list[str]]   # name -> ["ip:port", ...]
    certs: dict[str, str]             # file name -> PEM (certificate chain + key)


def _meta(obj: Obj, key: str) -> Any:
    return (obj.get("metadata") or {}).get(key)


def _key(obj: Obj) -> str:
    return f"{_meta(obj, 'namespace')}/{_meta(obj, 'name')}"


def _annotation(ing: Obj, name: str) -> str | None:
    return (_meta(ing, "annotations") or {}).get(_ANNOTATION + name)


def is_ours(ing: Obj, classes: list[Obj]) -> bool:
    """Ingresses of an nginx-controller class, of the class `nginx`, or of no class while
    no other controller's class is the default."""
    name = (ing.get("spec") or {}).get("ingressClassName") or (_meta(ing, "annotations") or {}).get(
        CLASS_ANNOTATION)
    if not name:
        defaults = [c for c in classes if is_default(c)]
        return not defaults or any((c.get("spec") or {}).get("controller") == NGINX_CONTROLLER
                                   for c in defaults)
    found = next((c for c in classes if _meta(c, "name") == name), None)
    if found is None:
        return name == CLASS_NAME
    return (found.get("spec") or {}).get("controller") == NGINX_CONTROLLER


def nginx_quote(text: str) -> str:
    """A string as one nginx token: double-quoted, with `\\` and `"` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _server_address(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def resolve_backend(namespace: str, backend: Obj, services: dict[str, Obj],
                    endpoints: dict[str, Obj]) -> tuple[str, list[str]] | None:
    """(upstream name, ready "ip:port" servers) of a service backend; None if it has no Service
    or no such port."""
    ref = backend.get("service") or {}
    svc = services.get(f"{namespace}/{ref.get('name')}")
    wanted = ref.get("port") or {}
    if svc is None or (svc.get("spec") or {}).get("type") == "ExternalName":
        return None
    port = next((p for p in (svc.get("spec") or {}).get("ports") or []
                 if (wanted.get("number") and p.get("port") == wanted["number"])
                 or (wanted.get("name") and p.get("name") == wanted["name"])), None)
    if port is None:
        return None
    name = f"{namespace}-{ref['name']}-{wanted.get('number') or wanted.get('name')}"
    servers = set()
    for subset in (endpoints.get(f"{namespace}/{ref['name']}") or {}).get("subsets") or []:
        ep_port = next((p for p in subset.get("ports") or []
                        if (p.get("name") or "") == (port.get("name") or "")
                        and p.get("protocol", "TCP") == "TCP"), None)
        if ep_port is not None:
            servers |= {_server_address(a["ip"], ep_port["port"])
                        for a in subset.get("addresses") or [] if a.get("ip")}
    return name, sorted(servers)


def tls_pem(secret: Obj | None) -> str | None:
    """The certificate chain and key of a TLS Secret, as one PEM; None if unusable."""
    data = (secret or {}).get("data") or {}
    try:
        cert = base64.b64decode(data.get("tls.crt") or "").decode()
        key = base64.b64decode(data.get("tls.key") or "").decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    if "BEGIN CERTIFICATE" not in cert or "PRIVATE KEY" not in key:
        return None
    return cert.rstrip("\n") + "\n" + key.rstrip("\n") + "\n"


class _Builder:
    def __init__(self, services: dict[str, Obj], endpoints: dict[str, Obj],
                 secrets: dict[str, Obj]) -> None:
        self.services, self.endpoints, self.secrets = services, endpoints, secrets
        self.servers: dict[str, Server] = {CATCH_ALL: Server(CATCH_ALL)}
        self.upstreams: dict[str, list[str]] = {}
        self.certs: dict[str, str] = {}

    def server(self, host: str) -> Server:
        return self.servers.setdefault(host, Server(host))

    def target(self, namespace: str, backend: Obj) -> Location:
        """A location (match still empty) proxying to the backend, or answering 503."""
        resolved = resolve_backend(namespace, backend, self.services, self.endpoints)
        if resolved is None or not resolved[1]:
            return Location("", status=503)
        self.upstreams[resolved[0]] = resolved[1]
        return Location("", upstream=resolved[0])

    def tls_hosts(self, ing: Obj) -> set[str]:
        """Hosts this Ingress serves with a certificate of its own (written into certs)."""
        out: set[str] = set()
        for tls in (ing.get("spec") or {}).get("tls") or []:
            name = f"{_meta(ing, 'namespace')}-{tls.get('secretName')}.pem"
            pem = tls_pem(self.secrets.get(f"{_meta(ing, 'namespace')}/{tls.get('secretName')}"))
            if not tls.get("secretName") or pem is None:
                continue
            self.certs[name] = pem
            for host in tls.get("hosts") or []:
                server = self.server(host)
                if server.cert == DEFAULT_CERT:
                    server.cert = name
                out.add(host)
        return out

    def add_ingress(self, ing: Obj) -> None:
        spec, namespace = ing.get("spec") or {}, _meta(ing, "namespace")
        regex = _annotation(ing, "use-regex") == "true" or bool(_annotation(ing, "rewrite-target"))
        tls_hosts = self.tls_hosts(ing)
        redirect = _annotation(ing, "ssl-redirect") != "false"
        rules = spec.get("rules") or []
        for rule in rules:
            host = rule.get("host") or CATCH_ALL
            server = self.server(host)
            server.regex |= regex
            for p in (rule.get("http") or {}).get("paths") or []:
                for location in self.locations(ing, p, regex):
                    location.ssl_redirect = redirect and host in tls_hosts
                    server.add(location)
        if spec.get("defaultBackend") is None:
            return
        hosts = {r.get("host") or CATCH_ALL for r in rules} or {CATCH_ALL}
        for host in hosts:
            server = self.server(host)
            if server.fallback is None:
                server.fallback = self.target(namespace, spec["defaultBackend"])
                server.fallback.match = '"/"'

    def locations(self, ing: Obj, p: Obj, regex: bool) -> list[Location]:
        path, path_type = p.get("path") or "/", p.get("pathType")
        base = self.target(_meta(ing, "namespace"), p.get("backend") or {})
        target = _annotation(ing, "rewrite-target")
        if target and base.upstream:
            base.rewrite = ("(?i)^" + path, target)
        if path_type == "Exact":
            return [_at(base, f"= {nginx_quote(path)}", len(path))]
        if regex:
            return [_at(base, f"~* {nginx_quote('^' + path)}", len(path))]
        trimmed = path.rstrip("/")
        if not trimmed:
            return [_at(base, nginx_quote("/"), 1)]
        # Prefix: the path itself and everything below it, segment-wise.
        return [_at(base, f"= {nginx_quote(trimmed)}", len(trimmed)),
                _at(base, nginx_quote(trimmed + "/"), len(trimmed) + 1)]

    def finish(self) -> Config:
        for server in self.servers.values():
            if server.regex:
                server.locations = [_regexed(loc) for loc in server.locations]
            if server.fallback is None:
                server.fallback = Location('"/"', status=404)
        servers = sorted(self.servers.values(), key=lambda s: (not s.default, s.name))
        return Config(servers, dict(sorted(self.upstreams.items())), self.certs)


def _at(base: Location, match: str, length: int) -> Location:
    return Location(match, base.upstream, base.status, base.rewrite, length=length)


_PLAIN = re.compile(r'^(= )?"(.*)"$')


def _regexed(location: Location) -> Location:
    """A plain Prefix location of a host that also has regex paths becomes a regex itself
    (exact ones stay exact: nginx tries them first), still matching whole segments."""
    m = _PLAIN.match(location.match)
    if m is None or m.group(1):
        return location
    prefix = m.group(2).replace('\\"', '"').replace("\\\\", "\\").rstrip("/")
    location.match = f"~* {nginx_quote('^' + re.escape(prefix) + '(?:/|$)')}"
    return location


def build(ingresses: list[Obj], classes: list[Obj], services: dict[str, Obj],
          endpoints: dict[str, Obj], secrets: dict[str, Obj]) -> Config:
    """What nginx serves for the Ingresses that are ours (services/endpoints/secrets by
    `namespace/name`)."""
    builder = _Builder(services, endpoints, secrets)
    ours = sorted((i for i in ingresses if is_ours(i, classes)),
                  key=lambda i: (_meta(i, "creationTimestamp") or "", _key(i)))
    for ing in ours:
        builder.add_ingress(ing)
    return builder.finish()
