import pytest

from minicube.apiserver.requestinfo import RequestInfo, parse


@pytest.mark.parametrize("path, expected", [
    ("/api/v1/namespaces/default/pods/web/log", RequestInfo("", "v1", "pods", "default", "web", "log")),
    ("/api/v1/namespaces/x", RequestInfo("", "v1", "namespaces", "", "x")),
    ("/api/v1/namespaces/x/status", RequestInfo("", "v1", "namespaces", "", "x", "status")),
    ("/api/v1/namespaces/x/configmaps", RequestInfo("", "v1", "configmaps", "x")),
    ("/api/v1/pods", RequestInfo("", "v1", "pods")),
    ("/apis/apps/v1/namespaces/d/deployments/web/scale", RequestInfo("apps", "v1", "deployments", "d", "web", "scale")),
    ("/api/v1/nodes/n1", RequestInfo("", "v1", "nodes", "", "n1")),
])
def test_paths_name_their_resource(path: str, expected: RequestInfo) -> None:
    assert parse(path) == expected


@pytest.mark.parametrize("path", ["/api", "/api/v1", "/apis/apps/v1", "/version", "/api/v1/pods/a/b/c/d"])
def test_non_resource_paths_name_nothing(path: str) -> None:
    assert parse(path) is None
