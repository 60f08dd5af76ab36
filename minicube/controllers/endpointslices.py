"""What a Service's Endpoints and EndpointSlices should hold, computed from its pods (pure).

The same backends feed both kinds: `backends()` walks the pods once (upstream's
ShouldPodBeInEndpoints + FindPort), `desired_endpoints()` packs them into core/v1 subsets
and `desired_slices()` into discovery.k8s.io/v1 slices, one per distinct port set. For a
Service without a selector, whoever writes its Endpoints is mirrored into slices
(`endpoints_backends()`, upstream's EndpointSliceMirroring controller).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from minicube.api import selectors

Obj = dict[str, Any]

LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
MIRRORED_BY = "endpointslicemirroring-controller.k8s.io"
LABEL_HEADLESS = "service.kubernetes.io/headless"

Port = tuple[str, int, str, str]  # (name, port, protocol, appProtocol)


@dataclass(frozen=True)
class Backend:
    """One address serving a Service: readiness, the resolved ports, what it points at."""

    ip: str
    ready: bool
    serving: bool
    terminating: bool = False
    hostname: str = ""
    ports: tuple[Port, ...] = field(default=())
    target_ref: Obj | None = None
    node_name: str = ""


def has_selector(svc: Obj) -> bool:
    spec = svc.get("spec") or {}
    return bool(spec.get("selector")) and spec.get("type") != "ExternalName"


def pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def find_port(pod: Obj, target: int | str, protocol: str) -> int | None:
    """A targetPort as a number: itself, or the named containerPort of this pod."""
    if isinstance(target, int):
        return target
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == protocol:
                return int(p["containerPort"])
    return None


def _in_endpoints(pod: Obj, publish_not_ready: bool) -> bool:
    status = pod.get("status") or {}
    if not status.get("podIP") or status.get("phase") in ("Succeeded", "Failed"):
        return False
    return publish_not_ready or not pod["metadata"].get("deletionTimestamp")


def _hostname(pod: Obj, svc: Obj) -> str:
    """Pods name themselves in DNS when their subdomain is this Service."""
    spec, md = pod.get("spec") or {}, svc["metadata"]
    if spec.get("hostname") and spec.get("subdomain") == md["name"] and \
            pod["metadata"].get("namespace") == md.get("namespace"):
        return str(spec["hostname"])
    return ""


def backends(svc: Obj, pods: list[Obj]) -> list[Backend]:
    """The Service's pods that belong in its endpoints, with ports resolved per pod."""
    spec = svc.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    selector = selectors.from_label_selector({"matchLabels": spec.get("selector") or {}})
    ns = svc["metadata"].get("namespace")
    out = []
    for pod in pods:
        md = pod.get("metadata") or {}
        if md.get("namespace") != ns or not selector.matches(md.get("labels") or {}) \
                or not _in_endpoints(pod, publish):
            continue
        ports: list[Port] = []
        for p in spec.get("ports") or []:
            number = find_port(pod, p.get("targetPort", p.get("port")), p.get("protocol", "TCP"))
            if number is not None:
                ports.append((p.get("name") or "", number, p.get("protocol", "TCP"),
                              p.get("appProtocol") or ""))
        if spec.get("ports") and not ports:
            continue  # none of its ports resolves on this pod
        terminating = bool(md.get("deletionTimestamp"))
        ready = pod_ready(pod)
        out.append(Backend(ip=pod["status"]["podIP"], ready=publish or (ready and not terminating),
                           serving=ready, terminating=terminating, hostname=_hostname(pod, svc),
                           ports=tuple(ports), target_ref=target_ref(pod),
                           node_name=(pod.get("spec") or {}).get("nodeName") or ""))
    return sorted(out, key=lambda b: b.ip)


def endpoints_backends(ep: Obj | None) -> list[Backend]:
    """The addresses a hand-written Endpoints object lists (to mirror them into slices)."""
    out = []
    for subset in (ep or {}).get("subsets") or []:
        ports = tuple((p.get("name") or "", int(p.get("port") or 0), p.get("protocol", "TCP"),
                       p.get("appProtocol") or "") for p in subset.get("ports") or [])
        for key, ready in (("addresses", True), ("notReadyAddresses", False)):
            out += [Backend(ip=a["ip"], ready=ready, serving=ready, hostname=a.get("hostname") or "",
                            ports=ports, target_ref=a.get("targetRef"),
                            node_name=a.get("nodeName") or "")
                    for a in subset.get(key) or [] if a.get("ip")]
    return sorted(out, key=lambda b: b.ip)


def target_ref(pod: Obj) -> Obj:
    md = pod["metadata"]
    return {"kind": "Pod", "namespace": md.get("namespace"), "name": md["name"],
            "uid": md.get("uid")}


def _port_obj(port: Port) -> Obj:
    name, number, protocol, app = port
    out: Obj = {"name": name, "port": number, "protocol": protocol}
    if app:
        out["appProtocol"] = app
    return out


def _by_port_set(found: list[Backend]) -> dict[tuple[Port, ...], list[Backend]]:
    groups: dict[tuple[Port, ...], list[Backend]] = {}
    for b in found:
        groups.setdefault(tuple(sorted(b.ports)), []).append(b)
    return groups


def service_labels(svc: Obj) -> dict[str, str]:
    labels = dict(svc["metadata"].get("labels") or {})
    if (svc.get("spec") or {}).get("clusterIP") == "None":
        labels[LABEL_HEADLESS] = ""
    return labels


def desired_endpoints(svc: Obj, found: list[Backend]) -> Obj:
    """core/v1 Endpoints: ready and not-ready addresses, one subset per port set."""
    subsets = []
    for ports, group in sorted(_by_port_set(found).items()):
        subset: Obj = {}
        for key, members in (("addresses", [b for b in group if b.ready]),
                             ("notReadyAddresses", [b for b in group if not b.ready])):
            if members:
                subset[key] = [{"ip": b.ip, **_refs(b)} for b in members]
        if ports:
            subset["ports"] = [_port_obj(p) for p in ports]
        subsets.append(subset)
    md = svc["metadata"]
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": md["name"], "namespace": md.get("namespace"),
                         "labels": service_labels(svc)},
            "subsets": subsets}


def _refs(b: Backend) -> Obj:
    """What both kinds say of an address besides the address itself (when known)."""
    out: Obj = {}
    if b.target_ref:
        out["targetRef"] = b.target_ref
    if b.hostname:
        out["hostname"] = b.hostname
    if b.node_name:
        out["nodeName"] = b.node_name
    return out


def slice_name(svc: Obj, ports: tuple[Port, ...]) -> str:
    """Stable per port set, so reconciling finds its slice again: `<svc>-<hash>`."""
    digest = hashlib.sha256(json.dumps(ports).encode()).hexdigest()[:5]
    return f"{svc['metadata']['name'][:57]}-{digest}"


def desired_slices(svc: Obj, found: list[Backend], managed_by: str = MANAGED_BY) -> list[Obj]:
    """discovery.k8s.io/v1 EndpointSlices owned by the Service (at least one, maybe empty)."""
    md = svc["metadata"]
    groups = _by_port_set(found) or {(): []}  # upstream's placeholder: no ports, no endpoints
    out = []
    for ports, group in sorted(groups.items()):
        endpoints = [{"addresses": [b.ip], "conditions": {
            "ready": b.ready, "serving": b.serving, "terminating": b.terminating}, **_refs(b)}
            for b in group]
        labels = {**service_labels(svc), LABEL_SERVICE_NAME: md["name"], LABEL_MANAGED_BY: managed_by}
        out.append({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": slice_name(svc, ports), "namespace": md.get("namespace"),
                         "labels": labels,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                              "name": md["name"], "uid": md.get("uid"),
                                              "controller": True, "blockOwnerDeletion": True}]},
            "addressType": "IPv4", "endpoints": endpoints,
            "ports": [_port_obj(p) for p in ports],
        })
    return out
