"""networking.k8s.io/v1 NetworkPolicy: accepted, validated and stored, NOT enforced.

minicube has no network-policy agent: pods can reach each other whatever policies say (the
README says so). The object is still served exactly as upstream does (defaults, validation,
`kubectl get netpol`), so manifests that ship policies apply unchanged.
"""

from __future__ import annotations

import ipaddress

from minicube.api.kinds.common import get, kind_schema
from minicube.api.kinds.replication import validate_label_selector
from minicube.api.meta import forbidden, invalid, not_supported, required, validate_object_meta
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, int32, int_or_string, map_of, obj_, string, strings
from minicube.api.selectors import to_string
from minicube.api.tables import AGE

POLICY_TYPES = ("Egress", "Ingress")
_PROTOCOLS = ("SCTP", "TCP", "UDP")

_selector = obj_({"matchLabels": map_of(string), "matchExpressions": arr(obj_(
    {"key": string, "operator": string, "values": strings}, required=["key", "operator"]))})
_peer = obj_({"podSelector": _selector, "namespaceSelector": _selector,
              "ipBlock": obj_({"cidr": string, "except": strings}, required=["cidr"])})
_port = obj_({"protocol": string, "port": int_or_string, "endPort": int32})

SCHEMA = kind_schema(spec=obj_({
    "podSelector": _selector,
    "policyTypes": strings,
    "ingress": arr(obj_({"ports": arr(_port), "from": arr(_peer)})),
    "egress": arr(obj_({"ports": arr(_port), "to": arr(_peer)})),
}))


def _default(np: Obj) -> None:
    s = np.get("spec")
    if not isinstance(s, dict):
        s = np["spec"] = {}
    s.setdefault("podSelector", {})
    if not s.get("policyTypes"):
        s["policyTypes"] = ["Ingress"] + (["Egress"] if s.get("egress") else [])
    for rules in ("ingress", "egress"):
        for rule in s.get(rules) or []:
            for port in rule.get("ports") or []:
                port.setdefault("protocol", "TCP")


def _validate_port(port: Obj, f: str) -> list[Cause]:
    out: list[Cause] = []
    protocol, value, end = port.get("protocol"), port.get("port"), port.get("endPort")
    if protocol is not None and protocol not in _PROTOCOLS:
        out.append(not_supported(f"{f}.protocol", protocol, ("TCP", "UDP", "SCTP")))
    if value is None:
        if end is not None:
            out.append(invalid(f"{f}.endPort", end, "may not be specified when `port` is not specified"))
    elif isinstance(value, int):
        if not 1 <= value <= 65535:
            out.append(invalid(f"{f}.port", value, "must be between 1 and 65535, inclusive"))
        if end is not None:
            if end < value:
                out.append(invalid(f"{f}.endPort", value, "must be greater than or equal to `port`"))
            if not 1 <= end <= 65535:
                out.append(invalid(f"{f}.endPort", end, "must be between 1 and 65535, inclusive"))
    elif end is not None:
        out.append(invalid(f"{f}.endPort", end, "may not be specified when `port` is non-numeric"))
    return out


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _validate_ip_block(block: Obj, f: str) -> list[Cause]:
    cidr = block.get("cidr") or ""
    if not cidr:
        return [required(f"{f}.cidr")]
    bad = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
    net = _network(cidr)
    if net is None:
        return [invalid(f"{f}.cidr", cidr, bad)]
    out: list[Cause] = []
    for i, text in enumerate(block.get("except") or []):
        sub = _network(text)
        if sub is None:
            out.append(invalid(f"{f}.except[{i}]", text, bad))
        elif (sub.version != net.version or sub.network_address not in net
              or sub.prefixlen <= net.prefixlen):
            out.append(invalid(f"{f}.except[{i}]", text, "must be a strict subset of `cidr`"))
    return out


def _validate_peer(peer: Obj, f: str) -> list[Cause]:
    out: list[Cause] = []
    present = [k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None]
    for key in present:
        out += (_validate_ip_block(peer[key], f"{f}.{key}") if key == "ipBlock"
                else validate_label_selector(peer[key], f"{f}.{key}"))
    if not present:
        out.append(required(f, "must specify a peer"))
    elif len(present) > 1 and "ipBlock" in present:
        out.append(forbidden(f, "may not specify both ipBlock and another peer"))
    return out


def _validate(np: Obj) -> list[Cause]:
    out = validate_object_meta(np, namespaced=True)
    s = np.get("spec") or {}
    out += validate_label_selector(s.get("podSelector") or {}, "spec.podSelector")
    for rules, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(s.get(rules) or []):
            f = f"spec.{rules}[{i}]"
            for j, port in enumerate(rule.get("ports") or []):
                out += _validate_port(port, f"{f}.ports[{j}]")
            for j, peer in enumerate(rule.get(peers) or []):
                out += _validate_peer(peer, f"{f}.{peers}[{j}]")
    types = s.get("policyTypes") or []
    if len(types) > len(POLICY_TYPES):
        return out + [invalid("spec.policyTypes", types, "may not specify more than two policyTypes")]
    out += [not_supported(f"spec.policyTypes[{i}]", t, ("Ingress", "Egress"))
            for i, t in enumerate(types) if t not in POLICY_TYPES]
    return out


def _pod_selector(np: Obj) -> str:
    return to_string(get(np, "spec", "podSelector")) or "<none>"


NETWORK_POLICY = Kind(
    group="networking.k8s.io", version="v1", kind="NetworkPolicy", plural="networkpolicies",
    short_names=("netpol",),
    columns=(
        Column("Pod-Selector", _pod_selector,
               description="The pods this policy selects (empty: every pod in the namespace)."),
        AGE,
    ),
    schema=SCHEMA, default=_default, validate=_validate,
)

__all__ = ["NETWORK_POLICY"]
