"""The seed example from ../shared/examples/doabledanny/, applied unchanged with stand-in images
built in the node under the names it uses: both Deployments become Ready, the web app answers on
the fixed NodePort from the host, and it reaches MongoDB through the Service name with the
credentials from the Secret (issues 3 and 4)."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, Cluster, wait_for


def _find_example() -> Path | None:
    """The shared examples live beside the checkout (../shared), not in it; a CI machine may
    keep them elsewhere ($MINICUBE_SEED_EXAMPLE) or not have them at all."""
    candidates = [os.environ.get("MINICUBE_SEED_EXAMPLE", ""), REPO.parent / "shared/examples/doabledanny",
                  "/work/shared/examples/doabledanny"]
    return next((Path(c) for c in candidates if c and Path(c, "mongo.yaml").is_file()), None)


EXAMPLE = _find_example() or Path("missing")
ORDER = ("mongo-config.yaml", "mongo-secret.yaml", "mongo.yaml", "webapp.yaml")  # the README's
STANDINS = {"mongo:5.0": "mongo", "nanajanashia/k8s-demo-app:v1.0": "demo-app"}


@pytest.fixture(scope="module")
def example(cluster: Cluster) -> Iterator[Cluster]:
    if not EXAMPLE.is_dir():
        pytest.skip("the seed example (../shared/examples/doabledanny) is not on this machine; "
                    "set MINICUBE_SEED_EXAMPLE to its directory")
    for tag, directory in STANDINS.items():
        cluster.mc("image build", str(REPO / "images" / "standins" / directory), "-t", tag, timeout=300)
    try:
        for name in ORDER:
            cluster.kubectl("apply", "-f", str(EXAMPLE / name))
        yield cluster
    finally:
        for name in reversed(ORDER):
            cluster.kubectl("delete", "-f", str(EXAMPLE / name), "--ignore-not-found", "--wait=false")


def test_every_workload_becomes_ready(example: Cluster) -> None:
    for deployment in ("mongo-deployment", "webapp-deployment"):
        example.kubectl("rollout", "status", f"deployment/{deployment}", "--timeout=120s", timeout=150)
    pods = example.kubectl("get", "pods", "-l", "app in (mongo,webapp)", "-o", "name").stdout.split()
    assert len(pods) == 2


def test_the_app_answers_on_the_node_port_and_reaches_the_database_by_service_name(example: Cluster) -> None:
    ip = example.mc("ip").stdout.strip()

    def page() -> str | None:
        try:
            with urllib.request.urlopen(f"http://{ip}:30100/", timeout=5) as response:
                return response.read().decode()
        except OSError:
            return None

    body = wait_for("the web app's page on the NodePort", page, timeout=60)
    assert "connected to the database at mongo-service: OK" in body, body
    logs = example.kubectl("logs", "deployment/webapp-deployment").stdout
    assert "app listening on port 3000!" in logs


def test_minicube_apply_of_the_folder_waits_until_it_all_works(example: Cluster) -> None:
    result = example.mc("apply", "-f", str(EXAMPLE), "--wait", "--timeout", "120s", timeout=180)
    assert "all 6 object(s) ready" in result.stderr, result.stderr
