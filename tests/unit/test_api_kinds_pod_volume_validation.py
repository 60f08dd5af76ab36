"""Volume sources, mounts, probes and hooks are refused with upstream's fields and messages."""

from __future__ import annotations

from typing import Any

from minicube.api.kinds import POD


def causes(volumes: list[Any] | None = None, **container: Any) -> list[tuple[str, str]]:
    c = {"name": "web", "image": "app:1", **container}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [c], "volumes": volumes or []}}
    POD.default(pod)  # type: ignore[misc]
    return [(x["field"], x["message"]) for x in POD.validate(pod)]  # type: ignore[misc]


def test_projected_paths_stay_inside_the_volume_and_modes_are_modes() -> None:
    vol = {"name": "cfg", "configMap": {"name": "cm", "defaultMode": 0o1777, "items": [
        {"key": "a", "path": "../a"}, {"key": "b", "path": "..b"}]}}
    assert causes([vol]) == [
        ("spec.volumes[0].configMap.defaultMode",
         "Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive"),
        ("spec.volumes[0].configMap.items[0].path",
         'Invalid value: "../a": must not contain \'..\''),
        ("spec.volumes[0].configMap.items[1].path",
         "Invalid value: \"..b\": must not start with '..'")]


def test_host_path_types_are_a_closed_set() -> None:
    got = causes([{"name": "h", "hostPath": {"path": "/x", "type": "Dir"}}])
    assert got[0][0] == "spec.volumes[0].hostPath.type" and "Unsupported value" in got[0][1]


def test_sub_paths_are_relative_and_exclusive_with_sub_path_expr() -> None:
    mounts = [{"name": "v", "mountPath": "/a", "subPath": "/etc"},
              {"name": "v", "mountPath": "/b", "subPath": "x", "subPathExpr": "$(X)"}]
    assert [f for f, _ in causes([{"name": "v", "emptyDir": {}}], volumeMounts=mounts)] == [
        "spec.containers[0].volumeMounts[0].subPath",
        "spec.containers[0].volumeMounts[1].subPathExpr"]


def test_probes_need_one_handler_and_liveness_success_threshold_one() -> None:
    got = causes(livenessProbe={"exec": {"command": ["true"]}, "successThreshold": 2},
                 readinessProbe={"periodSeconds": 1})
    assert got == [("spec.containers[0].livenessProbe.successThreshold",
                    "Invalid value: 2: must be 1"),
                   ("spec.containers[0].readinessProbe",
                    "Required value: must specify a handler type")]


def test_a_valid_pod_with_every_volume_kind_passes() -> None:
    vols = [{"name": "a", "configMap": {"name": "cm", "items": [{"key": "k", "path": "d/k"}]}},
            {"name": "b", "secret": {"secretName": "s", "defaultMode": 0o400}},
            {"name": "c", "downwardAPI": {"items": [{"path": "l", "fieldRef": {
                "fieldPath": "metadata.labels"}}]}},
            {"name": "d", "hostPath": {"path": "/d", "type": "DirectoryOrCreate"}},
            {"name": "e", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}]
    assert causes(vols, readinessProbe={"httpGet": {"port": 80}}) == []


def test_grpc_probes_need_a_port_in_range_and_no_second_handler() -> None:
    assert causes(readinessProbe={"grpc": {"port": 50051, "service": "db"}}) == []
    assert causes(livenessProbe={"grpc": {"port": 0}}) == [
        ("spec.containers[0].livenessProbe.grpc.port",
         "Invalid value: 0: must be between 1 and 65535, inclusive")]
    assert causes(startupProbe={"grpc": {"port": 65536}})[0][0] == "spec.containers[0].startupProbe.grpc.port"
    assert causes(readinessProbe={"grpc": {"port": 1}, "tcpSocket": {"port": 1}}) == [
        ("spec.containers[0].readinessProbe.grpc",
         "Forbidden: may not specify more than 1 handler type")]
