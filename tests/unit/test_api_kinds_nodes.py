import pytest

from minicube.api.kinds import NODE
from minicube.api.tables import table

NODE_OBJ = {
    "metadata": {"name": "minicube", "labels": {"node-role.kubernetes.io/control-plane": ""},
                 "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {"podCIDR": "10.244.0.0/16", "podCIDRs": ["10.244.0.0/16"]},
    "status": {
        "conditions": [{"type": "Ready", "status": "True"}],
        "addresses": [{"type": "InternalIP", "address": "172.17.0.2"}, {"type": "Hostname", "address": "minicube"}],
        "nodeInfo": {"kubeletVersion": "v1.32.0-minicube", "osImage": "Debian GNU/Linux 12",
                     "kernelVersion": "6.1.0", "containerRuntimeVersion": "docker://20.10.24"},
        "capacity": {"cpu": "2", "memory": "24Gi", "pods": "110"},
    },
}


def _cells(node: dict) -> dict:
    t = table(NODE, [node])
    return dict(zip([c["name"] for c in t["columnDefinitions"]], t["rows"][0]["cells"]))


def test_node_row() -> None:
    cells = _cells(NODE_OBJ)
    assert {k: v for k, v in cells.items() if k != "Age"} == {
        "Name": "minicube", "Status": "Ready", "Roles": "control-plane", "Version": "v1.32.0-minicube",
        "Internal-IP": "172.17.0.2", "External-IP": "<none>", "OS-Image": "Debian GNU/Linux 12",
        "Kernel-Version": "6.1.0", "Container-Runtime": "docker://20.10.24"}


@pytest.mark.parametrize("conditions, unschedulable, status", [
    ([{"type": "Ready", "status": "False"}], False, "NotReady"),
    ([], False, "Unknown"),
    ([{"type": "Ready", "status": "True"}], True, "Ready,SchedulingDisabled"),
])
def test_node_status(conditions: list, unschedulable: bool, status: str) -> None:
    node = {**NODE_OBJ, "spec": {"unschedulable": unschedulable}, "status": {"conditions": conditions}}
    assert _cells(node)["Status"] == status


def test_roles_none_and_legacy_label() -> None:
    assert _cells({**NODE_OBJ, "metadata": {"name": "n"}})["Roles"] == "<none>"
    assert _cells({**NODE_OBJ, "metadata": {"name": "n", "labels": {"kubernetes.io/role": "w"}}})["Roles"] == "w"


def test_node_schema_accepts_kubelet_status() -> None:
    from minicube.api import schema
    assert schema.unknown_fields(NODE.schema, NODE_OBJ) == [] == schema.type_errors(NODE.schema, NODE_OBJ)  # type: ignore[arg-type]


def test_node_fields() -> None:
    assert NODE.fields_of({"metadata": {"name": "n"}, "spec": {"unschedulable": True}})["spec.unschedulable"] == "true"


def test_node_names_are_subdomains_without_namespace() -> None:
    assert NODE.validate({"metadata": {"name": "minicube"}}) == []  # type: ignore[misc]
    assert NODE.validate({"metadata": {"name": "Mini"}})[0]["field"] == "metadata.name"  # type: ignore[misc]
