"""A container's requests and limits as cgroup settings, and as downward-API values (pure).

Translation as the kubelet does it on cgroup v1: cpu requests -> cpu.shares (1024 per core,
at least 2), cpu limits -> a CFS quota over a 100ms period, memory limit -> memory limit with
no extra swap. resourceFieldRef values fall back to the node's allocatable when a limit is
unset (upstream's MergeContainerResourceLimits).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from minicube.api import quantity

Obj = dict[str, Any]

CPU_PERIOD_US = 100_000
MIN_SHARES = 2
MAX_SHARES = 262_144
MIN_QUOTA_US = 1_000


def _amounts(container: Obj, kind: str) -> Obj:
    return ((container.get("resources") or {}).get(kind)) or {}


def shares(cpu_millis: int) -> int:
    """cpu.shares for a cpu request (upstream's MilliCPUToShares)."""
    if cpu_millis <= 0:
        return MIN_SHARES
    return max(MIN_SHARES, min(MAX_SHARES, cpu_millis * 1024 // 1000))


def quota(cpu_millis: int) -> int:
    """The CFS quota in microseconds per CPU_PERIOD_US for a cpu limit (MilliCPUToQuota)."""
    return max(MIN_QUOTA_US, cpu_millis * CPU_PERIOD_US // 1000)


def engine_resources(container: Obj) -> Obj:
    """Docker SDK create() arguments enforcing the container's requests and limits."""
    requests, limits = _amounts(container, "requests"), _amounts(container, "limits")
    out: Obj = {}
    cpu_request = requests.get("cpu", limits.get("cpu"))
    out["cpu_shares"] = shares(quantity.milli_value(cpu_request) if cpu_request else 0)
    if "cpu" in limits:
        out["cpu_period"] = CPU_PERIOD_US
        out["cpu_quota"] = quota(quantity.milli_value(limits["cpu"]))
    if "memory" in limits:
        memory = quantity.value(limits["memory"])
        out["mem_limit"] = memory
        out["memswap_limit"] = memory   # swap adds nothing beyond the limit
    return out


def resource_value(pod: Obj, container_name: str, resource: str, divisor: str | int | None,
                   allocatable: Mapping[str, str]) -> str:
    """The value a resourceFieldRef exposes, e.g. limits.memory with divisor 1Mi -> "64".

    Raises ValueError naming what is wrong (unknown container or resource).
    """
    spec = pod.get("spec") or {}
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    container = next((c for c in containers if c.get("name") == container_name), None)
    if container is None:
        raise ValueError(f"container {container_name!r} not found in the pod")
    kind, _, name = resource.partition(".")
    if kind not in ("limits", "requests") or name not in ("cpu", "memory", "ephemeral-storage"):
        raise ValueError(f"unsupported container resource: {resource!r}")
    amount = _amounts(container, kind).get(name)
    if amount is None and kind == "limits":
        amount = allocatable.get(name)
    div = divisor if divisor not in (None, "", 0, "0") else "1"
    if name == "cpu":
        milli = quantity.milli_value(amount) if amount is not None else 0
        return str(math.ceil(milli / max(1, quantity.milli_value(div))))
    value = quantity.parse(amount) if amount is not None else 0
    return str(math.ceil(value / quantity.parse(div)))
