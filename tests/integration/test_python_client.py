"""The official Python client: typed reads deserialize, typed writes and watches work, dynamic client lists."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from kubernetes import client, config, watch
from kubernetes.dynamic import DynamicClient

from tests.integration.conftest import Cluster

NS = "pyclient"


@pytest.fixture(scope="module")
def api(cluster: Cluster) -> client.ApiClient:
    api_client = config.new_client_from_config(config_file=str(cluster.kubeconfig))
    client.CoreV1Api(api_client).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
    return api_client


def _template() -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "py"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}


def _selector() -> dict[str, Any]:
    return {"matchLabels": {"app": "py"}}


BODIES: dict[str, dict[str, Any]] = {
    "configmap": {"data": {"a": "1"}},
    "secret": {"stringData": {"pw": "x"}},
    "service": {"spec": {"ports": [{"port": 80}], "selector": {"app": "py"}}},
    "pod": {"spec": _template()["spec"]},
    "deployment": {"spec": {"selector": _selector(), "template": _template()}},
    "statefulset": {"spec": {"selector": _selector(), "serviceName": "py", "template": _template()}},
    "daemonset": {"spec": {"selector": _selector(), "template": _template()}},
    "replicaset": {"spec": {"selector": _selector(), "template": _template()}},
    "job": {"spec": {"template": {**_template(), "spec": {**_template()["spec"], "restartPolicy": "Never"}}}},
    "cronjob": {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {
        **_template(), "spec": {**_template()["spec"], "restartPolicy": "Never"}}}}}},
    "ingress": {"spec": {"defaultBackend": {"service": {"name": "py", "port": {"number": 80}}}}},
    "network_policy": {"spec": {"podSelector": {}}},
}
APIS: dict[str, Callable[[client.ApiClient], Any]] = {
    "configmap": client.CoreV1Api, "secret": client.CoreV1Api, "service": client.CoreV1Api,
    "pod": client.CoreV1Api, "deployment": client.AppsV1Api, "statefulset": client.AppsV1Api,
    "daemonset": client.AppsV1Api, "replicaset": client.AppsV1Api, "job": client.BatchV1Api,
    "cronjob": client.BatchV1Api, "ingress": client.NetworkingV1Api, "network_policy": client.NetworkingV1Api,
}
KINDS = {"configmap": "config_map", "statefulset": "stateful_set", "daemonset": "daemon_set",
         "replicaset": "replica_set", "cronjob": "cron_job"}


@pytest.mark.parametrize("kind", list(BODIES))
def test_typed_create_list_patch_delete(api: client.ApiClient, kind: str) -> None:
    typed = APIS[kind](api)
    suffix = KINDS.get(kind, kind)
    body = {"metadata": {"name": f"py-{kind.replace('_', '')}"}, **BODIES[kind]}
    created = getattr(typed, f"create_namespaced_{suffix}")(NS, body)
    name = created.metadata.name
    listed = getattr(typed, f"list_namespaced_{suffix}")(NS)
    assert name in {o.metadata.name for o in listed.items}
    patched = getattr(typed, f"patch_namespaced_{suffix}")(name, NS, {"metadata": {"labels": {"patched": "yes"}}})
    assert patched.metadata.labels["patched"] == "yes"
    read = getattr(typed, f"read_namespaced_{suffix}")(name, NS)
    assert read.metadata.resource_version == patched.metadata.resource_version
    getattr(typed, f"delete_namespaced_{suffix}")(name, NS)


def test_cluster_scoped_and_event_reads_deserialize(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    assert {"default", NS} <= {n.metadata.name for n in core.list_namespace().items}
    core.list_event_for_all_namespaces()
    core.list_pod_for_all_namespaces()
    client.AppsV1Api(api).list_deployment_for_all_namespaces()


def test_typed_watch_sees_a_create(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, {"metadata": {"name": "watched"}, "data": {"k": "v"}})
    w = watch.Watch()
    seen = []
    for event in w.stream(core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == "watched":
            w.stop()
    assert ("ADDED", "watched") in seen


def test_dynamic_client_lists_and_gets(api: client.ApiClient) -> None:
    dyn = DynamicClient(api)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    dyn_cm = dyn.resources.get(api_version="v1", kind="ConfigMap")
    dyn_cm.create(body={"metadata": {"name": "dyn"}, "data": {"x": "1"}}, namespace=NS)
    assert dyn_cm.get(name="dyn", namespace=NS).data.x == "1"
    assert "dyn" in {i.metadata.name for i in dyn_cm.get(namespace=NS).items}
    assert deployments.get(namespace=NS).kind == "DeploymentList"
