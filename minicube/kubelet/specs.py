"""Engine create-arguments for a pod's sandbox and app containers (pure).

The sandbox holds the pod's network namespace (its own IP on the pod network, hostname =
pod name); app containers join it with `network_mode=container:<sandbox>`, so localhost is
shared and the hostname follows. The dicts are keyword arguments of the Docker SDK's
`containers.create()`, which only the runtime calls.
"""

from __future__ import annotations

from typing import Any

from minicube.api import quantity
from minicube.kubelet.containers import (PAUSE_IMAGE, POD_NETWORK, SANDBOX, container_labels,
                                         container_name)
from minicube.kubelet.envvars import expand

Obj = dict[str, Any]


def sandbox_spec(pod: Obj, attempt: int) -> Obj:
    return {"image": PAUSE_IMAGE, "name": container_name(pod, SANDBOX, attempt),
            # A hostname is one DNS label: at most 63 characters, not ending in - or .
            "hostname": pod["metadata"]["name"][:63].rstrip("-."), "network": POD_NETWORK,
            "labels": container_labels(pod, SANDBOX, attempt), "detach": True}


def resource_limits(container: Obj) -> Obj:
    """Memory and CPU limits as engine options (cgroup limits, as the kubelet sets them)."""
    limits = (container.get("resources") or {}).get("limits") or {}
    out: Obj = {}
    if "memory" in limits:
        out["mem_limit"] = int(quantity.parse(limits["memory"]))
    if "cpu" in limits:
        out["nano_cpus"] = int(quantity.parse(limits["cpu"]) * 10**9)
    return out


def app_spec(pod: Obj, container: Obj, attempt: int, sandbox_id: str,
             env: list[tuple[str, str]]) -> Obj:
    """command replaces the image's entrypoint (and drops its CMD); args replace CMD."""
    values = dict(env)
    spec: Obj = {
        "image": container["image"], "name": container_name(pod, container["name"], attempt),
        "labels": container_labels(pod, container["name"], attempt),
        "network_mode": f"container:{sandbox_id}",
        "environment": [f"{k}={v}" for k, v in env], "detach": True,
        "stdin_open": bool(container.get("stdin")), "tty": bool(container.get("tty")),
        **resource_limits(container),
    }
    if container.get("command"):
        spec["entrypoint"] = [expand(a, values) for a in container["command"]]
        spec["command"] = [expand(a, values) for a in container.get("args") or []]
    elif container.get("args"):
        spec["command"] = [expand(a, values) for a in container["args"]]
    if container.get("workingDir"):
        spec["working_dir"] = container["workingDir"]
    user = (container.get("securityContext") or {}).get("runAsUser")
    if user is None:
        user = ((pod.get("spec") or {}).get("securityContext") or {}).get("runAsUser")
    if user is not None:
        spec["user"] = str(user)
    return spec
