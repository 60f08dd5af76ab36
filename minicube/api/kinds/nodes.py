"""core/v1 Node: cluster-scoped; the kubelet registers it and keeps its status current."""

from __future__ import annotations

from minicube.api.kinds.common import condition, get, kind_schema
from minicube.api.meta import is_dns1123_subdomain, validate_object_meta
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import (arr, int32, int64, map_of, obj_, open_object, quantity, string,
                                 strings, time)
from minicube.api.tables import AGE

_ROLE_PREFIX = "node-role.kubernetes.io/"

_node_info = obj_({k: string for k in (
    "machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion",
    "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture")} | {
    "swap": open_object})

SCHEMA = kind_schema(
    spec=obj_({
        "podCIDR": string, "podCIDRs": strings, "providerID": string,
        "unschedulable": {"type": "boolean"}, "externalID": string, "configSource": open_object,
        "taints": arr(obj_({"key": string, "value": string, "effect": string,
                            "timeAdded": time}, required=["key", "effect"])),
    }),
    status=obj_({
        "capacity": map_of(quantity), "allocatable": map_of(quantity), "phase": string,
        "conditions": arr(condition(lastHeartbeatTime=time)),
        "addresses": arr(obj_({"type": string, "address": string},
                              required=["type", "address"])),
        "daemonEndpoints": obj_({"kubeletEndpoint": obj_({"Port": int32})}),
        "nodeInfo": _node_info,
        "images": arr(obj_({"names": strings, "sizeBytes": int64})),
        "volumesInUse": strings,
        "volumesAttached": arr(obj_({"name": string, "devicePath": string})),
        "config": open_object, "runtimeHandlers": arr(open_object), "features": open_object,
    }),
)


def status_cell(node: Obj) -> str:
    """`Ready`, `NotReady` or `Unknown`, plus `,SchedulingDisabled` when cordoned."""
    ready = next((c for c in get(node, "status", "conditions", default=[])
                  if c.get("type") == "Ready"), None)
    parts = ["Unknown" if ready is None else
             "Ready" if ready.get("status") == "True" else "NotReady"]
    if get(node, "spec", "unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def roles(node: Obj) -> str:
    found = set()
    for key, value in (get(node, "metadata", "labels", default={})).items():
        if key.startswith(_ROLE_PREFIX) and key[len(_ROLE_PREFIX):]:
            found.add(key[len(_ROLE_PREFIX):])
        elif key == "kubernetes.io/role" and value:
            found.add(value)
    return ",".join(sorted(found)) or "<none>"


def _address(node: Obj, type_: str) -> str:
    return next((a.get("address", "") for a in get(node, "status", "addresses", default=[])
                 if a.get("type") == type_), "<none>")


def _info(field: str) -> Column:
    names = {"osImage": "OS-Image", "kernelVersion": "Kernel-Version",
             "containerRuntimeVersion": "Container-Runtime"}
    return Column(names[field], lambda n: get(n, "status", "nodeInfo", field) or "<unknown>",
                  priority=1, description=f"The node's nodeInfo.{field}.")


COLUMNS = (
    Column("Status", status_cell, description="Whether the node is ready for pods."),
    Column("Roles", roles, description="The node's roles, from node-role.kubernetes.io labels."),
    AGE,
    Column("Version", lambda n: get(n, "status", "nodeInfo", "kubeletVersion", default=""),
           description="The kubelet's version."),
    Column("Internal-IP", lambda n: _address(n, "InternalIP"), priority=1,
           description="The node's InternalIP address."),
    Column("External-IP", lambda n: _address(n, "ExternalIP"), priority=1,
           description="The node's ExternalIP address."),
    _info("osImage"), _info("kernelVersion"), _info("containerRuntimeVersion"),
)


def _validate(node: Obj) -> list[Cause]:
    return validate_object_meta(node, namespaced=False, name_validator=is_dns1123_subdomain)


NODE = Kind(
    group="", version="v1", kind="Node", plural="nodes", namespaced=False, short_names=("no",),
    subresources=("status",), columns=COLUMNS, schema=SCHEMA, validate=_validate,
    selectable_fields=lambda n: {
        "spec.unschedulable": "true" if get(n, "spec", "unschedulable") else "false"},
)
