"""A container's environment from its spec: literal values, ConfigMap and Secret keys, the
downward API (fieldRef), envFrom, and `$(VAR)` references — with upstream's error messages.

The ConfigMaps and Secrets are fetched first (`references()` says which); resolution itself
is pure. A missing non-optional source raises ContainerWaiting(CreateContainerConfigError).
"""

from __future__ import annotations

import base64
import re
from typing import Any, Mapping

from minicube.kubelet.containers import ContainerWaiting
from minicube.kubelet.resources import resource_value

Obj = dict[str, Any]
# (plural, name) -> the object's data as strings, or None when it does not exist.
Sources = Mapping[tuple[str, str], "dict[str, str] | None"]

CONFIG_ERROR = "CreateContainerConfigError"

_KIND = {"configmaps": "ConfigMap", "secrets": "Secret"}
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_FIELD_KEY = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


def references(container: Obj) -> set[tuple[str, str]]:
    """The (plural, name) of every ConfigMap and Secret the container's env reads."""
    refs: set[tuple[str, str]] = set()
    for var in container.get("env") or []:
        source = var.get("valueFrom") or {}
        if "configMapKeyRef" in source:
            refs.add(("configmaps", source["configMapKeyRef"].get("name", "")))
        if "secretKeyRef" in source:
            refs.add(("secrets", source["secretKeyRef"].get("name", "")))
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            refs.add(("configmaps", source["configMapRef"].get("name", "")))
        if "secretRef" in source:
            refs.add(("secrets", source["secretRef"].get("name", "")))
    return refs


def object_bytes(plural: str, obj: Obj) -> dict[str, bytes]:
    """A ConfigMap's data and binaryData, or a Secret's data, as raw bytes per key."""
    if plural == "secrets":
        return {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    out = {k: v.encode() for k, v in (obj.get("data") or {}).items()}
    out.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
    return out


def data_of(plural: str, obj: Obj) -> dict[str, str]:
    """A ConfigMap's data (binaryData decoded too), or a Secret's decoded data."""
    return {k: v.decode("utf-8", "replace") for k, v in object_bytes(plural, obj).items()}


def expand(text: str, env: Mapping[str, str]) -> str:
    """Replace `$(VAR)` with env's value (left as is when undefined); `$$` is a literal `$`."""
    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return _REF.sub(sub, text)


def field_value(pod: Obj, path: str, *, node_name: str, host_ip: str, pod_ip: str) -> str:
    """The downward API's fieldRef values (upstream's podFieldSelectorRuntimeValue)."""
    meta, spec = pod.get("metadata", {}), pod.get("spec", {})
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName") or node_name,
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": host_ip, "status.hostIPs": host_ip,
        "status.podIP": pod_ip, "status.podIPs": pod_ip,
    }
    if path in simple:
        return simple[path]
    m = _FIELD_KEY.match(path)
    if m:
        return (meta.get(m.group(1)) or {}).get(m.group(2), "")
    if path in ("metadata.labels", "metadata.annotations"):
        values = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(values.items()))
    raise ContainerWaiting(CONFIG_ERROR, f'unsupported fieldRef fieldPath "{path}"')


def _lookup(sources: Sources, plural: str, name: str, namespace: str, key: str | None,
            optional: bool) -> str | None:
    data = sources.get((plural, name))
    if data is None:
        if optional:
            return None
        raise ContainerWaiting(CONFIG_ERROR, f'{plural[:-1]} "{name}" not found')
    if key is None:
        return ""
    if key not in data:
        if optional:
            return None
        raise ContainerWaiting(CONFIG_ERROR,
                               f"couldn't find key {key} in {_KIND[plural]} {namespace}/{name}")
    return data[key]


def resource_env(pod: Obj, container: Obj, ref: Obj, allocatable: Mapping[str, str]) -> str:
    """A resourceFieldRef's value; containerName defaults to the container itself."""
    try:
        return resource_value(pod, ref.get("containerName") or container["name"],
                              ref.get("resource", ""), ref.get("divisor"), allocatable)
    except ValueError as e:
        raise ContainerWaiting(CONFIG_ERROR, str(e)) from e


def resolve_env(pod: Obj, container: Obj, sources: Sources, *, node_name: str,
                host_ip: str, pod_ip: str, allocatable: Mapping[str, str] | None = None,
                services: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The container's environment in order: Service variables, envFrom, then env (later wins).

    allocatable: the node's, for resourceFieldRef limits the container does not set.
    services: the Service variables (service_env.py), which `$(VAR)` may name.
    """
    namespace = pod.get("metadata", {}).get("namespace", "default")
    env: dict[str, str] = dict(services or {})
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        for field, plural in (("configMapRef", "configmaps"), ("secretRef", "secrets")):
            if field not in source:
                continue
            ref = source[field]
            name, optional = ref.get("name", ""), bool(ref.get("optional"))
            if _lookup(sources, plural, name, namespace, None, optional) is None:
                continue
            for k, v in (sources.get((plural, name)) or {}).items():
                env[prefix + k] = v
    for var in container.get("env") or []:
        name = var["name"]
        source = var.get("valueFrom")
        if not source:
            env[name] = expand(var.get("value", ""), env)
            continue
        if "fieldRef" in source:
            env[name] = field_value(pod, source["fieldRef"].get("fieldPath", ""),
                                    node_name=node_name, host_ip=host_ip, pod_ip=pod_ip)
            continue
        if "resourceFieldRef" in source:
            env[name] = resource_env(pod, container, source["resourceFieldRef"],
                                     allocatable or {})
            continue
        for field, plural in (("configMapKeyRef", "configmaps"), ("secretKeyRef", "secrets")):
            if field in source:
                ref = source[field]
                value = _lookup(sources, plural, ref.get("name", ""), namespace, ref.get("key", ""),
                                bool(ref.get("optional")))
                if value is not None:
                    env[name] = value
    return list(env.items())
