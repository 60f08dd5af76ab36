"""The REST client: paths, query parameters, stream framing, errors (against a tiny server)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minicube.api.errors import Conflict, InternalError, NotFound
from minicube.client.rest import (APIConnectionError, Client, list_params, resource_path,
                                  split_lines)


def test_core_resources_live_under_api_v1() -> None:
    assert resource_path("v1", "pods", "web", namespace="default",
                         subresource="status") == "/api/v1/namespaces/default/pods/web/status"


def test_group_resources_live_under_apis() -> None:
    assert resource_path("apps/v1", "deployments") == "/apis/apps/v1/deployments"


def test_list_params_leave_out_what_was_not_given() -> None:
    assert list_params(label_selector="app=web", field_selector=None, watch=True) == {
        "labelSelector": "app=web", "watch": "true"}


def test_split_lines_keeps_an_unfinished_line_for_the_next_chunk() -> None:
    lines, rest = split_lines(b'{"a":', b'1}\n{"b"')
    assert lines == [b'{"a":1}'] and rest == b'{"b"'


async def _serve(handler) -> TestServer:  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


def _with_server(handler, body) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        server = await _serve(handler)
        try:
            async with Client(str(server.make_url(""))) as client:
                await body(client)
        finally:
            await server.close()
    asyncio.run(main())


def test_a_status_body_raises_the_error_it_names() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"kind": "Status", "reason": "NotFound", "code": 404,
                                  "message": 'pods "x" not found'}, status=404)

    async def body(client: Client) -> None:
        with pytest.raises(NotFound, match='pods "x" not found'):
            await client.get("v1", "pods", "x", namespace="default")
    _with_server(handler, body)


def test_a_plain_text_error_falls_back_to_the_http_code() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="boom", status=500)

    async def body(client: Client) -> None:
        with pytest.raises(InternalError, match="boom"):
            await client.list("v1", "pods")
    _with_server(handler, body)


def test_patch_sends_the_content_type_of_its_patch_type() -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen["ct"] = request.headers["Content-Type"]
        return web.json_response(await request.json())

    async def body(client: Client) -> None:
        out = await client.patch("v1", "pods", "web", [{"op": "remove", "path": "/x"}],
                                 namespace="default", patch_type="json")
        assert out == [{"op": "remove", "path": "/x"}]
    _with_server(handler, body)
    assert seen["ct"] == "application/json-patch+json"


def test_watch_yields_events_split_across_chunks() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.query["watch"] == "true"
        resp = web.StreamResponse()
        await resp.prepare(request)
        data = b"".join(json.dumps({"type": t, "object": {"n": i}}).encode() + b"\n"
                        for i, t in enumerate(["ADDED", "MODIFIED", "DELETED"]))
        for i in range(0, len(data), 7):
            await resp.write(data[i:i + 7])
        return resp

    async def body(client: Client) -> None:
        events = [e async for e in client.watch("v1", "pods")]
        assert events == [("ADDED", {"n": 0}), ("MODIFIED", {"n": 1}), ("DELETED", {"n": 2})]
    _with_server(handler, body)


def test_delete_sends_options_in_the_body() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(await request.json())

    async def body(client: Client) -> None:
        out = await client.delete("v1", "pods", "web", namespace="d", grace_period_seconds=0,
                                  preconditions={"uid": "u"})
        assert out["gracePeriodSeconds"] == 0 and out["preconditions"] == {"uid": "u"}
    _with_server(handler, body)


def test_an_unreachable_server_raises_api_connection_error() -> None:
    async def main() -> None:
        async with Client("http://127.0.0.1:9", timeout=2) as client:
            with pytest.raises(APIConnectionError, match="cannot reach the API server"):
                await client.get("v1", "nodes", "n")
    asyncio.run(main())


def test_conflict_is_raised_on_a_stale_update() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"kind": "Status", "reason": "Conflict", "code": 409,
                                  "message": "the object has been modified"}, status=409)

    async def body(client: Client) -> None:
        with pytest.raises(Conflict):
            await client.replace("v1", "configmaps", {"metadata": {"name": "c", "namespace": "d"}})
    _with_server(handler, body)
