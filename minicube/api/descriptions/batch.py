"""Descriptions of batch/v1 Job and CronJob."""

from __future__ import annotations

from minicube.api.descriptions.base import (LABEL_SELECTOR, OBJECT_META, OBJECT_REFERENCE,
                                            TOP_LEVEL, Descriptions, conditions, merged, under)
from minicube.api.descriptions.pods import POD_TEMPLATE

JOB_SPEC: Descriptions = {
    "": "What the job runs and when it counts as finished.",
    **under("template", POD_TEMPLATE),
    "template": "Pod to run; its restartPolicy must be OnFailure or Never.",
    "completions": "Successful pods needed for the job to succeed; 1 when neither this nor "
                   "parallelism is set. Unset with parallelism set, the job is a work queue: "
                   "done once a pod succeeds and the others have exited.",
    "parallelism": "Most pods running at the same time. Default 1; 0 pauses the job.",
    "backoffLimit": "Failed retries allowed before the job is marked Failed. Default 6; "
                    "retries wait an exponentially growing delay (10s, 20s, ... up to 6m).",
    "backoffLimitPerIndex": "For Indexed jobs: retries allowed for each index separately.",
    "maxFailedIndexes": "For Indexed jobs with backoffLimitPerIndex: failed indexes allowed "
                        "before the whole job fails.",
    "activeDeadlineSeconds": "Seconds the job may run, counted from its start, before its "
                             "pods are stopped and it fails with DeadlineExceeded.",
    "ttlSecondsAfterFinished": "Seconds after the job finishes (Complete or Failed) before "
                               "it and its pods are deleted automatically; unset keeps it.",
    "completionMode": "NonIndexed (default): any pods' successes count; Indexed: pod i "
                      "gets completion index i (JOB_COMPLETION_INDEX) and each index must "
                      "succeed once.",
    "suspend": "While true no pods are created and running ones are stopped. Default false.",
    "selector": "Pods the job owns; generated from the job's uid unless manualSelector.",
    **under("selector", LABEL_SELECTOR),
    "manualSelector": "Use your own selector instead of the generated one. Rarely needed.",
    "podFailurePolicy": "Rules that fail the job at once, or ignore a failure, depending on "
                        "exit codes and pod conditions.",
    "successPolicy": "Rules that declare an Indexed job successful before all indexes "
                     "succeed.",
    "podReplacementPolicy": "TerminatingOrFailed (default): create a replacement as soon as "
                            "a pod starts terminating; Failed: only once it has failed.",
    "managedBy": "Controller responsible for the job; empty or kubernetes.io/job-controller "
                 "means the built-in one.",
}

JOB_STATUS: Descriptions = {
    **conditions({"lastProbeTime": "When the condition was last checked."}),
    "startTime": "When the job controller first started the job.",
    "completionTime": "When the job completed successfully.",
    "active": "Pods pending or running.",
    "ready": "Pods that are Ready.",
    "succeeded": "Pods that succeeded.",
    "failed": "Pods that failed.",
    "terminating": "Pods being terminated.",
    "completedIndexes": "For Indexed jobs: succeeded indexes, compressed like 1,3-5.",
    "failedIndexes": "For Indexed jobs with backoffLimitPerIndex: failed indexes.",
    "uncountedTerminatedPods": "UIDs of finished pods the controller has not yet counted.",
    "uncountedTerminatedPods.succeeded": "UIDs of succeeded pods.",
    "uncountedTerminatedPods.failed": "UIDs of failed pods.",
}

KINDS: dict[tuple[str, str], Descriptions] = {
    ("batch", "Job"): merged(
        {"": "Runs pods until a given number of them finish successfully, retrying failures; "
             "for batch work that ends.",
         "status": "Observed state of the job, written by the controller. Read-only."},
        TOP_LEVEL, under("spec", JOB_SPEC), under("status", JOB_STATUS)),
    ("batch", "CronJob"): merged(
        {"": "Creates Jobs on a repeating schedule written in cron syntax.",
         "spec": "Schedule and the job to create.",
         "status": "Observed state, written by the controller. Read-only."},
        TOP_LEVEL,
        under("spec", {
            "schedule": "Cron expression of five fields (minute hour day-of-month month "
                        "day-of-week), e.g. */5 * * * *; @hourly, @daily, ... also work.",
            "timeZone": "IANA time zone the schedule is read in, e.g. Europe/Paris. Default: "
                        "the time zone of the controller (UTC here).",
            "startingDeadlineSeconds": "Seconds after a missed scheduled time within which the "
                                       "job may still start; later runs are skipped. "
                                       "Unset: no deadline.",
            "concurrencyPolicy": "Allow (default): runs may overlap; Forbid: skip a run while "
                                 "the previous job is active; Replace: delete the active job "
                                 "and start the new one.",
            "suspend": "While true no new jobs start (running ones go on). Default false.",
            "successfulJobsHistoryLimit": "Finished successful jobs to keep. Default 3.",
            "failedJobsHistoryLimit": "Failed jobs to keep. Default 1.",
            "jobTemplate": "The Job to create at each scheduled time.",
            "jobTemplate.metadata": "Labels and annotations the created jobs get.",
            **under("jobTemplate.metadata", {k: v for k, v in OBJECT_META.items() if k}),
            **under("jobTemplate.spec", JOB_SPEC),
        }),
        under("status", {
            "active": "Jobs of this CronJob that are running.",
            **under("active", OBJECT_REFERENCE),
            "lastScheduleTime": "When a job was last scheduled.",
            "lastSuccessfulTime": "When a job last completed successfully.",
        })),
}
