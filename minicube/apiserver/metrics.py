"""metrics.k8s.io/v1beta1: NodeMetrics and PodMetrics, answered as metrics-server does.

Nothing is stored: each request reads the kubelet's latest samples (GET /stats/resource on
its loopback server) and joins them with the stored Nodes and Pods, whose names, namespaces
and labels (what selectors match) the metrics carry. Objects without a sample yet are left
out of lists; a named one is 404 `podmetrics.metrics.k8s.io "ns/name" not found`. Only get
and list are served (metrics-server has no watch either).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web

from minicube.api import errors, meta, tables
from minicube.api.kinds.metrics import node_metrics, pod_metrics
from minicube.api.registry import Kind, Obj, Registry
from minicube.apiserver import negotiation as neg
from minicube.apiserver.objects import Objects
from minicube.apiserver.requestinfo import RequestInfo
from minicube.apiserver.resources import matcher

GROUP = "metrics.k8s.io"
_TIMEOUT = aiohttp.ClientTimeout(total=10, sock_connect=3)


def is_metrics(kind: Kind) -> bool:
    return kind.group == GROUP


class Metrics:
    def __init__(self, objects: Objects, registry: Registry, kubelet_url: str) -> None:
        self.objects = objects
        self.kubelet_url = kubelet_url.rstrip("/")
        nodes, pods = registry.get("", "v1", "nodes"), registry.get("", "v1", "pods")
        assert nodes is not None and pods is not None
        self.node_kind, self.pod_kind = nodes, pods

    async def handle(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        neg.check_acceptable(request)
        if request.method != "GET" or info.subresource or neg.flag(request, "watch"):
            raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
        samples = await self._samples()
        now = meta.now()
        if kind.kind == "NodeMetrics":
            items = self._nodes(samples, now, info.name)
        else:
            items = self._pods(samples, now, info.namespace, info.name)
        if info.name:
            if not items:
                what = f"{info.namespace}/{info.name}" if kind.namespaced else info.name
                raise errors.NotFound.of(f"{kind.kind.lower()}.{GROUP}", what, kind.kind.lower())
            return self._respond(request, kind, items[:1], single=True)
        matches = matcher(request, kind)
        return self._respond(request, kind, [o for o in items if matches(o)], single=False)

    async def _samples(self) -> dict[str, Any]:
        try:
            async with aiohttp.ClientSession(timeout=_TIMEOUT) as session:
                async with session.get(f"{self.kubelet_url}/stats/resource") as answer:
                    if answer.status != 200:
                        raise errors.ServiceUnavailable(
                            f"the kubelet's resource stats answered {answer.status}")
                    doc: dict[str, Any] = await answer.json()
                    return doc
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise errors.ServiceUnavailable(f"the kubelet on this node does not answer: {e}") from None

    def _nodes(self, samples: dict[str, Any], now: str, name: str) -> list[Obj]:
        if name:
            self.objects.get(self.node_kind, "", name)  # a missing node: `nodes "x" not found`
        sample = samples.get("node")
        if not sample:
            return []
        nodes = [self.objects.get(self.node_kind, "", name)] if name else self.objects.list(self.node_kind, "")[0]
        return [node_metrics(n, sample, now) for n in nodes if n["metadata"]["name"] == sample["name"]]

    def _pods(self, samples: dict[str, Any], now: str, namespace: str, name: str) -> list[Obj]:
        if name:
            pods = [self.objects.get(self.pod_kind, namespace, name)]  # missing: `pods "x" not found`
        else:
            pods = self.objects.list(self.pod_kind, namespace)[0]
        by_uid = {p["uid"]: p for p in samples.get("pods") or []}
        return [pod_metrics(pod, by_uid[pod["metadata"]["uid"]], now) for pod in pods
                if pod["metadata"].get("uid") in by_uid]

    @staticmethod
    def _respond(request: web.Request, kind: Kind, items: list[Obj], *, single: bool) -> web.Response:
        if neg.wants_table(request):
            include = request.query.get("includeObject", "Metadata")
            return neg.respond(tables.table(kind, items, include_object=include),  # type: ignore[arg-type]
                               content_type=neg.TABLE_CONTENT_TYPE)
        if single:
            return neg.respond(items[0])
        return neg.respond({"kind": f"{kind.kind}List", "apiVersion": kind.api_version,
                            "metadata": {}, "items": items})
