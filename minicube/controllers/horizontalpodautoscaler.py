"""The HorizontalPodAutoscaler controller: every sync period (and when an HPA's spec changes)
it reads the target's scale subresource, the pods its selector picks and their PodMetrics,
asks each metric for a replica count, bounds the largest by the HPA's behavior and limits,
writes the new count to the scale subresource and reports it all in the HPA's status.

The resource metrics come through a `ResourceMetrics` reader: by default the API server's
metrics.k8s.io group; while nothing serves it, the HPA says ScalingActive=False and why.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from typing import Any, Callable

from minicube.api import selectors
from minicube.api.errors import NotFound, StatusError
from minicube.api.kinds.common import get
from minicube.client import (APIConnectionError, Client, EventRecorder, Informer, WorkQueue,
                             object_key)
from minicube.client.clock import rfc3339
from minicube.controllers import hpa_behavior, hpa_replicas
from minicube.controllers.loop import run_controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
API = "autoscaling/v2"
PLURAL = "horizontalpodautoscalers"
SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period


class ResourceMetrics:
    """PodMetrics (metrics.k8s.io/v1beta1) of the pods a selector picks, read through a client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def pod_metrics(self, namespace: str, selector: str) -> list[Obj]:
        """The PodMetrics items; raises StatusError or APIConnectionError."""
        reply = await self.client.request(
            "GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods",
            params={"labelSelector": selector} if selector else None)
        return list(reply.get("items") or [])


def _fetch_error(e: Exception) -> str:
    if isinstance(e, NotFound):  # as client-go words a 404 from an unserved group
        return f"{e.message} (get pods.metrics.k8s.io)"
    return e.message if isinstance(e, StatusError) else str(e)


def set_condition(status: Obj, type_: str, state: str, reason: str, message: str,
                  now: float) -> None:
    """Set one condition; its lastTransitionTime moves only when its status does."""
    conditions = status.setdefault("conditions", [])
    cond = next((c for c in conditions if c.get("type") == type_), None)
    if cond is None:
        cond = {"type": type_}
        conditions.append(cond)
    if cond.get("status") != state:
        cond["lastTransitionTime"] = rfc3339(now)
    cond.update(status=state, reason=reason, message=message)


class HorizontalPodAutoscalerController:
    def __init__(self, client: Client, _node_name: str = "", *,
                 metrics: ResourceMetrics | None = None, sync_period: float = SYNC_PERIOD,
                 workers: int = 2, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.metrics = metrics or ResourceMetrics(client)
        self.sync_period = sync_period
        self.workers = workers
        self.clock = clock
        self.recorder = EventRecorder(client, "horizontal-pod-autoscaler")
        self.hpas = Informer(client, API, PLURAL)
        self.pods = Informer(client, "v1", "pods")
        self.queue = WorkQueue()
        self.hpas.add_handler(self._hpa_changed)
        self.history: dict[str, hpa_behavior.History] = {}
        self._plurals: dict[tuple[str, str], str] = {}

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._resync())
            tg.create_task(run_controller((self.hpas, self.pods), self.queue, self.reconcile,
                                          "horizontalpodautoscaler", workers=self.workers,
                                          recorder=self.recorder))

    def _hpa_changed(self, etype: str, hpa: Obj, old: Obj | None) -> None:
        key = object_key(hpa)
        if etype == "DELETED":
            self.history.pop(key, None)
        elif old is None or get(old, "metadata", "generation") != get(hpa, "metadata", "generation"):
            self.queue.add(key)  # our own status writes wait for the next period

    async def _resync(self) -> None:
        await self.hpas.wait_synced()
        while True:
            await asyncio.sleep(self.sync_period)
            for hpa in self.hpas.items():
                self.queue.add(object_key(hpa))

    # -- the target ------------------------------------------------------------------------
    async def _plural(self, api_version: str, kind: str) -> str:
        """The resource serving kind in api_version, from discovery (cached)."""
        if (api_version, kind) not in self._plurals:
            path = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            listing = await self.client.request("GET", path)
            names = {r["name"] for r in listing.get("resources") or []}
            for r in listing.get("resources") or []:
                if "/" not in r["name"] and f"{r['name']}/scale" in names:
                    self._plurals[(api_version, r["kind"])] = r["name"]
        if (api_version, kind) not in self._plurals:
            raise NotFound(f'no matches for kind "{kind}" in version "{api_version}"')
        return self._plurals[(api_version, kind)]

    async def _scale(self, hpa: Obj) -> tuple[tuple[str, str], Obj]:
        """((apiVersion, plural) of the target, its Scale)."""
        ref = get(hpa, "spec", "scaleTargetRef") or {}
        api_version = ref.get("apiVersion") or "v1"
        try:
            plural = await self._plural(api_version, ref.get("kind", ""))
        except StatusError as e:
            raise NotFound(f"unable to determine resource for scale target reference: {e.message}") from None
        scale = await self.client.get(api_version, plural, ref.get("name", ""),
                                      namespace=hpa["metadata"]["namespace"], subresource="scale")
        return (api_version, plural), scale

    # -- reconcile -------------------------------------------------------------------------
    async def reconcile(self, key: str) -> None:
        hpa = self.hpas.get(key)
        if hpa is None:
            return
        now = self.clock()
        status = copy.deepcopy(hpa.get("status") or {})
        status["observedGeneration"] = get(hpa, "metadata", "generation", default=1)
        status.setdefault("desiredReplicas", 0)  # upstream always serializes it
        try:
            target, scale = await self._scale(hpa)
        except (StatusError, APIConnectionError) as e:
            message = e.message if isinstance(e, StatusError) else str(e)
            self.recorder.event(hpa, "Warning", "FailedGetScale", message)
            set_condition(status, "AbleToScale", "False", "FailedGetScale",
                          f"the HPA controller was unable to get the target's current scale: {message}", now)
            await self._write_status(hpa, status)
            raise  # retried with back-off, as upstream requeues a failed sync
        set_condition(status, "AbleToScale", "True", "SucceededGetScale",
                      "the HPA controller was able to get the target's current scale", now)
        spec = hpa.get("spec") or {}
        current = int(get(scale, "spec", "replicas", default=0))
        lo, hi = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas") or 1)
        reason = ""
        if current == 0 and lo != 0:
            desired = 0
            set_condition(status, "ScalingActive", "False", "ScalingDisabled",
                          "scaling is disabled since the replica count of the target is zero", now)
        elif current > hi:
            desired, reason = hi, "Current number of replicas above Spec.MaxReplicas"
        elif current < lo:
            desired, reason = lo, "Current number of replicas below Spec.MinReplicas"
        else:
            computed = await self._from_metrics(key, hpa, scale, current, status, now)
            if computed is None:
                status["currentReplicas"] = current
                await self._write_status(hpa, status)
                return
            desired, reason = computed
        if desired != current:
            failure = await self._rescale(key, hpa, target, scale, desired, reason, status, now)
            if failure is not None:
                status["currentReplicas"] = current
                await self._write_status(hpa, status)
                raise failure
            status["lastScaleTime"] = rfc3339(now)
        status.update(currentReplicas=current, desiredReplicas=desired)
        await self._write_status(hpa, status)

    async def _from_metrics(self, key: str, hpa: Obj, scale: Obj, current: int, status: Obj,
                            now: float) -> tuple[int, str] | None:
        """(desired replicas, rescale reason), or None when no metric gave a count."""
        text = get(scale, "status", "selector") or ""
        try:
            if not text:
                raise ValueError("selector is required")
            selector = selectors.parse(text)
        except ValueError as e:
            self.recorder.event(hpa, "Warning", "SelectorRequired" if not text else "InvalidSelector", str(e))
            set_condition(status, "ScalingActive", "False", "InvalidSelector",
                          "the HPA target's scale is missing a selector" if not text else
                          f"the HPA target's scale has an invalid selector: {e}", now)
            return None
        ns = hpa["metadata"]["namespace"]
        pods = [p for p in self.pods.items() if p["metadata"].get("namespace") == ns
                and selector.matches(get(p, "metadata", "labels", default={}))]
        specs = get(hpa, "spec", "metrics", default=[]) or []
        items, fetch_error = None, None
        if any(m.get("type") in ("Resource", "ContainerResource") for m in specs):
            try:
                items = await self.metrics.pod_metrics(ns, text)
            except (StatusError, APIConnectionError) as e:
                fetch_error = _fetch_error(e)
        best: hpa_replicas.Proposal | None = None
        failures: list[hpa_replicas.MetricError] = []
        statuses: list[Obj] = []
        for m in specs:
            try:
                proposal = hpa_replicas.propose(m, current, pods, items, fetch_error, now)
            except hpa_replicas.MetricError as e:
                self.recorder.event(hpa, "Warning", e.reason, e.message)
                failures.append(e)
                statuses.append({"type": ""})  # upstream leaves a failed metric's status empty
                continue
            statuses.append(proposal.status)
            if best is None or proposal.replicas > best.replicas:
                best = proposal
        status["currentMetrics"] = statuses or None
        if best is None or (failures and best.replicas < current):
            first = failures[0]
            set_condition(status, "ScalingActive", "False", first.reason,
                          f"the HPA was unable to compute the replica count: {first.message}", now)
            self.recorder.event(hpa, "Warning", "FailedComputeMetricsReplicas",
                                f"invalid metrics ({len(failures)} invalid out of {len(specs)}), "
                                f"first error is: {first.message}")
            return None
        set_condition(status, "ScalingActive", "True", "ValidMetricFound",
                      f"the HPA was able to successfully calculate a replica count from {best.name}", now)
        history = self.history.setdefault(key, hpa_behavior.History())
        behavior, lo = get(hpa, "spec", "behavior"), int(get(hpa, "spec", "minReplicas", default=1))
        hi = int(get(hpa, "spec", "maxReplicas") or 1)
        if behavior is None:
            decision = hpa_behavior.without_behavior(history, current, best.replicas, lo, hi, now)
        else:
            decision = hpa_behavior.with_behavior(history, behavior, current, best.replicas, lo, hi, now)
        set_condition(status, "AbleToScale", *decision.able, now)
        set_condition(status, "ScalingLimited", *decision.limited, now)
        reason = f"{best.name} above target" if decision.replicas > current else "All metrics below target"
        return decision.replicas, reason

    async def _rescale(self, key: str, hpa: Obj, target: tuple[str, str], scale: Obj, desired: int,
                       reason: str, status: Obj, now: float) -> Exception | None:
        """Write the new count to the scale subresource; the error when that failed."""
        api_version, plural = target
        body = copy.deepcopy(scale)
        body["spec"] = {**(body.get("spec") or {}), "replicas": desired}
        try:
            await self.client.replace(api_version, plural, body, subresource="scale")
        except (StatusError, APIConnectionError) as e:
            message = e.message if isinstance(e, StatusError) else str(e)
            self.recorder.event(hpa, "Warning", "FailedRescale",
                                f"New size: {desired}; reason: {reason}; error: {message}")
            set_condition(status, "AbleToScale", "False", "FailedUpdateScale",
                          f"the HPA controller was unable to update the target scale: {message}", now)
            return e
        set_condition(status, "AbleToScale", "True", "SucceededRescale",
                      f"the HPA controller was able to update the target scale to {desired}", now)
        self.recorder.event(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
        hpa_behavior.record_scale(self.history.setdefault(key, hpa_behavior.History()),
                                  get(hpa, "spec", "behavior"),
                                  int(get(scale, "spec", "replicas", default=0)), desired, now)
        return None

    async def _write_status(self, hpa: Obj, status: Obj) -> None:
        old = hpa.get("status") or {}
        status = {k: v for k, v in status.items() if v is not None}
        if status == old:
            return
        patch = {**{k: None for k in old if k not in status}, **status}
        await self.client.patch_status(API, PLURAL, hpa["metadata"]["name"], {"status": patch},
                                       namespace=hpa["metadata"]["namespace"])
