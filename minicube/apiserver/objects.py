"""Object semantics on top of the store: what the API server does between a request and a write.

Keys, uid/creationTimestamp/generation/resourceVersion, defaults and validation, status
subresource rules, optimistic concurrency, graceful deletion and finalizers. Handlers speak
HTTP; this module speaks Kubernetes objects; the store speaks keys and revisions.
"""

from __future__ import annotations

import copy
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from minicube.api import errors, meta, schema
from minicube.api.registry import Kind, Obj
from minicube.apiserver import admission, allocators, deletion
from minicube.store import Event, KeyExists, KeyNotFound, Record, RevisionMismatch, Store

log = logging.getLogger(__name__)

# Fields of metadata a client may not change once set.
_IMMUTABLE_META = ("uid", "creationTimestamp", "name", "namespace", "deletionTimestamp",
                   "deletionGracePeriodSeconds")
_NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # upstream's, no vowels: no accidental words


# Records managedFields on an object about to be stored: (old or None on create, new), in place.
Manage = Callable[[Obj | None, Obj], None]


@dataclass(frozen=True)
class DeleteOptions:
    grace_period_seconds: int | None = None
    propagation_policy: str | None = None
    precondition_uid: str | None = None
    precondition_resource_version: str | None = None


def key_for(kind: Kind, namespace: str, name: str = "") -> str:
    """The store key (or, with no name, the prefix) for objects of a kind."""
    parts = [kind.group or "core", kind.plural]
    if kind.namespaced and namespace:
        parts.append(namespace)
    return "/" + "/".join(parts) + "/" + name


def stamp(value: dict[str, Any], revision: int) -> Obj:
    """The object as the API shows it: the store's value with its resourceVersion."""
    obj = copy.deepcopy(value)
    obj.setdefault("metadata", {})["resourceVersion"] = str(revision)
    return obj


def view(kind: Kind, value: dict[str, Any], revision: int) -> Obj:
    """A stored value as `kind` (its version) serves it, with its resourceVersion."""
    obj = stamp(value, revision)
    if kind.from_storage:
        kind.from_storage(obj)
    return obj


def stored(kind: Kind, obj: Obj) -> Obj:
    """The form `obj` (as `kind` serves it) is stored in."""
    if not kind.to_storage:
        return obj
    out = copy.deepcopy(obj)
    kind.to_storage(out)
    return out


def from_event(kind: Kind, event: Event) -> Obj:
    return view(kind, event.value, event.revision)


def _spec_of(obj: Obj) -> dict[str, Any]:
    """Everything but metadata and status: what a generation counts changes of."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


class Objects:
    """The API's view of stored objects, for one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reads -------------------------------------------------------------------------
    def get(self, kind: Kind, namespace: str, name: str) -> Obj:
        record = self._record(kind, namespace, name)
        return view(kind, record.value, record.revision)

    def list(self, kind: Kind, namespace: str) -> tuple[list[Obj], int]:
        records, revision = self.store.list(key_for(kind, namespace))
        return [view(kind, r.value, r.revision) for r in records], revision

    def exists(self, kind: Kind, namespace: str, name: str) -> bool:
        return self.store.get(key_for(kind, namespace, name)) is not None

    # -- writes ------------------------------------------------------------------------
    def create(self, kind: Kind, namespace: str, obj: Obj, *, dry_run: bool = False,
               manage: Manage | None = None) -> Obj:
        obj = copy.deepcopy(obj)
        md = obj.setdefault("metadata", {})
        if kind.namespaced:
            if md.get("namespace") and md["namespace"] != namespace:
                raise errors.BadRequest("the namespace of the provided object does not match "
                                        "the namespace sent on the request")
            md["namespace"] = namespace
        else:
            md.pop("namespace", None)
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + "".join(
                secrets.choice(_NAME_SUFFIX_ALPHABET) for _ in range(5))
        for server_owned in ("resourceVersion", "uid", "deletionTimestamp",
                             "deletionGracePeriodSeconds", "selfLink"):
            md.pop(server_owned, None)
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = meta.now()
        if "spec" in obj:
            md["generation"] = 1
        if kind.on_create:
            kind.on_create(obj)
        self._admit(kind, obj)
        allocators.allocate(self, kind, obj)  # Services: clusterIP and nodePorts
        admission.on_create(self, kind, obj)
        if manage:
            manage(None, obj)
        if dry_run:
            return obj
        try:
            revision = self.store.create(key_for(kind, namespace, md["name"]), stored(kind, obj))
        except KeyExists:
            raise errors.AlreadyExists.of(kind.group_resource, md["name"]) from None
        return stamp(obj, revision)

    def update(self, kind: Kind, namespace: str, name: str, obj: Obj, *, subresource: str = "",
               dry_run: bool = False, manage: Manage | None = None) -> Obj:
        record = self._record(kind, namespace, name)
        old = view(kind, record.value, record.revision)
        old["metadata"].pop("resourceVersion")
        new = copy.deepcopy(obj)
        new_md = new.setdefault("metadata", {})
        if new_md.get("name", name) != name:
            raise errors.BadRequest(f"the name of the object ({new_md.get('name')}) does not "
                                    f"match the name on the URL ({name})")
        wanted = new_md.get("resourceVersion")
        if wanted and wanted != str(record.revision):
            raise errors.Conflict.modified(kind.group_resource, name)
        if subresource == "status":
            # A status write changes the status only (upstream's ResetObjectMetaForStatus).
            new = {**copy.deepcopy(old), "status": new.get("status", {})}
        elif subresource == "finalize":
            new = deletion.finalize(copy.deepcopy(old), new)
        elif kind.has_status and subresource != "binding":
            # (a binding sets spec.nodeName and the PodScheduled condition in one write)
            new["status"] = copy.deepcopy(old.get("status", {}))
            if "status" not in old:
                new.pop("status")
        if subresource != "finalize":
            deletion.keep_namespace_finalizers(kind, new, old)
        new_md = new.setdefault("metadata", {})
        for field in _IMMUTABLE_META:
            if field in old["metadata"]:
                new_md[field] = old["metadata"][field]
            else:
                new_md.pop(field, None)
        new_md.pop("resourceVersion", None)
        if "managedFields" not in new_md and "managedFields" in old["metadata"]:
            new_md["managedFields"] = old["metadata"]["managedFields"]
        if old["metadata"].get("deletionTimestamp"):
            added = set(new_md.get("finalizers", [])) - set(old["metadata"].get("finalizers", []))
            if added:
                raise errors.Forbidden(f'{kind.group_resource} "{name}" is being deleted: '
                                       "no new finalizers can be added")
        generation = old["metadata"].get("generation")
        if generation is not None:
            new_md["generation"] = generation + (1 if _spec_of(new) != _spec_of(old) else 0)
        self._admit(kind, new)
        if subresource != "status":
            allocators.allocate(self, kind, new, old)
        # (ephemeralcontainers: the handler has checked its only change, an added container)
        if kind.validate_update and subresource not in ("status", "binding", "ephemeralcontainers"):
            causes = kind.validate_update(new, old)
            if causes:
                raise errors.Invalid.of(kind.kind, name, causes, kind.group)
        if manage:
            manage(old, new)
        if new == old:
            return stamp(old, record.revision)  # a no-op write does not bump the revision
        if dry_run:
            return stamp(new, record.revision)
        if new_md.get("deletionTimestamp") and not new_md.get("finalizers") and \
                not self._graceful(kind, new) and not deletion.namespace_finalizers(kind, new):
            return self._remove(kind, namespace, name, new, record.revision)
        return self._write(kind, namespace, name, new, record.revision)

    def delete(self, kind: Kind, namespace: str, name: str, options: DeleteOptions, *,
               dry_run: bool = False) -> Obj:
        record = self._record(kind, namespace, name)
        obj = view(kind, record.value, record.revision)
        md = obj["metadata"]
        md.pop("resourceVersion")
        if options.precondition_uid and options.precondition_uid != md.get("uid"):
            raise errors.Conflict(
                f"Precondition failed: UID in precondition: {options.precondition_uid}, "
                f"UID in object meta: {md.get('uid')}")
        if options.precondition_resource_version and \
                options.precondition_resource_version != str(record.revision):
            raise errors.Conflict.modified(kind.group_resource, name)
        grace = self._grace_period(kind, obj, options)
        finalizers = deletion.propagation_finalizers(md.get("finalizers") or [], options.propagation_policy)
        gc_changed = finalizers != (md.get("finalizers") or [])
        md["finalizers"] = finalizers
        if not finalizers:
            md.pop("finalizers")
        if dry_run:
            return stamp(obj, record.revision)
        if deletion.namespace_finalizers(kind, obj):
            deletion.start_terminating(obj, meta.now())
            return self._write(kind, namespace, name, obj, record.revision)
        if grace or md.get("finalizers"):
            # Graceful deletion: mark it; the kubelet (or the finalizers' owners) finish it.
            if not md.get("deletionTimestamp") or grace < md.get("deletionGracePeriodSeconds", 0):
                deadline = datetime.now(timezone.utc) + timedelta(seconds=grace)
                md["deletionTimestamp"] = deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
                md["deletionGracePeriodSeconds"] = grace
                if not grace and not md.get("finalizers"):
                    return self._remove(kind, namespace, name, obj, record.revision)
                return self._write(kind, namespace, name, obj, record.revision)
            if gc_changed:
                return self._write(kind, namespace, name, obj, record.revision)
            return stamp(obj, record.revision)
        return self._remove(kind, namespace, name, obj, record.revision)

    # -- internals ---------------------------------------------------------------------
    def _record(self, kind: Kind, namespace: str, name: str) -> Record:
        record = self.store.get(key_for(kind, namespace, name))
        if record is None:
            raise errors.NotFound.of(kind.group_resource, name, kind.plural)
        return record

    def _graceful(self, kind: Kind, obj: Obj) -> bool:
        """Pods on a node stay until the kubelet has stopped their containers."""
        return (kind.kind == "Pod" and kind.group == "" and bool(obj.get("spec", {}).get("nodeName"))
                and obj.get("status", {}).get("phase") not in ("Succeeded", "Failed")
                and bool(obj["metadata"].get("deletionGracePeriodSeconds")))

    def _grace_period(self, kind: Kind, obj: Obj, options: DeleteOptions) -> int:
        if not (kind.kind == "Pod" and kind.group == ""):
            return 0
        spec, status = obj.get("spec", {}), obj.get("status", {})
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0  # nothing runs it: delete at once, as upstream does
        if options.grace_period_seconds is not None:
            return max(0, options.grace_period_seconds)
        return int(spec.get("terminationGracePeriodSeconds", 30))

    def _admit(self, kind: Kind, obj: Obj) -> None:
        """Type checks first (defaulting assumes well-typed input), then defaults, then
        validation; both failures answer 422 Invalid with one cause per field."""
        obj["apiVersion"], obj["kind"] = kind.api_version, kind.kind
        name = obj.get("metadata", {}).get("name", "")
        if kind.schema:
            causes = schema.type_errors(kind.schema, obj)
            if causes:
                raise errors.Invalid.of(kind.kind, name, causes, kind.group)
        if kind.default:
            kind.default(obj)
        if kind.validate:
            causes = kind.validate(obj)
            if causes:
                raise errors.Invalid.of(kind.kind, name, causes, kind.group)

    def _write(self, kind: Kind, namespace: str, name: str, obj: Obj, revision: int) -> Obj:
        try:
            new_revision = self.store.update(key_for(kind, namespace, name), stored(kind, obj),
                                             revision)
        except (RevisionMismatch, KeyNotFound):
            raise errors.Conflict.modified(kind.group_resource, name) from None
        return stamp(obj, new_revision)

    def _remove(self, kind: Kind, namespace: str, name: str, obj: Obj, revision: int) -> Obj:
        try:
            new_revision = self.store.delete(key_for(kind, namespace, name), revision)
        except (RevisionMismatch, KeyNotFound):
            raise errors.Conflict.modified(kind.group_resource, name) from None
        return stamp(obj, new_revision)
