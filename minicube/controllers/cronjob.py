"""CronJobController: creates a CronJob's Jobs on its schedule (upstream's cronjob v2).

Each reconcile re-reads the CronJob and its Jobs, refreshes `status.active` and
`lastSuccessfulTime`, trims finished Jobs to the history limits, and starts the most recent
missed run (if any, and if `startingDeadlineSeconds` still allows it) under the
`concurrencyPolicy`; then it requeues itself for the next run. Job names are
`<cronjob>-<scheduled minutes since the epoch>`, so a run is never started twice.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timezone
from typing import Any

from minicube.api import cron
from minicube.api.errors import AlreadyExists, NotFound
from minicube.api.kinds.jobs import has_condition
from minicube.client import Client, EventRecorder, Informer
from minicube.client.clock import parse_rfc3339, rfc3339
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import (controller_ref, is_terminating, owned,
                                            requeue_owner)

log = logging.getLogger(__name__)

Obj = dict[str, Any]
BATCH = "batch/v1"
SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp"


def job_name(cronjob: str, scheduled: datetime) -> str:
    return f"{cronjob}-{int(scheduled.timestamp()) // 60}"


def job_for(cj: Obj, scheduled: datetime) -> Obj:
    """The Job a run creates: the template's metadata and spec, owned by the CronJob."""
    template = copy.deepcopy(cj["spec"].get("jobTemplate") or {})
    tmeta = template.get("metadata") or {}
    # RFC 3339 in the CronJob's zone, `Z` for UTC (Go's time.RFC3339).
    stamp = scheduled.isoformat().replace("+00:00", "Z")
    annotations = {**(tmeta.get("annotations") or {}), SCHEDULED_AT: stamp}
    return {"apiVersion": BATCH, "kind": "Job",
            "metadata": {"name": job_name(cj["metadata"]["name"], scheduled),
                         "namespace": cj["metadata"]["namespace"],
                         "labels": tmeta.get("labels") or {}, "annotations": annotations,
                         "ownerReferences": [controller_ref(cj)]},
            "spec": template.get("spec") or {}}


def finished(job: Obj) -> str | None:
    """"Complete" or "Failed" once the Job has finished."""
    return next((c for c in ("Complete", "Failed") if has_condition(job, c)), None)


def _ref(job: Obj) -> Obj:
    meta = job["metadata"]
    return {"apiVersion": BATCH, "kind": "Job", "name": meta["name"],
            "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta.get("resourceVersion")}


def _started(job: Obj) -> str:
    return (job.get("status") or {}).get("startTime") or job["metadata"]["creationTimestamp"]


def over_history_limit(jobs: list[Obj], state: str, limit: int | None) -> list[Obj]:
    """The oldest finished Jobs in `state` beyond `limit` (None keeps them all)."""
    done = sorted((j for j in jobs if finished(j) == state), key=_started)
    if limit is None or len(done) <= limit:
        return []
    return done[:len(done) - limit]


class CronJobController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "cronjob-controller")
        self.cronjobs = Informer(client, BATCH, "cronjobs")
        self.jobs = Informer(client, BATCH, "jobs")
        self.queue = self.cronjobs.new_queue()
        self.jobs.add_handler(requeue_owner(self.queue, "CronJob"))

    async def run(self) -> None:
        await run_controller((self.cronjobs, self.jobs), self.queue, self.reconcile, "cronjob",
                             workers=self.workers, recorder=self.recorder)

    async def reconcile(self, key: str) -> None:
        cj = self.cronjobs.get(key)
        if cj is None or is_terminating(cj):
            return
        jobs = owned(self.jobs, cj)
        status = dict(cj.get("status") or {})
        self._refresh(cj, status, jobs)
        await self._trim_history(cj, jobs)
        if not cj["spec"].get("suspend"):
            await self._schedule(key, cj, status, jobs)
        status = {k: v for k, v in status.items() if v}
        if status != (cj.get("status") or {}):
            await self.client.update_status(BATCH, "cronjobs", {**cj, "status": status},
                                            namespace=cj["metadata"]["namespace"])

    def _refresh(self, cj: Obj, status: Obj, jobs: list[Obj]) -> None:
        known = {r.get("uid") for r in status.get("active") or []}
        for job in jobs:
            state = finished(job)
            if state and job["metadata"]["uid"] in known:
                self.recorder.event(cj, "Normal", "SawCompletedJob",
                                    f"Saw completed job: {job['metadata']['name']}, "
                                    f"condition: {state}")
        status["active"] = [_ref(j) for j in jobs if not finished(j) and not is_terminating(j)]
        done = [j["status"]["completionTime"] for j in jobs
                if finished(j) == "Complete" and (j.get("status") or {}).get("completionTime")]
        if done:
            status["lastSuccessfulTime"] = max(done + [status.get("lastSuccessfulTime") or ""])

    async def _trim_history(self, cj: Obj, jobs: list[Obj]) -> None:
        spec = cj["spec"]
        for job in (over_history_limit(jobs, "Complete", spec.get("successfulJobsHistoryLimit"))
                    + over_history_limit(jobs, "Failed", spec.get("failedJobsHistoryLimit"))):
            await self._delete_job(cj, job)

    async def _delete_job(self, cj: Obj, job: Obj) -> None:
        try:
            await self.client.delete(BATCH, "jobs", job["metadata"]["name"],
                                     namespace=job["metadata"]["namespace"],
                                     propagation_policy="Background")
        except NotFound:
            return
        self.recorder.event(cj, "Normal", "SuccessfulDelete",
                            f"Deleted job {job['metadata']['name']}")

    async def _schedule(self, key: str, cj: Obj, status: Obj, jobs: list[Obj]) -> None:
        spec = cj["spec"]
        try:
            schedule, tz = cron.parse(spec["schedule"]), cron.zone(spec.get("timeZone"))
        except ValueError as e:
            self.recorder.event(cj, "Warning", "UnparseableSchedule", str(e))
            return
        now = datetime.now(timezone.utc).astimezone(tz)
        earliest_ts = parse_rfc3339(status.get("lastScheduleTime")
                                    or cj["metadata"]["creationTimestamp"]) or now.timestamp()
        earliest = datetime.fromtimestamp(earliest_ts, tz)
        due = cron.due(schedule, earliest, now, spec.get("startingDeadlineSeconds"))
        # Come back just after the next run is due.
        self.queue.add_after(key, (due.next_run - now).total_seconds() + 0.1)
        if due.missed > cron.MAX_MISSED:
            self.recorder.event(cj, "Warning", "TooManyMissedTimes",
                                "too many missed start times. Set or decrease "
                                ".spec.startingDeadlineSeconds or check clock skew")
        if due.scheduled is None:
            return
        active = [j for j in jobs if not finished(j) and not is_terminating(j)]
        policy = spec.get("concurrencyPolicy", "Allow")
        if active and policy == "Forbid":
            self.recorder.event(cj, "Normal", "JobAlreadyActive",
                                "Not starting job because prior execution is running and "
                                "concurrency policy is Forbid")
            return
        if active and policy == "Replace":
            for job in active:
                await self._delete_job(cj, job)
            status["active"] = []
        try:
            job = await self.client.create(BATCH, "jobs", job_for(cj, due.scheduled),
                                           namespace=cj["metadata"]["namespace"])
        except AlreadyExists:
            log.info("cronjob %s: job for %s exists already", key, due.scheduled)
        else:
            self.recorder.event(cj, "Normal", "SuccessfulCreate",
                                f"Created job {job['metadata']['name']}")
            status["active"] = [*status.get("active", []), _ref(job)]
        status["lastScheduleTime"] = rfc3339(due.scheduled.timestamp())
