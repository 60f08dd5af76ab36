"""ControllerRevision history for StatefulSets and DaemonSets (upstream's controller/history).

Each distinct pod template is one revision `<owner>-<hash>` holding the template as a
strategic-merge patch (what `kubectl rollout undo` re-applies). Returning to an older template
(an undo) renumbers its revision as the newest, as upstream does; revisions beyond
`revisionHistoryLimit` that no live pod uses are deleted, oldest first.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from minicube.api.errors import AlreadyExists, NotFound
from minicube.client import Client, Informer
from minicube.controllers.ownership import controller_ref, owned

log = logging.getLogger(__name__)

Obj = dict[str, Any]
APPS = "apps/v1"
HASH_LABEL = "controller-revision-hash"
DEFAULT_HISTORY_LIMIT = 10


def revision_data(owner: Obj) -> Obj:
    """The patch that restores owner's pod template (upstream's getPatch)."""
    return {"spec": {"template": {**copy.deepcopy(owner["spec"]["template"]),
                                  "$patch": "replace"}}}


def new_revision(owner: Obj, name: str, hash_: str, number: int) -> Obj:
    meta = owner["metadata"]
    labels = (owner["spec"]["template"].get("metadata") or {}).get("labels") or {}
    out_meta: Obj = {"name": name, "namespace": meta["namespace"],
                     "labels": {**labels, HASH_LABEL: hash_},
                     "ownerReferences": [controller_ref(owner)]}
    if meta.get("annotations"):
        out_meta["annotations"] = dict(meta["annotations"])
    return {"apiVersion": APPS, "kind": "ControllerRevision", "metadata": out_meta,
            "data": revision_data(owner), "revision": number}


def condemned(revisions: list[Obj], limit: int, keep: set[str]) -> list[Obj]:
    """The oldest revisions beyond `limit` among those whose name is not in `keep`."""
    spare = sorted((r for r in revisions if r["metadata"]["name"] not in keep),
                   key=lambda r: r.get("revision", 0))
    return spare[:max(0, len(spare) - limit)]


class History:
    """Keeps an owner's ControllerRevisions in step with its template, from an informer."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.revisions = Informer(client, APPS, "controllerrevisions")

    def template(self, owner: Obj, name: str) -> Obj | None:
        """The pod template recorded in owner's revision `name` (None: no such revision)."""
        found = next((r for r in owned(self.revisions, owner) if r["metadata"]["name"] == name),
                     None)
        template = (((found or {}).get("data") or {}).get("spec") or {}).get("template")
        if not isinstance(template, dict):
            return None
        return {k: copy.deepcopy(v) for k, v in template.items() if k != "$patch"}

    async def record(self, owner: Obj, name: str, hash_: str, in_use: set[str]) -> None:
        """Make `name` (owner's current template) the newest revision and trim the rest."""
        ns = owner["metadata"]["namespace"]
        revisions = owned(self.revisions, owner)
        top = max((r.get("revision", 0) for r in revisions), default=0)
        current = next((r for r in revisions if r["metadata"]["name"] == name), None)
        if current is None:
            try:
                await self.client.create(APPS, "controllerrevisions",
                                         new_revision(owner, name, hash_, top + 1), namespace=ns)
            except AlreadyExists:
                pass  # created by an earlier pass the cache has not shown yet
        elif current.get("revision", 0) < top:
            await self.client.patch(APPS, "controllerrevisions", name, {"revision": top + 1},
                                    namespace=ns)
        limit = owner["spec"].get("revisionHistoryLimit", DEFAULT_HISTORY_LIMIT)
        for old in condemned(revisions, limit, in_use | {name}):
            try:
                await self.client.delete(APPS, "controllerrevisions", old["metadata"]["name"],
                                         namespace=ns)
            except NotFound:
                pass
