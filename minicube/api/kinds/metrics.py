"""metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics: read-only resource usage (what
metrics-server serves, and `kubectl top` and the HPA read). Never stored: the API server
builds them on each request from the kubelet's latest samples (apiserver/metrics.py).

Usage quantities are printed as metrics-server prints them: CPU in nanocores (`1234567n`,
canonical form), memory in bytes in binary notation (`12345Ki`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from minicube.api import quantity
from minicube.api.kinds.common import kind_schema
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, map_of, obj_, string

GROUP = "metrics.k8s.io"
VERSION = "v1beta1"
READ_ONLY = ("get", "list")

_usage = map_of(string)
NODE_SCHEMA = kind_schema(timestamp=string, window=string, usage=_usage)
POD_SCHEMA = kind_schema(timestamp=string, window=string,
                         containers=arr(obj_({"name": string, "usage": _usage})))


def cpu_quantity(nanocores: int) -> str:
    """`1234567n`; whole millicores and cores shorten as any quantity does (`5m`, `1`)."""
    return quantity.format_quantity(Decimal(nanocores).scaleb(-9), "DecimalSI")


def memory_quantity(size: int) -> str:
    """`12345Ki` when a multiple of 1024, else plain bytes."""
    return quantity.format_bytes(size)


def go_duration(seconds: float) -> str:
    """A window as Go prints a time.Duration under a minute or more: `15s`, `15.012s`, `1m0s`."""
    millis = round(seconds * 1000)
    minutes, millis = divmod(millis, 60_000)
    secs = f"{millis / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def usage(cpu_nanocores: int, memory_bytes: int) -> dict[str, str]:
    return {"cpu": cpu_quantity(cpu_nanocores), "memory": memory_quantity(memory_bytes)}


def _metadata(obj: Obj, now: str) -> Obj:
    """The pod's or node's identity: name, namespace, labels; created `now` (it is built for
    this response, as metrics-server does)."""
    meta = obj["metadata"]
    out: Obj = {"name": meta["name"]}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    out["creationTimestamp"] = now
    if meta.get("labels"):
        out["labels"] = dict(meta["labels"])
    return out


def node_metrics(node: Obj, sample: dict[str, Any], now: str) -> Obj:
    """A NodeMetrics from a Node and the kubelet's node sample."""
    return {"kind": "NodeMetrics", "apiVersion": f"{GROUP}/{VERSION}", "metadata": _metadata(node, now),
            "timestamp": sample["timestamp"], "window": go_duration(sample["window"]),
            "usage": usage(sample["cpuNanoCores"], sample["memoryWorkingSetBytes"])}


def pod_metrics(pod: Obj, sample: dict[str, Any], now: str) -> Obj:
    """A PodMetrics from a Pod and the kubelet's pod sample, containers in the pod's order."""
    order = {c["name"]: i for i, c in enumerate((pod.get("spec") or {}).get("containers") or [])}
    containers = sorted(sample["containers"], key=lambda c: (order.get(c["name"], len(order)), c["name"]))
    return {"kind": "PodMetrics", "apiVersion": f"{GROUP}/{VERSION}", "metadata": _metadata(pod, now),
            "timestamp": sample["timestamp"], "window": go_duration(sample["window"]),
            "containers": [{"name": c["name"], "usage": usage(c["cpuNanoCores"], c["memoryWorkingSetBytes"])}
                           for c in containers]}


def _pod_total(obj: Obj, resource: str) -> Decimal:
    return sum((quantity.parse(c["usage"][resource]) for c in obj.get("containers") or []), Decimal(0))


def _no_input(_obj: Obj) -> list[Cause]:
    return []  # never written: the server builds every object


NODE_METRICS = Kind(
    group=GROUP, version=VERSION, kind="NodeMetrics", plural="nodes", namespaced=False,
    verbs=READ_ONLY, schema=NODE_SCHEMA, validate=_no_input,
    columns=(Column("CPU", lambda o: o["usage"]["cpu"]),
             Column("Memory", lambda o: o["usage"]["memory"]),
             Column("Window", lambda o: o["window"])))

POD_METRICS = Kind(
    group=GROUP, version=VERSION, kind="PodMetrics", plural="pods", namespaced=True,
    verbs=READ_ONLY, schema=POD_SCHEMA, validate=_no_input,
    columns=(Column("CPU", lambda o: quantity.format_quantity(_pod_total(o, "cpu"))),
             Column("Memory", lambda o: quantity.format_bytes(int(_pod_total(o, "memory")))),
             Column("Window", lambda o: o["window"])))
