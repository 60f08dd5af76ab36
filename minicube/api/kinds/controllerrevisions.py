"""ControllerRevision (apps/v1): an immutable snapshot of a StatefulSet's or DaemonSet's pod
template (`data`, a strategic-merge patch) with its `revision` number. `kubectl rollout
history/undo` of those kinds reads and re-applies them."""

from __future__ import annotations

from minicube.api.kinds.common import get, kind_schema
from minicube.api.meta import (immutable, invalid, is_dns1123_subdomain, required,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import int64, open_object
from minicube.api.tables import AGE


def _controller(rev: Obj) -> str:
    """`statefulset.apps/web` from the controller reference, as kubectl prints it."""
    for ref in get(rev, "metadata", "ownerReferences", default=[]):
        if ref.get("controller"):
            group = ref.get("apiVersion", "").rpartition("/")[0]
            return f"{ref.get('kind', '').lower()}{'.' + group if group else ''}/{ref.get('name')}"
    return "<none>"


def _validate(rev: Obj) -> list[Cause]:
    causes = validate_object_meta(rev, namespaced=True, name_validator=is_dns1123_subdomain)
    if rev.get("data") is None:
        causes.append(required("data"))
    number = rev.get("revision")
    if number is None:
        causes.append(required("revision"))
    elif isinstance(number, int) and number < 0:
        causes.append(invalid("revision", number, "must be greater than or equal to 0"))
    return causes


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    return immutable(new.get("data"), old.get("data"), "data")


CONTROLLER_REVISION = Kind(
    group="apps", version="v1", kind="ControllerRevision", plural="controllerrevisions",
    columns=(Column("Controller", _controller, description="The owning controller."),
             Column("Revision", lambda rev: rev.get("revision", 0), type="integer",
                    description="The revision number."), AGE),
    schema=kind_schema(data=open_object, revision=int64),
    validate=_validate,
    validate_update=_validate_update,
)
