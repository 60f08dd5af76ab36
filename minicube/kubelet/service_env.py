"""Service environment variables (upstream's service links): for each Service with a cluster
IP, `NAME_SERVICE_HOST/PORT` and the Docker-link style `NAME_PORT_*`. The `kubernetes` Service
of `default` is always included, so in-cluster clients find the API server; the pod's own
namespace's Services only with `enableServiceLinks` (default true)."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def _vars(svc: Obj) -> dict[str, str]:
    spec = svc.get("spec") or {}
    ip, ports = spec.get("clusterIP"), spec.get("ports") or []
    if not ip or ip == "None" or not ports:
        return {}
    prefix = svc["metadata"]["name"].upper().replace("-", "_")
    first = ports[0]
    out = {f"{prefix}_SERVICE_HOST": ip, f"{prefix}_SERVICE_PORT": str(first["port"])}
    for p in ports:
        if p.get("name"):
            out[f"{prefix}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}"] = str(p["port"])
    out[f"{prefix}_PORT"] = f"{first.get('protocol', 'TCP').lower()}://{ip}:{first['port']}"
    for p in ports:
        proto = p.get("protocol", "TCP")
        base = f"{prefix}_PORT_{p['port']}_{proto.upper()}"
        out.update({base: f"{proto.lower()}://{ip}:{p['port']}", f"{base}_PROTO": proto.lower(),
                    f"{base}_PORT": str(p["port"]), f"{base}_ADDR": ip})
    return out


def service_env(pod: Obj, services: list[Obj]) -> dict[str, str]:
    """services: those of the pod's namespace and of `default`."""
    namespace = pod["metadata"].get("namespace", "default")
    links = (pod.get("spec") or {}).get("enableServiceLinks", True) is not False
    out: dict[str, str] = {}
    for svc in sorted(services, key=lambda s: s["metadata"]["name"]):
        md = svc["metadata"]
        master = md.get("namespace") == "default" and md["name"] == "kubernetes"
        if master or (links and md.get("namespace") == namespace):
            out.update(_vars(svc))
    return out
