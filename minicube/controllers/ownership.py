"""What the workload controllers share: controller ownerReferences, finding the objects an
owner controls, pods from a template, and the pod states they count by."""

from __future__ import annotations

import copy
import time
from typing import Any, Callable

from minicube.api.errors import NotFound
from minicube.client import Client, EventRecorder, Informer, WorkQueue

Obj = dict[str, Any]


def controller_ref(owner: Obj) -> Obj:
    """The ownerReference a controller puts on what it creates (the GC follows it)."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}


def controller_of(obj: Obj) -> Obj | None:
    return next((r for r in obj.get("metadata", {}).get("ownerReferences") or []
                 if r.get("controller")), None)


def owner_key(obj: Obj, kind: str) -> str | None:
    """`namespace/name` of obj's controller when it is a `kind`, for queueing the owner."""
    ref = controller_of(obj)
    if ref is None or ref.get("kind") != kind:
        return None
    return f"{obj['metadata'].get('namespace')}/{ref['name']}"


def requeue_owner(queue: WorkQueue, kind: str) -> Callable[[str, Obj, Obj | None], None]:
    """An informer handler queueing the `kind` that controls each changed object."""
    def handler(_type: str, obj: Obj, _old: Obj | None) -> None:
        if key := owner_key(obj, kind):
            queue.add(key)
    return handler


def owned(informer: Informer, owner: Obj) -> list[Obj]:
    """Cached objects in the owner's namespace whose controller is this owner (by uid)."""
    ns, uid = owner["metadata"].get("namespace"), owner["metadata"]["uid"]
    return [o for o in informer.items() if o["metadata"].get("namespace") == ns
            and (controller_of(o) or {}).get("uid") == uid]


def pod_from_template(template: Obj, owner: Obj, *, name: str = "", generate_name: str = "",
                      labels: dict[str, str] | None = None,
                      annotations: dict[str, str] | None = None) -> Obj:
    """A pod built from a workload's template, controlled by `owner`."""
    template = copy.deepcopy(template or {})
    tmeta = template.get("metadata") or {}
    meta: Obj = {"namespace": owner["metadata"].get("namespace"),
                 "labels": {**(tmeta.get("labels") or {}), **(labels or {})},
                 "ownerReferences": [controller_ref(owner)]}
    if all_annotations := {**(tmeta.get("annotations") or {}), **(annotations or {})}:
        meta["annotations"] = all_annotations
    if tmeta.get("finalizers"):
        meta["finalizers"] = tmeta["finalizers"]
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = generate_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template.get("spec") or {}}


def condition(obj: Obj, kind: str) -> Obj | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or []
                 if c.get("type") == kind), None)


def is_ready(pod: Obj) -> bool:
    return (condition(pod, "Ready") or {}).get("status") == "True"


def is_terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def is_terminating(obj: Obj) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


def is_running_and_ready(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and is_ready(pod)


class Expectations:
    """client-go's ControllerExpectations, by name: after creating or deleting pods, an owner
    waits until its informer has seen those writes before deciding again, so a stale cache
    never makes it create a pod twice. Expectations lapse after `ttl` seconds (a lost event)."""

    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self._pending: dict[str, tuple[float, set[str], set[str]]] = {}

    def expect(self, key: str, *, created: str | None = None,
               deleted: str | None = None) -> None:
        since, adds, dels = self._pending.get(key, (time.monotonic(), set(), set()))
        if created:
            adds.add(created)
        if deleted:
            dels.add(deleted)
        self._pending[key] = (since, adds, dels)

    def satisfied(self, key: str, cached: list[Obj]) -> bool:
        """True when every expected create is in the cache and every expected delete is gone
        from it (or terminating)."""
        entry = self._pending.get(key)
        if entry is None:
            return True
        since, adds, dels = entry
        live = {o["metadata"]["name"] for o in cached if not is_terminating(o)}
        seen = {o["metadata"]["name"] for o in cached}
        if (adds <= seen and not dels & live) or time.monotonic() - since > self.ttl:
            del self._pending[key]
            return True
        return False

    def forget(self, key: str) -> None:
        self._pending.pop(key, None)


async def delete_pod(client: Client, recorder: EventRecorder, owner: Obj, pod: Obj,
                     expectations: Expectations) -> None:
    """Delete one of owner's pods (unless already going), expect it gone, and say so."""
    if is_terminating(pod):
        return
    meta = pod["metadata"]
    try:
        await client.delete("v1", "pods", meta["name"], namespace=meta["namespace"])
    except NotFound:
        return
    expectations.expect(f"{owner['metadata']['namespace']}/{owner['metadata']['name']}",
                        deleted=meta["name"])
    recorder.event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {meta['name']}")
