"""The kind registry: every resource the API serves is declared here once.

A `Kind` says where a resource lives (group/version/plural), how kubectl names it (short names,
categories), which subresources it has, and how the server treats it (defaults, validation,
table columns, selectable fields). Discovery, OpenAPI, routing and Tables are all generated
from these declarations, so adding a kind is declaring it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

Obj = dict[str, Any]
Cause = dict[str, str]

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Column:
    """One server-side Table column; `cell` computes its value from the full object."""

    name: str
    cell: Callable[[Obj], Any]
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0  # 1 = shown only with `-o wide`


def _metadata_fields(obj: Obj) -> dict[str, str]:
    meta = obj.get("metadata", {})
    return {"metadata.name": meta.get("name", ""), "metadata.namespace": meta.get("namespace", "")}


@dataclass(frozen=True)
class ScalePaths:
    """JSON paths (`.spec.replicas`) the scale subresource reads and writes. The selector is
    a LabelSelector object for built-in kinds, or (custom resources) already a string."""

    spec_replicas: str = ".spec.replicas"
    status_replicas: str = ".status.replicas"
    label_selector: str = ".spec.selector"


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Subresources served under .../{name}/{sub}: "status", "log", "binding", "scale", ...
    subresources: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    # Columns after NAME (NAMESPACE is added by kubectl for -A). Empty: "Created At".
    columns: tuple[Column, ...] = ()
    # An OpenAPI v3 schema subset (type/properties/items/additionalProperties/required/
    # x-kubernetes-preserve-unknown-fields) for the whole object: type checks, unknown-field
    # detection for fieldValidation=Strict, and the /openapi/v3 documents all come from it.
    schema: Obj | None = None
    # Fills the API server's defaults into a new or updated object, in place.
    default: Callable[[Obj], None] | None = None
    # Sets what the server owns on create (e.g. a Pod's initial status), in place.
    on_create: Callable[[Obj], None] | None = None
    # Returns the 422 causes for an object about to be stored (empty when valid).
    validate: Callable[[Obj], list[Cause]] | None = None
    # Returns the 422 causes for an update from `old` to `new` (immutable fields).
    validate_update: Callable[[Obj, Obj], list[Cause]] | None = None
    # The fields a `fieldSelector` may name, with their string values (upstream's GetAttrs).
    selectable_fields: Callable[[Obj], dict[str, str]] = field(default=_metadata_fields)
    # Discovery's singularName when it is not the lower-cased kind (custom resources).
    singular_name: str = ""
    # Whether strategic merge patches apply: not to custom resources (upstream answers 415).
    strategic_merge: bool = True
    # Where the `scale` subresource finds replicas and the selector (custom resources differ).
    scale_paths: ScalePaths = ScalePaths()
    # For a resource served in several versions, all stored in one: converts this version's
    # form to the stored one and back, each in place on a copy. None: stored as served.
    to_storage: Callable[[Obj], None] | None = None
    from_storage: Callable[[Obj], None] | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.singular_name or self.kind.lower()

    @property
    def group_resource(self) -> str:
        """How errors name the resource: `pods`, `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def has_status(self) -> bool:
        """With a status subresource, writes to the main resource leave `.status` alone."""
        return "status" in self.subresources

    def fields_of(self, obj: Obj) -> dict[str, str]:
        return {**_metadata_fields(obj), **self.selectable_fields(obj)}


class Registry:
    """Kinds by (group, version, plural) and by (apiVersion, kind), in declaration order."""

    def __init__(self) -> None:
        self._by_resource: dict[tuple[str, str, str], Kind] = {}
        self._by_kind: dict[tuple[str, str], Kind] = {}

    def copy(self) -> Registry:
        """An independent registry with the same kinds: an API server adds custom kinds to
        its own copy, never to the process-wide built-ins."""
        out = Registry()
        for kind in self:
            out.add(kind)
        return out

    def add(self, kind: Kind) -> Kind:
        self._by_resource[(kind.group, kind.version, kind.plural)] = kind
        self._by_kind[(kind.api_version, kind.kind)] = kind
        return kind

    def remove(self, kind: Kind) -> None:
        self._by_resource.pop((kind.group, kind.version, kind.plural), None)
        self._by_kind.pop((kind.api_version, kind.kind), None)

    def get(self, group: str, version: str, plural: str) -> Kind | None:
        return self._by_resource.get((group, version, plural))

    def for_object(self, api_version: str, kind: str) -> Kind | None:
        return self._by_kind.get((api_version, kind))

    def __iter__(self) -> Iterator[Kind]:
        return iter(list(self._by_resource.values()))

    def group_versions(self) -> dict[str, list[str]]:
        """{group: [versions]} in declaration order; the core group is ""."""
        out: dict[str, list[str]] = {}
        for k in self:
            versions = out.setdefault(k.group, [])
            if k.version not in versions:
                versions.append(k.version)
        return out
