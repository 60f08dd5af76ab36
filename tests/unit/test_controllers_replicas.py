from minicube.controllers import replicas


def _pod(name: str, *, node: str = "n", phase: str = "Running", ready_at: str | None = None,
         created: str = "2026-01-01T00:00:00Z", restarts: int = 0) -> dict:
    conditions = [{"type": "Ready", "status": "True", "lastTransitionTime": ready_at}] if ready_at else []
    return {"metadata": {"name": name, "creationTimestamp": created, "labels": {"app": "web"}},
            "spec": {"nodeName": node},
            "status": {"phase": phase, "conditions": conditions,
                       "containerStatuses": [{"restartCount": restarts}]}}


def _names(pods: list[dict]) -> list[str]:
    return [p["metadata"]["name"] for p in replicas.deletion_order(pods)]


def test_unscheduled_pending_and_unready_pods_go_first() -> None:
    ready = _pod("ready", ready_at="2026-01-01T00:00:01Z")
    assert _names([ready, _pod("unready"), _pod("pending", phase="Pending"),
                   _pod("unscheduled", node="")]) == ["unscheduled", "pending", "unready", "ready"]


def test_among_ready_pods_the_newest_go_first() -> None:
    old = _pod("old", ready_at="2026-01-01T00:00:01Z")
    new = _pod("new", ready_at="2026-01-01T00:05:00Z", created="2026-01-01T00:04:00Z")
    assert _names([old, new]) == ["new", "old"]


def test_more_restarts_go_first() -> None:
    assert _names([_pod("calm"), _pod("crashy", restarts=3)]) == ["crashy", "calm"]


def test_status_counts_ready_and_available_after_min_ready_seconds() -> None:
    rs = {"metadata": {"generation": 4},
          "spec": {"minReadySeconds": 10, "template": {"metadata": {"labels": {"app": "web"}}}}}
    pods = [_pod("a", ready_at="2026-01-01T00:00:00Z"), _pod("b", ready_at="2026-01-01T00:00:55Z"),
            _pod("c")]
    now = replicas.parse_rfc3339("2026-01-01T00:01:00Z") or 0.0
    status = replicas.replica_set_status(rs, pods, now)
    assert status == {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 2,
                      "availableReplicas": 1, "observedGeneration": 4}
    assert replicas.seconds_until_available(pods, 10, now) == 5


def test_finished_or_deleted_pods_are_not_active() -> None:
    deleted = _pod("d")
    deleted["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert [replicas.is_active(p) for p in (_pod("a"), _pod("b", phase="Succeeded"), deleted)] \
        == [True, False, False]


def test_replica_failure_is_set_kept_and_cleared() -> None:
    status: dict = {}
    replicas.set_replica_failure(status, ("FailedCreate", "forbidden"), 0.0)
    [cond] = status["conditions"]
    assert (cond["type"], cond["reason"], cond["message"]) == ("ReplicaFailure", "FailedCreate", "forbidden")
    replicas.set_replica_failure(status, ("FailedCreate", "again"), 60.0)
    assert status["conditions"][0]["lastTransitionTime"] == cond["lastTransitionTime"]
    replicas.set_replica_failure(status, None, 0.0)
    assert "conditions" not in status
