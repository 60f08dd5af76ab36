"""`metadata.managedFields` and server-side apply, after structured-merge-diff.

Every write records which fields its field manager set: an Update (create, update, patch)
takes ownership of the fields it changed away from every other manager; an Apply (PATCH
`application/apply-patch+yaml`) declares the manager's whole intent: its fields are merged
into the live object, fields it applied before and no longer lists are removed unless
another manager also owns them, and changing a field another manager owns to a different
value is a conflict (409) unless forced, which moves the ownership.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from minicube.api import errors, fieldsets, meta
from minicube.api.fieldsets import MISSING, Path

Obj = dict[str, Any]
KUBECTL = "kubectl"  # the field manager of `kubectl apply --server-side`
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# Stripped before field sets are computed (upstream's stripmeta): identity and server fields.
_STRIPPED_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                  "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds")


@dataclass
class Entry:
    manager: str
    operation: str  # "Apply" or "Update"
    api_version: str
    time: str
    fields: set[Path]
    subresource: str = ""

    def same_owner(self, manager: str, operation: str, subresource: str) -> bool:
        return (self.manager, self.operation, self.subresource) == (manager, operation, subresource)

    def to_json(self) -> Obj:
        out: Obj = {"manager": self.manager, "operation": self.operation,
                    "apiVersion": self.api_version, "time": self.time,
                    "fieldsType": "FieldsV1", "fieldsV1": fieldsets.to_fields_v1(self.fields)}
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def entries_of(obj: Obj) -> list[Entry]:
    raw = (obj.get("metadata") or {}).get("managedFields") or []
    if not isinstance(raw, list):
        raise errors.BadRequest("metadata.managedFields must be a list")
    out = []
    for e in raw:
        if not isinstance(e, dict) or not e.get("manager"):
            raise errors.BadRequest("metadata.managedFields: every entry needs a manager")
        out.append(Entry(e["manager"], e.get("operation", "Update"), e.get("apiVersion", ""),
                         e.get("time", ""), fieldsets.from_fields_v1(e.get("fieldsV1") or {}),
                         e.get("subresource", "")))
    return out


def owned_part(obj: Obj, has_status: bool, subresource: str) -> Obj:
    """The part of an object field managers can own, for a write to `subresource` (a
    shallow view: callers only read it)."""
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in _STRIPPED_META}
        if not out["metadata"]:
            del out["metadata"]
    if subresource == "status":
        return {"status": out["status"]} if "status" in out else {}
    if has_status:
        out.pop("status", None)
    return out


def record_update(old: Obj | None, new: Obj, *, manager: str, kind: str, api_version: str,
                  has_status: bool, now: str, subresource: str = "") -> list[Obj]:
    """managedFields for `new` after an Update by manager (old is None on create)."""
    entries = entries_of(new) if (new.get("metadata") or {}).get("managedFields") is not None \
        else entries_of(old or {})
    changed, removed = fieldsets.diff(owned_part(old or {}, has_status, subresource),
                                      owned_part(new, has_status, subresource), kind)
    if not changed and not removed:
        return [e.to_json() for e in entries]
    mine = next((e for e in entries if e.same_owner(manager, "Update", subresource)), None)
    for e in entries:
        e.fields -= removed
        if e is not mine:
            e.fields -= changed
    if mine is None:
        mine = Entry(manager, "Update", api_version, now, set(), subresource)
        entries.append(mine)
    mine.fields |= changed
    mine.time, mine.api_version = now, api_version
    return [e.to_json() for e in entries if e.fields]


def apply(live: Obj | None, applied: Obj, *, manager: str, force: bool, kind: str,
          api_version: str, has_status: bool, now: str, subresource: str = "") -> Obj:
    """The object after `manager` applies `applied` to `live` (None: create), with its
    managedFields. Raises a 409 Conflict naming each conflicting field unless forced."""
    applied = meta.without_nulls(applied)  # an applied null is no value to own
    intent = owned_part(applied, has_status, subresource)
    new_set = fieldsets.fields_of(intent, kind)
    base = copy.deepcopy(live) if live is not None else {}
    entries = entries_of(base)
    mine = next((e for e in entries if e.same_owner(manager, "Apply", subresource)), None)
    current = owned_part(base, has_status, subresource)

    conflicts: list[tuple[Entry, Path]] = []
    for e in entries:
        if e is mine or e.manager == manager:
            continue
        for p in sorted(e.fields & new_set):
            if p[-1].startswith("f:") and \
                    fieldsets.value_at(current, p, kind) != fieldsets.value_at(intent, p, kind):
                conflicts.append((e, p))
    if conflicts and not force and not _upgrades_client_side_apply(manager, base, conflicts, kind,
                                                                   has_status):
        raise _conflict_error(conflicts)
    for e, p in conflicts:
        e.fields.discard(p)

    merged = _merge(base, applied, kind, "")
    dropped = (mine.fields if mine else set()) - new_set
    others = set().union(*(e.fields for e in entries if e is not mine))
    for p in sorted(dropped - others, key=len, reverse=True):
        fieldsets.remove(merged, p, kind)

    if manager == KUBECTL and LAST_APPLIED in ((merged.get("metadata") or {}).get("annotations") or {}):
        # keep client-side apply's record in step, so a later `kubectl apply` diffs correctly
        merged["metadata"]["annotations"][LAST_APPLIED] = _last_applied(applied)
    unchanged = live is not None and mine is not None and mine.fields == new_set and \
        not conflicts and _without_owners(merged) == _without_owners(base)
    if not unchanged:  # a no-op apply leaves the object, timestamps included, as it was
        if mine is None:
            mine = Entry(manager, "Apply", api_version, now, set(), subresource)
            entries.append(mine)
        mine.fields, mine.api_version, mine.time = new_set, api_version, now
    merged.setdefault("metadata", {})["managedFields"] = [e.to_json() for e in entries if e.fields]
    return merged


def _without_owners(obj: Obj) -> Obj:
    return {**obj, "metadata": {k: v for k, v in (obj.get("metadata") or {}).items()
                                if k != "managedFields"}}


def _last_applied(applied: Obj) -> str:
    config = copy.deepcopy(applied)
    annotations = (config.get("metadata") or {}).get("annotations") or {}
    annotations.pop(LAST_APPLIED, None)
    return json.dumps(config, separators=(",", ":")) + "\n"


def _upgrades_client_side_apply(manager: str, live: Obj, conflicts: list[tuple[Entry, Path]],
                                kind: str, has_status: bool) -> bool:
    """Upstream's lastAppliedManager: `kubectl apply --server-side` may take the fields of an
    object managed by client-side apply without conflicts, when every conflicting field is
    one the last-applied annotation lists and the live object still holds those values."""
    raw = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if manager != KUBECTL or not raw:
        return False
    try:
        last = owned_part(json.loads(raw), has_status, "")
    except (ValueError, AttributeError):
        return False
    allowed = fieldsets.fields_of(last, kind)
    current = owned_part(live, has_status, "")
    for p in allowed:
        value = fieldsets.value_at(last, p, kind)
        # (an empty map, such as kubectl's `annotations: {}`, is no value to compare)
        if p[-1].startswith("f:") and value != {} and value != fieldsets.value_at(current, p, kind):
            return False
    return all(p in allowed for _, p in conflicts)


def _merge(live: Any, applied: Any, kind: str, dotted: str) -> Any:
    """Applied values over live ones: maps merge, keyed lists merge by key, the rest replace."""
    if isinstance(applied, dict) and isinstance(live, dict):
        out = dict(live)
        for name, value in applied.items():
            child = f"{dotted}.{name}" if dotted else name
            out[name] = _merge(live.get(name, MISSING), value, kind, child)
        return out
    if isinstance(applied, list) and isinstance(live, list):
        keys = fieldsets.list_keys(kind, dotted)
        if keys is not None:
            merged = list(live)
            index = {fieldsets.item_key(item, keys): i for i, item in enumerate(merged)}
            for item in applied:
                at = index.get(fieldsets.item_key(item, keys))
                if at is None:
                    merged.append(copy.deepcopy(item))
                elif keys != fieldsets.SET_LIST:
                    merged[at] = _merge(merged[at], item, kind, dotted)
            return merged
    return copy.deepcopy(applied)


def _manager_text(e: Entry) -> str:
    text = f"conflict with {json.dumps(e.manager)}"
    if e.subresource:
        text += f" with subresource {json.dumps(e.subresource)}"
    if e.operation == "Update":
        text += f" using {e.api_version}"
    return text


def _conflict_error(conflicts: list[tuple[Entry, Path]]) -> errors.Conflict:
    causes = [{"reason": "FieldManagerConflict", "message": _manager_text(e),
               "field": fieldsets.path_string(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        message = f"Apply failed with 1 conflict: {_manager_text(e)}: {fieldsets.path_string(p)}"
    else:
        lines: list[str] = []
        for text in sorted({_manager_text(e) for e, _ in conflicts}):
            lines.append(text)
            lines += [f"- {fieldsets.path_string(p)}" for e, p in conflicts if _manager_text(e) == text]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return errors.Conflict(message, details={"causes": causes})
