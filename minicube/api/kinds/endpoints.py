"""core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice: where a Service's backends are.

Both are written by the endpoints controllers (controllers/endpoints.py) and read by the
proxy and cluster DNS; users may write them too, for Services without a selector.
"""

from __future__ import annotations

import ipaddress

from minicube.api.kinds.common import kind_schema, object_reference
from minicube.api.meta import invalid, is_dns1123_label, is_dns1123_subdomain, not_supported, validate_object_meta
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, boolean, int32, map_of, obj_, string, strings
from minicube.api.tables import AGE

_MAX_SHOWN = 3  # upstream's printers list three endpoints, then "+ N more..."
_ADDRESS_TYPES = ("IPv4", "IPv6", "FQDN")

_address = obj_({"ip": string, "hostname": string, "nodeName": string,
                 "targetRef": object_reference}, required=["ip"])
_endpoint_port = obj_({"name": string, "port": int32, "protocol": string, "appProtocol": string})

ENDPOINTS_SCHEMA = kind_schema(subsets=arr(obj_({
    "addresses": arr(_address), "notReadyAddresses": arr(_address), "ports": arr(_endpoint_port),
})))

SLICE_SCHEMA = kind_schema(
    addressType=string,
    endpoints=arr(obj_({
        "addresses": strings, "hostname": string, "nodeName": string, "zone": string,
        "targetRef": object_reference, "deprecatedTopology": map_of(string),
        "conditions": obj_({"ready": boolean, "serving": boolean, "terminating": boolean}),
        "hints": obj_({"forZones": arr(obj_({"name": string})),
                       "forNodes": arr(obj_({"name": string}))}),
    }, required=["addresses"])),
    ports=arr(_endpoint_port),
)


def _shown(items: list[str], empty: str) -> str:
    if not items:
        return empty
    more = f" + {len(items) - _MAX_SHOWN} more..." if len(items) > _MAX_SHOWN else ""
    return ",".join(items[:_MAX_SHOWN]) + more


def _endpoints_cell(ep: Obj) -> str:
    out = []
    for subset in ep.get("subsets") or []:
        ports = subset.get("ports") or [{}]
        for addr in subset.get("addresses") or []:
            out += [f"{addr.get('ip')}:{p['port']}" if p.get("port") else str(addr.get("ip"))
                    for p in ports]
    return _shown(out, "<none>")


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _validate_endpoint_ports(ports: list[Obj], field: str) -> list[Cause]:
    out = []
    for i, p in enumerate(ports):
        port = p.get("port")
        if port is not None and not (isinstance(port, int) and 0 <= port <= 65535):
            out.append(invalid(f"{field}[{i}].port", port, "must be between 1 and 65535, inclusive"))
        if p.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            out.append(not_supported(f"{field}[{i}].protocol", p.get("protocol"),
                                     ("SCTP", "TCP", "UDP")))
        if p.get("name") and (msg := is_dns1123_label(p["name"])):
            out.append(invalid(f"{field}[{i}].name", p["name"], msg))
    return out


def _validate_endpoints(ep: Obj) -> list[Cause]:
    out = validate_object_meta(ep, namespaced=True)
    for i, subset in enumerate(ep.get("subsets") or []):
        f = f"subsets[{i}]"
        for group in ("addresses", "notReadyAddresses"):
            for j, addr in enumerate(subset.get(group) or []):
                if not _valid_ip(addr.get("ip") or ""):
                    out.append(invalid(f"{f}.{group}[{j}].ip", addr.get("ip"),
                                       "must be a valid IP address"))
                if addr.get("hostname") and (msg := is_dns1123_label(addr["hostname"])):
                    out.append(invalid(f"{f}.{group}[{j}].hostname", addr["hostname"], msg))
        out += _validate_endpoint_ports(subset.get("ports") or [], f"{f}.ports")
    return out


def _validate_slice(es: Obj) -> list[Cause]:
    out = validate_object_meta(es, namespaced=True)
    address_type = es.get("addressType")
    if address_type not in _ADDRESS_TYPES:
        return out + [not_supported("addressType", address_type, _ADDRESS_TYPES)]
    for i, ep in enumerate(es.get("endpoints") or []):
        for j, addr in enumerate(ep.get("addresses") or []):
            ok = (not is_dns1123_subdomain(addr)) if address_type == "FQDN" else _valid_ip(addr)
            if not ok:
                out.append(invalid(f"endpoints[{i}].addresses[{j}]", addr,
                                   f"must be a valid {address_type} address"))
    return out + _validate_endpoint_ports(es.get("ports") or [], "ports")


def _slice_ports(es: Obj) -> str:
    ports = es.get("ports")
    if ports is None:
        return "<unset>"
    return _shown([str(p["port"]) if p.get("port") is not None else "<unset>" for p in ports],
                  "<unset>")


ENDPOINTS = Kind(
    group="", version="v1", kind="Endpoints", plural="endpoints", short_names=("ep",),
    columns=(Column("Endpoints", _endpoints_cell, description="Endpoints of the service."), AGE),
    schema=ENDPOINTS_SCHEMA, validate=_validate_endpoints,
)

ENDPOINT_SLICE = Kind(
    group="discovery.k8s.io", version="v1", kind="EndpointSlice", plural="endpointslices",
    columns=(
        Column("AddressType", lambda o: o.get("addressType", ""),
               description="The IP protocol family of the endpoints."),
        Column("Ports", _slice_ports, description="The ports of the endpoints."),
        Column("Endpoints", lambda o: _shown(
            [a for ep in o.get("endpoints") or [] for a in ep.get("addresses") or []], "<unset>"),
               description="The addresses of the endpoints."),
        AGE,
    ),
    schema=SLICE_SCHEMA, validate=_validate_slice,
)

__all__ = ["ENDPOINTS", "ENDPOINT_SLICE"]
