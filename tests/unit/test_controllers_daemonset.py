from typing import Any

from minicube.controllers.daemonset import daemon_pod, fits, node_of


def node(labels: dict[str, str] | None = None, taints: list[dict[str, str]] | None = None
         ) -> dict[str, Any]:
    return {"metadata": {"name": "n1", "labels": labels or {}}, "spec": {"taints": taints or []}}


def test_node_selector_must_match() -> None:
    assert fits({"nodeSelector": {"disk": "ssd"}}, node({"disk": "ssd"}))
    assert not fits({"nodeSelector": {"disk": "ssd"}}, node({"disk": "hdd"}))


def test_taints_need_tolerations_but_preferences_do_not() -> None:
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    assert not fits({}, node(taints=[taint]))
    assert fits({"tolerations": [{"key": "dedicated", "value": "db"}]}, node(taints=[taint]))
    assert fits({"tolerations": [{"operator": "Exists"}]}, node(taints=[taint]))
    assert fits({}, node(taints=[{**taint, "effect": "PreferNoSchedule"}]))
    # Daemons tolerate sick nodes, as upstream adds those tolerations to every daemon pod.
    assert fits({}, node(taints=[{"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}]))


def test_daemon_pod_is_pinned_to_its_node() -> None:
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": {"name": "agent", "namespace": "ns", "uid": "u"},
          "spec": {"template": {"metadata": {"labels": {"app": "a"}},
                                "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    pod = daemon_pod(ds, "n1", "abc")
    assert pod["metadata"]["generateName"] == "agent-" and node_of(pod) == "n1"
    assert pod["metadata"]["labels"] == {"app": "a", "controller-revision-hash": "abc"}
    assert {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
            "effect": "NoExecute"} in pod["spec"]["tolerations"]
    assert node_of({"spec": {"nodeName": "n2"}}) == "n2"
