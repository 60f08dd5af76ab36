"""securityContext.runAsNonRoot and StatefulSet partitions against a real cluster.

runAsNonRoot is checked against the effective user as upstream's kubelet does: runAsUser,
else the image's USER (built here in the node: a numeric and a named user on top of the
sample image); a root or unverifiable user leaves the container in CreateContainerConfigError.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import HELLO_IMAGE, Cluster, wait_for
from tests.e2e.namespaced import apply_in, own_namespace

pytestmark = pytest.mark.e2e

NS = "e2e-security-context"
USERS = {"e2e-user-numeric:1": "1000:1000", "e2e-user-named:1": "app"}


@pytest.fixture(scope="module")
def ns(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    context = tmp_path_factory.mktemp("user-image")
    Path(context, "Dockerfile").write_text(f"FROM {HELLO_IMAGE}\nARG IMAGE_USER\nUSER $IMAGE_USER\n")
    for tag, user in USERS.items():
        cluster.mc("image build", str(context), "-t", tag, "--build-arg", f"IMAGE_USER={user}")
    with own_namespace(cluster, NS) as c:
        yield c


def apply(c: Cluster, *objects: dict[str, Any]) -> None:
    apply_in(c, NS, *objects)


def pod(name: str, image: str = HELLO_IMAGE, pod_sc: dict[str, Any] | None = None,
        sc: dict[str, Any] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": image,
                                 "command": ["sh", "-c", "echo uid=$(id -u); exec sleep 3600"]}
    if sc:
        container["securityContext"] = sc
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1, "securityContext": pod_sc or {},
                     "containers": [container]}}


def waiting(c: Cluster, name: str) -> dict[str, Any] | None:
    statuses = c.get_json("pod", name, "-n", NS)["status"].get("containerStatuses") or []
    state = statuses[0].get("state", {}) if statuses else {}
    return state.get("waiting") if (state.get("waiting") or {}).get("reason") == \
        "CreateContainerConfigError" else None


def logged_uid(c: Cluster, name: str) -> str | None:
    out = c.kubectl("logs", name, "-n", NS, check=False).stdout
    return out.strip() if out.startswith("uid=") else None


def test_run_as_non_root_refuses_users_that_are_or_may_be_root(ns: Cluster) -> None:
    apply(ns, pod("root-image", pod_sc={"runAsNonRoot": True}),
          pod("named-user", "e2e-user-named:1", sc={"runAsNonRoot": True}),
          pod("run-as-zero", pod_sc={"runAsNonRoot": True, "runAsUser": 1000}, sc={"runAsUser": 0}))
    uid = {n: ns.get_json("pod", n, "-n", NS)["metadata"]["uid"]
           for n in ("root-image", "named-user", "run-as-zero")}

    def where(name: str) -> str:
        return f'(pod: "{name}_{NS}({uid[name]})", container: app)'
    expected = {
        "root-image": f"container has runAsNonRoot and image will run as root {where('root-image')}",
        "named-user": ("container has runAsNonRoot and image has non-numeric user (app), cannot "
                       f"verify user is non-root {where('named-user')}"),
        "run-as-zero": f"container's runAsUser breaks non-root policy {where('run-as-zero')}"}
    for name, message in expected.items():
        state = wait_for(f"{name} in CreateContainerConfigError", lambda: waiting(ns, name), timeout=60)
        assert state["message"] == message
        events = ns.get_json("events", "-n", NS, "--field-selector",
                             f"involvedObject.name={name},reason=Failed")["items"]
        assert f"Error: {message}" in [e["message"] for e in events]


def test_run_as_non_root_admits_numeric_non_root_users(ns: Cluster) -> None:
    # The image's numeric USER, and runAsUser at the pod level under a container's runAsNonRoot.
    apply(ns, pod("numeric-image", "e2e-user-numeric:1", pod_sc={"runAsNonRoot": True}),
          pod("run-as-user", pod_sc={"runAsUser": 2000}, sc={"runAsNonRoot": True}))
    assert wait_for("numeric-image logs", lambda: logged_uid(ns, "numeric-image"), timeout=60) == "uid=1000"
    assert wait_for("run-as-user logs", lambda: logged_uid(ns, "run-as-user"), timeout=60) == "uid=2000"
