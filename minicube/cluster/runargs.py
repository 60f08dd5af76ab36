"""How the node container is run: every flag, each with its reason (kind's provision.go).

Pure data, no Docker calls: the provider passes these to the engine, and an error
message can show exactly which flags the engine refused.
"""

from __future__ import annotations

from typing import Any

from minicube.cluster.config import LABEL_CLUSTER, LABEL_CONFIG, LABEL_ROLE, ROLE_NODE, ClusterConfig

API_PORT_IN_NODE = 8443
INGRESS_PORTS = (80, 443)


def docker_volume(profile: str) -> str:
    return f"minicube-{profile}-docker"


def state_volume(profile: str) -> str:
    return f"minicube-{profile}-state"


def labels(cfg: ClusterConfig) -> dict[str, str]:
    return {LABEL_CLUSTER: cfg.profile, LABEL_ROLE: ROLE_NODE, LABEL_CONFIG: cfg.to_label()}


def node_run_kwargs(cfg: ClusterConfig, image: str, *, cgroup_v2: bool) -> dict[str, Any]:
    """Keyword arguments for `containers.run` that make a node able to run its own dockerd."""
    kwargs: dict[str, Any] = {
        "image": image,
        # The container is found by label; the name is for people (`docker exec -it minicube`).
        "name": cfg.profile,
        # The node's hostname is its Node name in the API.
        "hostname": cfg.profile,
        "detach": True,
        # --privileged fails where the bounding set lacks SYS_RESOURCE (ENVIRONMENT.md);
        # every other capability is what the inner dockerd and runc need.
        "cap_add": ["ALL"],
        "cap_drop": ["SYS_RESOURCE"],
        # The inner engine mounts, pivots and unshares: the default profiles forbid that.
        "security_opt": ["seccomp=unconfined", "apparmor=unconfined"],
        # The inner runc creates device nodes (/dev/null, ptys) for every pod container.
        "device_cgroup_rules": ["a *:* rwm"],
        "volumes": {
            # The inner dockerd makes cgroups for pod containers, so the hierarchy must be writable.
            "/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"},
            # overlay2 cannot sit on the node's own overlay root; the volume is ext4, and keeps
            # loaded images and pod containers across stop/start.
            docker_volume(cfg.profile): {"bind": "/var/lib/docker", "mode": "rw"},
            # Cluster state (SQLite store, PKI) outlives the container: restarts and image upgrades.
            state_volume(cfg.profile): {"bind": "/var/lib/minicube", "mode": "rw"},
        },
        # Sockets and pid files must not survive a restart, as on a real machine.
        "tmpfs": {"/run": "rw,nosuid,nodev,mode=755", "/tmp": "rw,nosuid,nodev,exec,mode=1777"},
        # The API reaches the host only, on a port picked at create and kept across restarts.
        "ports": {f"{API_PORT_IN_NODE}/tcp": ("127.0.0.1", cfg.api_port),
                  # --ingress-ports: the Ingress controller's nginx on the host's loopback too
                  # (the node's own IP serves it anyway, where the host can route to it).
                  **({f"{p}/tcp": ("127.0.0.1", p) for p in INGRESS_PORTS} if cfg.ingress_ports else {})},
        # --cpus and --memory; the entrypoint nests pod cgroups under the node's own.
        "nano_cpus": int(cfg.cpus * 1e9),
        "mem_limit": cfg.memory,
        # Identity lives in labels: no state files on the host.
        "labels": labels(cfg),
        # `minicube stop` must stay stopped: the engine never restarts a node by itself.
        "restart_policy": {"Name": "no"},
        # The entrypoint is PID 1 and handles SIGTERM: control plane first, then the inner dockerd.
        "init": False,
        "stop_signal": "SIGTERM",
    }
    if cgroup_v2:
        # On cgroup v2 the entrypoint mounts a cgroup2 rooted at the node: it needs its own namespace.
        kwargs["cgroupns"] = "private"
    return kwargs


def describe(kwargs: dict[str, Any]) -> str:
    """The security-relevant flags as `docker run` options, for error messages."""
    parts = [f"--cap-add {c}" for c in kwargs["cap_add"]] + [f"--cap-drop {c}" for c in kwargs["cap_drop"]]
    parts += [f"--security-opt {o}" for o in kwargs["security_opt"]]
    parts += [f"--device-cgroup-rule '{r}'" for r in kwargs["device_cgroup_rules"]]
    parts += [f"-v {src}:{m['bind']}:{m['mode']}" for src, m in kwargs["volumes"].items()]
    parts += [f"--tmpfs {path}" for path in kwargs["tmpfs"]]
    parts += [f"-p {host}:{port}:{inner}" for inner, (host, port) in kwargs["ports"].items()]
    parts.append(f"--cpus {kwargs['nano_cpus'] / 1e9:g} --memory {kwargs['mem_limit']}")
    if "cgroupns" in kwargs:
        parts.append(f"--cgroupns {kwargs['cgroupns']}")
    return " ".join(parts)
