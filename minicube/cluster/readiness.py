"""Bounded waits for a node to come up, each saying what it waited for when it gives up.

Every wait also watches the node container itself: if it stops, waiting longer cannot help,
so the wait fails at once with the container's last words.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from collections.abc import Callable
from typing import TypeVar

from minicube._errors import MinicubeError, WaitTimeout
from minicube.cluster.endpoint import Endpoint, read_credentials
from minicube.cluster.kubeconfig import Credentials
from minicube.cluster.provider import DockerProvider, Node

log = logging.getLogger(__name__)
T = TypeVar("T")
_POLL_SECONDS = 0.2


class Deadline:
    """One time budget shared by consecutive waits (`--wait-timeout`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return self._end - time.monotonic()


def _until(what: str, check: Callable[[], T | None], deadline: Deadline, provider: DockerProvider,
           node: Node, last_error: Callable[[], str] = lambda: "") -> T:
    while True:
        result = check()
        if result:
            return result
        _still_running(provider, node, what)
        if deadline.left() <= 0:
            error = last_error()
            raise WaitTimeout(f"timed out after {deadline.seconds:g}s waiting for {what}"
                              + (f" (last error: {error})" if error else ""),
                              hint=f"see what the node did: minicube logs -p {node.profile} "
                                   f"(or raise --wait-timeout)")
        time.sleep(min(_POLL_SECONDS, max(deadline.left(), 0)))


def _still_running(provider: DockerProvider, node: Node, what: str) -> None:
    current = provider.find(node.profile)
    if current is None or not current.running:
        last = provider.container_logs(current, tail=5).strip() if current else ""
        raise MinicubeError(f"the node container stopped while waiting for {what}"
                            + (f"; its last lines:\n{last}" if last else ""),
                            hint=f"docker logs {node.name}")


def inner_engine(provider: DockerProvider, node: Node, deadline: Deadline) -> None:
    _until("the node's inner Docker engine",
           lambda: provider.exec(node, ["docker", "info", "--format", "{{.ServerVersion}}"]).ok,
           deadline, provider, node)


def credentials(provider: DockerProvider, node: Node, deadline: Deadline) -> Credentials:
    return _until("the control plane to create the cluster certificates",
                  lambda: read_credentials(provider, node), deadline, provider, node)


def api_server(provider: DockerProvider, node: Node, api: Endpoint, deadline: Deadline) -> None:
    _until(f"the API server at {api.server}/readyz", api.ready, deadline, provider, node,
           lambda: api.last_error)


def node_ready(provider: DockerProvider, node: Node, api: Endpoint, deadline: Deadline,
               since: datetime | None) -> None:
    _until(f"node {node.profile} to be Ready", lambda: api.node_ready(node.profile, since), deadline, provider,
           node, lambda: api.last_error)


CLUSTER_DNS_NAME = "kube-dns.kube-system.svc.cluster.local"
CLUSTER_DNS_IP = "10.96.0.10"


def cluster_dns(provider: DockerProvider, node: Node, deadline: Deadline) -> None:
    """Cluster DNS answers at its Service IP, asked from the node as a pod would."""
    _until(f"cluster DNS at {CLUSTER_DNS_IP}", lambda: provider.exec(
        node, ["busybox", "nslookup", CLUSTER_DNS_NAME, CLUSTER_DNS_IP]).ok, deadline, provider, node)


def api_object(provider: DockerProvider, node: Node, api: Endpoint, deadline: Deadline,
               what: str, path: str) -> None:
    """An object the control plane creates at boot exists (`what` names it for a timeout)."""
    _until(what, lambda: api.get_json(path)[0] == 200, deadline, provider, node, lambda: api.last_error)


def ingress_serving(provider: DockerProvider, node: Node, deadline: Deadline) -> None:
    """nginx answers on the node's port 80 (a 404 from the catch-all server is an answer)."""
    def answers() -> bool:
        result = provider.exec(node, ["busybox", "wget", "-q", "-S", "-O", "/dev/null", "http://127.0.0.1/"])
        return b"HTTP/" in result.stderr + result.stdout
    _until("the ingress controller (nginx) on port 80", answers, deadline, provider, node)
