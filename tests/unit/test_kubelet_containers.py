"""Inner container names, labels, and reading an inspection."""

from __future__ import annotations

from minicube.kubelet.containers import (container_labels, container_name, latest_by_name,
                                         parse_inspect, parse_labels)
from tests.unit.kubelet_fixtures import info, make_pod


def test_container_names_follow_dockershim() -> None:
    assert container_name(make_pod(), "web", 2) == "k8s_web_web_default_u1_2"


def test_labels_round_trip() -> None:
    labels = container_labels(make_pod(), "POD", 3)
    assert parse_labels(labels) == ("u1", "web", "default", "POD", 3)


def test_containers_without_our_labels_are_not_ours() -> None:
    assert parse_labels({"other": "x"}) is None
    assert parse_inspect({"Id": "x", "Config": {"Labels": {}}}) is None


def test_parse_inspect_reads_state_and_sandbox_ip() -> None:
    attrs = {"Id": "abc", "Image": "sha256:1",
             "Config": {"Image": "pause", "Labels": container_labels(make_pod(), "POD", 0)},
             "State": {"Status": "exited", "ExitCode": 255, "OOMKilled": False,
                       "StartedAt": "2024-01-01T00:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z"},
             "NetworkSettings": {"Networks": {"minicube-pods": {"IPAddress": "10.244.0.9"}}}}
    c = parse_inspect(attrs)
    assert c is not None and c.is_sandbox and c.exited and not c.running
    assert (c.exit_code, c.ip, c.finished_at, c.grace) == (255, "10.244.0.9", "", 30)


def test_a_container_that_could_not_start_counts_as_exited() -> None:
    assert info(state="created", error="exec: not found").exited
    assert not info(state="created").exited


def test_latest_by_name_orders_attempts_newest_first() -> None:
    grouped = latest_by_name([info(attempt=0), info(attempt=2), info("POD")])
    assert [c.attempt for c in grouped["web"]] == [2, 0] and len(grouped["POD"]) == 1
