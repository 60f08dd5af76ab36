"""The built-in kinds, and REGISTRY holding them in discovery order (as upstream lists
/api/v1: alphabetical by resource)."""

from __future__ import annotations

from minicube.api.kinds.access import (CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ROLE, ROLE_BINDING,
                                       SERVICE_ACCOUNT)
from minicube.api.kinds.configmaps import CONFIG_MAP
from minicube.api.kinds.controllerrevisions import CONTROLLER_REVISION
from minicube.api.kinds.cronjobs import CRON_JOB
from minicube.api.kinds.customresourcedefinitions import CUSTOM_RESOURCE_DEFINITION
from minicube.api.kinds.daemonsets import DAEMON_SET
from minicube.api.kinds.deployments import DEPLOYMENT
from minicube.api.kinds.endpoints import ENDPOINT_SLICE, ENDPOINTS
from minicube.api.kinds.events import EVENT
from minicube.api.kinds.events_v1 import EVENT_V1
from minicube.api.kinds.ingressclasses import INGRESS_CLASS
from minicube.api.kinds.ingresses import INGRESS
from minicube.api.kinds.jobs import JOB
from minicube.api.kinds.metrics import NODE_METRICS, POD_METRICS
from minicube.api.kinds.namespaces import NAMESPACE
from minicube.api.kinds.networkpolicies import NETWORK_POLICY
from minicube.api.kinds.nodes import NODE
from minicube.api.kinds.persistentvolumes import PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM
from minicube.api.kinds.pods import POD
from minicube.api.kinds.policies import (HORIZONTAL_POD_AUTOSCALER, HORIZONTAL_POD_AUTOSCALER_V1,
                                         LEASE, LIMIT_RANGE,
                                         POD_DISRUPTION_BUDGET, PRIORITY_CLASS, RESOURCE_QUOTA)
from minicube.api.kinds.replicasets import REPLICA_SET
from minicube.api.kinds.secrets import SECRET
from minicube.api.kinds.services import SERVICE
from minicube.api.kinds.statefulsets import STATEFUL_SET
from minicube.api.kinds.storageclasses import STORAGE_CLASS
from minicube.api.kinds.reviews import (LOCAL_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_ACCESS_REVIEW,
                                        SELF_SUBJECT_REVIEW, SELF_SUBJECT_RULES_REVIEW,
                                        SUBJECT_ACCESS_REVIEW)
from minicube.api.registry import Kind, Registry

BUILTIN: tuple[Kind, ...] = (CONFIG_MAP, ENDPOINTS, EVENT, LIMIT_RANGE, NAMESPACE, NODE,
                             PERSISTENT_VOLUME_CLAIM, PERSISTENT_VOLUME, POD, RESOURCE_QUOTA,
                             SECRET, SERVICE_ACCOUNT, SERVICE,
                             CONTROLLER_REVISION, DAEMON_SET, DEPLOYMENT, REPLICA_SET,
                             STATEFUL_SET, EVENT_V1, SELF_SUBJECT_REVIEW, LOCAL_SUBJECT_ACCESS_REVIEW,
                             SELF_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_RULES_REVIEW,
                             SUBJECT_ACCESS_REVIEW,
                             HORIZONTAL_POD_AUTOSCALER, HORIZONTAL_POD_AUTOSCALER_V1,
                             CRON_JOB, JOB, STORAGE_CLASS,
                             ENDPOINT_SLICE, INGRESS_CLASS, INGRESS, NETWORK_POLICY,
                             POD_DISRUPTION_BUDGET, CLUSTER_ROLE_BINDING, CLUSTER_ROLE,
                             ROLE_BINDING, ROLE, CUSTOM_RESOURCE_DEFINITION, PRIORITY_CLASS,
                             LEASE, NODE_METRICS, POD_METRICS)

REGISTRY = Registry()
for _kind in BUILTIN:
    REGISTRY.add(_kind)

__all__ = ["BUILTIN", "CLUSTER_ROLE", "CLUSTER_ROLE_BINDING", "CONFIG_MAP", "CONTROLLER_REVISION",
           "CRON_JOB", "CUSTOM_RESOURCE_DEFINITION",
           "DAEMON_SET", "DEPLOYMENT", "ENDPOINTS", "ENDPOINT_SLICE", "EVENT", "EVENT_V1",
           "HORIZONTAL_POD_AUTOSCALER", "HORIZONTAL_POD_AUTOSCALER_V1", "INGRESS", "INGRESS_CLASS",
           "JOB", "LEASE", "LIMIT_RANGE",
           "LOCAL_SUBJECT_ACCESS_REVIEW",
           "NAMESPACE", "NETWORK_POLICY", "NODE", "NODE_METRICS", "PERSISTENT_VOLUME",
           "PERSISTENT_VOLUME_CLAIM", "POD", "POD_METRICS", "POD_DISRUPTION_BUDGET", "PRIORITY_CLASS", "REGISTRY", "REPLICA_SET",
           "RESOURCE_QUOTA", "ROLE", "ROLE_BINDING", "SECRET", "SELF_SUBJECT_ACCESS_REVIEW",
           "SELF_SUBJECT_REVIEW", "SELF_SUBJECT_RULES_REVIEW", "SERVICE", "SERVICE_ACCOUNT",
           "STATEFUL_SET", "STORAGE_CLASS", "SUBJECT_ACCESS_REVIEW"]
