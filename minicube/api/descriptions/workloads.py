"""Descriptions of the apps/v1 workload kinds (Deployment, ReplicaSet, StatefulSet, ...)."""

from __future__ import annotations

from minicube.api.descriptions.base import (LABEL_SELECTOR, TOP_LEVEL, Descriptions, conditions,
                                            merged, under)
from minicube.api.descriptions.pods import POD_TEMPLATE
from minicube.api.descriptions.storage import PVC

_SELECTOR = merged({"": "Label query over pods that this object owns; must match the "
                        "template's labels and cannot change after creation."},
                   LABEL_SELECTOR)
_MIN_READY = ("Seconds a new pod must stay Ready, with no container crashing, before it "
              "counts as available. Default 0.")
_HISTORY = "How many old revisions to keep for rolling back. Default 10."
_COLLISIONS = "Counter used to make revision names unique when their hashes collide."
_OBSERVED = "The metadata.generation the controller last acted on."


def _workload(spec: Descriptions) -> Descriptions:
    """A controller's spec with the pod selector and pod template every workload has."""
    return merged(under("spec.selector", _SELECTOR), under("spec.template", POD_TEMPLATE),
                  {"spec": "Desired state: which pods, how many, and how to update them.",
                   "status": "Observed state, written by the controller. Read-only."},
                  under("spec", spec))


_MAX_UNAVAILABLE = ("Pods that may be unavailable during the update: a number or a "
                    "percentage of the desired count (rounded down). Default 25%.")
_MAX_SURGE = ("Pods that may be created above the desired count during the update: a number "
              "or a percentage (rounded up). Default 25%. Cannot be 0 when maxUnavailable is 0.")

DEPLOYMENT: Descriptions = merged(
    {"": "Runs a set of identical, interchangeable pods through ReplicaSets and rolls out "
         "changes to their template gradually, keeping old revisions for rollback."},
    TOP_LEVEL,
    _workload({
        "replicas": "Number of pods wanted. Default 1.",
        "strategy": "How pods of the old revision are replaced by pods of the new one.",
        "strategy.type": "RollingUpdate (default): replace pods gradually; Recreate: delete "
                         "all old pods before creating new ones.",
        "strategy.rollingUpdate": "Limits of a rolling update; only with type RollingUpdate.",
        "strategy.rollingUpdate.maxUnavailable": _MAX_UNAVAILABLE,
        "strategy.rollingUpdate.maxSurge": _MAX_SURGE,
        "minReadySeconds": _MIN_READY,
        "revisionHistoryLimit": _HISTORY,
        "paused": "While true, template changes start no rollout. Default false.",
        "progressDeadlineSeconds": "Seconds a rollout may go without progress before the "
                                   "Progressing condition turns False "
                                   "(ProgressDeadlineExceeded). Default 600.",
    }),
    under("status", {
        "observedGeneration": _OBSERVED,
        "replicas": "Pods of all revisions that the deployment's ReplicaSets own.",
        "updatedReplicas": "Pods already running the current template.",
        "readyReplicas": "Pods that are Ready.",
        "availableReplicas": "Pods Ready for at least minReadySeconds.",
        "unavailableReplicas": "Pods still needed for the deployment to be fully available.",
        "terminatingReplicas": "Pods being deleted.",
        "collisionCount": _COLLISIONS,
        **conditions({"lastUpdateTime": "When the condition was last written."}),
    }))

REPLICA_SET: Descriptions = merged(
    {"": "Keeps a given number of pods matching a selector running. Usually created and "
         "managed by a Deployment rather than by hand."},
    TOP_LEVEL,
    _workload({"replicas": "Number of pods wanted. Default 1.",
               "minReadySeconds": _MIN_READY}),
    under("status", {
        "replicas": "Pods the ReplicaSet currently owns.",
        "fullyLabeledReplicas": "Pods whose labels match the template's labels.",
        "readyReplicas": "Pods that are Ready.",
        "availableReplicas": "Pods Ready for at least minReadySeconds.",
        "terminatingReplicas": "Pods being deleted.",
        "observedGeneration": _OBSERVED,
        **conditions(),
    }))

STATEFUL_SET: Descriptions = merged(
    {"": "Runs pods with stable identities: each gets an ordinal name (web-0, web-1, ...), a "
         "stable DNS name through a headless Service and its own PersistentVolumeClaims."},
    TOP_LEVEL,
    _workload({
        "replicas": "Number of pods wanted. Default 1.",
        "serviceName": "Headless Service giving each pod the DNS name "
                       "<pod>.<serviceName>.<namespace>.svc.",
        "volumeClaimTemplates": "Claims created for each pod (named <template>-<pod>) and "
                                "mounted by name; they outlive the pods.",
        "podManagementPolicy": "OrderedReady (default): create and delete pods one at a "
                               "time in ordinal order, each Ready first; Parallel: all at "
                               "once.",
        "updateStrategy": "How pods are updated when the template changes.",
        "updateStrategy.type": "RollingUpdate (default): replace pods from the highest "
                               "ordinal down; OnDelete: only when you delete a pod.",
        "updateStrategy.rollingUpdate": "Options of a rolling update.",
        "updateStrategy.rollingUpdate.partition": "Only pods with an ordinal at or above this "
                                                  "are updated (for staged rollouts). "
                                                  "Default 0.",
        "updateStrategy.rollingUpdate.maxUnavailable": "Pods that may be unavailable during "
                                                       "the update (number or percentage). "
                                                       "Default 1.",
        "revisionHistoryLimit": _HISTORY,
        "minReadySeconds": _MIN_READY,
        "persistentVolumeClaimRetentionPolicy": "Whether the claims from "
                                                "volumeClaimTemplates are deleted with the "
                                                "pods.",
        "persistentVolumeClaimRetentionPolicy.whenDeleted": "Retain (default) or Delete the "
                                                            "claims when the StatefulSet is "
                                                            "deleted.",
        "persistentVolumeClaimRetentionPolicy.whenScaled": "Retain (default) or Delete the "
                                                           "claims of pods removed by "
                                                           "scaling down.",
        "ordinals": "Numbering of the pods.",
        "ordinals.start": "First ordinal. Default 0.",
    }),
    under("spec.volumeClaimTemplates", {
        "apiVersion": "v1 (may be omitted).", "kind": "PersistentVolumeClaim (may be omitted).",
        "metadata": "The claims' name prefix (required) and labels.", **PVC}),
    under("status", {
        "observedGeneration": _OBSERVED,
        "replicas": "Pods the StatefulSet owns.",
        "readyReplicas": "Pods that are Ready.",
        "availableReplicas": "Pods Ready for at least minReadySeconds.",
        "currentReplicas": "Pods at currentRevision.",
        "updatedReplicas": "Pods at updateRevision.",
        "currentRevision": "Revision (ControllerRevision name) of the older pods.",
        "updateRevision": "Revision the pods are being updated to.",
        "collisionCount": _COLLISIONS,
        **conditions(),
    }))

DAEMON_SET: Descriptions = merged(
    {"": "Runs one copy of a pod on every node (or every node its selector and tolerations "
         "allow), e.g. for log collectors and node agents."},
    TOP_LEVEL,
    _workload({
        "updateStrategy": "How pods are replaced when the template changes.",
        "updateStrategy.type": "RollingUpdate (default) or OnDelete (only when you delete "
                               "a pod).",
        "updateStrategy.rollingUpdate": "Options of a rolling update.",
        "updateStrategy.rollingUpdate.maxUnavailable": "Nodes whose pod may be unavailable "
                                                       "during the update (number or "
                                                       "percentage). Default 1.",
        "updateStrategy.rollingUpdate.maxSurge": "Nodes that may briefly run a new pod "
                                                 "beside the old one. Default 0.",
        "minReadySeconds": _MIN_READY,
        "revisionHistoryLimit": _HISTORY,
    }),
    under("status", {
        "desiredNumberScheduled": "Nodes that should run the pod.",
        "currentNumberScheduled": "Nodes running at least one of the pods as they should.",
        "numberMisscheduled": "Nodes running the pod that should not.",
        "numberReady": "Nodes whose pod is Ready.",
        "updatedNumberScheduled": "Nodes running the current template.",
        "numberAvailable": "Nodes whose pod has been Ready for minReadySeconds.",
        "numberUnavailable": "Nodes that should run an available pod and do not.",
        "collisionCount": _COLLISIONS,
        "observedGeneration": _OBSERVED,
        **conditions(),
    }))

KINDS: dict[tuple[str, str], Descriptions] = {
    ("apps", "Deployment"): DEPLOYMENT,
    ("apps", "ReplicaSet"): REPLICA_SET,
    ("apps", "StatefulSet"): STATEFUL_SET,
    ("apps", "DaemonSet"): DAEMON_SET,
    ("apps", "ControllerRevision"): merged(
        {"": "An immutable snapshot of a StatefulSet's or DaemonSet's pod template, kept so "
             "the controller can roll back to it.",
         "data": "The saved state (a patch of the owner's spec).",
         "revision": "Revision number, increasing with each change."}, TOP_LEVEL),
}
