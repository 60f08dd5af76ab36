"""Where a user on the host reaches a Service: `http://<node ip>:<nodePort>` (or a load
balancer's address once it has one), as `minikube service` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minicube._errors import BadInput, NoSuchCluster
from minicube.cluster.endpoint import Endpoint

Obj = dict[str, Any]


@dataclass(frozen=True)
class ServiceURL:
    namespace: str
    name: str
    port_name: str
    target_port: str
    url: str  # "" when the port has no address reachable from the host

    def as_dict(self) -> dict[str, str]:
        return {"namespace": self.namespace, "name": self.name, "portName": self.port_name,
                "targetPort": self.target_port, "url": self.url}


def urls(svc: Obj, node_ip: str) -> list[ServiceURL]:
    """One entry per port: its nodePort on the node, or the load balancer's ingress address."""
    md, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    ingress = [i.get("ip") or i.get("hostname")
               for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []]
    out = []
    for port in spec.get("ports") or []:
        if spec.get("type") == "LoadBalancer" and ingress and ingress[0]:
            url = f"http://{ingress[0]}:{port['port']}"
        elif port.get("nodePort") and spec.get("type") in ("NodePort", "LoadBalancer"):
            url = f"http://{node_ip}:{port['nodePort']}"
        else:
            url = ""
        out.append(ServiceURL(md.get("namespace", ""), md.get("name", ""), port.get("name") or "",
                              str(port.get("targetPort", port.get("port"))), url))
    return out


def _get(api: Endpoint, path: str) -> Obj:
    status, body = api.get_json(path, timeout=10)
    if status == 0:
        raise NoSuchCluster(f"the API server does not answer: {api.last_error}",
                            hint="minicube status")
    if status == 404:
        raise BadInput(body.get("message", path) if isinstance(body, dict) else path,
                       hint="minicube kubectl -- get services -A")
    if status != 200 or not isinstance(body, dict):
        raise NoSuchCluster(f"GET {path} answered {status}: {str(body)[:200]}",
                            hint="minicube logs")
    return body


def get_service(api: Endpoint, namespace: str, name: str) -> Obj:
    return _get(api, f"/api/v1/namespaces/{namespace}/services/{name}")


def list_services(api: Endpoint, namespace: str | None) -> list[Obj]:
    path = f"/api/v1/namespaces/{namespace}/services" if namespace else "/api/v1/services"
    return list(_get(api, path).get("items") or [])
