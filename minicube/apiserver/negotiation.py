"""Reading request bodies and choosing response shapes from headers and query parameters."""

from __future__ import annotations

import json
from typing import Any

import yaml
from aiohttp import web

from minicube.api import errors, patch, proto_schema, protobuf

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}


def media_type(header: str) -> str:
    return header.split(";")[0].strip().lower()


def accept_clauses(request: web.Request) -> list[dict[str, str]]:
    """The Accept header as a list of {type, as, v, g} in the client's order."""
    clauses = []
    for part in request.headers.get("Accept", JSON).split(","):
        fields = [f.strip() for f in part.split(";")]
        clause = {"type": fields[0].lower()}
        for param in fields[1:]:
            name, _, value = param.partition("=")
            clause[name.strip()] = value.strip()
        clauses.append(clause)
    return clauses


def wants_table(request: web.Request) -> bool:
    """True when the first clause kubectl would accept is a meta.k8s.io Table."""
    for clause in accept_clauses(request):
        if clause.get("as") == "Table" and clause.get("g") == "meta.k8s.io":
            return True
        if clause["type"] in (JSON, "*/*", "application/*"):
            return False
    return False


async def read_patched(request: web.Request, current: dict[str, Any], kind_name: str) -> dict[str, Any]:
    """`current` with the request's JSON, merge or strategic merge patch applied (for a
    subresource, where server-side apply is not served): 415 for another body, 422 when the
    patch does not apply."""
    patch_type = PATCH_TYPES.get(media_type(request.headers.get("Content-Type", "")))
    if patch_type in (None, "apply"):
        raise errors.UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: "
            + ", ".join(t for t, name in PATCH_TYPES.items() if name != "apply"))
    try:
        return patch.apply(patch_type, current, await read_body(request), kind_name)
    except patch.PatchError as e:
        raise errors.Invalid(str(e)) from None


async def read_body(request: web.Request) -> Any:
    """The request body as data. No Content-Type means JSON (the Python client sends none)."""
    raw = await request.read()
    ctype = media_type(request.headers.get("Content-Type", JSON))
    if ctype == PROTOBUF:
        return _decode_protobuf(raw)
    if not raw.strip():
        raise errors.BadRequest("the request body is empty")
    try:
        if ctype in ("application/yaml", "application/apply-patch+yaml"):
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as e:
        raise errors.BadRequest(f"the request body is not valid {'YAML' if 'yaml' in ctype else 'JSON'}: {e}") from None


def _decode_protobuf(raw: bytes) -> dict[str, Any]:
    try:
        return protobuf.decode(raw, proto_schema.MESSAGES, proto_schema.KINDS)
    except protobuf.UnknownKind as e:
        raise errors.UnsupportedMediaType(str(e)) from None
    except protobuf.ProtobufError as e:
        raise errors.BadRequest(f"the protobuf request body is not valid: {e}") from None


def check_acceptable(request: web.Request) -> None:
    """Responses are JSON only: a client that accepts nothing but protobuf gets 406, as
    upstream answers a media type it cannot produce (typed clients also list JSON)."""
    header = request.headers.get("Accept", "")
    if header.strip() and all(c["type"] == PROTOBUF for c in accept_clauses(request)):
        raise errors.NotAcceptable("only the following media types are accepted: application/json")


async def read_object(request: web.Request) -> dict[str, Any]:
    body = await read_body(request)
    if not isinstance(body, dict):
        raise errors.BadRequest(f"the request body must be a JSON object, not {type(body).__name__}")
    return body


def respond(data: Any, status: int = 200, content_type: str = JSON,
            headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json.dumps(data, separators=(",", ":")).encode(), status=status,
                        headers={"Content-Type": content_type, **(headers or {})})


def flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("true", "1")


def int_param(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise errors.BadRequest(f"{name}: invalid value {value!r}: must be an integer") from None
