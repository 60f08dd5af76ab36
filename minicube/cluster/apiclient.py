"""The few API calls `minicube apply|delete -f` makes, over the admin Endpoint.

Kinds are mapped to resources through discovery, as kubectl does, so custom and future kinds
work. Failures carry the API server's own Status message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from minicube._errors import BadInput, NoSuchCluster
from minicube.cluster.endpoint import Endpoint

FIELD_MANAGER = "minicube"
Obj = dict[str, Any]


class ApiError(BadInput):
    """The API server refused a request (a 4xx Status)."""

    def __init__(self, message: str, code: int, reason: str = "") -> None:
        super().__init__(message)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Resource:
    group_version: str
    plural: str
    namespaced: bool

    def path(self, namespace: str | None, name: str = "") -> str:
        base = "/api/v1" if self.group_version == "v1" else f"/apis/{self.group_version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        return f"{base}/{self.plural}" + (f"/{name}" if name else "")


class ApiClient:
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._resources: dict[tuple[str, str], Resource] | None = None

    def resource(self, api_version: str, kind: str, where: str = "") -> Resource:
        if self._resources is None:
            self._resources = self._discover()
        found = self._resources.get((api_version, kind))
        if found is None:
            raise BadInput(f"{where + ': ' if where else ''}no kind {kind!r} in {api_version} on this cluster",
                           hint="kubectl api-resources lists what the cluster serves")
        return found

    def forget_resources(self) -> None:
        """Discover again on next use (new CustomResourceDefinitions add kinds)."""
        self._resources = None

    def _discover(self) -> dict[tuple[str, str], Resource]:
        versions = ["v1"]
        for group in self.call("GET", "/apis").get("groups", []):
            versions += [v["groupVersion"] for v in group.get("versions", [])]
        out: dict[tuple[str, str], Resource] = {}
        for gv in versions:
            listing = self.call("GET", "/api/v1" if gv == "v1" else f"/apis/{gv}")
            for r in listing.get("resources", []):
                if "/" not in r["name"]:
                    out[(gv, r["kind"])] = Resource(gv, r["name"], bool(r.get("namespaced")))
        return out

    def apply(self, obj: Obj, namespace: str | None, *, force: bool = False, dry_run: bool = False) -> Obj:
        """Server-side apply, as `kubectl apply --server-side --field-manager=minicube`."""
        res = self.resource(obj["apiVersion"], obj["kind"])
        params = {"fieldManager": FIELD_MANAGER}
        if force:
            params["force"] = "true"
        if dry_run:
            params["dryRun"] = "All"
        return self.call("PATCH", res.path(namespace, obj["metadata"]["name"]), params=params,
                         data=json.dumps(obj), headers={"Content-Type": "application/apply-patch+yaml"})

    def get(self, path: str, **params: str) -> Obj:
        return self.call("GET", path, params=params)

    def delete(self, res: Resource, namespace: str | None, name: str) -> bool:
        """Delete with background propagation; False when it was already gone."""
        try:
            self.call("DELETE", res.path(namespace, name), params={"propagationPolicy": "Background"})
        except ApiError as e:
            if e.code == 404:
                return False
            raise
        return True

    def logs(self, namespace: str, pod: str, container: str, *, tail: int, previous: bool) -> str:
        response = self._send("GET", f"/api/v1/namespaces/{namespace}/pods/{pod}/log", params={
            "container": container, "tailLines": str(tail), **({"previous": "true"} if previous else {})})
        return response.text if response.ok else ""

    def call(self, method: str, path: str, **kwargs: Any) -> Obj:
        response = self._send(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not response.ok:
            message = body.get("message") if isinstance(body, dict) else None
            raise ApiError(message or f"{method} {path}: HTTP {response.status_code}", response.status_code,
                           body.get("reason", "") if isinstance(body, dict) else "")
        return body if isinstance(body, dict) else {}

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.endpoint.request(method, path, **kwargs)
        except requests.RequestException as e:
            raise NoSuchCluster(f"the API server did not answer: {e}",
                                hint="minicube status shows what is not running") from e

