"""The walking skeleton's figures, from one run: cold and warm start, pod start latency, idle memory.

    python -m benchmarks.skeleton [--runs 20] [--skip-cold]

Each figure is printed beside a baseline measured in the same run, because these machines are
noisy and only the ratio means something:
  * start times beside `docker run --rm` of a plain container on the host engine;
  * pod create -> Running (watched through the API from the host) beside the same image
    started with `docker run -d` by the node's own engine (timed inside the node);
  * idle memory (resident set of every process in the node) beside the inner engine alone.

It uses its own profile and kubeconfig and deletes them at the end. The cold start removes the
node images (not the Debian base: pulling or debootstrapping it measures the network) and is
skipped when another cluster still uses them.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kubernetes import client, config, watch

HELLO_IMAGE = "minicube/hello:1"
NODE_REPOS = ("minicube/node", "minicube/node-deps")
BASE_IMAGE = "minicube/base:bookworm"
REPO = Path(__file__).resolve().parents[1]


def sh(*argv: str, check: bool = True) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    if check and result.returncode != 0:
        sys.exit(f"benchmark: {' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout.strip()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def report(name: str, value: float, baseline: float, unit: str, target: str = "") -> None:
    ratio = value / baseline if baseline else float("nan")
    print(f"{name:<34} {value:9.3f} {unit:<3} baseline {baseline:9.3f} {unit:<3} "
          f"ratio {ratio:6.2f}x  {target}", flush=True)


class Bench:
    def __init__(self, profile: str, kubeconfig: Path) -> None:
        self.profile = profile
        self.kubeconfig = kubeconfig

    def minicube(self, *args: str) -> str:
        return sh(sys.executable, "-m", "minicube", *args, "-p", self.profile)

    def node(self, *argv: str) -> str:
        return sh("docker", "exec", self.profile, *argv)

    def start(self) -> None:
        self.minicube("start")

    def host_container_baseline(self) -> float:
        return timed(lambda: sh("docker", "run", "--rm", BASE_IMAGE, "true"))

    def remove_node_images(self) -> bool:
        """Remove the node images for a cold start; False when a container still uses them."""
        refs = [r for repo in NODE_REPOS
                for r in sh("docker", "images", repo, "--format", "{{.Repository}}:{{.Tag}}").split()]
        in_use = sh("docker", "ps", "-a", "--filter", "label=io.minicube.cluster", "-q")
        if in_use:
            return False
        if refs:
            sh("docker", "rmi", *refs)
        return True

    def pod_latencies(self, runs: int) -> tuple[list[float], list[float]]:
        """(pod create -> Running, inner `docker run -d`) in seconds, interleaved run by run."""
        config.load_kube_config(str(self.kubeconfig), context=self.profile)
        core = client.CoreV1Api()
        pods, raw = [], []
        for i in range(runs):
            pods.append(self._one_pod(core, f"bench-{i}"))
            raw.append(self._one_docker_run())
        return pods, raw

    def _one_pod(self, core: client.CoreV1Api, name: str) -> float:
        body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                "spec": {"terminationGracePeriodSeconds": 0, "containers": [
                    {"name": "hello", "image": HELLO_IMAGE, "imagePullPolicy": "Never"}]}}
        start = time.perf_counter()
        created = core.create_namespaced_pod("default", body)
        w = watch.Watch()
        for event in w.stream(core.list_namespaced_pod, "default", field_selector=f"metadata.name={name}",
                              resource_version=created.metadata.resource_version, timeout_seconds=60):
            if event["object"].status.phase == "Running":
                w.stop()
        elapsed = time.perf_counter() - start
        core.delete_namespaced_pod(name, "default", grace_period_seconds=0)
        return elapsed

    def _one_docker_run(self) -> float:
        # Timed inside the node so `docker exec` itself is not counted.
        out = self.node("sh", "-c", f"a=$(date +%s%N); id=$(docker run -d {HELLO_IMAGE}); "
                                    "b=$(date +%s%N); docker rm -f $id >/dev/null; echo $((b-a))")
        return int(out) / 1e9

    def resident_mib(self, command_filter: str = "") -> float:
        """Resident memory of the node's processes (those whose command matches the filter)."""
        out = self.node("ps", "-e", "-o", "rss=,comm=")
        kib = sum(int(rss) for rss, _, comm in (line.strip().partition(" ") for line in out.splitlines())
                  if command_filter in comm)
        return kib / 1024


@contextmanager
def scratch_profile() -> Iterator[Bench]:
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(f"bench-{secrets.token_hex(3)}", Path(tmp) / "kubeconfig")
        os.environ["KUBECONFIG"] = str(bench.kubeconfig)  # never touch the user's kubeconfig
        try:
            yield bench
        finally:
            sh(sys.executable, "-m", "minicube", "delete", "-p", bench.profile, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="pods to time (median reported)")
    parser.add_argument("--skip-cold", action="store_true", help="keep the node images")
    args = parser.parse_args()
    if not sh("docker", "images", "-q", HELLO_IMAGE):
        sh(str(REPO / "scripts/build-hello.sh"))
    with scratch_profile() as bench:
        baseline = bench.host_container_baseline()
        if not args.skip_cold and bench.remove_node_images():
            report("cold start (images built)", timed(bench.start), baseline, "s")
        else:
            bench.start()
            print("cold start: skipped (--skip-cold, or another cluster uses the node images)")
        bench.minicube("stop")
        baseline = bench.host_container_baseline()
        report("warm start (stopped -> API ready)", timed(bench.start), baseline, "s", "target <= 5 s")
        bench.minicube("image", "load", HELLO_IMAGE)
        pods, raw = bench.pod_latencies(args.runs)
        report(f"pod create -> Running (median/{args.runs})", statistics.median(pods),
               statistics.median(raw), "s", "target <= 1.5x inner docker run -d")
        time.sleep(15)  # let the node settle after the pods
        report("idle node memory (RSS, all)", bench.resident_mib(), bench.resident_mib("dockerd")
               + bench.resident_mib("containerd"), "MiB", "target <= 250 MiB; baseline: inner engine")


if __name__ == "__main__":
    main()
