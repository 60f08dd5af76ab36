"""Workload figures, from one run: a 100-replica Deployment to all Ready, and the control
plane's CPU use while 100 pods sit idle.

    python -m benchmarks.workloads [--replicas 100] [--idle 60]

Each figure is printed beside a baseline measured in the same run (see benchmarks/skeleton.py):
  * `kubectl apply` -> every replica Ready beside the same number of sequential
    `docker run -d` of the image by the node's own engine (timed inside the node);
  * CPU seconds of the control-plane process (`python -m minicube.node`, read from /proc in
    the node) over an idle interval, beside the inner engine's (dockerd + containerd) over the
    same interval.
It uses its own profile and kubeconfig and deletes them at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time

from benchmarks.skeleton import HELLO_IMAGE, REPO, Bench, report, scratch_profile, sh


def deployment(replicas: int) -> str:
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "bench"}},
                 "template": {"metadata": {"labels": {"app": "bench"}}, "spec": {
                     "terminationGracePeriodSeconds": 0, "containers": [
                         {"name": "hello", "image": HELLO_IMAGE, "imagePullPolicy": "Never"}]}}}})


def kubectl(bench: Bench, *args: str, stdin: str | None = None) -> str:
    argv = ["kubectl", f"--kubeconfig={bench.kubeconfig}", "--context", bench.profile, *args]
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=REPO,
                            check=True)
    return result.stdout


def deployment_to_ready(bench: Bench, replicas: int, timeout: float = 600) -> float:
    start = time.perf_counter()
    kubectl(bench, "apply", "-f", "-", stdin=deployment(replicas))
    while time.perf_counter() - start < timeout:
        ready = kubectl(bench, "get", "deploy", "bench", "-o", "jsonpath={.status.readyReplicas}")
        if ready.strip() == str(replicas):
            return time.perf_counter() - start
        time.sleep(0.5)
    raise SystemExit(f"benchmark: {replicas} replicas not Ready in {timeout:g}s")


def raw_docker_runs(bench: Bench, count: int) -> float:
    """`count` sequential `docker run -d` in the node, timed inside it, then removed."""
    out = bench.node("sh", "-c", f"a=$(date +%s%N); for i in $(seq {count}); do "
                                 f"docker run -d --label bench=raw {HELLO_IMAGE} >/dev/null; done; "
                                 "b=$(date +%s%N); echo $((b-a))")
    bench.node("sh", "-c", "docker rm -f $(docker ps -aq --filter label=bench=raw) >/dev/null")
    return int(out) / 1e9


def cpu_seconds(bench: Bench, match: tuple[str, ...]) -> float:
    """utime + stime of the node's processes whose command line contains any of `match`."""
    script = ("for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); "
              "[ -n \"$c\" ] && echo \"$(cut -d' ' -f14,15 < $p/stat) $c\"; done")
    ticks = int(bench.node("getconf", "CLK_TCK"))
    total = 0
    for line in bench.node("sh", "-c", script).splitlines():
        utime, stime, command = line.split(" ", 2)
        if any(m in command for m in match):  # (their comm has no spaces to shift fields)
            total += int(utime) + int(stime)
    return total / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--idle", type=float, default=60, help="idle seconds to measure CPU over")
    args = parser.parse_args()
    if not sh("docker", "images", "-q", HELLO_IMAGE):
        sh(str(REPO / "scripts/build-hello.sh"))
    control_plane, engine = ("minicube.node",), ("dockerd", "containerd")
    with scratch_profile() as bench:
        bench.start()
        bench.minicube("image", "load", HELLO_IMAGE)
        raw = raw_docker_runs(bench, args.replicas)
        report(f"{args.replicas} replicas apply -> Ready", deployment_to_ready(bench, args.replicas),
               raw, "s", f"target <= 3x {args.replicas} inner docker run -d")
        time.sleep(10)  # let the rollout's last status writes settle
        before = cpu_seconds(bench, control_plane), cpu_seconds(bench, engine)
        time.sleep(args.idle)
        after = cpu_seconds(bench, control_plane), cpu_seconds(bench, engine)
        report(f"control-plane CPU per {args.idle:g} s idle", after[0] - before[0],
               after[1] - before[1], "s", f"target < 1 s with {args.replicas} pods; "
                                           "baseline: inner engine")


if __name__ == "__main__":
    main()
