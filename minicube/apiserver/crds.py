"""Serving CustomResourceDefinitions: a stored CRD's kinds join this API server's registry,
its status says so, and deleting it deletes its custom objects first.

Upstream runs three controllers for this in the apiextensions server (naming, establishing,
the cleanup finalizer). Here one loop over the store's CRD events does all three. CRDs already
stored are loaded before the server answers, so after a restart custom objects are served
from the first request on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from minicube.api import errors, meta
from minicube.api.kinds.customresourcedefinitions import (CLEANUP_FINALIZER, GROUP, crd_status,
                                                          custom_kinds)
from minicube.api.registry import Kind, Obj, Registry
from minicube.apiserver.objects import DeleteOptions, Objects, key_for
from minicube.store import Compacted

log = logging.getLogger(__name__)

_CLEANUP_RECHECK_SECONDS = 0.5  # while custom objects wait on their own finalizers


class CustomResources:
    def __init__(self, objects: Objects, registry: Registry) -> None:
        self.objects = objects
        self.registry = registry
        crd_kind = registry.get(GROUP, "v1", "customresourcedefinitions")
        assert crd_kind is not None
        self.crd_kind = crd_kind
        self._served: dict[str, list[Kind]] = {}  # CRD name -> the kinds serving it
        # CRD name -> (spec, terminating) its served kinds were built from: a status write
        # leaves them (and the OpenAPI documents cached for them) as they are
        self._built_from: dict[str, tuple[Any, bool]] = {}
        self._cleanups: dict[str, asyncio.Task[None]] = {}

    def load(self) -> int:
        """Serve every stored CRD; the revision to watch for changes from."""
        crds, revision = self.objects.list(self.crd_kind, "")
        for crd in crds:
            self.reconcile(crd["metadata"]["name"])
        return revision

    async def run(self, after: int) -> None:
        """Follow CRD writes until cancelled."""
        try:
            while True:
                try:
                    async for event in self.objects.store.watch(key_for(self.crd_kind, ""), after):
                        after = event.revision
                        name = event.value["metadata"]["name"]
                        try:
                            self.reconcile(name)
                        except errors.StatusError as e:  # the next change of it tries again
                            log.warning("custom resource definition %s: %s", name, e.message)
                except Compacted:
                    after = self.load()
        finally:
            for task in self._cleanups.values():
                task.cancel()

    def reconcile(self, name: str) -> None:
        """Bring what is served, the CRD's status and its cleanup in line with the CRD."""
        try:
            crd = self.objects.get(self.crd_kind, "", name)
        except errors.NotFound:
            self._unserve(name)
            return
        terminating = bool(crd["metadata"].get("deletionTimestamp"))
        built_from = (crd.get("spec"), terminating)
        conflict = ""
        if name not in self._served or self._built_from.get(name) != built_from:
            kinds = custom_kinds(crd)
            if terminating:
                # upstream: no new objects while the definition's objects are being deleted
                kinds = [replace(k, verbs=tuple(v for v in k.verbs if v != "create"))
                         for k in kinds]
            conflict = self._conflict(name, kinds)
            if not conflict:
                self._serve(name, kinds)
                self._built_from[name] = built_from
        status = crd_status(crd, conflict, meta.now())
        if status != crd.get("status"):
            self.objects.update(self.crd_kind, "", name, {**crd, "status": status},
                                subresource="status")
        if crd["metadata"].get("deletionTimestamp") and name not in self._cleanups:
            self._cleanups[name] = asyncio.get_running_loop().create_task(self._cleanup(name))

    def _conflict(self, name: str, kinds: list[Kind]) -> str:
        """Why the CRD's names cannot be served ("" when they can)."""
        ours = self._served.get(name, [])
        for kind in kinds:
            taken = self.registry.get(kind.group, kind.version, kind.plural)
            if taken is not None and taken not in ours:
                return f'"{kind.plural}" is already in use'
            taken = self.registry.for_object(kind.api_version, kind.kind)
            if taken is not None and taken not in ours:
                return f'"{kind.kind}" is already in use'
        return ""

    def _serve(self, name: str, kinds: list[Kind]) -> None:
        self._unserve(name)
        for kind in kinds:
            self.registry.add(kind)
        self._served[name] = kinds
        log.info("serving %s (%s)", name, ", ".join(k.version for k in kinds))

    def _unserve(self, name: str) -> None:
        self._built_from.pop(name, None)
        for kind in self._served.pop(name, []):
            self.registry.remove(kind)

    async def _cleanup(self, name: str) -> None:
        """Delete every custom object of a CRD being deleted, then release its finalizer."""
        try:
            while True:
                try:
                    crd = self.objects.get(self.crd_kind, "", name)
                except errors.NotFound:
                    return
                if self._delete_objects(crd) == 0:
                    finalizers = [f for f in crd["metadata"].get("finalizers") or []
                                  if f != CLEANUP_FINALIZER]
                    crd["metadata"]["finalizers"] = finalizers
                    try:
                        self.objects.update(self.crd_kind, "", name, crd)
                    except errors.Conflict:
                        continue  # changed meanwhile: look again
                    log.info("deleted %s and its objects", name)
                    return
                await asyncio.sleep(_CLEANUP_RECHECK_SECONDS)
        finally:
            self._cleanups.pop(name, None)

    def _delete_objects(self, crd: Obj) -> int:
        """Start deleting the CRD's objects; how many are still stored."""
        kinds = custom_kinds(crd)
        if not kinds:
            return 0
        kind = kinds[0]  # every version's objects share one storage
        items, _ = self.objects.list(kind, "")
        for obj in items:
            md = obj["metadata"]
            if md.get("deletionTimestamp"):
                continue  # waiting on its own finalizers
            try:
                self.objects.delete(kind, md.get("namespace", ""), md["name"], DeleteOptions())
            except (errors.NotFound, errors.Conflict):
                continue
        return len(self.objects.list(kind, "")[0])
