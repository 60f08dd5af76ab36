"""Request options shared by the write handlers: fieldManager, dryRun and DeleteOptions,
checked as upstream's ValidatePatchOptions/ValidateDeleteOptions do (422 naming the field)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from minicube.api import errors
from minicube.apiserver import negotiation as neg
from minicube.apiserver.objects import DeleteOptions


def field_manager(request: web.Request, required: bool = False) -> str:
    """fieldManager, or (for non-apply writes) upstream's default: the User-Agent's product."""
    manager = request.query.get("fieldManager", "")
    if not manager:
        if required:
            raise invalid_patch_options("fieldManager", "Required value: is required for apply patch",
                                        "FieldValueRequired")
        manager = request.headers.get("User-Agent", "").split("/")[0][:128]
    if len(manager) > 128:
        raise invalid_patch_options("fieldManager", "Too long: may not be more than 128 bytes",
                                    "FieldValueTooLong")
    if not manager.isprintable():
        raise invalid_patch_options("fieldManager", "Invalid value: may only contain printable "
                                    "characters", "FieldValueInvalid")
    return manager


def invalid_patch_options(field: str, message: str, reason: str) -> errors.Invalid:
    return errors.Invalid.of("PatchOptions.meta.k8s.io", "", [errors.cause(field, message, reason)],
                             "meta.k8s.io")


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    if any(v != "All" for v in values):
        raise errors.BadRequest(f"dryRun: unsupported value {values!r}: only \"All\" is supported")
    return bool(values)


async def delete_options(request: web.Request) -> tuple[DeleteOptions, bool]:
    """DeleteOptions from the body (kubectl) or the query (the Python client), and dryRun."""
    body: dict[str, Any] = {}
    if (request.content_length or 0) > 0 or request.body_exists:
        raw = await request.read()
        if raw.strip():
            try:
                parsed = json.loads(raw)
            except ValueError as e:
                raise errors.BadRequest(f"the DeleteOptions body is not valid JSON: {e}") from None
            if not isinstance(parsed, dict):
                raise errors.BadRequest("the DeleteOptions body must be a JSON object")
            body = parsed
    grace = neg.int_param(request, "gracePeriodSeconds")
    if grace is None and body.get("gracePeriodSeconds") is not None:
        grace = body["gracePeriodSeconds"]
        if not isinstance(grace, int) or isinstance(grace, bool):
            raise errors.BadRequest(f"gracePeriodSeconds: invalid value {grace!r}: must be an integer")
    policy = request.query.get("propagationPolicy") or body.get("propagationPolicy")
    orphan = request.query.get("orphanDependents") or body.get("orphanDependents")
    causes = []
    if policy is not None and policy not in _PROPAGATION_POLICIES:
        causes.append(errors.cause("propagationPolicy", f'Unsupported value: "{policy}": supported '
                                   'values: "Foreground", "Background", "Orphan", "nil"',
                                   "FieldValueNotSupported"))
    if policy and orphan is not None:
        causes.append(errors.cause("propagationPolicy", f'Invalid value: "{policy}": orphanDependents '
                                   "and deletionPropagation cannot be both set"))
    if causes:
        raise errors.Invalid.of("DeleteOptions.meta.k8s.io", "", causes, "meta.k8s.io")
    if orphan in ("true", True):
        policy = "Orphan"
    elif orphan in ("false", False):
        policy = "Background"
    pre = body.get("preconditions") or {}
    if not isinstance(pre, dict):
        raise errors.BadRequest("preconditions must be an object with uid and resourceVersion")
    body_dry_run = body.get("dryRun") or []
    if body_dry_run not in ([], ["All"]):
        raise errors.BadRequest(f"dryRun: unsupported value {body_dry_run!r}: only \"All\" is supported")
    options = DeleteOptions(grace_period_seconds=grace, propagation_policy=policy,
                            precondition_uid=pre.get("uid"),
                            precondition_resource_version=pre.get("resourceVersion"))
    return options, dry_run(request) or bool(body_dry_run)


_PROPAGATION_POLICIES = ("Foreground", "Background", "Orphan")
