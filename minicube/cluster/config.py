"""A cluster's configuration: what `minicube start` was asked for, kept on the node container.

The config travels as JSON in the `io.minicube.config` label, so every later command reads
it back from Docker: there are no state files on the host.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from minicube._errors import BadInput

LABEL_CLUSTER = "io.minicube.cluster"
LABEL_ROLE = "io.minicube.role"
LABEL_CONFIG = "io.minicube.config"
ROLE_NODE = "node"

DEFAULT_PROFILE = "minicube"
DEFAULT_CPUS = 2.0
DEFAULT_MEMORY = "4g"
MIN_MEMORY = 512 * 1024**2  # inner dockerd + containerd + the control plane need ~250 MB

# The profile is the node's hostname and Node name, so it must be a DNS-1123 label.
_PROFILE_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_MEMORY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1024**2, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}  # bare number = MiB, as minikube


@dataclass(frozen=True)
class ClusterConfig:
    profile: str
    cpus: float
    memory: int  # bytes
    api_port: int  # host port on 127.0.0.1 publishing the API server's 8443
    ingress_ports: bool = False  # publish the node's 80 and 443 (ingress) on 127.0.0.1

    def to_label(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_label(cls, text: str) -> ClusterConfig:
        data = json.loads(text)
        return cls(profile=data["profile"], cpus=float(data["cpus"]), memory=int(data["memory"]),
                   api_port=int(data["api_port"]),
                   ingress_ports=bool(data.get("ingress_ports", False)))

    @property
    def server(self) -> str:
        """The API server URL as the host reaches it."""
        return f"https://127.0.0.1:{self.api_port}"


def validate_profile(name: str) -> str:
    if not _PROFILE_RE.match(name):
        raise BadInput(f"invalid profile name {name!r}: it becomes the node's hostname, so it must be "
                       "lowercase letters, digits and '-', starting and ending with a letter or digit "
                       "(at most 63 characters)", hint="for example: minicube start -p dev")
    return name


def parse_memory(text: str) -> int:
    """`4g`, `2048m`, `2048mb`, `4GiB`, or a bare number of MiB, to bytes."""
    match = _MEMORY_RE.match(text)
    if not match:
        raise BadInput(f"invalid memory size {text!r}", hint="use a size like 4g or 2048m")
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < MIN_MEMORY:
        raise BadInput(f"memory {text!r} is too small: the node needs at least 512m",
                       hint="for example: --memory 4g")
    return size


def parse_cpus(value: float, host_cpus: int) -> float:
    if value <= 0 or value > host_cpus:
        raise BadInput(f"invalid --cpus {value:g}: this Docker engine has {host_cpus} CPUs",
                       hint=f"choose a number between 0.5 and {host_cpus}")
    return value


def format_memory(size: int) -> str:
    return f"{size / 1024**3:g}g" if size % 1024**3 == 0 else f"{size // 1024**2}m"
