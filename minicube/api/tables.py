"""Server-side printing: `meta.k8s.io/v1` Table responses built from a kind's columns.

kubectl 1.32 prints built-in kinds only from these Tables, so cells follow upstream's
printers (pkg/printers/internalversion). The server always fills the wide columns; kubectl
hides `priority: 1` ones unless `-o wide`.

A kind's `columns` list what follows NAME; `Name` (format "name") is prepended unless the
kind declares its own name column (Event puts it last, as upstream). Kinds put `AGE` where
upstream has it. Kinds without columns get upstream's default: Name, Created At.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Literal

from minicube.api.meta import parse_time
from minicube.api.registry import Column, Kind, Obj

IncludeObject = Literal["Metadata", "Object", "None"]


def human_duration(seconds: float) -> str:
    """apimachinery duration.HumanDuration: `5s`, `3m20s`, `5m`, `7h3m`, `2d3h`, `45d`, `2y10d`."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        years, days = hours // 24 // 365, (hours // 24) % 365
        return f"{years}y{days}d" if days else f"{years}y"
    return f"{hours // 24 // 365}y"


def since(timestamp: str | None, now: datetime | None = None) -> str:
    """How long ago a timestamp was (`<unknown>` when unset), as upstream's printers say."""
    if not timestamp:
        return "<unknown>"
    now = now or datetime.now(timezone.utc)
    return human_duration((now - parse_time(timestamp)).total_seconds())


def age(obj: Obj) -> str:
    return since((obj.get("metadata") or {}).get("creationTimestamp"))


NAME = Column("Name", lambda o: (o.get("metadata") or {}).get("name", ""), format="name",
              description="The object's name, unique within its namespace (or the cluster).")
AGE = Column("Age", age, description="Time since the object was created (creationTimestamp).")
_CREATED_AT = Column("Created At", lambda o: (o.get("metadata") or {}).get("creationTimestamp"),
                     type="date", description="When the object was created (creationTimestamp).")


def columns(kind: Kind) -> tuple[Column, ...]:
    if not kind.columns:
        return (NAME, _CREATED_AT)
    if any(c.format == "name" for c in kind.columns):
        return kind.columns
    return (NAME, *kind.columns)


def column_definitions(kind: Kind) -> list[dict[str, Any]]:
    return [{"name": c.name, "type": c.type, "format": c.format, "description": c.description,
             "priority": c.priority} for c in columns(kind)]


def partial_metadata(obj: Obj) -> Obj:
    """A `PartialObjectMetadata` with the full ObjectMeta (kubectl needs it for -A/-L/labels)."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def row(kind: Kind, obj: Obj, include_object: IncludeObject = "Metadata") -> dict[str, Any]:
    out: dict[str, Any] = {"cells": [c.cell(obj) for c in columns(kind)]}
    if include_object == "Object":
        out["object"] = obj
    elif include_object != "None":
        out["object"] = partial_metadata(obj)
    return out


def table(kind: Kind, objects: Iterable[Obj], *, include_object: IncludeObject = "Metadata",
          resource_version: str = "", continue_token: str = "",
          with_columns: bool = True) -> dict[str, Any]:
    """A Table for a list (or, with one object, a get or a watch event).

    `with_columns=False` leaves `columnDefinitions` empty, which kubectl accepts for the watch
    events after the first one.
    """
    metadata: dict[str, str] = {}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": column_definitions(kind) if with_columns else [],
            "rows": [row(kind, o, include_object) for o in objects]}
