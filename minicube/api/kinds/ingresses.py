"""networking.k8s.io/v1 Ingress: HTTP(S) routes from hosts and paths to Services.

Validation follows upstream's ValidateIngressCreate/Update (pkg/apis/networking/validation):
either a defaultBackend or rules; a pathType on every path; Exact and Prefix paths absolute
and free of `//`, `/./`, `/../`; a backend names a Service (name + port name or number) or a
resource, never both. The controller that serves an Ingress is picked by its class
(minicube/ingress); the status subresource carries the address it serves on.
"""

from __future__ import annotations

import ipaddress
import re

from minicube.api.kinds.common import get, kind_schema
from minicube.api.kinds.service_validation import is_dns1035_label, is_port_name
from minicube.api.meta import (invalid, is_dns1123_subdomain, not_supported, required,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, int32, obj_, string, strings
from minicube.api.tables import AGE

CLASS_ANNOTATION = "kubernetes.io/ingress.class"
PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
_BAD_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_BAD_SUFFIXES = ("/..", "/.")
_MAX_SHOWN = 3  # upstream's formatHosts lists three hosts, then "+ N more..."
_WILDCARD_FMT = r"\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"

typed_local_reference = obj_({"apiGroup": string, "kind": string, "name": string},
                             required=["kind", "name"])
_backend = obj_({
    "service": obj_({"name": string, "port": obj_({"name": string, "number": int32})},
                    required=["name"]),
    "resource": typed_local_reference,
})
_lb_ingress = obj_({"ip": string, "hostname": string, "ports": arr(obj_(
    {"port": int32, "protocol": string, "error": string}, required=["port", "protocol"]))})

SCHEMA = kind_schema(
    spec=obj_({
        "ingressClassName": string,
        "defaultBackend": _backend,
        "tls": arr(obj_({"hosts": strings, "secretName": string})),
        "rules": arr(obj_({"host": string, "http": obj_({"paths": arr(obj_(
            {"path": string, "pathType": string, "backend": _backend},
            required=["pathType", "backend"]))}, required=["paths"])})),
    }),
    status=obj_({"loadBalancer": obj_({"ingress": arr(_lb_ingress)})}),
)


def is_wildcard_dns1123_subdomain(host: str) -> str | None:
    if len(host) > 253:
        return "must be no more than 253 characters"
    if not re.fullmatch(_WILDCARD_FMT, host):
        return ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' "
                "and end with an alphanumeric character (e.g. '*.example.com', regex used for "
                f"validation is '{_WILDCARD_FMT}')")
    return None


def _host_error(host: str) -> str | None:
    return is_wildcard_dns1123_subdomain(host) if "*" in host else is_dns1123_subdomain(host)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def is_path_segment_name(name: str) -> str | None:
    """apimachinery IsValidPathSegmentName: usable as one segment of a URL path."""
    if name in (".", ".."):
        return f"may not be '{name}'"
    bad = next((c for c in ("/", "%") if c in name), None)
    return f"may not contain '{bad}'" if bad else None


def validate_typed_reference(ref: Obj, f: str) -> list[Cause]:
    out: list[Cause] = []
    if ref.get("apiGroup") and (msg := is_dns1123_subdomain(ref["apiGroup"])):
        out.append(invalid(f"{f}.apiGroup", ref["apiGroup"], msg))
    for key in ("kind", "name"):
        if not ref.get(key):
            out.append(required(f"{f}.{key}", f"{key} is required"))
        elif msg := is_path_segment_name(ref[key]):
            out.append(invalid(f"{f}.{key}", ref[key], msg))
    return out


def validate_backend(backend: Obj, f: str) -> list[Cause]:
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        return [invalid(f, "", "cannot set both resource and service backends")]
    if resource is not None:
        return validate_typed_reference(resource, f"{f}.resource")
    if service is None:
        return [invalid(f, "", "resource or service backend is required")]
    out: list[Cause] = []
    name = service.get("name") or ""
    if not name:
        out.append(required(f"{f}.service.name"))
    elif msg := is_dns1035_label(name):
        out.append(invalid(f"{f}.service.name", name, msg))
    port = service.get("port") or {}
    port_name, number = port.get("name") or "", port.get("number") or 0
    if port_name and number:
        out.append(invalid(f, "", "cannot set both port name & port number"))
    elif port_name:
        if msg := is_port_name(port_name):
            out.append(invalid(f"{f}.service.port.name", port_name, msg))
    elif number:
        if not 1 <= number <= 65535:
            out.append(invalid(f"{f}.service.port.number", number,
                               "must be between 1 and 65535, inclusive"))
    else:
        out.append(required(f, "port name or number is required"))
    return out


def _validate_path(p: Obj, f: str) -> list[Cause]:
    path_type, path = p.get("pathType"), p.get("path") or ""
    if not path_type:
        return [required(f"{f}.pathType", "pathType must be specified")]
    out: list[Cause] = []
    if path_type in ("Exact", "Prefix"):
        if not path.startswith("/"):
            out.append(invalid(f"{f}.path", path, "must be an absolute path"))
        out += [invalid(f"{f}.path", path, f"must not contain '{s}'")
                for s in _BAD_SEQUENCES if s in path]
        out += [invalid(f"{f}.path", path, f"cannot end with '{s}'")
                for s in _BAD_SUFFIXES if path.endswith(s)]
    elif path_type == "ImplementationSpecific":
        if path and not path.startswith("/"):
            out.append(invalid(f"{f}.path", path, "must be an absolute path"))
    else:
        out.append(not_supported(f"{f}.pathType", path_type, PATH_TYPES))
    return out + validate_backend(p.get("backend") or {}, f"{f}.backend")


def _validate_rules(rules: list[Obj]) -> list[Cause]:
    out: list[Cause] = []
    for i, rule in enumerate(rules):
        f, host = f"spec.rules[{i}]", rule.get("host") or ""
        if host and _is_ip(host):
            out.append(invalid(f"{f}.host", host, "must be a DNS name, not an IP address"))
        if host and (msg := _host_error(host)):
            out.append(invalid(f"{f}.host", host, msg))
        if (http := rule.get("http")) is not None:
            paths = http.get("paths") or []
            if not paths:
                out.append(required(f"{f}.http.paths"))
            for j, p in enumerate(paths):
                out += _validate_path(p, f"{f}.http.paths[{j}]")
    return out


def _validate_spec(s: Obj) -> list[Cause]:
    out: list[Cause] = []
    rules, default_backend = s.get("rules") or [], s.get("defaultBackend")
    if not rules and default_backend is None:
        out.append(invalid("spec", rules, "either `defaultBackend` or `rules` must be specified"))
    if default_backend is not None:
        out += validate_backend(default_backend, "spec.defaultBackend")
    out += _validate_rules(rules)
    for i, tls in enumerate(s.get("tls") or []):
        for j, host in enumerate(tls.get("hosts") or []):
            if msg := _host_error(host):
                out.append(invalid(f"spec.tls[{i}].hosts[{j}]", host, msg))
        secret = tls.get("secretName") or ""
        if secret and (msg := is_dns1123_subdomain(secret)):
            out.append(invalid(f"spec.tls[{i}].secretName", secret, msg))
    class_name = s.get("ingressClassName")
    if class_name is not None and (msg := is_dns1123_subdomain(class_name)):
        out.append(invalid("spec.ingressClassName", class_name, msg))
    return out


def _validate_status(ing: Obj) -> list[Cause]:
    out: list[Cause] = []
    for i, lb in enumerate(get(ing, "status", "loadBalancer", "ingress", default=[])):
        f = f"status.loadBalancer.ingress[{i}]"
        if lb.get("ip") and not _is_ip(lb["ip"]):
            out.append(invalid(f"{f}.ip", lb["ip"], "must be a valid IP address"))
        if hostname := lb.get("hostname"):
            if msg := is_dns1123_subdomain(hostname):
                out.append(invalid(f"{f}.hostname", hostname, msg))
            if _is_ip(hostname):
                out.append(invalid(f"{f}.hostname", hostname, "must be a DNS name, not an IP address"))
    return out


def _validate(ing: Obj) -> list[Cause]:
    out = validate_object_meta(ing, namespaced=True)
    out += _validate_spec(ing.get("spec") or {}) + _validate_status(ing)
    annotation = get(ing, "metadata", "annotations", CLASS_ANNOTATION)
    class_name = get(ing, "spec", "ingressClassName")
    if annotation is not None and class_name is not None and annotation != class_name:
        out.append(invalid(f"annotations.{CLASS_ANNOTATION}", annotation,
                           "must match `ingressClassName` when both are specified"))
    return out


def _on_create(ing: Obj) -> None:
    ing["status"] = {"loadBalancer": {}}  # the ingress controller writes where it serves


def hosts_cell(ing: Obj) -> str:
    hosts = [r.get("host") or "" for r in get(ing, "spec", "rules", default=[])]
    hosts = [h for h in hosts if h]
    if not hosts:
        return "*"
    more = f" + {len(hosts) - _MAX_SHOWN} more..." if len(hosts) > _MAX_SHOWN else ""
    return ",".join(hosts[:_MAX_SHOWN]) + more


def address_cell(ing: Obj) -> str:
    found = [lb.get("ip") or lb.get("hostname") or ""
             for lb in get(ing, "status", "loadBalancer", "ingress", default=[])]
    return ",".join(a for a in found if a)


INGRESS = Kind(
    group="networking.k8s.io", version="v1", kind="Ingress", plural="ingresses",
    short_names=("ing",), subresources=("status",),
    columns=(
        Column("Class", lambda o: get(o, "spec", "ingressClassName") or "<none>",
               description="The name of the IngressClass resource."),
        Column("Hosts", hosts_cell, description="Hosts that incoming requests are matched against."),
        Column("Address", address_cell, description="Address is a list of IPs or hostnames."),
        Column("Ports", lambda o: "80, 443" if get(o, "spec", "tls") else "80",
               description="Ports of TLS configurations that open."),
        AGE,
    ),
    schema=SCHEMA, on_create=_on_create, validate=_validate,
)

__all__ = ["CLASS_ANNOTATION", "INGRESS", "PATH_TYPES", "validate_backend"]
