"""pods/exec|attach|portforward in the API server: what is checked before the kubelet is dialled."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request

from minicube.api import errors
from minicube.apiserver.requestinfo import RequestInfo
from minicube.apiserver.streams import PodStreams


class OnePod:
    def __init__(self, pod: dict[str, Any]) -> None:
        self.pod = pod

    def get(self, kind: Any, namespace: str, name: str) -> dict[str, Any]:
        return self.pod


def pod(node: str = "minicube", *containers: str) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "default"},
            "spec": {"nodeName": node, "containers": [{"name": c} for c in containers or ("web",)]}}


def call(target: dict[str, Any], sub: str, query: str, headers: dict[str, str] | None = None) -> Any:
    streams = PodStreams(OnePod(target), "http://127.0.0.1:10250")  # type: ignore[arg-type]
    request = make_mocked_request("GET", f"/api/v1/namespaces/default/pods/web/{sub}?{query}",
                                  headers=headers or {})
    info = RequestInfo("", "v1", "pods", "default", "web", sub)
    return asyncio.run(streams.handle(request, None, info))  # type: ignore[arg-type]


def url_for(target: dict[str, Any], sub: str, query: str) -> str:
    streams = PodStreams(OnePod(target), "http://127.0.0.1:10250")  # type: ignore[arg-type]
    request = make_mocked_request("GET", f"/x?{query}")
    return str(streams._kubelet_url(target, RequestInfo("", "v1", "pods", "default", "web", sub), request))


def test_the_kubelet_url_names_the_defaulted_container_and_keeps_the_options() -> None:
    assert url_for(pod(), "exec", "command=ls&command=-l&stdout=true") == \
        "http://127.0.0.1:10250/exec/default/web/web?command=ls&command=-l&stdout=true"
    assert url_for(pod(), "portforward", "ports=8080") == "http://127.0.0.1:10250/portForward/default/web?ports=8080"


def test_a_plain_request_needs_an_upgrade() -> None:
    with pytest.raises(errors.BadRequest, match="Upgrade request required"):
        call(pod(), "exec", "command=ls&stdout=true")


@pytest.mark.parametrize(("target", "query", "message"), [
    (pod(""), "command=ls&stdout=true", "pod web does not have a host assigned"),
    (pod(), "stdout=true", "you must specify at least 1 command"),
    (pod(), "command=ls", "you must specify at least one of stdin, stdout, stderr"),
    (pod("minicube", "a", "b"), "command=ls&stdout=true", "a container name must be specified"),
    (pod(), "command=ls&stdout=true&container=nope", "container nope is not valid for pod web"),
])
def test_bad_exec_requests_are_refused_naming_the_problem(target: dict[str, Any], query: str,
                                                          message: str) -> None:
    with pytest.raises(errors.BadRequest, match=message):
        call(target, "exec", query, {"Upgrade": "websocket", "Connection": "Upgrade"})


def test_spdy_exec_needs_the_v4_stream_protocol() -> None:
    headers = {"Upgrade": "SPDY/3.1", "Connection": "Upgrade", "X-Stream-Protocol-Version": "channel.k8s.io"}
    with pytest.raises(errors.BadRequest, match="unable to negotiate protocol"):
        call(pod(), "exec", "command=ls&stdout=true", headers)
