import asyncio
from typing import Any

from minicube.api.errors import NotFound
from minicube.kubelet.sa_tokens import TokenManager, token_keys

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
       "spec": {"serviceAccountName": "robot", "volumes": [
           {"name": "a", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 1000}}]}},
           {"name": "b", "projected": {"sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 1000}},
                                                   {"serviceAccountToken": {"path": "v", "audience": "vault"}}]}}]}}


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.missing = False

    async def post_subresource(self, api_version: str, plural: str, name: str, subresource: str,
                               body: dict[str, Any], *, namespace: str | None = None) -> dict[str, Any]:
        assert (api_version, plural, subresource, namespace) == ("v1", "serviceaccounts", "token", "ns")
        if self.missing:
            raise NotFound.of("serviceaccounts", name)
        self.calls.append((name, body["spec"].get("audiences", [""])[0], body["spec"]["boundObjectRef"]))
        return {"status": {"token": f"tok{len(self.calls)}"}}


def test_sources_share_tokens_by_audience_and_lifetime() -> None:
    assert token_keys(POD["spec"]["volumes"]) == [("", 1000), ("vault", 3600)]


def test_tokens_are_cached_until_80_percent_of_their_life_then_renewed() -> None:
    now = [0.0]
    client = FakeClient()
    manager = TokenManager(client, clock=lambda: now[0])  # type: ignore[arg-type]
    tokens, failed = asyncio.run(manager.tokens(POD))
    assert tokens == {("", 1000): "tok1", ("vault", 3600): "tok2"} and failed == {}
    assert client.calls[0][:2] == ("robot", "") and client.calls[1][1] == "vault"
    assert client.calls[0][2] == {"kind": "Pod", "apiVersion": "v1", "name": "p", "uid": "u1"}
    now[0] = 799
    assert asyncio.run(manager.tokens(POD))[0][("", 1000)] == "tok1"
    now[0] = 800
    assert asyncio.run(manager.tokens(POD))[0][("", 1000)] == "tok3"


def test_a_failed_request_keeps_the_old_token_and_says_why() -> None:
    now = [0.0]
    client = FakeClient()
    manager = TokenManager(client, clock=lambda: now[0])  # type: ignore[arg-type]
    asyncio.run(manager.tokens(POD))
    client.missing, now[0] = True, 900
    tokens, failed = asyncio.run(manager.tokens(POD))
    assert tokens[("", 1000)] == "tok1" and 'serviceaccounts "robot" not found' in failed[("", 1000)]
    manager.forget("u1")
    tokens, failed = asyncio.run(manager.tokens(POD))
    assert tokens == {} and set(failed) == {("", 1000), ("vault", 3600)}
