"""Requests and limits as cgroup settings and as resourceFieldRef values."""

from __future__ import annotations

import pytest

from minicube.kubelet.resources import engine_resources, quota, resource_value, shares
from tests.unit.kubelet_fixtures import make_pod


def test_shares_and_quota_follow_upstreams_formulas() -> None:
    assert (shares(0), shares(1), shares(250), shares(1000)) == (2, 2, 256, 1024)
    assert (quota(500), quota(2000), quota(1)) == (50_000, 200_000, 1_000)


def test_a_cpu_limit_without_request_sets_shares_from_the_limit() -> None:
    out = engine_resources({"resources": {"limits": {"cpu": "1"}}})
    assert (out["cpu_shares"], out["cpu_quota"]) == (1024, 100_000)


def pod_with(resources: dict[str, object]) -> dict[str, object]:
    pod = make_pod()
    pod["spec"]["containers"][0]["resources"] = resources
    return pod


@pytest.mark.parametrize("resource,divisor,expected", [
    ("limits.memory", "1Mi", "128"), ("limits.cpu", "1m", "500"), ("limits.cpu", None, "1"),
    ("requests.memory", None, "67108864"), ("requests.cpu", "1m", "0")])
def test_resource_values_round_up_by_the_divisor(resource: str, divisor: str | None,
                                                 expected: str) -> None:
    pod = pod_with({"limits": {"memory": "128Mi", "cpu": "500m"}, "requests": {"memory": "64Mi"}})
    assert resource_value(pod, "web", resource, divisor, {}) == expected


def test_an_unset_limit_is_the_nodes_allocatable() -> None:
    assert resource_value(pod_with({}), "web", "limits.cpu", "1m", {"cpu": "2"}) == "2000"


def test_unknown_containers_and_resources_are_errors() -> None:
    with pytest.raises(ValueError, match="not found"):
        resource_value(pod_with({}), "nope", "limits.cpu", None, {})
    with pytest.raises(ValueError, match="unsupported"):
        resource_value(pod_with({}), "web", "limits.gpu", None, {})
