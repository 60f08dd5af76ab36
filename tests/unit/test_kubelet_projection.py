"""configMap/secret/downwardAPI/projected volume files, with upstream's rules."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from minicube.kubelet.projection import (ProjectionError, downward_payload, keys_payload,
                                         projected_payload, volume_references)
from tests.unit.kubelet_fixtures import make_pod

CM = {"data": {"a": "1", "b": "2"}, "binaryData": {"bin": base64.b64encode(b"\x00").decode()}}


def contents(payload: dict[str, Any]) -> dict[str, tuple[bytes, int]]:
    return {k: (v.data, v.mode) for k, v in payload.items()}


def test_every_key_becomes_a_file_with_the_default_mode() -> None:
    assert contents(keys_payload("configmaps", "cm", CM, None, 0o644, False, None)) == {
        "a": (b"1", 0o644), "b": (b"2", 0o644), "bin": (b"\x00", 0o644)}


def test_items_pick_rename_and_set_modes() -> None:
    items = [{"key": "a", "path": "conf/a.txt", "mode": 0o400}]
    assert contents(keys_payload("configmaps", "cm", CM, items, 0o644, False, None)) == {
        "conf/a.txt": (b"1", 0o400)}


def test_missing_objects_and_keys_fail_unless_optional() -> None:
    with pytest.raises(ProjectionError, match='configmap "cm" not found'):
        keys_payload("configmaps", "cm", None, None, 0o644, False, None)
    assert keys_payload("secrets", "s", None, None, 0o644, True, None) == {}
    with pytest.raises(ProjectionError, match="non-existent config key: zz"):
        keys_payload("configmaps", "cm", CM, [{"key": "zz", "path": "z"}], 0o644, False, None)


def test_secrets_are_decoded_and_an_fs_group_owns_and_reads_them() -> None:
    secret = {"data": {"pw": base64.b64encode(b"s3cr3t").decode()}}
    f = keys_payload("secrets", "s", secret, None, 0o400, False, 2000)["pw"]
    assert (f.data, f.mode, f.gid) == (b"s3cr3t", 0o440, 2000)


def test_downward_api_labels_names_and_resources() -> None:
    pod = make_pod()
    pod["spec"]["containers"][0]["resources"] = {"limits": {"memory": "64Mi"}}
    items = [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
             {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
             {"path": "mem", "resourceFieldRef": {"containerName": "web",
                                                  "resource": "limits.memory", "divisor": "1Mi"}}]
    payload = downward_payload(pod, items, 0o644, None, node_name="n", allocatable={})
    assert {k: v.data for k, v in payload.items()} == {
        "labels": b'app="web"', "name": b"web", "mem": b"64"}


def test_projected_sources_merge_and_unsupported_ones_are_reported() -> None:
    told: list[str] = []
    source = {"sources": [{"configMap": {"name": "cm", "items": [{"key": "a", "path": "a"}]}},
                          {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {
                              "fieldPath": "metadata.namespace"}}]}},
                          {"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}},
                          {"clusterTrustBundle": {"path": "b"}}], "defaultMode": 0o600}
    payload = projected_payload(make_pod(), source, {("configmaps", "cm"): CM}, None,
                                node_name="n", allocatable={}, skipped=told.append,
                                tokens={("", 3607): "jwt"}, token_errors={})
    assert contents(payload) == {"a": (b"1", 0o600), "ns": (b"default", 0o600),
                                 "token": (b"jwt", 0o600)}
    assert told == ["clusterTrustBundle"]


def test_a_token_that_could_not_be_fetched_fails_the_volume() -> None:
    source = {"sources": [{"serviceAccountToken": {"path": "token", "audience": "vault"}}]}
    with pytest.raises(ProjectionError, match="not found"):
        projected_payload(make_pod(), source, {}, None, node_name="n", allocatable={},
                          skipped=lambda _k: None, tokens={("", 3600): "jwt"},
                          token_errors={("vault", 3600): 'failed to fetch token: serviceaccounts "x" not found'})


def test_volume_references_name_every_configmap_and_secret() -> None:
    volumes = [{"name": "a", "configMap": {"name": "cm"}},
               {"name": "b", "secret": {"secretName": "s"}},
               {"name": "c", "projected": {"sources": [{"secret": {"name": "s2"}}]}},
               {"name": "d", "emptyDir": {}}]
    assert volume_references(volumes) == {("configmaps", "cm"), ("secrets", "s"), ("secrets", "s2")}
