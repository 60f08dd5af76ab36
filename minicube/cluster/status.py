"""`minicube status`: each part of a cluster Running or not, and minikube's exit-code bits.

Exit code bits (so scripts can test them): 1 the host (node container) is not running,
2 the cluster (inner engine or API server) is not running, 4 the kubeconfig entry is
missing or points elsewhere. A cluster that does not exist sets all three (7).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from minicube.cluster import kubeconfig
from minicube.cluster.endpoint import Endpoint, read_credentials
from minicube.cluster.provider import DockerProvider

RUNNING, STOPPED, PAUSED, NONEXISTENT = "Running", "Stopped", "Paused", "Nonexistent"
CONFIGURED, MISCONFIGURED = "Configured", "Misconfigured"

HOST_NOT_RUNNING = 1
CLUSTER_NOT_RUNNING = 2
KUBECONFIG_MISCONFIGURED = 4


@dataclass(frozen=True)
class ClusterStatus:
    name: str
    host: str
    engine: str
    apiserver: str
    kubeconfig: str
    server: str | None = None

    def exit_code(self) -> int:
        code = 0
        if self.host != RUNNING:
            code |= HOST_NOT_RUNNING
        if self.engine != RUNNING or self.apiserver != RUNNING:
            code |= CLUSTER_NOT_RUNNING
        if self.kubeconfig != CONFIGURED:
            code |= KUBECONFIG_MISCONFIGURED
        return code

    def as_dict(self) -> dict[str, str | None]:
        """minikube's JSON keys, plus where the API is published."""
        return {"Name": self.name, "Host": self.host, "Engine": self.engine, "APIServer": self.apiserver,
                "Kubeconfig": self.kubeconfig, "Server": self.server}


def collect(provider: DockerProvider, profile: str, kubeconfig_path: Path) -> ClusterStatus:
    node = provider.find(profile)
    if node is None:
        return ClusterStatus(profile, NONEXISTENT, NONEXISTENT, NONEXISTENT, NONEXISTENT)
    server = node.config.server
    wired = kubeconfig.server_of(kubeconfig.load(kubeconfig_path), profile) == server
    config_state = CONFIGURED if wired else MISCONFIGURED
    if not node.running:
        host = PAUSED if node.state == "paused" else STOPPED
        return ClusterStatus(profile, host, STOPPED, STOPPED, config_state, server)
    engine = provider.exec(node, ["docker", "info", "--format", "{{.ServerVersion}}"]).ok
    creds = read_credentials(provider, node)
    api_ok = False
    if creds:
        with Endpoint(server, creds) as api:
            api_ok = api.ready()
    return ClusterStatus(profile, RUNNING, RUNNING if engine else STOPPED, RUNNING if api_ok else STOPPED,
                         config_state, server)
