"""Descriptions of metrics.k8s.io: the usage figures `kubectl top` and autoscalers read."""

from __future__ import annotations

from minicube.api.descriptions.base import TOP_LEVEL, Descriptions, merged

_SAMPLE: Descriptions = {
    "timestamp": "End of the interval the usage was measured over (RFC 3339, UTC).",
    "window": "Length of that interval, as a duration such as 15s: CPU is the average rate "
              "over it.",
}
_USAGE = ("CPU as a rate in cores (usually nanocores, suffix n) and memory as the working "
          "set in bytes: memory in use minus page cache the kernel can reclaim.")

KINDS: dict[tuple[str, str], Descriptions] = {
    ("metrics.k8s.io", "NodeMetrics"): merged({
        "": "Current CPU and memory use of a node as the kubelet measured it, sampled every "
            "15 seconds. Read-only (get and list); built on each request, never stored.",
        "usage": f"What the whole node uses. {_USAGE}",
    }, TOP_LEVEL, _SAMPLE),
    ("metrics.k8s.io", "PodMetrics"): merged({
        "": "Current CPU and memory use of each running container of a pod, sampled every "
            "15 seconds by the kubelet. Read-only (get and list); a pod appears once it has "
            "been measured twice.",
        "containers": "One entry per measured container.",
        "containers.name": "The container's name in the pod spec.",
        "containers.usage": f"What the container uses. {_USAGE}",
    }, TOP_LEVEL, _SAMPLE),
}
