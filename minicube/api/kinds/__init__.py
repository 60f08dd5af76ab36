"""The built-in kinds, and REGISTRY holding them in discovery order (as upstream lists
/api/v1: alphabetical by resource)."""

from __future__ import annotations

from minicube.api.kinds.configmaps import CONFIG_MAP
from minicube.api.kinds.cronjobs import CRON_JOB
from minicube.api.kinds.daemonsets import DAEMON_SET
from minicube.api.kinds.deployments import DEPLOYMENT
from minicube.api.kinds.endpoints import ENDPOINT_SLICE, ENDPOINTS
from minicube.api.kinds.events import EVENT
from minicube.api.kinds.ingressclasses import INGRESS_CLASS
from minicube.api.kinds.ingresses import INGRESS
from minicube.api.kinds.jobs import JOB
from minicube.api.kinds.namespaces import NAMESPACE
from minicube.api.kinds.networkpolicies import NETWORK_POLICY
from minicube.api.kinds.nodes import NODE
from minicube.api.kinds.persistentvolumes import PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM
from minicube.api.kinds.pods import POD
from minicube.api.kinds.replicasets import REPLICA_SET
from minicube.api.kinds.secrets import SECRET
from minicube.api.kinds.services import SERVICE
from minicube.api.kinds.statefulsets import STATEFUL_SET
from minicube.api.kinds.storageclasses import STORAGE_CLASS
from minicube.api.registry import Kind, Registry

BUILTIN: tuple[Kind, ...] = (CONFIG_MAP, ENDPOINTS, EVENT, NAMESPACE, NODE,
                             PERSISTENT_VOLUME_CLAIM, PERSISTENT_VOLUME, POD, SECRET, SERVICE,
                             DAEMON_SET, DEPLOYMENT, REPLICA_SET, STATEFUL_SET,
                             CRON_JOB, JOB, STORAGE_CLASS,
                             ENDPOINT_SLICE, INGRESS_CLASS, INGRESS, NETWORK_POLICY)

REGISTRY = Registry()
for _kind in BUILTIN:
    REGISTRY.add(_kind)

__all__ = ["BUILTIN", "CONFIG_MAP", "CRON_JOB", "DAEMON_SET", "DEPLOYMENT", "ENDPOINTS",
           "ENDPOINT_SLICE", "EVENT", "INGRESS", "INGRESS_CLASS", "JOB", "NAMESPACE", "NETWORK_POLICY", "NODE", "PERSISTENT_VOLUME",
           "PERSISTENT_VOLUME_CLAIM", "POD", "REGISTRY", "REPLICA_SET", "SECRET",
           "SERVICE", "STATEFUL_SET", "STORAGE_CLASS"]
