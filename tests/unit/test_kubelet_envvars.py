"""Container environments: literals, ConfigMap/Secret keys, the downward API, errors."""

from __future__ import annotations

from typing import Any

import pytest

from minicube.kubelet.containers import ContainerWaiting
from minicube.kubelet.envvars import data_of, expand, references, resolve_env
from tests.unit.kubelet_fixtures import make_pod


def env_of(env: list[dict[str, Any]], sources: dict[Any, Any] | None = None,
           **container: Any) -> dict[str, str]:
    c = {"name": "web", "image": "x", "env": env, **container}
    return dict(resolve_env(make_pod(), c, sources or {}, node_name="minicube",
                            host_ip="192.168.49.2", pod_ip="10.244.0.5"))


def cm_ref(name: str, key: str, **extra: Any) -> dict[str, Any]:
    return {"name": "V", "valueFrom": {"configMapKeyRef": {"name": name, "key": key, **extra}}}


def test_literal_values_and_references_to_earlier_ones() -> None:
    assert env_of([{"name": "A", "value": "1"}, {"name": "B", "value": "$(A)-$(NOPE)-$$"}]) == {
        "A": "1", "B": "1-$(NOPE)-$"}


def test_configmap_and_secret_keys() -> None:
    secret = {"kind": "Secret", "data": {"pw": "czNjcjN0"}}
    sources = {("configmaps", "cfg"): {"k": "v"}, ("secrets", "s"): data_of("secrets", secret)}
    env = env_of([cm_ref("cfg", "k"),
                  {"name": "P", "valueFrom": {"secretKeyRef": {"name": "s", "key": "pw"}}}], sources)
    assert env == {"V": "v", "P": "s3cr3t"}


def test_a_missing_configmap_is_a_config_error_with_upstreams_message() -> None:
    with pytest.raises(ContainerWaiting) as e:
        env_of([cm_ref("cfg", "k")], {("configmaps", "cfg"): None})
    assert (e.value.reason, e.value.message) == ("CreateContainerConfigError",
                                                 'configmap "cfg" not found')


def test_a_missing_key_names_the_configmap() -> None:
    with pytest.raises(ContainerWaiting, match="couldn't find key k in ConfigMap default/cfg"):
        env_of([cm_ref("cfg", "k")], {("configmaps", "cfg"): {}})


def test_optional_references_may_be_missing() -> None:
    assert env_of([cm_ref("cfg", "k", optional=True)], {("configmaps", "cfg"): None}) == {}


def test_field_refs_come_from_the_pod_and_the_node() -> None:
    env = env_of([{"name": n, "valueFrom": {"fieldRef": {"fieldPath": p}}} for n, p in [
        ("N", "metadata.name"), ("IP", "status.podIP"), ("H", "status.hostIP"),
        ("NODE", "spec.nodeName"), ("APP", "metadata.labels['app']")]])
    assert env == {"N": "web", "IP": "10.244.0.5", "H": "192.168.49.2", "NODE": "minicube",
                   "APP": "web"}


def test_env_from_with_prefix_then_env_overrides() -> None:
    env = env_of([{"name": "X_a", "value": "mine"}], {("configmaps", "cfg"): {"a": "1", "b": "2"}},
                 envFrom=[{"prefix": "X_", "configMapRef": {"name": "cfg"}}])
    assert env == {"X_a": "mine", "X_b": "2"}


def test_references_lists_every_source() -> None:
    c = {"env": [cm_ref("cfg", "k")], "envFrom": [{"secretRef": {"name": "s"}}]}
    assert references(c) == {("configmaps", "cfg"), ("secrets", "s")}


def test_expand_leaves_unknown_references() -> None:
    assert expand("$(A) $(B)", {"A": "x"}) == "x $(B)"


def test_resource_field_refs_read_limits_or_the_nodes_allocatable() -> None:
    c = {"name": "web", "image": "x", "resources": {"limits": {"memory": "64Mi"}}, "env": [
        {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory",
                                                           "divisor": "1Mi"}}},
        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu",
                                                           "divisor": "1m"}}}]}
    pod = make_pod()
    pod["spec"]["containers"] = [c]
    env = dict(resolve_env(pod, c, {}, node_name="n", host_ip="h", pod_ip="p",
                           allocatable={"cpu": "2"}))
    assert env == {"MEM": "64", "CPU": "2000"}


def test_env_from_prefixes_keys_and_skips_optional_missing_sources() -> None:
    env = env_of([], {("configmaps", "cfg"): {"A": "1"}, ("secrets", "s"): None},
                 envFrom=[{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"},
                          {"secretRef": {"name": "s", "optional": True}}])
    assert env == {"CFG_A": "1"}
