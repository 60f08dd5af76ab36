"""Service validation (upstream's ValidateService / ValidateServiceUpdate, the parts we serve).

Range and clash checks of clusterIPs and nodePorts belong to the allocators in the API
server, which see every other Service; what is checked here needs only the object itself.
"""

from __future__ import annotations

import ipaddress
import re

from minicube.api.kinds.common import get
from minicube.api.meta import (duplicate, forbidden, invalid, is_dns1123_label, is_dns1123_subdomain,
                               not_supported, required, validate_labels, validate_object_meta)
from minicube.api.registry import Cause, Obj

_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_PROTOCOLS = ("TCP", "UDP", "SCTP")
_DNS1035_FMT = r"[a-z]([-a-z0-9]*[a-z0-9])?"
_SVC_NAME_FMT = r"[-a-z0-9]+"


def is_dns1035_label(name: str) -> str | None:
    """Service names become DNS labels that must start with a letter (RFC 1035)."""
    if len(name) > 63:
        return "must be no more than 63 characters"
    if not re.fullmatch(_DNS1035_FMT, name):
        return ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                "start with an alphabetic character, and end with an alphanumeric character "
                f"(e.g. 'my-name',  or 'abc-123', regex used for validation is '{_DNS1035_FMT}')")
    return None


def is_port_name(name: str) -> str | None:
    """An IANA_SVC_NAME: what a named containerPort or targetPort may be called."""
    if len(name) > 15:
        return "must be no more than 15 characters"
    if not re.fullmatch(_SVC_NAME_FMT, name):
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    if "--" in name:
        return "must not contain consecutive hyphens"
    if not re.search("[a-z]", name):
        return "must contain at least one letter (a-z)"
    if name.startswith("-") or name.endswith("-"):
        return "must not begin or end with a hyphen"
    return None


def _valid_port(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 65535


def _validate_ports(s: Obj, kind: str) -> list[Cause]:
    ports, out, names = s.get("ports") or [], [], set()
    headless = s.get("clusterIP") == "None"
    if not ports and kind != "ExternalName" and not headless:
        out.append(required("spec.ports"))
    for i, p in enumerate(ports):
        f = f"spec.ports[{i}]"
        name = p.get("name") or ""
        if len(ports) > 1 and not name:
            out.append(required(f"{f}.name"))
        elif name:
            if msg := is_dns1123_label(name):
                out.append(invalid(f"{f}.name", name, msg))
            elif name in names:
                out.append(duplicate(f"{f}.name", name))
            names.add(name)
        if not _valid_port(p.get("port")):
            out.append(invalid(f"{f}.port", p.get("port"), "must be between 1 and 65535, inclusive"))
        if p.get("protocol") not in _PROTOCOLS:
            out.append(not_supported(f"{f}.protocol", p.get("protocol"), _PROTOCOLS))
        target = p.get("targetPort")
        if isinstance(target, str):
            if msg := is_port_name(target):
                out.append(invalid(f"{f}.targetPort", target, msg))
        elif not _valid_port(target):
            out.append(invalid(f"{f}.targetPort", target, "must be between 1 and 65535, inclusive"))
        node_port = p.get("nodePort")
        if node_port and kind not in ("NodePort", "LoadBalancer"):
            out.append(forbidden(f"{f}.nodePort", f"may not be used when `type` is '{kind}'"))
        elif node_port and not _valid_port(node_port):
            out.append(invalid(f"{f}.nodePort", node_port, "must be between 1 and 65535, inclusive"))
    return out


def _validate_cluster_ip(s: Obj, kind: str) -> list[Cause]:
    ip = s.get("clusterIP") or ""
    ips = s.get("clusterIPs") or []
    out: list[Cause] = []
    if kind == "ExternalName":
        if ip:
            out.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        return out
    if ips and ip and ips[0] != ip:
        out.append(invalid("spec.clusterIPs", ips,
                           "first value must match `clusterIP`"))
    if ip == "None":
        if kind in ("NodePort", "LoadBalancer"):
            out.append(invalid("spec.clusterIPs[0]", ip,
                               "may not be set to 'None' for LoadBalancer or NodePort services"))
        return out
    for i, value in enumerate(ips or ([ip] if ip else [])):
        try:
            if ipaddress.ip_address(value).version != 4:
                out.append(invalid(f"spec.clusterIPs[{i}]", value, "only IPv4 is served"))
        except ValueError:
            out.append(invalid(f"spec.clusterIPs[{i}]", value,
                               "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
    return out


def _validate_affinity(s: Obj) -> list[Cause]:
    affinity = s.get("sessionAffinity")
    if affinity not in ("None", "ClientIP"):
        return [not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None"))]
    timeout = get(s, "sessionAffinityConfig", "clientIP", "timeoutSeconds")
    if affinity == "ClientIP" and not (isinstance(timeout, int) and 0 < timeout <= 86400):
        return [invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                        "must be greater than 0 and less than 86400")]
    if affinity == "None" and s.get("sessionAffinityConfig"):
        return [forbidden("spec.sessionAffinityConfig",
                          "must not be set when session affinity is None")]
    return []


def validate(svc: Obj) -> list[Cause]:
    out = validate_object_meta(svc, namespaced=True, name_validator=is_dns1035_label)
    s = svc.get("spec") or {}
    kind = s.get("type")
    if kind not in _TYPES:
        return out + [not_supported("spec.type", kind, _TYPES)]
    if kind == "ExternalName":
        name = s.get("externalName") or ""
        if not name:
            out.append(required("spec.externalName"))
        elif msg := is_dns1123_subdomain(name.rstrip(".")):
            out.append(invalid("spec.externalName", name, msg))
    out += _validate_ports(s, kind) + _validate_cluster_ip(s, kind) + _validate_affinity(s)
    out += validate_labels(s.get("selector"), "spec.selector")
    for i, ip in enumerate(s.get("externalIPs") or []):
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            out.append(invalid(f"spec.externalIPs[{i}]", ip, "must be a valid IP address"))
    return out


def validate_update(new: Obj, old: Obj) -> list[Cause]:
    """clusterIP may not change, except when the type moves to or from ExternalName."""
    ns, os_ = new.get("spec") or {}, old.get("spec") or {}
    if "ExternalName" in (ns.get("type"), os_.get("type")):
        return []
    if (ns.get("clusterIP") or "") != (os_.get("clusterIP") or ""):
        return [invalid("spec.clusterIPs[0]", ns.get("clusterIP") or "",
                        "may not change once set")]
    return []
