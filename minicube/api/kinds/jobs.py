"""batch/v1 Job: runs pods until `completions` of them succeed (controllers/job.py).

Unless `manualSelector` is set, the server generates the selector on create from the Job's
uid and labels the template to match (upstream's generateSelector), so a Job's pods are its
own even when two Jobs share a template.
"""

from __future__ import annotations

from minicube.api.errors import cause
from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.kinds.pod_schema import pod_template
from minicube.api.kinds.pod_validation import validate_pod_spec
from minicube.api.kinds.replication import (CONTAINERS, IMAGES, SELECTOR, default_template,
                                            go_map, label_selector, non_negative,
                                            validate_label_selector)
from minicube.api.meta import (immutable, invalid, is_dns1123_subdomain, not_supported, now,
                               parse_time, required, validate_labels, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import (arr, boolean, int32, int64, obj_, open_object, string, strings,
                                 time)
from minicube.api.selectors import from_label_selector
from minicube.api.tables import AGE, human_duration

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"
RESTART_POLICIES = ("OnFailure", "Never")
COMPLETION_MODES = ("NonIndexed", "Indexed")

job_spec = obj_({
    "parallelism": int32, "completions": int32, "activeDeadlineSeconds": int64,
    "podFailurePolicy": open_object, "successPolicy": open_object, "backoffLimit": int32,
    "backoffLimitPerIndex": int32, "maxFailedIndexes": int32, "selector": label_selector,
    "manualSelector": boolean, "template": pod_template, "ttlSecondsAfterFinished": int32,
    "completionMode": string, "suspend": boolean, "podReplacementPolicy": string,
    "managedBy": string,
}, required=["template"])

SCHEMA = kind_schema(spec=job_spec, status=obj_({
    "conditions": arr(condition(lastProbeTime=time)), "startTime": time,
    "completionTime": time, "active": int32, "succeeded": int32, "failed": int32,
    "terminating": int32, "completedIndexes": string, "failedIndexes": string,
    "uncountedTerminatedPods": obj_({"succeeded": strings, "failed": strings}), "ready": int32,
}))


def default_job_spec(s: Obj) -> None:
    """SetDefaults_Job: both counts 1 when neither is set, parallelism 1, backoffLimit 6."""
    if s.get("completions") is None and s.get("parallelism") is None:
        s["completions"] = 1
    s.setdefault("parallelism", 1)
    s.setdefault("backoffLimit", 6)
    s.setdefault("completionMode", "NonIndexed")
    s.setdefault("suspend", False)
    s.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    default_template(s)


def _generate_selector(job: Obj) -> None:
    """Select this Job's pods by its uid and label the template so (generateSelector)."""
    s, meta = job.get("spec"), job.get("metadata") or {}
    if not isinstance(s, dict) or s.get("manualSelector"):
        return
    template = s.setdefault("template", {})
    if not isinstance(template, dict):
        return
    labels = template.setdefault("metadata", {}).setdefault("labels", {})
    if not isinstance(labels, dict):
        return
    uid, name = meta.get("uid", ""), meta.get("name", "")
    labels.update({CONTROLLER_UID: uid, JOB_NAME: name, LEGACY_CONTROLLER_UID: uid,
                   LEGACY_JOB_NAME: name})
    s.setdefault("selector", {}).setdefault("matchLabels", {})[CONTROLLER_UID] = uid


def _on_create(job: Obj) -> None:
    _generate_selector(job)
    job["status"] = {}


def validate_job_spec(s: Obj, path: str = "spec", *, selector_required: bool = True
                      ) -> list[Cause]:
    out: list[Cause] = []
    for field in ("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"):
        out += non_negative(s, field, path)
    ads = s.get("activeDeadlineSeconds")
    if isinstance(ads, int) and ads <= 0:
        out.append(invalid(f"{path}.activeDeadlineSeconds", ads, "must be greater than 0"))
    if (mode := s.get("completionMode")) is not None and mode not in COMPLETION_MODES:
        out.append(not_supported(f"{path}.completionMode", mode, COMPLETION_MODES))
    elif mode == "Indexed" and s.get("completions") is None:
        out.append(required(f"{path}.completions",
                            "when completion mode is Indexed"))
    selector = s.get("selector")
    if selector is None and selector_required:
        out.append(required(f"{path}.selector"))
    out += validate_label_selector(selector, f"{path}.selector")
    template = s.get("template") or {}
    labels = get(template, "metadata", "labels", default={})
    out += validate_labels(labels, f"{path}.template.metadata.labels")
    if selector and not out and not from_label_selector(selector).matches(labels):
        out.append(cause(f"{path}.template.metadata.labels",
                         f"Invalid value: {go_map(labels)}: `selector` does not match "
                         "template `labels`"))
    pod_spec = template.get("spec") or {}
    out += validate_pod_spec(pod_spec, f"{path}.template.spec")
    policy = pod_spec.get("restartPolicy")
    if policy not in RESTART_POLICIES:
        out.append(not_supported(f"{path}.template.spec.restartPolicy", policy,
                                 RESTART_POLICIES))
    return out


def _validate(job: Obj) -> list[Cause]:
    return (validate_object_meta(job, namespaced=True, name_validator=is_dns1123_subdomain)
            + validate_job_spec(job.get("spec") or {}))


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    ns, os_ = new.get("spec") or {}, old.get("spec") or {}
    out = immutable(ns.get("selector"), os_.get("selector"), "spec.selector")
    out += immutable(ns.get("completions"), os_.get("completions"), "spec.completions")
    out += immutable(ns.get("completionMode"), os_.get("completionMode"), "spec.completionMode")
    # The template may change only while the Job is suspended (mutable scheduling directives
    # aside); comparing whole templates is upstream's rule for a running Job.
    if not (ns.get("suspend") and os_.get("suspend")):
        out += immutable(ns.get("template"), os_.get("template"), "spec.template")
    return out


# --- columns ----------------------------------------------------------------------------------


def has_condition(job: Obj, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in get(job, "status", "conditions", default=[]))


def status_cell(job: Obj) -> str:
    """printJob's STATUS: finished states first, then Terminating, Suspended, Running."""
    for kind in ("Complete", "Failed"):
        if has_condition(job, kind):
            return kind
    if get(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if has_condition(job, kind):
            return kind
    return "Running"


def completions_cell(job: Obj) -> str:
    succeeded = get(job, "status", "succeeded", default=0)
    completions = get(job, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{completions}"
    parallelism = get(job, "spec", "parallelism", default=0)
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def duration_cell(job: Obj) -> str:
    start = get(job, "status", "startTime")
    if not start:
        return ""
    end = get(job, "status", "completionTime") or now()
    return human_duration((parse_time(end) - parse_time(start)).total_seconds())



JOB = Kind(
    group="batch", version="v1", kind="Job", plural="jobs", categories=("all",),
    subresources=("status",),
    columns=(Column("Status", status_cell, description="The job's state."),
             Column("Completions", completions_cell,
                    description="Succeeded pods out of the desired completions."),
             Column("Duration", duration_cell, description="How long the job ran."),
             AGE, CONTAINERS, IMAGES, SELECTOR),
    schema=SCHEMA, default=lambda job: default_job_spec(spec(job)), on_create=_on_create,
    validate=_validate, validate_update=_validate_update,
)
