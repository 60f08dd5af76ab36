from typing import Any

from minicube.controllers.job import (Counts, backoff_delay, completed, count_pods, failure,
                                      wanted_active)


def pod(phase: str, *, restarts: int = 0, ready: bool = False, deleting: bool = False,
        finished: str = "2024-01-01T00:00:10Z") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "p"}
    if deleting:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    state = {"terminated": {"exitCode": 1, "finishedAt": finished}} if phase == "Failed" else {}
    return {"metadata": meta, "status": {
        "phase": phase, "conditions": [{"type": "Ready", "status": str(ready)}],
        "containerStatuses": [{"restartCount": restarts, "state": state,
                               "lastState": {"terminated": {"finishedAt": finished}}
                               if restarts else {}}]}}


def test_counts_by_phase() -> None:
    counts = count_pods([pod("Succeeded"), pod("Failed"), pod("Running", ready=True),
                         pod("Pending"), pod("Running", deleting=True)], "Never")
    assert (counts.active, counts.ready, counts.succeeded, counts.failed, counts.terminating) == \
        (2, 1, 1, 1, 1)
    assert counts.last_failure is not None


def test_restarts_count_as_failures_under_on_failure() -> None:
    counts = count_pods([pod("Running", restarts=2)], "OnFailure")
    assert (counts.active, counts.failed) == (1, 2)
    assert count_pods([pod("Running", restarts=2)], "Never").failed == 0


def test_backoff_doubles_from_ten_seconds_up_to_six_minutes() -> None:
    assert [backoff_delay(n) for n in (0, 1, 2, 3, 6, 7, 20)] == [0, 10, 20, 40, 320, 360, 360]


def test_wanted_active_is_parallelism_capped_by_missing_completions() -> None:
    assert wanted_active({"parallelism": 2, "completions": 5}, Counts(succeeded=4)) == 1
    assert wanted_active({"parallelism": 3, "completions": 5}, Counts()) == 3
    # A work queue (no completions): nothing new once one pod succeeded.
    assert wanted_active({"parallelism": 3}, Counts(succeeded=1)) == 0
    assert wanted_active({"parallelism": 3}, Counts()) == 3


def test_completion() -> None:
    assert completed({"completions": 2}, Counts(succeeded=2))
    assert not completed({"completions": 2}, Counts(succeeded=1, active=1))
    assert completed({"parallelism": 2}, Counts(succeeded=1, active=0))
    assert not completed({"parallelism": 2}, Counts(succeeded=1, active=1))


def test_failure_past_backoff_limit_or_deadline() -> None:
    assert failure({"backoffLimit": 1}, {}, Counts(failed=2), 0) == (
        "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert failure({"backoffLimit": 1}, {}, Counts(failed=1), 0) is None
    start = {"startTime": "2024-01-01T00:00:00Z"}
    t0 = 1704067200.0
    assert failure({"activeDeadlineSeconds": 30}, start, Counts(), t0 + 29) is None
    assert failure({"activeDeadlineSeconds": 30}, start, Counts(), t0 + 30)[0] == \
        "DeadlineExceeded"  # type: ignore[index]


def test_indexed_pods_cover_missing_indexes_lowest_first() -> None:
    from minicube.controllers.jobindex import (add_index, format_ranges, missing_indexes,
                                               succeeded_indexes)

    def indexed(i: int, phase: str) -> dict[str, Any]:
        p = pod(phase)
        p["metadata"]["annotations"] = {"batch.kubernetes.io/job-completion-index": str(i)}
        return p
    pods = [indexed(0, "Succeeded"), indexed(1, "Failed"), indexed(2, "Running"),
            indexed(4, "Succeeded")]
    assert missing_indexes(pods, 5) == [1, 3]
    assert succeeded_indexes(pods, 5) == {0, 4}
    assert format_ranges({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7" and format_ranges(set()) == ""
    new = add_index({"metadata": {}, "spec": {"containers": [{"name": "c"}]}}, "work", 3)
    assert new["spec"]["hostname"] == "work-3" and new["metadata"]["generateName"] == "work-3-"
    assert new["spec"]["containers"][0]["env"][0]["name"] == "JOB_COMPLETION_INDEX"
