"""core/v1 Pod: defaults, QoS class, create-time status, columns and selectable fields.

`default_pod_spec` also serves the pod templates of workload kinds.
"""

from __future__ import annotations

from typing import Any

from minicube.api import quantity
from minicube.api.kinds.common import get, kind_schema, spec
from minicube.api.kinds.pod_schema import VOLUME_SOURCES, pod_spec, pod_status
from minicube.api.kinds.pod_status import COLUMNS
from minicube.api.kinds.pod_validation import validate_pod_spec, validate_update
from minicube.api.meta import is_dns1123_subdomain, validate_object_meta
from minicube.api.registry import Cause, Kind, Obj

_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
                   "failureThreshold": 3}
_MODE_SOURCES = ("configMap", "secret", "downwardAPI", "projected")

# --- defaults ---------------------------------------------------------------------------------


def _setdefault(obj: Obj, key: str, value: Any) -> None:
    """Fill a field that is absent, null or empty, as Go defaulting does for zero values."""
    if obj.get(key) in (None, ""):
        obj[key] = value


def image_pull_policy(image: str) -> str:
    """Always for `:latest` or an untagged image, IfNotPresent otherwise (a digest counts;
    an empty image does not parse upstream, which leaves no tag)."""
    if not image:
        return "IfNotPresent"
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ("" if digest else "latest")
    return "Always" if tag == "latest" else "IfNotPresent"


def _default_http_get(handler: Obj | None) -> None:
    if isinstance(get(handler, "httpGet"), dict):
        _setdefault(handler["httpGet"], "path", "/")  # type: ignore[index]
        _setdefault(handler["httpGet"], "scheme", "HTTP")  # type: ignore[index]


def default_container(c: Obj) -> None:
    _setdefault(c, "terminationMessagePath", "/dev/termination-log")
    _setdefault(c, "terminationMessagePolicy", "File")
    _setdefault(c, "imagePullPolicy", image_pull_policy(c.get("image") or ""))
    if c.get("resources") is None:
        c["resources"] = {}
    for port in c.get("ports") or []:
        _setdefault(port, "protocol", "TCP")
    for env in c.get("env") or []:
        if isinstance(field_ref := get(env, "valueFrom", "fieldRef"), dict):
            _setdefault(field_ref, "apiVersion", "v1")
    for name in _PROBES:
        if isinstance(probe := c.get(name), dict):
            for key, value in _PROBE_DEFAULTS.items():
                _setdefault(probe, key, value)
            _default_http_get(probe)
    for hook in ("postStart", "preStop"):
        _default_http_get(get(c, "lifecycle", hook))


def _default_volume(v: Obj) -> None:
    if not any(v.get(s) is not None for s in VOLUME_SOURCES):
        v["emptyDir"] = {}
    for source in _MODE_SOURCES:
        if isinstance(v.get(source), dict):
            _setdefault(v[source], "defaultMode", 0o644)
    if isinstance(v.get("hostPath"), dict):
        v["hostPath"].setdefault("type", "")


def default_pod_spec(s: Obj) -> None:
    """PodSpec defaults (SetDefaults_PodSpec and the containers' and volumes' own)."""
    _setdefault(s, "restartPolicy", "Always")
    _setdefault(s, "dnsPolicy", "ClusterFirst")
    _setdefault(s, "schedulerName", "default-scheduler")
    _setdefault(s, "terminationGracePeriodSeconds", 30)
    if s.get("securityContext") is None:
        s["securityContext"] = {}
    if s.get("enableServiceLinks") is None:
        s["enableServiceLinks"] = True
    for field in _CONTAINER_LISTS:
        for c in s.get(field) or []:
            default_container(c)
            if s.get("hostNetwork"):  # host-network ports are host ports
                for port in c.get("ports") or []:
                    _setdefault(port, "hostPort", port.get("containerPort"))
    for v in s.get("volumes") or []:
        _default_volume(v)


def _default(pod: Obj) -> None:
    s = spec(pod)
    default_pod_spec(s)
    # Requests default to limits (SetDefaults_Pod), then what Priority admission fills in.
    for field in ("initContainers", "containers"):
        for c in s.get(field) or []:
            res = c.get("resources") or {}
            if res.get("limits"):
                res["requests"] = {**res["limits"], **(res.get("requests") or {})}
    _setdefault(s, "priority", 0)
    _setdefault(s, "preemptionPolicy", "PreemptLowerPriority")


# --- QoS and create ---------------------------------------------------------------------------


def _amounts(resources: dict[str, Any] | None) -> dict[str, Any]:
    out = {}
    for name, q in (resources or {}).items():
        if name in ("cpu", "memory") and quantity.is_valid(q) and quantity.parse(q) != 0:
            out[name] = quantity.parse(q)
    return out


def qos_class(pod: Obj) -> str:
    """BestEffort, Burstable or Guaranteed, from the cpu/memory of every container."""
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    guaranteed = True
    for c in get(pod, "spec", "initContainers", default=[]) + get(pod, "spec", "containers",
                                                                  default=[]):
        lim = _amounts(get(c, "resources", "limits"))
        req = {**lim, **_amounts(get(c, "resources", "requests"))}  # requests default to limits
        for name, q in req.items():
            requests[name] = requests.get(name, 0) + q
        for name, q in lim.items():
            limits[name] = limits.get(name, 0) + q
        if set(lim) != {"cpu", "memory"}:
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and requests == limits:
        return "Guaranteed"
    return "Burstable"


def _on_create(pod: Obj) -> None:
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(pod)}
    # ServiceAccount admission: a pod that names no account runs as `default`.
    spec = pod.get("spec")
    if isinstance(spec, dict):
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        spec["serviceAccountName"] = spec["serviceAccount"] = account


def _validate(pod: Obj) -> list[Cause]:
    return (validate_object_meta(pod, namespaced=True, name_validator=is_dns1123_subdomain)
            + validate_pod_spec(pod.get("spec") or {}))


# --- declaration ------------------------------------------------------------------------------


def _fields(pod: Obj) -> dict[str, str]:
    return {
        "spec.nodeName": get(pod, "spec", "nodeName", default=""),
        "spec.restartPolicy": get(pod, "spec", "restartPolicy", default=""),
        "spec.schedulerName": get(pod, "spec", "schedulerName", default=""),
        "spec.serviceAccountName": get(pod, "spec", "serviceAccountName", default=""),
        "spec.hostNetwork": "true" if get(pod, "spec", "hostNetwork") else "false",
        "status.phase": get(pod, "status", "phase", default=""),
        "status.podIP": get(pod, "status", "podIPs", 0, "ip", default=""),
        "status.nominatedNodeName": get(pod, "status", "nominatedNodeName", default=""),
    }


POD = Kind(
    group="", version="v1", kind="Pod", plural="pods", short_names=("po",),
    categories=("all",),
    subresources=("status", "log", "binding", "exec", "attach", "portforward", "eviction",
                  "ephemeralcontainers"),
    columns=COLUMNS, schema=kind_schema(spec=pod_spec, status=pod_status),
    default=_default, on_create=_on_create, validate=_validate, validate_update=validate_update,
    selectable_fields=_fields,
)
