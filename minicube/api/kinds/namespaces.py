"""core/v1 Namespace: cluster-scoped; deleting one goes through its `kubernetes` finalizer."""

from __future__ import annotations

from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.meta import is_dns1123_label, validate_object_meta
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, obj_, string, strings
from minicube.api.tables import AGE

SCHEMA = kind_schema(
    spec=obj_({"finalizers": strings}),
    status=obj_({"phase": string, "conditions": arr(condition())}),
)


def _default(ns: Obj) -> None:
    s = spec(ns)
    if s.get("finalizers") is None:
        s["finalizers"] = ["kubernetes"]
    status = ns.get("status")
    if not isinstance(status, dict):
        status = ns["status"] = {}
    if not status.get("phase"):
        status["phase"] = "Active"


def _on_create(ns: Obj) -> None:
    # What the server owns: a new namespace is Active and carries the `kubernetes` finalizer.
    spec(ns)["finalizers"] = ["kubernetes"]
    ns["status"] = {"phase": "Active"}


def _validate(ns: Obj) -> list[Cause]:
    return validate_object_meta(ns, namespaced=False, name_validator=is_dns1123_label)


NAMESPACE = Kind(
    group="", version="v1", kind="Namespace", plural="namespaces", namespaced=False,
    short_names=("ns",), subresources=("status", "finalize"),
    columns=(Column("Status", lambda n: get(n, "status", "phase", default=""),
                    description="Whether the namespace is Active or Terminating."), AGE),
    schema=SCHEMA, default=_default, on_create=_on_create, validate=_validate,
    selectable_fields=lambda n: {"status.phase": get(n, "status", "phase", default="")},
)
