"""Engine create-arguments for a pod's sandbox and app containers (pure).

The sandbox holds the pod's network namespace (its own IP on the pod network, hostname =
pod name); app containers join it with `network_mode=container:<sandbox>`, so localhost is
shared and the hostname follows. The dicts are keyword arguments of the Docker SDK's
`containers.create()`, which only the runtime calls.
"""

from __future__ import annotations

from typing import Any, Sequence

from minicube.kubelet.containers import (PAUSE_IMAGE, POD_NETWORK, SANDBOX, container_labels,
                                         container_name)
from minicube.kubelet.envvars import expand
from minicube.kubelet.mounts import Bind
from minicube.kubelet.resources import engine_resources

Obj = dict[str, Any]

CLUSTER_DOMAIN = "cluster.local"


def hostname(pod: Obj) -> tuple[str, str]:
    """(hostname, domain): spec.hostname or the pod's name (one DNS label: at most 63
    characters, not ending in - or .); with a subdomain, the pod's FQDN domain."""
    spec = pod.get("spec") or {}
    host = (spec.get("hostname") or pod["metadata"]["name"])[:63].rstrip("-.")
    sub = spec.get("subdomain")
    namespace = pod["metadata"].get("namespace", "default")
    domain = f"{sub}.{namespace}.svc.{CLUSTER_DOMAIN}" if sub else ""
    return host, domain


def sandbox_spec(pod: Obj, attempt: int) -> Obj:
    host, domain = hostname(pod)
    out: Obj = {"image": PAUSE_IMAGE, "name": container_name(pod, SANDBOX, attempt),
                "hostname": host, "network": POD_NETWORK,
                "labels": container_labels(pod, SANDBOX, attempt), "detach": True}
    if domain:
        out["domainname"] = domain
    return out


def security_options(pod: Obj, container: Obj) -> Obj:
    """The container's securityContext (falling back to the pod's) as engine options."""
    pod_sc = (pod.get("spec") or {}).get("securityContext") or {}
    sc = container.get("securityContext") or {}
    out: Obj = {}
    user, group = sc.get("runAsUser", pod_sc.get("runAsUser")), sc.get("runAsGroup",
                                                                         pod_sc.get("runAsGroup"))
    if user is not None or group is not None:
        # A group alone needs a user: upstream keeps the image's user, which is root by default.
        out["user"] = f"{0 if user is None else user}{'' if group is None else f':{group}'}"
    groups = [*pod_sc.get("supplementalGroups", []),
              *([pod_sc["fsGroup"]] if pod_sc.get("fsGroup") is not None else [])]
    if groups:
        out["group_add"] = [str(g) for g in groups]
    if sc.get("readOnlyRootFilesystem"):
        out["read_only"] = True
    if sc.get("privileged"):
        out["privileged"] = True
    caps = sc.get("capabilities") or {}
    if caps.get("add"):
        out["cap_add"] = list(caps["add"])
    if caps.get("drop"):
        out["cap_drop"] = list(caps["drop"])
    if sc.get("allowPrivilegeEscalation") is False:
        out["security_opt"] = ["no-new-privileges"]
    return out


def _effective(pod: Obj, container: Obj, key: str) -> Any:
    """A securityContext field: the container's, else the pod's (upstream merges per field)."""
    value = (container.get("securityContext") or {}).get(key)
    return value if value is not None else \
        ((pod.get("spec") or {}).get("securityContext") or {}).get(key)


def needs_image_user(pod: Obj, container: Obj) -> bool:
    """runAsNonRoot must be checked against the image's USER (no runAsUser decides it)."""
    return bool(_effective(pod, container, "runAsNonRoot")) and \
        _effective(pod, container, "runAsUser") is None


def non_root_violation(pod: Obj, container: Obj, image_user: str, pod_ref: str) -> str | None:
    """Why runAsNonRoot forbids creating the container (upstream's messages), or None.

    image_user: the image's configured USER, `name`/`uid` with an optional `:group`; unset
    means root. A name cannot be verified without the image's passwd, so it is refused."""
    if not _effective(pod, container, "runAsNonRoot"):
        return None
    where = f'(pod: "{pod_ref}", container: {container["name"]})'
    run_as = _effective(pod, container, "runAsUser")
    if run_as is not None:
        return f"container's runAsUser breaks non-root policy {where}" if run_as == 0 else None
    user = image_user.split(":", 1)[0]
    if user and not user.isdigit():
        return (f"container has runAsNonRoot and image has non-numeric user ({user}), "
                f"cannot verify user is non-root {where}")
    if not user or int(user) == 0:
        return f"container has runAsNonRoot and image will run as root {where}"
    return None


def app_spec(pod: Obj, container: Obj, attempt: int, sandbox_id: str,
             env: list[tuple[str, str]], binds: Sequence[Bind] = (), pid_target: str = "") -> Obj:
    """command replaces the image's entrypoint (and drops its CMD); args replace CMD.
    pid_target: the id of a container whose processes this one sees (an ephemeral
    container's targetContainerName)."""
    values = dict(env)
    spec: Obj = {
        "image": container["image"], "name": container_name(pod, container["name"], attempt),
        "labels": container_labels(pod, container["name"], attempt),
        "network_mode": f"container:{sandbox_id}",
        "environment": [f"{k}={v}" for k, v in env],
        # The SDK sets StdinOnce only on a non-detached create (the attach flags it adds
        # are unused by create + start): stdin then closes when the first attacher's ends,
        # and the container's output keeps flowing to it (`kubectl run -i`).
        "detach": not (container.get("stdin") and container.get("stdinOnce")),
        "stdin_open": bool(container.get("stdin")), "tty": bool(container.get("tty")),
        **engine_resources(container), **security_options(pod, container),
    }
    if binds:
        spec["volumes"] = [b.engine() for b in binds]
    if container.get("command"):
        spec["entrypoint"] = [expand(a, values) for a in container["command"]]
        spec["command"] = [expand(a, values) for a in container.get("args") or []]
    elif container.get("args"):
        spec["command"] = [expand(a, values) for a in container["args"]]
    if container.get("workingDir"):
        spec["working_dir"] = container["workingDir"]
    if pid_target:
        spec["pid_mode"] = f"container:{pid_target}"
    return spec
