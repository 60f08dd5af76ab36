import copy
from typing import Any

from minicube.api.kinds.cronjobs import CRON_JOB
from minicube.api.kinds.jobs import JOB, completions_cell, status_cell
from minicube.api.registry import Kind


def admit(kind: Kind, obj: dict[str, Any]) -> list[str]:
    """on_create, defaults, then validation, as the API server runs them on create."""
    obj = copy.deepcopy(obj)
    obj["metadata"].setdefault("uid", "u1")
    if kind.on_create:
        kind.on_create(obj)
    kind.default(obj)  # type: ignore[misc]
    return [f"{c['field']}: {c['message']}" for c in kind.validate(obj)]  # type: ignore[misc]


def job(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "pi", "namespace": "d"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}, **spec}}


def test_job_defaults_and_generated_selector() -> None:
    obj = job()
    obj["metadata"]["uid"] = "u1"
    JOB.on_create(obj)  # type: ignore[misc]
    JOB.default(obj)  # type: ignore[misc]
    spec = obj["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}
    assert spec["template"]["metadata"]["labels"] == {
        "batch.kubernetes.io/controller-uid": "u1", "batch.kubernetes.io/job-name": "pi",
        "controller-uid": "u1", "job-name": "pi"}
    assert obj["status"] == {}


def test_parallelism_alone_leaves_completions_unset() -> None:
    obj = job(parallelism=3)
    JOB.default(obj)  # type: ignore[misc]
    assert obj["spec"].get("completions") is None


def test_job_validation_names_fields() -> None:
    assert admit(JOB, job(backoffLimit=-1)) == [
        "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"]
    bad = job()
    bad["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    assert admit(JOB, bad) == ['spec.template.spec.restartPolicy: Unsupported value: "Always": '
                               'supported values: "OnFailure", "Never"']
    manual = job(manualSelector=True, selector={"matchLabels": {"x": "y"}})
    assert any("`selector` does not match template `labels`" in e for e in admit(JOB, manual))


def test_template_is_fixed_unless_suspended() -> None:
    old = job(suspend=False)
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "j"
    assert JOB.validate_update(new, old)[0]["field"] == "spec.template"  # type: ignore[misc]
    old["spec"]["suspend"] = new["spec"]["suspend"] = True
    assert JOB.validate_update(new, old) == []  # type: ignore[misc]


def test_job_cells() -> None:
    running = {"spec": {"completions": 2}, "status": {"succeeded": 1}}
    assert (status_cell(running), completions_cell(running)) == ("Running", "1/2")
    done = {"spec": {"parallelism": 3}, "status": {
        "succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}}
    assert (status_cell(done), completions_cell(done)) == ("Complete", "1/1 of 3")


def cronjob(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "tick", "namespace": "d"},
            "spec": {"schedule": "*/5 * * * *",
                     "jobTemplate": {"spec": {"template": {"spec": {
                         "restartPolicy": "OnFailure",
                         "containers": [{"name": "c", "image": "i"}]}}}}, **spec}}


def test_cronjob_defaults() -> None:
    obj = cronjob()
    CRON_JOB.default(obj)  # type: ignore[misc]
    assert {k: obj["spec"][k] for k in ("concurrencyPolicy", "suspend",
                                         "successfulJobsHistoryLimit",
                                         "failedJobsHistoryLimit")} == {
        "concurrencyPolicy": "Allow", "suspend": False, "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1}
    assert admit(CRON_JOB, obj) == []


def test_cronjob_validation() -> None:
    assert admit(CRON_JOB, cronjob(schedule="@sometimes")) == [
        'spec.schedule: Invalid value: "@sometimes": unrecognized descriptor: @sometimes']
    assert admit(CRON_JOB, cronjob(concurrencyPolicy="Never")) == [
        'spec.concurrencyPolicy: Unsupported value: "Never": supported values: "Allow", '
        '"Forbid", "Replace"']
    assert admit(CRON_JOB, cronjob(timeZone="Europe/Paris")) == []
    long = cronjob()
    long["metadata"]["name"] = "x" * 53
    assert admit(CRON_JOB, long) == [
        f'metadata.name: Invalid value: "{"x" * 53}": must be no more than 52 characters']
