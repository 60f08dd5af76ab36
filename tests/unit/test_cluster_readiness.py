from __future__ import annotations

import pytest

from minicube._errors import EXIT_TIMEOUT, WaitTimeout
from minicube.cluster import readiness
from minicube.cluster.config import ClusterConfig
from minicube.cluster.provider import ExecResult, Node

NODE = Node("dev", "id1", "dev", "running", "minicube/node:x", ClusterConfig("dev", 2.0, 4 * 1024**3, 40000),
            "172.17.0.2")


class ExecOnly:
    """A running node whose commands give fixed results; records what was run."""

    def __init__(self, result: ExecResult) -> None:
        self.result = result
        self.commands: list[list[str]] = []

    def find(self, profile: str) -> Node:
        return NODE

    def exec(self, node: Node, argv: list[str]) -> ExecResult:
        self.commands.append(argv)
        return self.result


def test_cluster_dns_asks_the_service_ip_and_a_timeout_names_it() -> None:
    provider = ExecOnly(ExecResult(1, b"", b";; connection timed out; no servers could be reached"))
    with pytest.raises(WaitTimeout, match="cluster DNS at 10.96.0.10") as raised:
        readiness.cluster_dns(provider, NODE, readiness.Deadline(0.05))  # type: ignore[arg-type]
    assert raised.value.exit_code == EXIT_TIMEOUT
    assert provider.commands[0] == ["busybox", "nslookup", "kube-dns.kube-system.svc.cluster.local", "10.96.0.10"]


def test_the_ingress_counts_as_serving_when_nginx_answers_even_404() -> None:
    not_found = ExecResult(1, b"", b"  HTTP/1.1 404 Not Found\nwget: server returned error: HTTP/1.1 404 Not Found")
    readiness.ingress_serving(ExecOnly(not_found), NODE, readiness.Deadline(5))  # type: ignore[arg-type]
    refused = ExecOnly(ExecResult(1, b"", b"wget: can't connect to remote host (127.0.0.1): Connection refused"))
    with pytest.raises(WaitTimeout, match="ingress controller"):
        readiness.ingress_serving(refused, NODE, readiness.Deadline(0.05))  # type: ignore[arg-type]
