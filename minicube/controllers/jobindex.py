"""Indexed Jobs (`completionMode: Indexed`): each pod owns one completion index, and the
Job completes once every index 0..completions-1 has a succeeded pod.

A pod's index is in the `batch.kubernetes.io/job-completion-index` annotation and label;
its hostname is `<job>-<index>` and its containers see `JOB_COMPLETION_INDEX`, as upstream.
"""

from __future__ import annotations

from typing import Any, Iterable

from minicube.controllers.ownership import is_terminal, is_terminating

Obj = dict[str, Any]
INDEX_KEY = "batch.kubernetes.io/job-completion-index"


def index_of(pod: Obj) -> int | None:
    value = (pod["metadata"].get("annotations") or {}).get(INDEX_KEY, "")
    return int(value) if value.isdigit() else None


def succeeded_indexes(pods: list[Obj], completions: int) -> set[int]:
    return {i for p in pods if (p.get("status") or {}).get("phase") == "Succeeded"
            and (i := index_of(p)) is not None and i < completions}


def missing_indexes(pods: list[Obj], completions: int) -> list[int]:
    """Indexes with neither a succeeded nor a running pod, lowest first."""
    running = {index_of(p) for p in pods if not is_terminal(p) and not is_terminating(p)}
    done = succeeded_indexes(pods, completions)
    return [i for i in range(completions) if i not in done and i not in running]


def format_ranges(indexes: Iterable[int]) -> str:
    """`1,3-5,7`, the form of status.completedIndexes."""
    out: list[str] = []
    run: list[int] = []
    for i in sorted(set(indexes)):
        if run and i != run[-1] + 1:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        run.append(i)
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def add_index(pod: Obj, job_name: str, index: int) -> Obj:
    """Give a pod from the Job's template its completion index, in place."""
    meta, spec = pod["metadata"], pod["spec"]
    meta.setdefault("annotations", {})[INDEX_KEY] = str(index)
    meta.setdefault("labels", {})[INDEX_KEY] = str(index)
    meta["generateName"] = f"{job_name}-{index}-"
    spec["hostname"] = f"{job_name}-{index}"
    env = {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
        "apiVersion": "v1", "fieldPath": f"metadata.annotations['{INDEX_KEY}']"}}}
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            c["env"] = [*(c.get("env") or []), env]
    return pod
