"""gRPC probes against a real gRPC Health Checking server in a pod.

No image with Python can be pulled or built here without a registry (the sample image is
busybox; containers cannot reach PyPI), so the server pod runs the node's own Python and its
grpcio (a minicube dependency: the kubelet's prober uses it) through read-only hostPath
mounts, with grpcio's reference HealthServicer from a ConfigMap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for
from tests.e2e.namespaced import apply_in, own_namespace

pytestmark = pytest.mark.e2e

NS = "e2e-grpc-probes"
PORT = 50051

SERVER = f"""
from concurrent import futures
import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

servicer = health.HealthServicer()
servicer.set("", health_pb2.HealthCheckResponse.SERVING)
servicer.set("broken", health_pb2.HealthCheckResponse.NOT_SERVING)
server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
server.add_insecure_port("[::]:{PORT}")
server.start()
print("health server on {PORT}", flush=True)
server.wait_for_termination()
"""

# The node's interpreter (Debian, merged /usr) and its venv, read-only; the busybox image
# lacks the /lib and /lib64 links through which the dynamic loader is found.
HOST_MOUNTS = {"usr": ("/usr", "/usr"), "lib": ("/usr/lib", "/lib"),
               "lib64": ("/usr/lib64", "/lib64"), "venv": ("/opt/minicube", "/opt/minicube")}


@pytest.fixture(scope="module")
def ns(cluster: Cluster) -> Iterator[Cluster]:
    with own_namespace(cluster, NS) as c:
        apply(c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "server"},
                  "data": {"server.py": SERVER}})
        yield c


def apply(c: Cluster, *objects: dict[str, Any]) -> None:
    apply_in(c, NS, *objects)


def server_pod(name: str, **probes: Any) -> dict[str, Any]:
    volumes = [{"name": n, "hostPath": {"path": host, "type": "Directory"}}
               for n, (host, _) in HOST_MOUNTS.items()]
    mounts = [{"name": n, "mountPath": path, "readOnly": True} for n, (_, path) in HOST_MOUNTS.items()]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        "terminationGracePeriodSeconds": 1,
        "volumes": [*volumes, {"name": "app", "configMap": {"name": "server"}}],
        "containers": [{"name": "grpc", "image": HELLO_IMAGE,
                        "command": ["/opt/minicube/bin/python3", "/app/server.py"],
                        "ports": [{"containerPort": PORT}],
                        "volumeMounts": [*mounts, {"name": "app", "mountPath": "/app"}],
                        **probes}]}}


def get(c: Cluster, name: str) -> dict[str, Any]:
    return c.get_json("pod", name, "-n", NS)  # type: ignore[no-any-return]


def condition(pod: dict[str, Any], kind: str) -> str | None:
    return next((x["status"] for x in pod["status"].get("conditions") or [] if x["type"] == kind), None)


def unhealthy(c: Cluster, pod: str) -> list[str]:
    events = c.get_json("events", "-n", NS, "--field-selector",
                        f"involvedObject.name={pod},reason=Unhealthy")["items"]
    return [e["message"] for e in events]


def fast(grpc: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"grpc": grpc, "periodSeconds": 1, "failureThreshold": 1, **extra}


def test_a_serving_service_makes_the_pod_ready(ns: Cluster) -> None:
    # The startup probe covers the interpreter's start; liveness and readiness follow it.
    apply(ns, server_pod("serving", startupProbe=fast({"port": PORT}, failureThreshold=20),
                         readinessProbe=fast({"port": PORT}),
                         livenessProbe=fast({"port": PORT, "service": ""})))
    pod = wait_for("pod serving Ready", lambda: (lambda p: p if condition(p, "Ready") == "True"
                                                 else None)(get(ns, "serving")), timeout=60)
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
    assert [m for m in unhealthy(ns, "serving") if not m.startswith("Startup probe failed")] == []


def test_not_serving_and_unreachable_fail_with_upstreams_messages(ns: Cluster) -> None:
    # Readiness asks for a service the server reports NOT_SERVING; liveness dials a port
    # nothing listens on, so the container is restarted.
    apply(ns, server_pod("failing", readinessProbe=fast({"port": PORT, "service": "broken"}),
                         livenessProbe=fast({"port": PORT + 1}, initialDelaySeconds=2)))

    def both_failed() -> list[str] | None:
        messages = unhealthy(ns, "failing")
        readiness = any(m == 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")'
                        for m in messages)
        liveness = any(m.startswith("Liveness probe failed: timeout: failed to connect service ")
                       and m.endswith(f':{PORT + 1}" within 1s: context deadline exceeded')
                       for m in messages)
        return messages if readiness and liveness else None

    wait_for("Unhealthy events of pod failing", both_failed, timeout=60)
    pod = wait_for("pod failing restarted", lambda: (lambda p: p if p["status"].get(
        "containerStatuses", [{}])[0].get("restartCount", 0) >= 1 else None)(get(ns, "failing")),
        timeout=60)
    assert condition(pod, "Ready") != "True"
