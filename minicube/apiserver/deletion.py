"""Deletion rules beyond removing a key: garbage-collection finalizers from DeleteOptions,
and namespaces, which stay `Terminating` until their content is gone.

The controllers do the work (controllers/garbagecollector.py, controllers/namespace.py);
the API server only records the request in finalizers, as upstream's registry does.
"""

from __future__ import annotations

from minicube.api import errors
from minicube.api.registry import Kind, Obj

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"


def propagation_finalizers(finalizers: list[str], policy: str | None) -> list[str]:
    """The finalizers after a delete with this propagationPolicy: Orphan and Foreground add
    theirs (dropping the other), Background drops both, no policy keeps what is there."""
    if policy is None:
        return finalizers
    if policy not in ("Orphan", "Foreground", "Background"):
        raise errors.Invalid(
            f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
            f'"{policy}": supported values: "Foreground", "Background", "Orphan"')
    kept = [f for f in finalizers if f not in (ORPHAN, FOREGROUND)]
    if policy == "Orphan":
        kept.append(ORPHAN)
    elif policy == "Foreground":
        kept.append(FOREGROUND)
    return kept


def is_namespace(kind: Kind) -> bool:
    return kind.group == "" and kind.kind == "Namespace"


def namespace_finalizers(kind: Kind, obj: Obj) -> list[str]:
    """A Namespace's spec.finalizers (what the namespace controller must clear), else []."""
    if not is_namespace(kind):
        return []
    return list((obj.get("spec") or {}).get("finalizers") or [])


def start_terminating(ns: Obj, now: str) -> None:
    """Mark a namespace deleted: its controller empties it, then finalizes it."""
    md = ns["metadata"]
    if md.get("deletionTimestamp"):
        raise errors.Conflict(
            f'Operation cannot be fulfilled on namespaces "{md["name"]}": The system is ensuring '
            "all content is removed from this namespace.  Upon completion, this namespace will "
            "automatically be purged by the system.",
            details={"name": md["name"], "group": "", "kind": "namespaces"})
    md["deletionTimestamp"] = now
    md["deletionGracePeriodSeconds"] = 0
    ns.setdefault("status", {})["phase"] = "Terminating"


def finalize(old: Obj, body: Obj) -> Obj:
    """PUT namespaces/{name}/finalize: only spec.finalizers changes (upstream's FinalizeREST)."""
    # An empty list, not a missing one: defaulting would put `kubernetes` back.
    finalizers = (body.get("spec") or {}).get("finalizers") or []
    return {**old, "spec": {**(old.get("spec") or {}), "finalizers": list(finalizers)}}


def keep_namespace_finalizers(kind: Kind, new: Obj, old: Obj) -> None:
    """Only the finalize subresource changes a namespace's spec.finalizers."""
    if is_namespace(kind):
        new.setdefault("spec", {})["finalizers"] = namespace_finalizers(kind, old)
