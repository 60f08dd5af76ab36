"""JobController: runs a Job's pods until `completions` succeed, or fails it.

Counts come from the Job's pods (Succeeded / Failed, plus container restarts under
`restartPolicy: OnFailure`, as upstream counts them against `backoffLimit`). Replacements
for failed pods wait out upstream's exponential back-off (10 s doubling to 6 min);
`activeDeadlineSeconds` and `backoffLimit` end a Job as Failed, `completions` successes as
Complete; `ttlSecondsAfterFinished` deletes a finished Job (its pods follow by the GC).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any, Sequence

from minicube.api.errors import NotFound
from minicube.api.kinds.jobs import has_condition
from minicube.client import Client, EventRecorder, Informer
from minicube.client.clock import parse_rfc3339, rfc3339
from minicube.controllers.jobindex import (add_index, format_ranges, missing_indexes,
                                           succeeded_indexes)
from minicube.controllers.loop import run_controller
from minicube.controllers.ownership import (Expectations, delete_pod, is_ready, is_terminal,
                                            is_terminating, owned, pod_from_template,
                                            requeue_owner)

log = logging.getLogger(__name__)

Obj = dict[str, Any]
BATCH = "batch/v1"
BACKOFF_BASE, BACKOFF_MAX = 10.0, 360.0


@dataclass(frozen=True)
class Counts:
    active: int = 0
    ready: int = 0
    succeeded: int = 0
    failed: int = 0
    terminating: int = 0
    last_failure: float | None = None  # when the newest failure happened


def _finished_at(pod: Obj) -> float | None:
    times = [parse_rfc3339((s.get("state") or {}).get("terminated", {}).get("finishedAt"))
             or parse_rfc3339((s.get("lastState") or {}).get("terminated", {}).get("finishedAt"))
             for s in (pod.get("status") or {}).get("containerStatuses") or []]
    return max((t for t in times if t), default=None)


def count_pods(pods: list[Obj], restart_policy: str) -> Counts:
    active = ready = succeeded = failed = terminating = 0
    last_failure: float | None = None
    for pod in pods:
        phase = (pod.get("status") or {}).get("phase")
        restarts = sum(s.get("restartCount", 0) for s in
                       (pod.get("status") or {}).get("containerStatuses") or [])
        if phase == "Succeeded":
            succeeded += 1
        elif phase == "Failed":
            failed += 1
        elif is_terminating(pod):
            terminating += 1
        else:
            active += 1
            ready += is_ready(pod)
        if restart_policy == "OnFailure" and phase != "Failed":
            failed += restarts
        if phase == "Failed" or (restart_policy == "OnFailure" and restarts):
            at = _finished_at(pod)
            if at is not None and (last_failure is None or at > last_failure):
                last_failure = at
    return Counts(active, ready, succeeded, failed, terminating, last_failure)


def backoff_delay(failures: int) -> float:
    """Seconds to wait after the newest failure before creating a replacement pod."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_BASE * 2 ** (failures - 1), BACKOFF_MAX)


def wanted_active(spec: Obj, counts: Counts) -> int:
    """How many pods should run now: parallelism, capped by the completions still missing;
    without `completions`, none once any pod has succeeded (the work queue is drained)."""
    parallelism = spec.get("parallelism", 1)
    completions = spec.get("completions")
    if completions is None:
        return 0 if counts.succeeded else parallelism
    return max(0, min(parallelism, completions - counts.succeeded))


def completed(spec: Obj, counts: Counts) -> bool:
    completions = spec.get("completions")
    if completions is None:
        return counts.succeeded > 0 and counts.active == 0
    return counts.succeeded >= completions


def failure(spec: Obj, status: Obj, counts: Counts, now: float) -> tuple[str, str] | None:
    """(reason, message) when the Job has failed: too many failures or past its deadline."""
    if counts.failed > spec.get("backoffLimit", 6):
        return "BackoffLimitExceeded", "Job has reached the specified backoff limit"
    deadline, started = spec.get("activeDeadlineSeconds"), parse_rfc3339(status.get("startTime"))
    if deadline is not None and started is not None and now - started >= deadline:
        return "DeadlineExceeded", "Job was active longer than specified deadline"
    return None


def _condition(kind: str, reason: str, message: str, now: str) -> Obj:
    return {"type": kind, "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


class JobController:
    def __init__(self, client: Client, _node_name: str = "", *, workers: int = 2) -> None:
        self.client = client
        self.workers = workers
        self.recorder = EventRecorder(client, "job-controller")
        self.jobs = Informer(client, BATCH, "jobs")
        self.pods = Informer(client, "v1", "pods")
        self.queue = self.jobs.new_queue()
        self.pods.add_handler(requeue_owner(self.queue, "Job"))
        self.expectations = Expectations()

    async def run(self) -> None:
        await run_controller((self.jobs, self.pods), self.queue, self.reconcile, "job",
                             workers=self.workers, recorder=self.recorder)

    async def reconcile(self, key: str) -> None:
        job = self.jobs.get(key)
        if job is None or is_terminating(job):
            self.expectations.forget(key)
            return
        if has_condition(job, "Complete") or has_condition(job, "Failed"):
            await self._expire(job)
            return
        spec, status = job["spec"], dict(job.get("status") or {})
        pods = owned(self.pods, job)
        if not self.expectations.satisfied(key, pods):
            return  # the cache has not seen our last writes yet; their events requeue us
        counts = count_pods(pods, spec["template"]["spec"].get("restartPolicy", "Never"))
        if spec.get("completionMode") == "Indexed":
            done = succeeded_indexes(pods, spec["completions"])
            counts = replace(counts, succeeded=len(done))
            status["completedIndexes"] = format_ranges(done)
        now = time.time()
        if spec.get("suspend"):
            counts = await self._stop(job, pods, counts)
            await self._write_status(job, status, counts, None)
            return
        status.setdefault("startTime", rfc3339(now))
        if failed := failure(spec, status, counts, now):
            counts = await self._stop(job, pods, counts)
            self.recorder.event(job, "Warning", failed[0], failed[1])
            await self._write_status(job, status, counts,
                                     _condition("Failed", *failed, rfc3339(now)))
            return
        if completed(spec, counts):
            counts = await self._stop(job, pods, counts)
            self.recorder.event(job, "Normal", "Completed", "Job completed")
            status["completionTime"] = rfc3339(now)
            cond = _condition("Complete", "CompletionsReached",
                              "Reached expected number of succeeded pods", rfc3339(now))
            await self._write_status(job, status, counts, cond)
            return
        await self._manage_pods(job, pods, counts, now)
        await self._write_status(job, status, counts, None)
        if deadline := spec.get("activeDeadlineSeconds"):
            started = parse_rfc3339(status["startTime"]) or now
            self.queue.add_after(key, max(0.0, started + deadline - now) + 0.1)

    async def _manage_pods(self, job: Obj, pods: list[Obj], counts: Counts, now: float) -> None:
        key = f"{job['metadata']['namespace']}/{job['metadata']['name']}"
        want = wanted_active(job["spec"], counts)
        active = [p for p in pods if not is_terminal(p) and not is_terminating(p)]
        if len(active) > want:
            # Newest first, as upstream removes the pods that made the least progress.
            extra = sorted(active, key=lambda p: p["metadata"].get("creationTimestamp", ""))
            await self._delete_pods(extra[want:], job)
            return
        if len(active) == want:
            return
        wait = 0.0
        if counts.last_failure is not None:
            wait = counts.last_failure + backoff_delay(counts.failed) - now
        if wait > 0:
            self.queue.add_after(key, wait)
            return
        name = job["metadata"]["name"]
        indexes: Sequence[int | None] = [None] * (want - len(active))
        if job["spec"].get("completionMode") == "Indexed":
            indexes = missing_indexes(pods, job["spec"]["completions"])[:len(indexes)]
        for index in indexes:
            pod = pod_from_template(job["spec"]["template"], job, generate_name=f"{name}-")
            if index is not None:
                add_index(pod, name, index)
            created = await self.client.create("v1", "pods", pod,
                                               namespace=job["metadata"]["namespace"])
            self.expectations.expect(key, created=created["metadata"]["name"])
            self.recorder.event(job, "Normal", "SuccessfulCreate",
                                f"Created pod: {created['metadata']['name']}")

    async def _stop(self, job: Obj, pods: list[Obj], counts: Counts) -> Counts:
        """Delete the pods still running; they count as terminating from now on."""
        await self._delete_pods([p for p in pods if not is_terminal(p)], job)
        return replace(counts, active=0, ready=0, terminating=counts.terminating + counts.active)

    async def _delete_pods(self, pods: list[Obj], job: Obj) -> None:
        for pod in pods:
            await delete_pod(self.client, self.recorder, job, pod, self.expectations)

    async def _write_status(self, job: Obj, status: Obj, counts: Counts,
                            finished: Obj | None) -> None:
        status.update(active=counts.active, ready=counts.ready, succeeded=counts.succeeded,
                      failed=counts.failed, terminating=counts.terminating,
                      uncountedTerminatedPods={})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "Suspended"]
        if job["spec"].get("suspend"):
            conditions.append(_condition("Suspended", "JobSuspended", "Job suspended",
                                         rfc3339()))
        if finished is not None:
            conditions.append(finished)
        status["conditions"] = conditions
        for field in ("active", "succeeded", "failed", "conditions",
                      "completedIndexes"):  # omitempty upstream
            if not status.get(field):
                status.pop(field, None)
        if status != (job.get("status") or {}):
            await self.client.update_status(BATCH, "jobs", {**job, "status": status},
                                            namespace=job["metadata"]["namespace"])

    async def _expire(self, job: Obj) -> None:
        """Delete a finished Job once its ttlSecondsAfterFinished has passed."""
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        if ttl is None:
            return
        meta = job["metadata"]
        finished = max((parse_rfc3339(c.get("lastTransitionTime")) or 0.0
                        for c in job["status"].get("conditions") or []
                        if c.get("type") in ("Complete", "Failed")), default=time.time())
        remaining = finished + ttl - time.time()
        if remaining > 0:
            self.queue.add_after(f"{meta['namespace']}/{meta['name']}", remaining + 0.1)
            return
        try:
            await self.client.delete(BATCH, "jobs", meta["name"], namespace=meta["namespace"],
                                     propagation_policy="Foreground",
                                     preconditions={"uid": meta["uid"]})
        except NotFound:
            return
        log.info("deleted job %s/%s: ttlSecondsAfterFinished", meta["namespace"], meta["name"])
