"""Every namespace gets its `default` ServiceAccount, and pods run as it."""

from __future__ import annotations

from tests.e2e.conftest import Cluster, wait_for


def test_every_namespace_has_a_default_service_account_even_after_deleting_it(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", "accounts")
    try:
        def has_default() -> bool:
            return cluster.kubectl("get", "sa", "default", "-n", "accounts", check=False).returncode == 0
        wait_for("the default ServiceAccount", has_default, timeout=30)
        cluster.kubectl("delete", "sa", "default", "-n", "accounts")
        wait_for("the default ServiceAccount to come back", has_default, timeout=30)
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            assert cluster.kubectl("get", "sa", "default", "-n", ns, check=False).returncode == 0, ns
    finally:
        cluster.kubectl("delete", "namespace", "accounts", "--wait=false")
