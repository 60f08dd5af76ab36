"""Streaming subresources end to end: exec, attach, cp and port-forward with the real kubectl
and the official Python client, against pods of the sample image (busybox: sh, tar, httpd)."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.stream import portforward, stream

from tests.e2e.conftest import HELLO_IMAGE, Cluster

pytestmark = pytest.mark.e2e

WEB, TICKER, READER = "streams-web", "streams-ticker", "streams-reader"
PODS = f"""
apiVersion: v1
kind: Pod
metadata: {{name: {WEB}, labels: {{app: {WEB}}}}}
spec:
  containers:
  - {{name: web, image: {HELLO_IMAGE}, ports: [{{containerPort: 8080}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: {WEB}}}
spec:
  selector: {{app: {WEB}}}
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: {TICKER}}}
spec:
  containers:
  - name: ticker
    image: {HELLO_IMAGE}
    command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
---
apiVersion: v1
kind: Pod
metadata: {{name: {READER}}}
spec:
  containers:
  - name: reader
    image: {HELLO_IMAGE}
    stdin: true
    command: ["sh", "-c", "while read line; do echo got $line; done"]
"""


@pytest.fixture(scope="module")
def pods(cluster: Cluster) -> Iterator[Cluster]:
    cluster.kubectl("apply", "-f", "-", stdin=PODS)
    cluster.kubectl("wait", "--for=condition=Ready", f"pod/{WEB}", f"pod/{TICKER}", f"pod/{READER}",
                    "--timeout=120s", timeout=130)
    yield cluster
    cluster.kubectl("delete", f"pod/{WEB}", f"pod/{TICKER}", f"pod/{READER}", f"service/{WEB}",
                    "--wait=false", check=False)


def kubectl_argv(cluster: Cluster, *args: str) -> list[str]:
    return ["kubectl", f"--kubeconfig={cluster.kubeconfig}", f"--cache-dir={cluster.cache_dir}",
            "--context", cluster.profile, *args]


def python_client(cluster: Cluster) -> k8s.CoreV1Api:
    api = k8s_config.new_client_from_config(config_file=str(cluster.kubeconfig), context=cluster.profile)
    return k8s.CoreV1Api(api)


@contextmanager
def forwarding(cluster: Cluster, target: str, remote: int, env: dict[str, str] | None = None,
               ) -> Iterator[int]:
    """`kubectl port-forward TARGET :REMOTE` running; yields the local port it picked."""
    proc = subprocess.Popen(kubectl_argv(cluster, "port-forward", target, f":{remote}"),
                            env={**cluster.env, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.match(r"Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)", line)
        if not match:
            proc.terminate()
            pytest.fail(f"port-forward said {line!r}; stderr: {proc.communicate(timeout=10)[1]}")
        yield int(match.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def http_get(port: int, path: str = "/") -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read()  # type: ignore[no-any-return]


def test_exec_prints_output_and_exits_with_the_remote_code(pods: Cluster) -> None:
    result = pods.kubectl("exec", WEB, "--", "sh", "-c", "echo hi; echo oops >&2; exit 3", check=False)
    assert result.returncode == 3
    assert result.stdout == "hi\n"
    assert "oops" in result.stderr and "command terminated with exit code 3" in result.stderr


def test_exec_pipes_stdin_until_eof(pods: Cluster) -> None:
    result = pods.kubectl("exec", "-i", WEB, "--", "sh", "-c", "cat; echo done", stdin="line 1\nline 2\n")
    assert result.stdout == "line 1\nline 2\ndone\n"


def test_exec_with_a_tty_gets_a_terminal_and_its_size(pods: Cluster) -> None:
    # `script` gives kubectl a terminal of 31x101; the command waits for the resize to land.
    inner = shlex.join(kubectl_argv(pods, "exec", "-it", WEB, "--", "sh", "-c", "tty; sleep 1; stty size"))
    result = subprocess.run(["script", "-qec", f"stty cols 101 rows 31; {inner}", "/dev/null"],
                            env=pods.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"/dev/pts/\d+\n", result.stdout)
    assert "31 101\n" in result.stdout


def test_exec_errors_read_like_upstream(pods: Cluster) -> None:
    missing = pods.kubectl("exec", "no-such-pod", "--", "true", check=False)
    assert missing.returncode == 1
    assert 'Error from server (NotFound): pods "no-such-pod" not found' in missing.stderr
    wrong = pods.kubectl("exec", WEB, "-c", "nope", "--", "true", check=False)
    assert f"container nope is not valid for pod {WEB}" in wrong.stderr


def test_cp_copies_a_directory_both_ways(pods: Cluster, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha\n")
    (src / "sub" / "b.bin").write_bytes(os.urandom(100_000))
    pods.kubectl("cp", str(src), f"{WEB}:/tmp/copied")
    assert pods.kubectl("exec", WEB, "--", "cat", "/tmp/copied/a.txt").stdout == "alpha\n"
    back = tmp_path / "back"
    pods.kubectl("cp", f"{WEB}:/tmp/copied", str(back))
    assert (back / "a.txt").read_text() == "alpha\n"
    assert (back / "sub" / "b.bin").read_bytes() == (src / "sub" / "b.bin").read_bytes()


def test_port_forward_to_a_pod_carries_10mb_intact(pods: Cluster) -> None:
    made = pods.kubectl("exec", WEB, "--", "sh", "-c",
                        "dd if=/dev/urandom of=/www/big bs=1M count=10 2>/dev/null && md5sum /www/big")
    with forwarding(pods, f"pod/{WEB}", 8080) as port:
        assert http_get(port).startswith(f"hello from {WEB}".encode())
        body = http_get(port, "/big")
    assert len(body) == 10 * 1024 * 1024
    assert hashlib.md5(body).hexdigest() == made.stdout.split()[0]


def test_port_forward_over_the_plain_spdy_upgrade(pods: Cluster) -> None:
    """kubectl's fallback when the websocket upgrade is not available."""
    with forwarding(pods, f"pod/{WEB}", 8080, env={"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"}) as port:
        assert http_get(port).startswith(f"hello from {WEB}".encode())


def test_port_forward_to_a_service_reaches_its_pod(pods: Cluster) -> None:
    with forwarding(pods, f"svc/{WEB}", 80) as port:
        assert http_get(port).startswith(f"hello from {WEB}".encode())


def test_attach_streams_the_output_from_now_on(pods: Cluster) -> None:
    proc = subprocess.Popen(kubectl_argv(pods, "attach", TICKER), env=pods.env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    numbers = [int(re.fullmatch(r"tick (\d+)\n", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert numbers == list(range(numbers[0], numbers[0] + 3)) and numbers[0] > 0


def test_attach_with_stdin_talks_to_the_container(pods: Cluster) -> None:
    proc = subprocess.Popen(kubectl_argv(pods, "attach", "-i", READER), env=pods.env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("hello\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == "got hello\n"
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0  # stdin's end closes the attached streams
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("stdin", ["", "piped line\n"])
def test_run_interactive_shows_the_output_and_returns_the_exit_code(pods: Cluster, stdin: str) -> None:
    """The CI smoke pattern `kubectl run --rm -i --restart=Never`: stdin (empty or not) is
    passed once, the output after it still arrives, and the exit code is the container's."""
    name = "streams-run-" + ("piped" if stdin else "empty")
    result = pods.kubectl("run", name, f"--image={HELLO_IMAGE}", "--restart=Never", "--rm", "-i",
                          "--command", "--", "sh", "-c", "echo before; cat; echo after; exit 3",
                          stdin=stdin, check=False)
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("before\n" + stdin + "after\n")  # nothing lost to the race


def test_debug_runs_an_ephemeral_container_that_sees_its_target(pods: Cluster) -> None:
    # The debugger waits for a line on stdin, so all it prints comes after kubectl attached;
    # stdin stays open until then (its end closes the attached streams, as upstream).
    proc = subprocess.Popen(
        kubectl_argv(pods, "debug", WEB, "-i", f"--image={HELLO_IMAGE}", "--target=web",
                     "--profile=general", "--", "sh", "-c", "read go; ps; echo debugged $go"),
        env=pods.env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("now\n")
        proc.stdin.flush()
        seen = []
        while not seen or seen[-1] != "debugged now\n":
            line = proc.stdout.readline()
            assert line, f"the debugger's output ended early: {seen}"
            seen.append(line)
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert any("httpd -f -p 8080 -h /www" in line for line in seen)  # the target's processes
    statuses = pods.get_json("pod", WEB)["status"]["ephemeralContainerStatuses"]
    assert statuses[0]["name"].startswith("debugger-")
    assert "running" in statuses[0]["state"] or "terminated" in statuses[0]["state"]


def test_python_client_exec_stream(pods: Cluster) -> None:
    api = python_client(pods)
    out = stream(api.connect_get_namespaced_pod_exec, WEB, "default",
                 command=["sh", "-c", "echo from-python"], stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "from-python\n"
    ws = stream(api.connect_get_namespaced_pod_exec, WEB, "default", command=["sh", "-c", "cat; exit 5"],
                stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    ws.write_stdin("piped\n")
    ws.close_channel(0)  # v5: end of stdin
    ws.run_forever(timeout=20)
    assert ws.read_stdout() == "piped\n"
    assert ws.returncode == 5


def test_python_client_reads_and_follows_pod_logs(pods: Cluster) -> None:
    api = python_client(pods)
    tail = api.read_namespaced_pod_log(TICKER, "default", tail_lines=2, timestamps=True)
    lines = tail.splitlines()
    assert len(lines) == 2 and all(re.fullmatch(r"\S+Z tick \d+", line) for line in lines)
    follow = api.read_namespaced_pod_log(TICKER, "default", follow=True, since_seconds=1,
                                         _preload_content=False)
    try:
        seen = [line for _, line in zip(range(3), follow.stream())]
    finally:
        follow.release_conn()
    assert all(b"tick " in chunk for chunk in seen)
    assert "hello: listening on :8080" in api.read_namespaced_pod_log(WEB, "default",
                                                                     container="web")


def test_python_client_port_forward(pods: Cluster) -> None:
    api = python_client(pods)
    forward = portforward(api.connect_get_namespaced_pod_portforward, WEB, "default", ports="8080")
    sock = forward.socket(8080)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.0\r\nHost: pod\r\n\r\n")
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.") and f"hello from {WEB}".encode() in answer
    assert forward.error(8080) is None



def test_exec_and_cp_over_the_plain_spdy_upgrade(pods: Cluster, tmp_path: Path) -> None:
    """kubectl's fallback (and older kubectl's only transport) for exec, with stdin and cp."""
    env = {**pods.env, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"}

    def kubectl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(kubectl_argv(pods, *args), env=env, input=stdin, capture_output=True,
                              text=True, timeout=60)

    result = kubectl("exec", "-i", WEB, "--", "sh", "-c", "cat; echo oops >&2; exit 4", stdin="piped\n")
    assert (result.returncode, result.stdout) == (4, "piped\n")
    assert "oops" in result.stderr and "command terminated with exit code 4" in result.stderr
    (tmp_path / "f.txt").write_text("over spdy\n")
    assert kubectl("cp", str(tmp_path / "f.txt"), f"{WEB}:/tmp/spdy.txt").returncode == 0
    assert kubectl("exec", WEB, "--", "cat", "/tmp/spdy.txt").stdout == "over spdy\n"
