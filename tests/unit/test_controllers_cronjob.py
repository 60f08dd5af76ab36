from datetime import datetime, timezone
from typing import Any

from minicube.controllers.cronjob import job_for, job_name, over_history_limit


def job(name: str, state: str | None, start: str) -> dict[str, Any]:
    conditions = [{"type": state, "status": "True"}] if state else []
    return {"metadata": {"name": name, "creationTimestamp": start},
            "status": {"startTime": start, "conditions": conditions}}


def test_job_names_count_minutes_since_the_epoch() -> None:
    at = datetime(2024, 1, 1, 0, 5, tzinfo=timezone.utc)
    assert job_name("tick", at) == f"tick-{int(at.timestamp()) // 60}"


def test_job_from_template_is_owned_and_stamped() -> None:
    cj = {"apiVersion": "batch/v1", "kind": "CronJob",
          "metadata": {"name": "tick", "namespace": "ns", "uid": "u"},
          "spec": {"jobTemplate": {"metadata": {"labels": {"a": "b"}},
                                   "spec": {"backoffLimit": 2}}}}
    at = datetime(2024, 1, 1, 0, 5, tzinfo=timezone.utc)
    out = job_for(cj, at)
    assert out["metadata"]["labels"] == {"a": "b"} and out["spec"] == {"backoffLimit": 2}
    assert out["metadata"]["ownerReferences"][0]["controller"] is True
    assert out["metadata"]["annotations"] == {
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2024-01-01T00:05:00Z"}


def test_history_limits_drop_the_oldest_finished_jobs() -> None:
    jobs = [job("a", "Complete", "2024-01-01T00:01:00Z"),
            job("b", "Complete", "2024-01-01T00:02:00Z"),
            job("c", "Failed", "2024-01-01T00:03:00Z"), job("d", None, "2024-01-01T00:00:00Z"),
            job("e", "Complete", "2024-01-01T00:04:00Z")]
    assert [j["metadata"]["name"] for j in over_history_limit(jobs, "Complete", 1)] == ["a", "b"]
    assert over_history_limit(jobs, "Failed", 1) == []
    assert [j["metadata"]["name"] for j in over_history_limit(jobs, "Failed", 0)] == ["c"]
    assert over_history_limit(jobs, "Complete", None) == []
