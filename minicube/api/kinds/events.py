"""core/v1 Event: what components report about objects (`kubectl describe`, `get events`)."""

from __future__ import annotations

from minicube.api.kinds.common import get, kind_schema, object_reference
from minicube.api.meta import invalid, is_dns1123_subdomain, required, validate_object_meta
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import int32, obj_, string, time
from minicube.api.tables import since

SCHEMA = kind_schema(
    involvedObject=object_reference, reason=string, message=string,
    source=obj_({"component": string, "host": string}), firstTimestamp=time,
    lastTimestamp=time, count=int32, type=string, eventTime=time,
    series=obj_({"count": int32, "lastObservedTime": time}), action=string,
    related=object_reference, reportingComponent=string, reportingInstance=string,
)


def _first_seen(e: Obj) -> str:
    return since(e.get("firstTimestamp") or e.get("eventTime"))


def _last_seen(e: Obj) -> str:
    if get(e, "series", "lastObservedTime"):
        return since(e["series"]["lastObservedTime"])
    return since(e["lastTimestamp"]) if e.get("lastTimestamp") else _first_seen(e)


def _count(e: Obj) -> int:
    if e.get("series"):
        return int(get(e, "series", "count", default=0))
    return int(e.get("count") or 1)  # singleton events of the new API leave count unset


def _object(e: Obj) -> str:
    kind = get(e, "involvedObject", "kind", default="").lower()
    name = get(e, "involvedObject", "name", default="")
    return f"{kind}/{name}" if name else kind


def _source(e: Obj) -> str:
    component = get(e, "source", "component") or e.get("reportingComponent") or ""
    host = get(e, "source", "host") or e.get("reportingInstance") or ""
    return f"{component}, {host}" if host else component


# Upstream's order: the name column comes last and only with -o wide.
COLUMNS = (
    Column("Last Seen", _last_seen, description="When the event was last observed."),
    Column("Type", lambda e: e.get("type", ""), description="Normal or Warning."),
    Column("Reason", lambda e: e.get("reason", ""), description="Why the event happened."),
    Column("Object", _object, description="The object the event is about."),
    Column("Subobject", lambda e: get(e, "involvedObject", "fieldPath", default=""), priority=1,
           description="The part of the object, such as a container."),
    Column("Source", _source, priority=1, description="The component that reported it."),
    Column("Message", lambda e: (e.get("message") or "").strip(),
           description="What happened, for humans."),
    Column("First Seen", _first_seen, priority=1, description="When it was first observed."),
    Column("Count", _count, priority=1, description="How many times it happened."),
    Column("Name", lambda e: get(e, "metadata", "name", default=""), priority=1, format="name",
           description="The event's own name."),
)


def _validate(e: Obj) -> list[Cause]:
    out = validate_object_meta(e, namespaced=True, name_validator=is_dns1123_subdomain)
    involved = e.get("involvedObject")
    if not isinstance(involved, dict) or not involved:
        return out + [required("involvedObject")]
    ns, event_ns = involved.get("namespace") or "", get(e, "metadata", "namespace", default="")
    if ns and event_ns and ns != event_ns:
        out.append(invalid("involvedObject.namespace", ns, "does not match event.namespace"))
    return out


def _fields(e: Obj) -> dict[str, str]:
    fields = {f"involvedObject.{k}": get(e, "involvedObject", k, default="") for k in (
        "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")}
    return {**fields, "reason": e.get("reason", ""),
            "reportingComponent": e.get("reportingComponent", ""),
            "source": get(e, "source", "component") or e.get("reportingComponent", ""),
            "type": e.get("type", "")}


EVENT = Kind(
    group="", version="v1", kind="Event", plural="events", short_names=("ev",),
    columns=COLUMNS, schema=SCHEMA, validate=_validate, selectable_fields=_fields,
)
