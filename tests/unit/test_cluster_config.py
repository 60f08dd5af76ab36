from __future__ import annotations

import pytest

from minicube._errors import BadInput
from minicube.cluster.config import ClusterConfig, format_memory, parse_cpus, parse_memory, validate_profile

GIB = 1024**3
MIB = 1024**2


@pytest.mark.parametrize("text, size", [("4g", 4 * GIB), ("2048m", 2048 * MIB), ("2048mb", 2048 * MIB),
                                        ("4GiB", 4 * GIB), ("1.5g", int(1.5 * GIB)), ("3072", 3072 * MIB)])
def test_memory_sizes_parse_like_minikube(text: str, size: int) -> None:
    assert parse_memory(text) == size


@pytest.mark.parametrize("text", ["lots", "4x", "", "-1g", "g"])
def test_unparsable_memory_is_bad_input_with_a_hint(text: str) -> None:
    with pytest.raises(BadInput) as e:
        parse_memory(text)
    assert "4g" in (e.value.hint or "")


def test_memory_below_the_node_minimum_is_refused() -> None:
    with pytest.raises(BadInput, match="too small"):
        parse_memory("100m")


@pytest.mark.parametrize("name", ["minicube", "dev", "e2e-a1b2", "a", "x" * 63])
def test_dns_label_profiles_are_accepted(name: str) -> None:
    assert validate_profile(name) == name


@pytest.mark.parametrize("name", ["Bad_Name", "-dev", "dev-", "UPPER", "x" * 64, "a.b", ""])
def test_profiles_that_cannot_be_hostnames_are_refused(name: str) -> None:
    with pytest.raises(BadInput, match="invalid profile name"):
        validate_profile(name)


def test_cpus_above_the_engine_are_refused() -> None:
    with pytest.raises(BadInput, match="has 2 CPUs"):
        parse_cpus(3, host_cpus=2)
    assert parse_cpus(1.5, host_cpus=2) == 1.5


def test_config_round_trips_through_its_label() -> None:
    cfg = ClusterConfig(profile="dev", cpus=1.5, memory=2 * GIB, api_port=40123)
    assert ClusterConfig.from_label(cfg.to_label()) == cfg
    assert cfg.server == "https://127.0.0.1:40123"


def test_memory_is_shown_in_the_unit_it_was_likely_given() -> None:
    assert format_memory(4 * GIB) == "4g"
    assert format_memory(1536 * MIB) == "1536m"
