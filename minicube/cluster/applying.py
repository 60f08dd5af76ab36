"""`minicube apply|delete -f`: send manifests through the API, then follow them until they work.

Apply is server-side apply with field manager `minicube`. A dry run of every object goes first,
so an object the server refuses stops the run before anything changed (objects in a namespace
this same run creates can only be checked for real, and custom objects only once the
CustomResourceDefinitions, applied first, are Established). With a wait, every object is
polled until it is ready (objectstatus.py has the rules); the wait ends early once an object
has certainly failed (after a short grace for the others to show whether they fail too, so
one run reports every failure), and each object that is not ready gets a diagnosis: its
state, recent events and the last log lines of its failing containers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from minicube._errors import MinicubeError, Unhealthy, WaitTimeout
from minicube.cluster import objectstatus
from minicube.cluster.apiclient import ApiClient, ApiError, Resource
from minicube.cluster.manifests import Manifest
from minicube.cluster.objectstatus import FAILED, READY, WAITING, Assessment

Obj = dict[str, Any]
POLL_SECONDS = 1.0
# After a first certain failure, how long the objects still in progress may take to settle
# (ready or failed) before the run stops: a crash loop shows within seconds of the start.
FAILURE_GRACE_SECONDS = 15.0
LOG_LINES = 20
EVENTS_SHOWN = 8
CRD_KIND = "CustomResourceDefinition"
CRD_TIMEOUT = 60.0


@dataclass
class Tracked:
    """One applied object and what is known of it."""

    manifest: Manifest
    resource: Resource
    namespace: str | None
    state: str = WAITING
    summary: str = "applied"
    failing_pods: list[Obj] = field(default_factory=list)

    @property
    def title(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.manifest.kind} {ns}{self.manifest.name}"


@dataclass(frozen=True)
class Diagnosis:
    title: str
    state: str
    summary: str
    events: list[str]
    logs: dict[str, str]  # "pod/container" -> last lines


class Diagnosed(MinicubeError):
    """An error that carries the diagnosis of each object that is not ready."""

    def __init__(self, message: str, diagnoses: list[Diagnosis], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.diagnoses = diagnoses


class ObjectsFailed(Diagnosed, Unhealthy):
    pass


class ObjectsNotReady(Diagnosed, WaitTimeout):
    pass


def apply_all(api: ApiClient, manifests: list[Manifest], default_namespace: str | None, *,
              force: bool = False, on_applied: Callable[[Tracked], None] = lambda t: None,
              crd_timeout: float = CRD_TIMEOUT) -> list[Tracked]:
    """Dry-run everything, then apply in order; returns what was applied.

    CustomResourceDefinitions go first, alone: custom objects of their kinds can only be
    resolved (discovery) and checked once each definition is Established."""
    definitions = [m for m in manifests if m.kind == CRD_KIND]
    tracked = _apply_batch(api, definitions, default_namespace, force, on_applied)
    if definitions:
        _established(api, tracked, crd_timeout)
        api.forget_resources()
    rest = [m for m in manifests if m.kind != CRD_KIND]
    return tracked + _apply_batch(api, rest, default_namespace, force, on_applied)


def _apply_batch(api: ApiClient, manifests: list[Manifest], default_namespace: str | None, force: bool,
                 on_applied: Callable[[Tracked], None]) -> list[Tracked]:
    tracked = [_track(api, m, default_namespace) for m in manifests]
    new_namespaces = {t.manifest.name for t in tracked if t.manifest.kind == "Namespace"}
    for t in tracked:
        if t.namespace not in new_namespaces:
            _apply(api, t, force=force, dry_run=True)
    for t in tracked:
        _apply(api, t, force=force, dry_run=False)
        on_applied(t)
    return tracked


def _established(api: ApiClient, definitions: list[Tracked], timeout: float) -> None:
    """Wait until every definition is Established (its kind served), as `kubectl wait
    --for condition=established` does."""
    deadline = time.monotonic() + timeout
    for t in definitions:
        while True:
            obj = api.get(t.resource.path(None, t.manifest.name))
            if (objectstatus.condition(obj, "Established") or {}).get("status") == "True":
                break
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"{t.title} is not Established after {timeout:g}s",
                                  hint=f"kubectl describe crd {t.manifest.name} shows why")
            time.sleep(POLL_SECONDS / 4)


def _track(api: ApiClient, m: Manifest, default_namespace: str | None) -> Tracked:
    resource = api.resource(m.obj["apiVersion"], m.kind, m.source)
    namespace = None
    if resource.namespaced:
        if default_namespace and m.namespace and m.namespace != default_namespace:
            raise ApiError(f"{m.source}: the namespace of {m.describe()} does not match -n "
                           f"{default_namespace}", 400)
        namespace = m.namespace or default_namespace or "default"
    return Tracked(m, resource, namespace)


def _apply(api: ApiClient, t: Tracked, *, force: bool, dry_run: bool) -> None:
    obj = {**t.manifest.obj, "metadata": {**t.manifest.obj["metadata"]}}
    if t.namespace:
        obj["metadata"]["namespace"] = t.namespace
    try:
        api.apply(obj, t.namespace, force=force, dry_run=dry_run)
    except ApiError as e:
        raise ApiError(f"{t.manifest.source}: {t.title}: {e.message}", e.code, e.reason) from None


def wait_all(api: ApiClient, tracked: list[Tracked], timeout: float,
             on_change: Callable[[list[Tracked]], None] = lambda ts: None) -> None:
    """Poll until all are ready; raises ObjectsFailed (certain failure) or ObjectsNotReady
    (timeout), each with the diagnosis of every object that is not ready."""
    deadline = time.monotonic() + timeout
    failed_at: float | None = None
    while True:
        changed = False
        for t in tracked:
            if t.state == READY:
                continue
            a = _assess(api, t)
            changed |= (a.state, a.summary) != (t.state, t.summary)
            t.state, t.summary, t.failing_pods = a.state, a.summary, a.failing_pods
        if changed:
            on_change(tracked)
        pending = [t for t in tracked if t.state != READY]
        if not pending:
            return
        failed = [t for t in pending if t.state == FAILED]
        failed_at = (failed_at or time.monotonic()) if failed else None
        if failed_at is not None and (len(failed) == len(pending) or time.monotonic() >= min(
                deadline, failed_at + FAILURE_GRACE_SECONDS)):
            raise ObjectsFailed(f"{len(failed)} object(s) failed: "
                                + "; ".join(f"{t.title}: {t.summary}" for t in failed),
                                [diagnose(api, t) for t in pending])
        if time.monotonic() >= deadline:
            raise ObjectsNotReady(f"not ready after {timeout:g}s: "
                                  + "; ".join(f"{t.title} ({t.summary})" for t in pending),
                                  [diagnose(api, t) for t in pending],
                                  hint="raise --timeout, or read the diagnosis above")
        time.sleep(POLL_SECONDS)


def _assess(api: ApiClient, t: Tracked) -> Assessment:
    try:
        obj = api.get(t.resource.path(t.namespace, t.manifest.name))
    except ApiError as e:
        return Assessment(WAITING if e.code == 404 else FAILED, e.message)
    pods: list[Obj] = []
    selector = objectstatus.selector_string(obj) if objectstatus.owns_pods(obj) else None
    if selector:
        pods = api.get(f"/api/v1/namespaces/{t.namespace}/pods", labelSelector=selector).get("items", [])
    endpoints = None
    if obj.get("kind") == "Service":
        try:
            endpoints = api.get(f"/api/v1/namespaces/{t.namespace}/endpoints/{t.manifest.name}")
        except ApiError:
            endpoints = None
    return objectstatus.assess(obj, pods, endpoints)


def diagnose(api: ApiClient, t: Tracked) -> Diagnosis:
    names = [(t.manifest.kind, t.manifest.name)] + [("Pod", p["metadata"]["name"]) for p in t.failing_pods]
    events: list[str] = []
    for kind, name in names:
        events += _events(api, t.namespace, kind, name)
    logs: dict[str, str] = {}
    for pod in t.failing_pods:
        for cs in (pod.get("status") or {}).get("containerStatuses") or []:
            if cs.get("ready"):
                continue
            text = api.logs(t.namespace or "default", pod["metadata"]["name"], cs["name"], tail=LOG_LINES,
                            previous=bool(cs.get("restartCount")))
            if text.strip():
                logs[f"{pod['metadata']['name']}/{cs['name']}"] = text.rstrip()
    return Diagnosis(t.title, t.state, t.summary, events[-EVENTS_SHOWN:], logs)


def _events(api: ApiClient, namespace: str | None, kind: str, name: str) -> list[str]:
    path = f"/api/v1/namespaces/{namespace}/events" if namespace else "/api/v1/events"
    try:
        items = api.get(path, fieldSelector=f"involvedObject.name={name}").get("items", [])
    except ApiError:
        return []
    items = [e for e in items if (e.get("involvedObject") or {}).get("kind") == kind]
    items.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return [f"{e.get('type', '')} {e.get('reason', '')} {kind}/{name}: {e.get('message', '')}" for e in items]


def delete_all(api: ApiClient, manifests: list[Manifest], default_namespace: str | None, *,
               on_deleted: Callable[[Tracked, bool], None] = lambda t, found: None) -> list[Tracked]:
    """Delete in reverse apply order; returns what was deleted or already gone."""
    tracked = [_track(api, m, default_namespace) for m in reversed(manifests)]
    for t in tracked:
        try:
            found = api.delete(t.resource, t.namespace, t.manifest.name)
        except ApiError as e:
            raise ApiError(f"{t.manifest.source}: {t.title}: {e.message}", e.code, e.reason) from None
        on_deleted(t, found)
    return tracked


def wait_gone(api: ApiClient, tracked: list[Tracked], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for t in tracked:
        while True:
            try:
                api.get(t.resource.path(t.namespace, t.manifest.name))
            except ApiError as e:
                if e.code == 404:
                    break
                raise
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"{t.title} is still there after {timeout:g}s",
                                  hint="kubectl describe shows what holds it (finalizers, a terminating pod)")
            time.sleep(POLL_SECONDS / 2)
