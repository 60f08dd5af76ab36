"""Service data path and proxy speed, from one run on a scratch profile:

    python -m benchmarks.networking [--requests 200] [--services 100] [--changes 5]

  * connect latency: N sequential HTTP requests from a client pod through the Service's
    ClusterIP, beside the same requests straight to the backend pod's IP (timed inside the
    pod, to 10 ms);
  * throughput: a 64 MB download through the ClusterIP beside the same download from the pod IP;
  * endpoint change -> iptables programmed, with 100 other Services present: from relabelling a
    pod into a Service's selector until its IP shows in the node's nat table, beside the cost of
    one `iptables-save` poll (the measurement's own floor).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from benchmarks.skeleton import HELLO_IMAGE, Bench, report, scratch_profile

NS = "bench-net"


def pod(name: str, labels: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS, "labels": labels},
            "spec": {"terminationGracePeriodSeconds": 0, "containers": [
                {"name": "c", "image": HELLO_IMAGE, "imagePullPolicy": "Never",
                 "ports": [{"name": "http", "containerPort": 8080}]}]}}


def service(name: str, selector: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": selector, "ports": [{"port": 80, "targetPort": "http"}]}}


class NetBench:
    def __init__(self, bench: Bench) -> None:
        self.bench = bench

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(["kubectl", "--context", self.bench.profile, *args], input=stdin,
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"benchmark: kubectl {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout.strip()

    def setup(self, services: int) -> tuple[str, str]:
        """(the web Service's ClusterIP, the backend pod's IP)."""
        items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
                 pod("web", {"app": "web"}), pod("spare", {"app": "spare"}), pod("client", {}),
                 service("web", {"app": "web"}), service("moving", {"app": "moving"})]
        items += [service(f"filler-{i}", {"app": f"filler-{i}"}) for i in range(services)]
        self.kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        self.kubectl("wait", "--for=condition=Ready", "pod", "--all", "-n", NS, "--timeout=120s")
        cluster_ip = self.kubectl("get", "svc", "web", "-n", NS, "-o", "jsonpath={.spec.clusterIP}")
        pod_ip = self.kubectl("get", "pod", "web", "-n", NS, "-o", "jsonpath={.status.podIP}")
        self.kubectl("exec", "web", "-n", NS, "--", "dd", "if=/dev/zero", "of=/www/big", "bs=1M", "count=64")
        return cluster_ip, pod_ip

    def in_client(self, script: str) -> str:
        return self.kubectl("exec", "client", "-n", NS, "--", "sh", "-c", script)

    def timed_in_client(self, script: str) -> float:
        """Seconds the script takes inside the client pod (busybox date has no %N: the
        kernel's uptime, in hundredths, is the clock)."""
        out = self.in_client(f"cut -d' ' -f1 /proc/uptime; {script}; cut -d' ' -f1 /proc/uptime")
        lines = out.split()
        return float(lines[-1]) - float(lines[0])

    def loop_seconds(self, url: str, n: int) -> float:
        return self.timed_in_client(f"for i in $(seq {n}); do wget -q -O /dev/null {url} || exit 1; done")

    def download_seconds(self, url: str) -> float:
        return self.timed_in_client(f"wget -q -O /dev/null {url}")

    def rules_programmed_seconds(self, spare_ip: str) -> float:
        """Relabel the spare pod into `moving`, wait for its IP in the nat table; relabel back."""
        start = time.perf_counter()
        self.kubectl("label", "pod", "spare", "-n", NS, "app=moving", "--overwrite")
        while spare_ip not in self.bench.node("iptables-save", "-t", "nat"):
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        self.kubectl("label", "pod", "spare", "-n", NS, "app=spare", "--overwrite")
        while spare_ip in self.bench.node("iptables-save", "-t", "nat"):
            time.sleep(0.05)
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per path")
    parser.add_argument("--services", type=int, default=100, help="other Services present")
    parser.add_argument("--changes", type=int, default=5, help="endpoint changes timed (median)")
    args = parser.parse_args()
    with scratch_profile() as bench:
        bench.start()
        bench.minicube("image", "load", HELLO_IMAGE)
        net = NetBench(bench)
        cluster_ip, pod_ip = net.setup(args.services)
        report(f"connect x{args.requests} via ClusterIP", net.loop_seconds(f"http://{cluster_ip}/", args.requests),
               net.loop_seconds(f"http://{pod_ip}:8080/", args.requests), "s", "target <= 1.2x pod IP")
        report("download 64 MB via ClusterIP", net.download_seconds(f"http://{cluster_ip}/big"),
               net.download_seconds(f"http://{pod_ip}:8080/big"), "s", "target <= 1.2x pod IP")
        spare_ip = net.kubectl("get", "pod", "spare", "-n", NS, "-o", "jsonpath={.status.podIP}")
        changes = [net.rules_programmed_seconds(spare_ip) for _ in range(args.changes)]
        poll_start = time.perf_counter()
        bench.node("iptables-save", "-t", "nat")
        report(f"endpoint change -> rules ({args.services} svc)", statistics.median(changes),
               time.perf_counter() - poll_start, "s", "target <= 1 s")


if __name__ == "__main__":
    main()
