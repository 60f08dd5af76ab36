"""core/v1 Service: schema, defaults and printer columns (validation in service_validation.py).

ClusterIPs and NodePorts are not defaulted here: the API server allocates them at create
time (apiserver/allocators.py), as upstream's service REST storage does.
"""

from __future__ import annotations

from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.kinds.service_validation import validate, validate_update
from minicube.api.registry import Column, Kind, Obj
from minicube.api.schema import arr, boolean, int32, int_or_string, map_of, obj_, string, strings
from minicube.api.tables import AGE

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
DEFAULT_AFFINITY_TIMEOUT = 10800  # three hours, upstream's ClientIP default

_port = obj_({"name": string, "protocol": string, "appProtocol": string, "port": int32,
              "targetPort": int_or_string, "nodePort": int32}, required=["port"])
_ingress = obj_({"ip": string, "hostname": string, "ipMode": string, "ports": arr(obj_({
    "port": int32, "protocol": string, "error": string}))})

SCHEMA = kind_schema(
    spec=obj_({
        "ports": arr(_port), "selector": map_of(string), "clusterIP": string,
        "clusterIPs": strings, "type": string, "externalIPs": strings,
        "sessionAffinity": string, "loadBalancerIP": string, "loadBalancerSourceRanges": strings,
        "externalName": string, "externalTrafficPolicy": string, "healthCheckNodePort": int32,
        "publishNotReadyAddresses": boolean,
        "sessionAffinityConfig": obj_({"clientIP": obj_({"timeoutSeconds": int32})}),
        "ipFamilies": strings, "ipFamilyPolicy": string,
        "allocateLoadBalancerNodePorts": boolean, "loadBalancerClass": string,
        "internalTrafficPolicy": string, "trafficDistribution": string,
    }),
    status=obj_({"loadBalancer": obj_({"ingress": arr(_ingress)}),
                 "conditions": arr(condition(observedGeneration={"type": "integer"}))}),
)


def _default(svc: Obj) -> None:
    """SetDefaults_Service: type, affinity, protocols, targetPort = port, traffic policies."""
    s = spec(svc)
    if not s.get("type"):
        s["type"] = "ClusterIP"
    if not s.get("sessionAffinity"):
        s["sessionAffinity"] = "None"
    if s["sessionAffinity"] == "ClientIP":
        client_ip = s.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        if not client_ip.get("timeoutSeconds"):
            client_ip["timeoutSeconds"] = DEFAULT_AFFINITY_TIMEOUT
    for port in s.get("ports") or []:
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if s["type"] in ("NodePort", "LoadBalancer") and not s.get("externalTrafficPolicy"):
        s["externalTrafficPolicy"] = "Cluster"
    if s["type"] != "ExternalName" and not s.get("internalTrafficPolicy"):
        s["internalTrafficPolicy"] = "Cluster"
    if s["type"] == "LoadBalancer" and s.get("allocateLoadBalancerNodePorts") is None:
        s["allocateLoadBalancerNodePorts"] = True


def _on_create(svc: Obj) -> None:
    svc["status"] = {"loadBalancer": {}}  # status is the load balancer's to write


def _cluster_ip(svc: Obj) -> str:
    if get(svc, "spec", "type") == "ExternalName":
        return "<none>"
    return get(svc, "spec", "clusterIP") or "<none>"


def external_ips(svc: Obj) -> str:
    """upstream's getServiceExternalIP: ExternalName's name, LB ingress or <pending>."""
    s = svc.get("spec") or {}
    kind, extra = s.get("type"), list(s.get("externalIPs") or [])
    if kind == "ExternalName":
        return s.get("externalName") or "<none>"
    if kind == "LoadBalancer":
        ingress = [i.get("ip") or i.get("hostname") or ""
                   for i in get(svc, "status", "loadBalancer", "ingress", default=[])]
        found = [a for a in ingress + extra if a]
        return ",".join(found) if found else "<pending>"
    return ",".join(extra) if extra else "<none>"


def ports_cell(svc: Obj) -> str:
    out = []
    for p in get(svc, "spec", "ports", default=[]):
        node_port = f":{p['nodePort']}" if p.get("nodePort") else ""
        out.append(f"{p.get('port')}{node_port}/{p.get('protocol', 'TCP')}")
    return ",".join(out) if out else "<none>"


def _selector(svc: Obj) -> str:
    sel = get(svc, "spec", "selector", default={})
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items())) if sel else "<none>"


SERVICE = Kind(
    group="", version="v1", kind="Service", plural="services", short_names=("svc",),
    categories=("all",), subresources=("status",),
    columns=(
        Column("Type", lambda o: get(o, "spec", "type", default=""),
               description="The type of the service."),
        Column("Cluster-IP", _cluster_ip, description="The cluster IP of the service."),
        Column("External-IP", external_ips, description="The external IPs of the service."),
        Column("Port(s)", ports_cell, description="The ports of the service."),
        AGE,
        Column("Selector", _selector, priority=1, description="The selector of the service."),
    ),
    schema=SCHEMA, default=_default, on_create=_on_create, validate=validate,
    validate_update=validate_update,
)

__all__ = ["SERVICE", "SERVICE_TYPES"]
