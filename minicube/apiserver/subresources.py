"""Pod subresources the API server answers itself (binding, ephemeralcontainers) or proxies
to the kubelet (log)."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from minicube.api import errors, meta
from minicube.api.kinds.pod_validation import validate_ephemeral_update
from minicube.api.registry import Kind
from minicube.apiserver import negotiation as neg
from minicube.apiserver.objects import Objects
from minicube.apiserver.requestinfo import RequestInfo

_LOG_PARAMS = ("follow", "tailLines", "timestamps", "previous", "sinceSeconds", "sinceTime", "limitBytes")


class PodSubresources:
    def __init__(self, objects: Objects, kubelet_url: str) -> None:
        self.objects = objects
        self.kubelet_url = kubelet_url.rstrip("/")

    async def binding(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.Response:
        """POST pods/{name}/binding: what the scheduler calls to place a pod on a node."""
        if request.method != "POST":
            raise errors.MethodNotAllowed("pods/binding allows only create")
        body = await neg.read_object(request)
        node = (body.get("target") or {}).get("name")
        if not node:
            raise errors.Invalid.of("Binding", info.name,
                                    [errors.cause("target.name", "Required value", "FieldValueRequired")])
        pod = self.objects.get(kind, info.namespace, info.name)
        if pod["metadata"].get("deletionTimestamp"):
            raise errors.Conflict(f"pod {info.name} is being deleted, cannot be assigned to a host")
        current = pod["spec"].get("nodeName")
        if current:
            raise errors.Conflict(f"pod {info.name} is already assigned to node \"{current}\"")
        pod["spec"]["nodeName"] = node
        conditions = [c for c in pod.setdefault("status", {}).get("conditions", [])
                      if c.get("type") != "PodScheduled"]
        conditions.insert(0, {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                              "lastTransitionTime": meta.now()})
        pod["status"]["conditions"] = conditions
        self.objects.update(kind, info.namespace, info.name, pod, subresource="binding")
        return neg.respond({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                            "code": 201}, status=201)

    async def ephemeral_containers(self, request: web.Request, kind: Kind,
                                   info: RequestInfo) -> web.Response:
        """pods/{name}/ephemeralcontainers: the Pod, whose spec.ephemeralContainers alone
        an update or patch may change, by adding containers (what `kubectl debug` does)."""
        pod = self.objects.get(kind, info.namespace, info.name)
        if request.method == "GET":
            return neg.respond(pod)
        if request.method == "PUT":
            new = await neg.read_object(request)
        elif request.method == "PATCH":
            new = await neg.read_patched(request, pod, kind.kind)
        else:
            raise errors.MethodNotAllowed("pods/ephemeralcontainers allows get, update and patch")
        if causes := validate_ephemeral_update(new, pod):
            raise errors.Invalid.of("Pod", info.name, causes)
        wanted = (new.get("metadata") or {}).get("resourceVersion")
        pod["metadata"]["resourceVersion"] = wanted or pod["metadata"]["resourceVersion"]
        pod["spec"]["ephemeralContainers"] = (new.get("spec") or {}).get("ephemeralContainers") or []
        return neg.respond(self.objects.update(kind, info.namespace, info.name, pod,
                                               subresource="ephemeralcontainers"))

    async def log(self, request: web.Request, kind: Kind, info: RequestInfo) -> web.StreamResponse:
        """GET pods/{name}/log: pick and check the container, then stream from the kubelet."""
        if request.method != "GET":
            raise errors.MethodNotAllowed("pods/log allows only get")
        pod = self.objects.get(kind, info.namespace, info.name)
        container = pod_container(pod, request.query.get("container", ""))
        if not neg.flag(request, "previous"):
            _check_started(pod, container)
        params = {k: v for k, v in request.query.items() if k in _LOG_PARAMS}
        url = f"{self.kubelet_url}/containerLogs/{info.namespace}/{info.name}/{container}"
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                upstream = await session.get(url, params=params)
            except aiohttp.ClientError as e:
                raise errors.ServiceUnavailable(f"the kubelet on this node does not answer: {e}") from None
            async with upstream:
                if upstream.status != 200:
                    text = (await upstream.text()).strip()
                    raise errors.BadRequest(text or f"the kubelet answered {upstream.status}")
                response = web.StreamResponse(headers={"Content-Type": "text/plain"})
                response.enable_chunked_encoding()
                await response.prepare(request)
                try:
                    async for chunk in upstream.content.iter_any():
                        await response.write(chunk)
                except (ConnectionResetError, aiohttp.ClientError):
                    pass  # either side went away: the stream just ends
                return response


def pod_container(pod: dict, requested: str) -> str:
    """The container a log/exec/attach request means: the one named, else the
    default-container annotation's, else the only one (as upstream chooses)."""
    spec = pod.get("spec", {})
    names = [c["name"] for c in spec.get("containers", [])]
    all_names = [c["name"] for c in spec.get("initContainers", []) + spec.get(
        "ephemeralContainers", [])] + names
    name = pod["metadata"]["name"]
    if requested:
        if requested not in all_names:
            raise errors.BadRequest(f"container {requested} is not valid for pod {name}")
        return requested
    default = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
    if default in names:
        return default
    if len(names) == 1:
        return names[0]
    raise errors.BadRequest(f"a container name must be specified for pod {name}, "
                            f"choose one of: [{' '.join(names)}]")


def _check_started(pod: dict, container: str) -> None:
    """A container that never ran has no log: say why, as upstream does."""
    status = pod.get("status", {})
    statuses = (status.get("containerStatuses", []) + status.get("initContainerStatuses", [])
                + status.get("ephemeralContainerStatuses", []))
    for cs in statuses:
        if cs.get("name") != container:
            continue
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting and not cs.get("lastState", {}).get("terminated") and not cs.get("containerID"):
            raise errors.BadRequest(f'container "{container}" in pod "{pod["metadata"]["name"]}" '
                                    f"is waiting to start: {waiting.get('reason', 'ContainerCreating')}")
        return
    raise errors.BadRequest(f'container "{container}" in pod "{pod["metadata"]["name"]}" '
                            "is waiting to start: ContainerCreating")
