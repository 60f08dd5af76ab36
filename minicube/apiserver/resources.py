"""The generic REST handler: every declared kind gets get/list/watch/create/update/patch/delete.

Routing follows the path (requestinfo), behaviour follows the Kind declaration, and object
semantics live in objects.py. Subresources other than status are in subresources.py.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

from minicube.api import errors, managedfields, meta, patch, schema, selectors, tables
from minicube.api.registry import Kind, Obj, Registry
from minicube.apiserver import negotiation as neg
from minicube.apiserver import listing, options, watch
from minicube.apiserver.objects import Manage, Objects
from minicube.apiserver.requestinfo import RequestInfo

SubresourceHandler = Callable[[web.Request, Kind, RequestInfo], Awaitable[web.StreamResponse]]


class Resources:
    def __init__(self, registry: Registry, objects: Objects, namespace_kind: Kind) -> None:
        self.registry = registry
        self.objects = objects
        self.namespace_kind = namespace_kind
        self.subresources: dict[str, SubresourceHandler] = {}

    async def handle(self, request: web.Request, info: RequestInfo) -> web.StreamResponse:
        neg.check_acceptable(request)
        kind = self.registry.get(info.group, info.version, info.resource)
        if kind is None or (info.namespace and not kind.namespaced):
            raise errors.NotFound.route()
        if kind.namespaced and info.name and not info.namespace:
            raise errors.NotFound.route()
        method = request.method
        if info.subresource:
            if info.subresource not in kind.subresources:
                raise errors.NotFound.route()
            if info.subresource == "status":
                return await self._status(request, kind, info)
            handler = self.subresources.get(info.subresource)
            if handler is None:
                raise errors.MethodNotAllowed(
                    f"{kind.plural}/{info.subresource} is not supported by minicube yet")
            return await handler(request, kind, info)
        if method == "GET":
            if neg.flag(request, "watch"):
                return await self._watch(request, kind, info)
            return self._get(request, kind, info) if info.name else self._list(request, kind, info)
        if method == "POST" and not info.name:
            return await self._create(request, kind, info)
        if method == "PUT" and info.name:
            return await self._update(request, kind, info)
        if method == "PATCH" and info.name:
            return await self._patch(request, kind, info)
        if method == "DELETE":
            if info.name:
                return await self._delete(request, kind, info)
            return await self._delete_collection(request, kind, info)
        raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")

    # -- reads -------------------------------------------------------------------------
    def _get(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        obj = self.objects.get(kind, info.namespace, info.name)
        if neg.wants_table(request):
            return neg.respond(tables.table(kind, [obj], include_object=_include(request),
                                            resource_version=obj["metadata"]["resourceVersion"]),
                               content_type=neg.TABLE_CONTENT_TYPE)
        return neg.respond(obj)

    def _list(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        opts = listing.parse_options(request.query)
        filtered = bool(request.query.get("labelSelector") or request.query.get("fieldSelector"))
        page = listing.list_page(self.objects, kind, info.namespace, opts,
                                 matcher(request, kind), filtered)
        if neg.wants_table(request):
            table = tables.table(kind, page.items, include_object=_include(request))
            table["metadata"] = page.list_meta()
            return neg.respond(table, content_type=neg.TABLE_CONTENT_TYPE)
        return neg.respond({"kind": f"{kind.kind}List", "apiVersion": kind.api_version,
                            "metadata": page.list_meta(), "items": page.items})

    async def _watch(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.StreamResponse:
        matches = matcher(request, kind, name=info.name)
        pinned = selectors.parse_fields(request.query.get("fieldSelector", "")).value_of(
            "metadata.name")  # (well-formed: matcher has parsed it)
        req = watch.WatchRequest(
            kind=kind, namespace=info.namespace, matches=matches, name=info.name or pinned or "",
            resource_version=request.query.get("resourceVersion", ""),
            timeout_seconds=neg.int_param(request, "timeoutSeconds"),
            bookmarks=neg.flag(request, "allowWatchBookmarks"),
            as_table=neg.wants_table(request), include_object=_include(request))
        return await watch.serve(request, self.objects, req)

    # -- writes ------------------------------------------------------------------------
    async def _create(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        if kind.namespaced and not info.namespace:
            raise errors.MethodNotAllowed(f"{kind.plural} must be created in a namespace")
        if "create" not in kind.verbs:  # (a custom kind whose definition is being deleted)
            raise errors.MethodNotAllowed(
                "create not allowed while custom resource definition is terminating")
        body = await neg.read_object(request)
        self._check_type(kind, body)
        if kind.namespaced:
            self._check_namespace_open(info.namespace)
        warnings = self._field_validation(request, kind, body)
        obj = self.objects.create(kind, info.namespace, body, dry_run=options.dry_run(request),
                                  manage=_manage(request, kind, ""))
        return neg.respond(obj, status=201, headers=warnings)

    async def _update(self, request: web.Request, kind: Kind, info: RequestInfo,
                      subresource: str = "") -> web.Response:
        body = await neg.read_object(request)
        self._check_type(kind, body)
        return self._store_update(request, kind, info, body, subresource)

    async def _patch(self, request: web.Request, kind: Kind, info: RequestInfo,
                     subresource: str = "") -> web.Response:
        patch_type = neg.PATCH_TYPES.get(neg.media_type(request.headers.get("Content-Type", "")))
        if patch_type is None:
            raise errors.UnsupportedMediaType(
                f"the body of the request was in an unknown format - accepted media types include: "
                f"{', '.join(neg.PATCH_TYPES)}")
        if patch_type == "apply":
            return await self._apply(request, kind, info, subresource)
        if patch_type == "strategic" and not kind.strategic_merge:
            raise errors.UnsupportedMediaType(
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(t for t, name in neg.PATCH_TYPES.items() if name != "strategic"))
        if "force" in request.query:
            raise options.invalid_patch_options(
                "force", "Forbidden: may not be specified for non-apply patch", "FieldValueForbidden")
        body = await neg.read_body(request)
        current = self.objects.get(kind, info.namespace, info.name)
        try:
            patched = patch.apply(patch_type, current, body, kind.kind)
        except patch.PatchError as e:
            raise errors.Invalid(str(e)) from None
        return self._store_update(request, kind, info, patched, subresource)

    def _store_update(self, request: web.Request, kind: Kind, info: RequestInfo, new: Obj,
                      subresource: str) -> web.Response:
        """The write an update and a (non-apply) patch share once the new object is known."""
        warnings = self._field_validation(request, kind, new)
        obj = self.objects.update(kind, info.namespace, info.name, new, subresource=subresource,
                                  dry_run=options.dry_run(request),
                                  manage=_manage(request, kind, subresource))
        return neg.respond(obj, headers=warnings)

    async def _apply(self, request: web.Request, kind: Kind, info: RequestInfo,
                     subresource: str) -> web.Response:
        """Server-side apply: merge the manager's intent, create the object if it is missing."""
        manager = options.field_manager(request, required=True)
        body = await neg.read_object(request)
        if not body.get("apiVersion") or not body.get("kind"):
            raise errors.BadRequest("apiVersion and kind must be set in an apply configuration")
        self._check_type(kind, body)
        meta_in = body.get("metadata")
        if not isinstance(meta_in, dict) or meta_in.get("name", info.name) != info.name:
            raise errors.BadRequest(f"the name of the object ({(meta_in or {}).get('name')}) does "
                                    f"not match the name on the URL ({info.name})")
        warnings = self._field_validation(request, kind, body)
        try:
            live: Obj | None = self.objects.get(kind, info.namespace, info.name)
        except errors.NotFound:
            if subresource:
                raise
            live = None
        merged = managedfields.apply(live, body, manager=manager, force=neg.flag(request, "force"),
                                     kind=kind.kind, api_version=kind.api_version,
                                     has_status=kind.has_status, now=meta.now(),
                                     subresource=subresource)
        if live is None:
            merged["metadata"]["name"] = info.name
            if kind.namespaced:
                self._check_namespace_open(info.namespace)
            obj = self.objects.create(kind, info.namespace, merged, dry_run=options.dry_run(request))
            return neg.respond(obj, status=201, headers=warnings)
        owners = merged["metadata"]["managedFields"]  # (a status write keeps only .status)
        obj = self.objects.update(kind, info.namespace, info.name, merged, subresource=subresource,
                                  dry_run=options.dry_run(request),
                                  manage=lambda _old, new: new["metadata"].update(managedFields=owners))
        return neg.respond(obj, headers=warnings)

    async def _status(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        if request.method == "GET":
            return neg.respond(self.objects.get(kind, info.namespace, info.name))
        if request.method == "PUT":
            return await self._update(request, kind, info, subresource="status")
        if request.method == "PATCH":
            return await self._patch(request, kind, info, subresource="status")
        raise errors.MethodNotAllowed("the status subresource allows get, update and patch")

    async def _delete(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        delete_opts, dry_run = await options.delete_options(request)
        if kind is self.namespace_kind and info.name in ("default", "kube-system", "kube-public"):
            raise errors.Forbidden(f'namespaces "{info.name}" is forbidden: this namespace may not be deleted')
        obj = self.objects.delete(kind, info.namespace, info.name, delete_opts, dry_run=dry_run)
        return neg.respond(obj)

    async def _delete_collection(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        delete_opts, dry_run = await options.delete_options(request)
        items, revision = self.objects.list(kind, info.namespace)
        matches = matcher(request, kind)
        deleted = []
        for obj in filter(matches, items):
            md = obj["metadata"]
            try:
                deleted.append(self.objects.delete(kind, md.get("namespace", ""), md["name"], delete_opts,
                                                   dry_run=dry_run))
            except errors.NotFound:
                continue
        return neg.respond({"kind": f"{kind.kind}List", "apiVersion": kind.api_version,
                            "metadata": {"resourceVersion": str(revision)}, "items": deleted})

    # -- checks ------------------------------------------------------------------------
    def _check_type(self, kind: Kind, body: Obj) -> None:
        api_version, body_kind = body.get("apiVersion"), body.get("kind")
        if api_version and api_version != kind.api_version:
            raise errors.BadRequest(f"the API version in the data ({api_version}) does not match "
                                    f"the expected API version ({kind.api_version})")
        if body_kind and body_kind != kind.kind:
            raise errors.BadRequest(f"the kind in the data ({body_kind}) does not match the "
                                    f"expected kind ({kind.kind})")

    def _check_namespace_open(self, namespace: str) -> None:
        try:
            ns = self.objects.get(self.namespace_kind, "", namespace)
        except errors.NotFound:
            raise errors.NotFound.of("namespaces", namespace) from None
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.Forbidden(f"unable to create new content in namespace {namespace} "
                                   "because it is being terminated")

    def _field_validation(self, request: web.Request, kind: Kind, body: Obj) -> dict[str, str]:
        """fieldValidation=Strict rejects unknown fields (400); Warn reports them in a header."""
        mode = request.query.get("fieldValidation", "Warn" if kind.schema else "Ignore")
        if mode == "Ignore" or not kind.schema:
            return {}
        unknown = schema.unknown_fields(kind.schema, body)
        if not unknown:
            return {}
        if mode == "Strict":
            text = ", ".join(f'unknown field "{f}"' for f in unknown)
            raise errors.BadRequest(f"strict decoding error: {text}")
        return {"Warning": ", ".join(f'299 - "unknown field \\"{f}\\""' for f in unknown)}


def matcher(request: web.Request, kind: Kind, name: str = "") -> Callable[[Obj], bool]:
    """The request's labelSelector and fieldSelector (the fields the kind allows) as a test."""
    try:
        labels = selectors.parse(request.query.get("labelSelector", ""))
        fields = selectors.parse_fields(request.query.get("fieldSelector", ""))
    except ValueError as e:
        raise errors.BadRequest(str(e)) from None
    supported = set(kind.fields_of({"metadata": {}, "spec": {}, "status": {}}))
    unsupported = sorted(set(fields.fields) - supported)
    if unsupported:
        raise errors.BadRequest(f"field label not supported: {unsupported[0]}")

    def matches(obj: Obj) -> bool:
        if name and obj["metadata"]["name"] != name:
            return False
        return labels.matches(obj["metadata"].get("labels") or {}) and \
            fields.matches(kind.fields_of(obj))
    return matches


def _manage(request: web.Request, kind: Kind, subresource: str) -> Manage:
    """The managedFields recorder for an Update by this request's field manager."""
    manager = options.field_manager(request)

    def record(old: Obj | None, new: Obj) -> None:
        new.setdefault("metadata", {})["managedFields"] = managedfields.record_update(
            old, new, manager=manager, kind=kind.kind, api_version=kind.api_version,
            has_status=kind.has_status, now=meta.now(), subresource=subresource)
    return record


def _include(request: web.Request) -> str:
    return request.query.get("includeObject", "Metadata")
