"""NodeMetrics and PodMetrics documents: quantities, windows and metadata as metrics-server's."""

from __future__ import annotations

from minicube.api import tables
from minicube.api.kinds.metrics import (POD_METRICS, cpu_quantity, go_duration, memory_quantity,
                                        node_metrics, pod_metrics)

NOW = "2026-01-01T00:00:30Z"


def test_cpu_in_nanocores_canonical() -> None:
    assert cpu_quantity(1234567) == "1234567n"
    assert cpu_quantity(5_000_000) == "5m"
    assert cpu_quantity(2_000_000_000) == "2"
    assert cpu_quantity(1_500) == "1500n"
    assert cpu_quantity(0) == "0"


def test_memory_in_binary_notation() -> None:
    assert memory_quantity(12345 * 1024) == "12345Ki"
    assert memory_quantity(10_000_000) == "10000000"
    assert memory_quantity(1 << 30) == "1Gi"
    assert memory_quantity(0) == "0"


def test_windows_print_as_go_durations() -> None:
    assert go_duration(15.0) == "15s"
    assert go_duration(15.0123) == "15.012s"
    assert go_duration(20.5) == "20.5s"
    assert go_duration(75.25) == "1m15.25s"


def test_pod_metrics_document() -> None:
    pod = {"metadata": {"name": "web", "namespace": "ns", "uid": "u", "labels": {"app": "a"},
                        "resourceVersion": "7"},
           "spec": {"containers": [{"name": "main"}, {"name": "aux"}]}}
    sample = {"timestamp": "2026-01-01T00:00:15Z", "window": 15.0, "containers": [
        {"name": "aux", "cpuNanoCores": 1_000_000, "memoryWorkingSetBytes": 4096},
        {"name": "main", "cpuNanoCores": 250_000_000, "memoryWorkingSetBytes": 1 << 20}]}
    doc = pod_metrics(pod, sample, NOW)
    assert doc == {
        "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": "web", "namespace": "ns", "creationTimestamp": NOW, "labels": {"app": "a"}},
        "timestamp": "2026-01-01T00:00:15Z", "window": "15s",
        "containers": [{"name": "main", "usage": {"cpu": "250m", "memory": "1Mi"}},
                       {"name": "aux", "usage": {"cpu": "1m", "memory": "4Ki"}}]}
    row = tables.row(POD_METRICS, doc)
    assert row["cells"] == ["web", "251m", "1028Ki", "15s"]


def test_node_metrics_document() -> None:
    node = {"metadata": {"name": "n1", "uid": "u"}}
    sample = {"name": "n1", "timestamp": "2026-01-01T00:00:15Z", "window": 15.25,
              "cpuNanoCores": 123_456_789, "memoryWorkingSetBytes": 3 << 20}
    assert node_metrics(node, sample, NOW) == {
        "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": "n1", "creationTimestamp": NOW},
        "timestamp": "2026-01-01T00:00:15Z", "window": "15.25s",
        "usage": {"cpu": "123456789n", "memory": "3Mi"}}
