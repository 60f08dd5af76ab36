"""Objects the API server itself keeps in place at every start, as upstream's bootstrap
controllers do: the two system PriorityClasses, the client CA published in
kube-system/extension-apiserver-authentication (where the root-CA publisher copies it from), and
the `default/kubernetes` Service whose Endpoints lead in-cluster clients to this server."""

from __future__ import annotations

import logging
from pathlib import Path

from minicube.api.registry import Obj, Registry
from minicube.apiserver.objects import Objects

log = logging.getLogger(__name__)

SERVICE_IP = "10.96.0.1"
AUTH_CONFIG_MAP = "extension-apiserver-authentication"
PRIORITY_CLASSES = {
    "system-node-critical": (2000001000, "Used for system critical pods that must not be moved "
                                         "from their current node."),
    "system-cluster-critical": (2000000000, "Used for system critical pods that must run in the "
                                            "cluster, but can be moved to another node if necessary."),
}


def _put(objects: Objects, registry: Registry, api_version: str, plural: str, obj: Obj,
         fields: tuple[str, ...]) -> None:
    """Create the object, or bring the listed top-level fields back to what they must be."""
    group, _, version = api_version.rpartition("/")
    kind = registry.get(group, version, plural)
    assert kind is not None
    md = obj["metadata"]
    namespace = md.get("namespace", "")
    if not objects.exists(kind, namespace, md["name"]):
        objects.create(kind, namespace, obj)
        log.info("created %s %s/%s", kind.kind, namespace, md["name"])
        return
    current = objects.get(kind, namespace, md["name"])
    if any(current.get(f) != obj.get(f) for f in fields):
        objects.update(kind, namespace, md["name"], {**current, **{f: obj[f] for f in fields}})


def ensure(objects: Objects, registry: Registry, pki_dir: Path, advertise_address: str,
           https_port: int) -> None:
    for name, (value, description) in PRIORITY_CLASSES.items():
        _put(objects, registry, "scheduling.k8s.io/v1", "priorityclasses", {
            "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
            "value": value, "description": description, "preemptionPolicy": "PreemptLowerPriority"},
             ("value",))
    _put(objects, registry, "v1", "configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": AUTH_CONFIG_MAP, "namespace": "kube-system"},
        "data": {"client-ca-file": (pki_dir / "ca.crt").read_text()}}, ("data",))
    if not advertise_address:
        return  # no address other pods could reach (tests on loopback)
    _put(objects, registry, "v1", "services", {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": SERVICE_IP, "clusterIPs": [SERVICE_IP],
                 "sessionAffinity": "None",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                            "targetPort": https_port}]}}, ())
    _put(objects, registry, "v1", "endpoints", {
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default"},
        "subsets": [{"addresses": [{"ip": advertise_address}],
                     "ports": [{"name": "https", "port": https_port, "protocol": "TCP"}]}]},
         ("subsets",))
