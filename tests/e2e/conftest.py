"""One real cluster for the whole e2e session (kr8s's fixture, minikube's ordered steps).

The cluster gets a unique profile (`e2e-<random>`) and its own kubeconfig in a temp dir, so
it never touches the user's; it is deleted at the end unless MINICUBE_KEEP_CLUSTER=1.
Commands run as a user would: `python -m minicube ...` and the real kubectl (with a fresh
--cache-dir, so discovery is never stale).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[2]
HELLO_IMAGE = "minicube/hello:1"
START_TIMEOUT = 900  # a cold start builds the node image
T = TypeVar("T")


@dataclass
class Cluster:
    profile: str
    kubeconfig: Path
    cache_dir: Path
    env: dict[str, str] = field(default_factory=dict, repr=False)

    def mc(self, command: str, *args: str, timeout: float = 300, check: bool = True,
           ) -> subprocess.CompletedProcess[str]:
        """`minicube COMMAND -p PROFILE ARGS...` (COMMAND may be two words: "image load")."""
        argv = [sys.executable, "-m", "minicube", *command.split(), "-p", self.profile, *args]
        return _run(argv, self.env, timeout, check)

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
        argv = ["kubectl", f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache_dir}",
                "--context", self.profile, *args]
        return _run(argv, self.env, timeout, check, stdin)

    def get_json(self, *args: str) -> Any:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def sibling(self, suffix: str) -> Cluster:
        """Another profile sharing this kubeconfig (to test profiles side by side)."""
        return Cluster(f"{self.profile}-{suffix}", self.kubeconfig, self.cache_dir, self.env)

    def node_exec(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command inside the node container (`minicube ssh -- ...`)."""
        return self.mc("ssh", "--", *argv, check=check)


def _run(argv: list[str], env: dict[str, str], timeout: float, check: bool,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, timeout=timeout,
                            cwd=REPO, stdin=None if stdin is not None else subprocess.DEVNULL)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {result.returncode}\n--- stdout\n{result.stdout}\n"
                    f"--- stderr\n{result.stderr}", pytrace=False)
    return result


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 90, interval: float = 0.5) -> T:
    """Poll until `check` returns something truthy; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what} (last: {last!r})", pytrace=False)


def docker(*args: str) -> str:
    """The host's docker CLI, for checks from outside minicube."""
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "KUBECONFIG": str(tmp / "kubeconfig")}
    env.pop("MINICUBE_PROFILE", None)
    c = Cluster(f"e2e-{secrets.token_hex(3)}", tmp / "kubeconfig", tmp / "kube-cache", env)
    try:
        c.mc("start", "--wait-timeout", "300", timeout=START_TIMEOUT)
        _run([str(REPO / "scripts" / "build-hello.sh")], env, 300, True)
        c.mc("image load", HELLO_IMAGE)
        yield c
    finally:
        if os.environ.get("MINICUBE_KEEP_CLUSTER") == "1":
            print(f"\nkeeping cluster {c.profile} (KUBECONFIG={c.kubeconfig}); "
                  f"remove it with: minicube delete -p {c.profile}")
        else:
            c.mc("delete", check=False)
