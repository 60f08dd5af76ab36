"""The node's Lease in `kube-node-lease`: the cheap heartbeat that says the kubelet is alive.

As upstream's kubelet since node leases: the Lease (named after the node, owned by the Node
object) is renewed every 10 s with a 40 s duration, while the Node's status is written only
when it changes or every few minutes (node_status.py). `kubectl describe node` shows it.
"""

from __future__ import annotations

from typing import Any

from minicube.api.errors import AlreadyExists, Conflict, NotFound
from minicube.api.meta import now
from minicube.client import Client

Obj = dict[str, Any]

NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
API_VERSION = "coordination.k8s.io/v1"


def lease_for(node: Obj, renew_time: str) -> Obj:
    """The node's Lease, held by the node and owned by it (it goes when the Node does)."""
    name = node["metadata"]["name"]
    return {"apiVersion": API_VERSION, "kind": "Lease",
            "metadata": {"name": name, "namespace": NAMESPACE, "ownerReferences": [{
                "apiVersion": "v1", "kind": "Node", "name": name,
                "uid": node["metadata"].get("uid", "")}]},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                     "renewTime": renew_time}}


async def renew(client: Client, node: Obj) -> None:
    """Renew the node's Lease, creating it (again) when missing."""
    name = node["metadata"]["name"]
    try:
        await client.patch(API_VERSION, "leases", name, {"spec": {"renewTime": now(micro=True)}},
                           namespace=NAMESPACE)
    except NotFound:
        try:
            await client.create(API_VERSION, "leases", lease_for(node, now(micro=True)),
                                namespace=NAMESPACE)
        except (AlreadyExists, Conflict):
            pass  # created meanwhile: renewed at the next beat
