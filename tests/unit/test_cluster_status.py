from __future__ import annotations

import pytest

from minicube.cluster.status import (CONFIGURED, MISCONFIGURED, NONEXISTENT, RUNNING, STOPPED, ClusterStatus)


@pytest.mark.parametrize("host, engine, api, config, code", [
    (RUNNING, RUNNING, RUNNING, CONFIGURED, 0),
    (RUNNING, RUNNING, RUNNING, MISCONFIGURED, 4),
    (RUNNING, RUNNING, STOPPED, CONFIGURED, 2),
    (RUNNING, STOPPED, STOPPED, CONFIGURED, 2),
    (STOPPED, STOPPED, STOPPED, CONFIGURED, 3),
    (STOPPED, STOPPED, STOPPED, MISCONFIGURED, 7),
    (NONEXISTENT, NONEXISTENT, NONEXISTENT, NONEXISTENT, 7),
])
def test_exit_code_adds_minikube_bits(host: str, engine: str, api: str, config: str, code: int) -> None:
    assert ClusterStatus("dev", host, engine, api, config).exit_code() == code


def test_json_uses_minikube_keys() -> None:
    status = ClusterStatus("dev", RUNNING, RUNNING, RUNNING, CONFIGURED, "https://127.0.0.1:5000")
    assert status.as_dict() == {"Name": "dev", "Host": "Running", "Engine": "Running", "APIServer": "Running",
                                "Kubeconfig": "Configured", "Server": "https://127.0.0.1:5000"}
