"""time-to-k8s, measured the way minikube's published benchmark does, with images cached:

    python -m benchmarks.time_to_k8s

Phase by phase from one `minicube start --no-wait` of a new profile: the command returns ->
the API server answers -> the cluster DNS Service exists -> an app Deployment runs -> DNS
answers inside a pod; then the total, beside `docker run --rm` of a plain container as the
same-run baseline. Then a cached-image CI job: `minicube start` (default wait) -> apply a
Deployment and a NodePort Service -> the app answers from the host.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

from benchmarks.skeleton import HELLO_IMAGE, Bench, report, scratch_profile

APP = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
     "spec": {"selector": {"matchLabels": {"app": "app"}}, "template": {
         "metadata": {"labels": {"app": "app"}},
         "spec": {"containers": [{"name": "app", "image": HELLO_IMAGE, "imagePullPolicy": "Never"}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app"},
     "spec": {"type": "NodePort", "selector": {"app": "app"}, "ports": [{"port": 8080}]}},
]}


def kubectl(bench: Bench, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["kubectl", "--context", bench.profile, *args], input=stdin,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"benchmark: kubectl {' '.join(args)} failed:\n{result.stderr}")
    return result


def until(check: Callable[[], bool], what: str, timeout: float = 120) -> float:
    """Poll (10 ms) until check() holds; the time it was first seen."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            sys.exit(f"benchmark: timed out waiting for {what}")
        time.sleep(0.01)
    return time.perf_counter()


def phases(bench: Bench) -> dict[str, float]:
    began = time.perf_counter()
    bench.minicube("start", "--no-wait")
    marks = {"command returns": time.perf_counter()}
    marks["API answering"] = until(lambda: kubectl(bench, "get", "--raw", "/readyz", check=False).returncode == 0,
                                   "the API server")
    marks["DNS service present"] = until(lambda: kubectl(
        bench, "get", "svc", "kube-dns", "-n", "kube-system", check=False).returncode == 0, "kube-dns")
    bench.minicube("image", "load", HELLO_IMAGE)
    kubectl(bench, "apply", "-f", "-", stdin=json.dumps(APP))
    marks["app Deployment running"] = until(lambda: kubectl(
        bench, "get", "deploy", "app", "-o", "jsonpath={.status.availableReplicas}", check=False).stdout == "1",
        "the app Deployment")
    marks["DNS answering in a pod"] = until(lambda: kubectl(
        bench, "exec", "deploy/app", "--", "nslookup", "kube-dns.kube-system.svc.cluster.local",
        check=False).returncode == 0, "DNS inside a pod")
    previous, out = began, {}
    for name, at in marks.items():
        out[name], previous = at - previous, at
    out["total"] = previous - began
    return out


def ci_job(bench: Bench) -> float:
    began = time.perf_counter()
    bench.minicube("start")
    bench.minicube("image", "load", HELLO_IMAGE)
    kubectl(bench, "apply", "-f", "-", stdin=json.dumps(APP))
    ip = bench.minicube("ip")
    port = kubectl(bench, "get", "svc", "app", "-o", "jsonpath={.spec.ports[0].nodePort}").stdout

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://{ip}:{port}/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False
    return until(answers, "the app from the host") - began


def main() -> None:
    with scratch_profile() as bench:
        baseline = bench.host_container_baseline()
        for name, seconds in phases(bench).items():
            target = "target <= 5 s (k3d 19.9 s, kind 33.0 s, minikube 50.8 s)" if name == "total" else ""
            report(f"time-to-k8s: {name}", seconds, baseline, "s", target)
    with scratch_profile() as bench:
        report("CI job: start -> app answering", ci_job(bench), bench.host_container_baseline(), "s",
               "target <= 15 s")


if __name__ == "__main__":
    main()
