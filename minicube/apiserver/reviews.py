"""Answers to the create-only review kinds (api/kinds/reviews.py): access reviews are always
allowed (the cluster authorizes everyone authenticated), SelfSubjectReview echoes the caller."""

from __future__ import annotations

import copy

from aiohttp import web

from minicube.api import errors, schema
from minicube.api.registry import Kind, Obj
from minicube.apiserver import auth
from minicube.apiserver import negotiation as neg
from minicube.apiserver.requestinfo import RequestInfo

_REASON = "minicube authorizes every authenticated user"


def is_review(kind: Kind) -> bool:
    return kind.verbs == ("create",)


def _answer(kind: Kind, review: Obj, request: web.Request) -> Obj:
    if kind.kind == "SelfSubjectReview":
        return {"userInfo": auth.user_of(request)}
    if kind.kind == "SelfSubjectRulesReview":
        return {"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
                "incomplete": False}
    return {"allowed": True, "reason": _REASON}


async def handle(request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
    if request.method != "POST" or info.name or info.subresource:
        raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
    review = copy.deepcopy(await neg.read_object(request))
    name = (review.get("metadata") or {}).get("name", "")
    review.setdefault("metadata", {})
    if info.namespace:
        review["metadata"].setdefault("namespace", info.namespace)
    assert kind.schema is not None and kind.validate is not None
    causes = schema.type_errors(kind.schema, review) or kind.validate(review)
    if causes:
        raise errors.Invalid.of(kind.kind, name, causes, kind.group)
    review.update(apiVersion=kind.api_version, kind=kind.kind,
                  status=_answer(kind, review, request))
    review["metadata"].setdefault("creationTimestamp", None)
    return neg.respond(review, status=201)
