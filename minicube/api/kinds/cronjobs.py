"""batch/v1 CronJob: creates Jobs from `jobTemplate` on a cron schedule
(controllers/cronjob.py; schedules are read by minicube.api.cron)."""

from __future__ import annotations

from typing import Any

from minicube.api import cron
from minicube.api.kinds.common import get, kind_schema, object_meta, object_reference, spec
from minicube.api.kinds.jobs import job_spec, validate_job_spec
from minicube.api.kinds.replication import CONTAINERS, IMAGES, SELECTOR, default_template
from minicube.api.meta import (invalid, is_dns1123_subdomain, not_supported, required,
                               validate_labels, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, boolean, int32, int64, obj_, string, time
from minicube.api.tables import AGE, since

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
# Job names are `<cronjob>-<minutes since epoch>` (11 characters) and must stay labels.
MAX_NAME = 52

SCHEMA = kind_schema(
    spec=obj_({
        "schedule": string, "timeZone": string, "startingDeadlineSeconds": int64,
        "concurrencyPolicy": string, "suspend": boolean,
        "jobTemplate": obj_({"metadata": object_meta, "spec": job_spec}),
        "successfulJobsHistoryLimit": int32, "failedJobsHistoryLimit": int32,
    }, required=["schedule", "jobTemplate"]),
    status=obj_({"active": arr(object_reference), "lastScheduleTime": time,
                 "lastSuccessfulTime": time}),
)


def _default(cj: Obj) -> None:
    s = spec(cj)
    s.setdefault("concurrencyPolicy", "Allow")
    s.setdefault("suspend", False)
    s.setdefault("successfulJobsHistoryLimit", 3)
    s.setdefault("failedJobsHistoryLimit", 1)
    if isinstance(job := get(s, "jobTemplate", "spec"), dict):
        default_template(job)


def _validate_schedule(s: Obj) -> list[Cause]:
    out: list[Cause] = []
    schedule = s.get("schedule")
    if not schedule:
        out.append(required("spec.schedule"))
    else:
        try:
            cron.parse(schedule)
        except ValueError as e:
            out.append(invalid("spec.schedule", schedule, str(e)))
    if (tz := s.get("timeZone")) is not None:
        try:
            if not tz:  # set but empty: upstream's LoadLocation("") would mean UTC; it refuses
                raise ValueError("unknown time zone ")
            cron.zone(tz)
        except ValueError as e:
            out.append(invalid("spec.timeZone", tz, str(e)))
    return out


def _validate(cj: Obj) -> list[Cause]:
    s = cj.get("spec") or {}
    out = validate_object_meta(cj, namespaced=True, name_validator=is_dns1123_subdomain)
    name = get(cj, "metadata", "name", default="")
    if len(name) > MAX_NAME:
        out.append(invalid("metadata.name", name,
                           f"must be no more than {MAX_NAME} characters"))
    out += _validate_schedule(s)
    policy = s.get("concurrencyPolicy")
    if policy not in CONCURRENCY_POLICIES:
        out.append(not_supported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit",
                  "failedJobsHistoryLimit"):
        if isinstance(v := s.get(field), int) and v < 0:
            out.append(invalid(f"spec.{field}", v, "must be greater than or equal to 0"))
    template = s.get("jobTemplate") or {}
    out += validate_labels(get(template, "metadata", "labels"), "spec.jobTemplate.metadata.labels")
    # The selector is generated per Job when the Job is created, so none is needed here.
    return out + validate_job_spec(template.get("spec") or {}, "spec.jobTemplate.spec",
                                   selector_required=False)


def _last_schedule(cj: Obj) -> str:
    last = get(cj, "status", "lastScheduleTime")
    return since(last) if last else "<none>"


def _suspend(cj: Obj) -> str:
    value = get(cj, "spec", "suspend")
    return "<unset>" if value is None else ("True" if value else "False")


def _of_job_template(column: Column) -> Column:
    """A Job's wide column, read from the CronJob's jobTemplate."""
    def cell(cj: Obj) -> Any:
        return column.cell({"spec": get(cj, "spec", "jobTemplate", "spec", default={})})
    return Column(column.name, cell, priority=1, description=column.description)


CRON_JOB = Kind(
    group="batch", version="v1", kind="CronJob", plural="cronjobs", short_names=("cj",),
    categories=("all",), subresources=("status",),
    columns=(Column("Schedule", lambda o: get(o, "spec", "schedule", default=""),
                    description="The cron schedule."),
             Column("Timezone", lambda o: get(o, "spec", "timeZone") or "<none>",
                    description="The zone the schedule is read in."),
             Column("Suspend", _suspend, description="Whether new runs are suspended."),
             Column("Active", lambda o: len(get(o, "status", "active", default=[])),
                    type="integer", description="Number of running jobs."),
             Column("Last Schedule", _last_schedule,
                    description="When a job was last scheduled."),
             AGE,
             *(_of_job_template(c) for c in (CONTAINERS, IMAGES, SELECTOR))),
    schema=SCHEMA, default=_default, validate=_validate,
)
