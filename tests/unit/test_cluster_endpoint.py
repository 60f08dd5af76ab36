from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from minicube.cluster.endpoint import Endpoint
from minicube.cluster.kubeconfig import Credentials

BOOT = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def _node(status: str, beat: str) -> dict[str, Any]:
    return {"status": {"conditions": [{"type": "Ready", "status": status, "lastHeartbeatTime": beat}]}}


@pytest.fixture
def api() -> Iterator[Endpoint]:
    with Endpoint("https://127.0.0.1:1", Credentials(b"ca", b"cert", b"key")) as endpoint:
        yield endpoint


@pytest.mark.parametrize("node, ready", [
    (_node("True", "2026-01-01T12:00:05Z"), True),
    (_node("True", "2026-01-01T11:59:00Z"), False),  # the Ready left over from before the stop
    (_node("False", "2026-01-01T12:00:05Z"), False),
])
def test_node_is_ready_only_by_a_heartbeat_since_boot(api: Endpoint, monkeypatch: pytest.MonkeyPatch,
                                                      node: dict[str, Any], ready: bool) -> None:
    monkeypatch.setattr(api, "get_json", lambda path, timeout=3.0: (200, node))
    assert api.node_ready("dev", since=BOOT) is ready


def test_a_missing_node_is_not_ready(api: Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "get_json", lambda path, timeout=3.0: (404, {"kind": "Status"}))
    assert api.node_ready("dev") is False


def test_unanswered_request_records_the_error(api: Endpoint) -> None:
    assert api.ready() is False and "127.0.0.1" in api.last_error
