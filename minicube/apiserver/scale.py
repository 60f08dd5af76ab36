"""The `scale` subresource (autoscaling/v1 Scale) of workloads and custom resources, and the
`finalize` subresource of Namespaces: small views onto the main object, written through it.

`kubectl scale` PATCHes (or GETs then PUTs) `.../scale`; the namespace controller PUTs
`namespaces/{name}/finalize` to clear spec.finalizers once the namespace is empty.
"""

from __future__ import annotations

from aiohttp import web

from minicube.api import errors, jsonpath, meta, selectors
from minicube.api.registry import Kind, Obj
from minicube.apiserver import negotiation as neg
from minicube.apiserver.objects import Objects
from minicube.apiserver.requestinfo import RequestInfo


def to_scale(kind: Kind, obj: Obj) -> Obj:
    """The Scale view of an object, read at the kind's scale paths."""
    md = obj["metadata"]
    paths = kind.scale_paths
    selector = jsonpath.evaluate(paths.label_selector, obj)
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                        "creationTimestamp") if k in md},
        "spec": {"replicas": jsonpath.evaluate(paths.spec_replicas, obj) or 0},
        "status": {"replicas": jsonpath.evaluate(paths.status_replicas, obj) or 0,
                   "selector": selector if isinstance(selector, str)
                   else selectors.to_string(selector)},
    }


def _replicas(scale: Obj, name: str) -> int:
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        detail = ("must be greater than or equal to 0" if isinstance(replicas, int)
                  else "must be an integer")
        raise errors.Invalid.of("Scale", name, [meta.invalid("spec.replicas", replicas, detail)],
                                "autoscaling")
    return replicas


class ScaleSubresources:
    def __init__(self, objects: Objects) -> None:
        self.objects = objects

    async def scale(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        obj = self.objects.get(kind, info.namespace, info.name)
        if request.method == "GET":
            return neg.respond(to_scale(kind, obj))
        if request.method == "PUT":
            scale = await neg.read_object(request)
        elif request.method == "PATCH":
            scale = await neg.read_patched(request, to_scale(kind, obj), "Scale")
        else:
            raise errors.MethodNotAllowed(f"{kind.plural}/scale allows get, update and patch")
        wanted = (scale.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != obj["metadata"]["resourceVersion"]:
            raise errors.Conflict.modified(kind.group_resource, info.name)
        jsonpath.assign(kind.scale_paths.spec_replicas, obj, _replicas(scale, info.name))
        dry_run = bool(request.query.getall("dryRun", []))
        updated = self.objects.update(kind, info.namespace, info.name, obj, dry_run=dry_run)
        return neg.respond(to_scale(kind, updated))

    async def finalize(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        if request.method != "PUT":
            raise errors.MethodNotAllowed("namespaces/finalize allows only update")
        body = await neg.read_object(request)
        return neg.respond(self.objects.update(kind, "", info.name, body, subresource="finalize"))
