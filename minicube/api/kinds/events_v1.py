"""events.k8s.io/v1 Event: the newer event shape (regarding, note, reportingController) that
client-go's events recorder writes. Stored as its own resource here (upstream shares storage
with core/v1 Events and converts between the shapes; minicube does not convert)."""

from __future__ import annotations

from minicube.api.kinds.common import get, kind_schema, object_reference
from minicube.api.meta import (is_dns1123_subdomain, not_supported, required, too_long,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import int32, obj_, string, time
from minicube.api.tables import since

NOTE_MAX = 1024

SCHEMA = kind_schema(
    eventTime=time, series=obj_({"count": int32, "lastObservedTime": time}),
    reportingController=string, reportingInstance=string, action=string, reason=string,
    regarding=object_reference, related=object_reference, note=string, type=string,
    deprecatedSource=obj_({"component": string, "host": string}),
    deprecatedFirstTimestamp=time, deprecatedLastTimestamp=time, deprecatedCount=int32,
)


def _validate(e: Obj) -> list[Cause]:
    """Upstream's checks for events created through events.k8s.io/v1."""
    out = validate_object_meta(e, namespaced=True, name_validator=is_dns1123_subdomain)
    for f in ("eventTime", "reportingController", "reportingInstance", "action", "reason"):
        if not e.get(f):
            out.append(required(f))
    if e.get("type") not in ("Normal", "Warning"):
        out.append(not_supported("type", e.get("type", ""), ["Normal", "Warning"]))
    if len(e.get("note") or "") > NOTE_MAX:
        out.append(too_long("note", NOTE_MAX))
    return out


def _last_seen(e: Obj) -> str:
    return since(get(e, "series", "lastObservedTime") or e.get("deprecatedLastTimestamp")
                 or e.get("eventTime"))


def _object(e: Obj) -> str:
    kind = get(e, "regarding", "kind", default="").lower()
    name = get(e, "regarding", "name", default="")
    return f"{kind}/{name}" if name else kind


EVENT_V1 = Kind(
    group="events.k8s.io", version="v1", kind="Event", plural="events", short_names=("ev",),
    columns=(Column("Last Seen", _last_seen, description="When the event was last observed."),
             Column("Type", lambda e: e.get("type", ""), description="Normal or Warning."),
             Column("Reason", lambda e: e.get("reason", ""), description="Why it happened."),
             Column("Object", _object, description="The object the event is about."),
             Column("Message", lambda e: (e.get("note") or "").strip(),
                    description="What happened, for humans."),
             # as core/v1's table: the name comes only with -o wide
             Column("Name", lambda e: get(e, "metadata", "name", default=""), priority=1,
                    format="name", description="The event's own name.")),
    schema=SCHEMA, validate=_validate,
)
