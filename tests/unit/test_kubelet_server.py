"""The log endpoint's helpers: timestamps as Kubernetes prints them, which attempt to read."""

from __future__ import annotations

from minicube.kubelet.server import normalize_timestamps, pick_container
from tests.unit.kubelet_fixtures import info


def test_timestamps_get_nine_fraction_digits() -> None:
    assert normalize_timestamps(b"2024-01-01T00:00:00.5Z hi") == b"2024-01-01T00:00:00.500000000Z hi"
    assert normalize_timestamps(b"2024-01-01T00:00:00Z hi") == b"2024-01-01T00:00:00.000000000Z hi"
    assert normalize_timestamps(b"no stamp") == b"no stamp"


def test_previous_reads_the_prior_attempt() -> None:
    containers = [info(attempt=2), info(attempt=1, state="exited"), info("POD")]
    assert pick_container(containers, "web", "u1", previous=False).attempt == 2  # type: ignore[union-attr]
    assert pick_container(containers, "web", "u1", previous=True).attempt == 1  # type: ignore[union-attr]
    assert pick_container([info()], "web", "u1", previous=True) is None


def test_an_unknown_container_is_none() -> None:
    assert pick_container([info()], "nope", "u1", previous=False) is None
