"""Descriptions of cluster and policy kinds: Namespace, Node, Event, ServiceAccount, quotas and
limits, PriorityClass, Lease, HorizontalPodAutoscaler, PodDisruptionBudget."""

from __future__ import annotations

from minicube.api.descriptions.base import (LABEL_SELECTOR, OBJECT_REFERENCE, TOP_LEVEL,
                                            Descriptions, conditions, merged, under)

_REGARDING = "The object the event is about (a pod, a deployment, ...)."
_RELATED = "A second object involved, if any (e.g. the node a pod was bound to)."
_EVENT_TYPE = "Normal or Warning."
_SERIES: Descriptions = {
    "series": "Set when the same event happened repeatedly.",
    "series.count": "How many times it has happened so far.",
    "series.lastObservedTime": "When it last happened.",
}
_SOURCE: Descriptions = {"component": "Component that reported it, e.g. kubelet.",
                         "host": "Node it was reported from."}
_OBSERVED = "The metadata.generation the controller last acted on."

_NODE_STATUS: Descriptions = {
    "capacity": "Total resources of the node (cpu, memory, pods, ephemeral-storage).",
    "allocatable": "Resources left for pods after system reservations; what the scheduler "
                   "uses.",
    "phase": "Deprecated and unused.",
    **conditions({"lastHeartbeatTime": "When the kubelet last reported this condition."}),
    "addresses": "Addresses the node can be reached at.",
    "addresses.type": "InternalIP, ExternalIP, Hostname, ...",
    "addresses.address": "The address.",
    "daemonEndpoints": "Ports of the daemons on the node.",
    "daemonEndpoints.kubeletEndpoint": "The kubelet's API endpoint.",
    "daemonEndpoints.kubeletEndpoint.Port": "Port number the kubelet listens on.",
    "nodeInfo": "Versions and identifiers reported by the kubelet.",
    "nodeInfo.machineID": "Machine ID of the host.",
    "nodeInfo.systemUUID": "System UUID of the host.",
    "nodeInfo.bootID": "ID of the current boot.",
    "nodeInfo.kernelVersion": "Kernel version (uname -r).",
    "nodeInfo.osImage": "Operating system, from /etc/os-release.",
    "nodeInfo.containerRuntimeVersion": "Container runtime and version.",
    "nodeInfo.kubeletVersion": "Kubelet version.",
    "nodeInfo.kubeProxyVersion": "Deprecated; not reliable.",
    "nodeInfo.operatingSystem": "linux or windows.",
    "nodeInfo.architecture": "CPU architecture, e.g. amd64.",
    "nodeInfo.swap": "Swap memory of the node.",
    "images": "Container images present on the node.",
    "images.names": "Names (tags and digests) of the image.",
    "images.sizeBytes": "Size of the image in bytes.",
    "volumesInUse": "Volumes mounted on the node.",
    "volumesAttached": "Volumes attached to the node.",
    "volumesAttached.name": "Name of the volume.",
    "volumesAttached.devicePath": "Where the volume is attached.",
    "config": "State of dynamic kubelet configuration (removed upstream).",
    "runtimeHandlers": "Runtime handlers the node offers.",
    "features": "Optional features the node supports.",
}

_HPA_SPEC: Descriptions = {
    "scaleTargetRef": "The object to scale; it must have a scale subresource.",
    "scaleTargetRef.apiVersion": "API version of the target, e.g. apps/v1.",
    "scaleTargetRef.kind": "Kind of the target, e.g. Deployment.",
    "scaleTargetRef.name": "Name of the target.",
    "minReplicas": "Fewest replicas to scale down to. Default 1.",
    "maxReplicas": "Most replicas to scale up to.",
    "metrics": "Metrics to track, each with a target; the largest replica count asked for "
               "wins. Default: average CPU utilization of 80%.",
    "behavior": "Scaling speed limits and stabilization windows, per direction.",
}
_HPA_STATUS: Descriptions = {
    "observedGeneration": _OBSERVED,
    "lastScaleTime": "When the target was last scaled.",
    "currentReplicas": "Replicas the target had when last checked.",
    "desiredReplicas": "Replicas the autoscaler last asked for.",
    "currentMetrics": "Last values read for each metric.",
    **conditions(),
}
# autoscaling/v1 has one CPU target where v2 has a list of metrics
_HPA_V1_SPEC: Descriptions = {
    **{k: v for k, v in _HPA_SPEC.items() if k not in ("metrics", "behavior")},
    "targetCPUUtilizationPercentage": "Average CPU use to aim for, as a percentage of the "
                                      "pods' CPU requests. Default 80.",
}
_HPA_V1_STATUS: Descriptions = {
    **{k: v for k, v in _HPA_STATUS.items()
       if k == "observedGeneration" or k.startswith(("lastScaleTime", "currentReplicas",
                                                     "desiredReplicas"))},
    "currentCPUUtilizationPercentage": "Average CPU use last measured, as a percentage of "
                                       "the pods' CPU requests.",
}
_PDB: Descriptions = {
    "spec": "Pods covered and how many must stay.",
    "spec.selector": "Pods the budget covers.",
    **under("spec.selector", LABEL_SELECTOR),
    "spec.minAvailable": "Pods that must stay available through evictions: a number or a "
                         "percentage. Mutually exclusive with maxUnavailable.",
    "spec.maxUnavailable": "Pods that may be unavailable through evictions: a number or a "
                           "percentage.",
    "spec.unhealthyPodEvictionPolicy": "IfHealthyBudget (default) or AlwaysAllow: whether "
                                       "running but not Ready pods may be evicted.",
    "status": "Observed state, written by the disruption controller. Read-only.",
    "status.observedGeneration": _OBSERVED,
    "status.disruptedPods": "Pods being evicted, with when the eviction was accepted.",
    "status.disruptionsAllowed": "Evictions allowed right now.",
    "status.currentHealthy": "Healthy pods now.",
    "status.desiredHealthy": "Healthy pods needed.",
    "status.expectedPods": "Pods counted by the budget.",
    **under("status", conditions()),
}

KINDS: dict[tuple[str, ...], Descriptions] = {
    ("", "Namespace"): merged({
        "": "A scope for names: namespaced objects belong to exactly one namespace, and "
            "deleting it deletes everything in it.",
        "spec": "Desired state of the namespace.",
        "spec.finalizers": "Cleanups that must finish before the namespace is removed "
                           "(kubernetes: deleting its contents).",
        "status": "Observed state. Read-only.",
        "status.phase": "Active, or Terminating while its contents are deleted.",
        **under("status", conditions()),
    }, TOP_LEVEL),
    ("", "Node"): merged({
        "": "A machine (here: the minicube container) where the kubelet runs pods. "
            "Cluster-scoped; registered by its kubelet.",
        "spec": "Settings of the node.",
        "spec.podCIDR": "Pod IP range of the node.",
        "spec.podCIDRs": "Pod IP ranges, one per IP family.",
        "spec.providerID": "ID of the machine at its cloud provider.",
        "spec.unschedulable": "When true no new pods are scheduled here (kubectl cordon). "
                              "Default false.",
        "spec.externalID": "Deprecated.",
        "spec.configSource": "Deprecated and ignored.",
        "spec.taints": "Taints repelling pods that do not tolerate them.",
        "spec.taints.key": "Taint key.",
        "spec.taints.value": "Taint value.",
        "spec.taints.effect": "NoSchedule, PreferNoSchedule or NoExecute.",
        "spec.taints.timeAdded": "When a NoExecute taint was added.",
        "status": "Observed state, reported by the kubelet. Read-only.",
        **under("status", _NODE_STATUS),
    }, TOP_LEVEL),
    ("", "Event"): merged({
        "": "A report of something that happened to an object, as shown by kubectl "
            "describe and kubectl events.",
        "involvedObject": _REGARDING,
        **under("involvedObject", OBJECT_REFERENCE),
        "related": _RELATED,
        **under("related", OBJECT_REFERENCE),
        "reason": "Short CamelCase cause, e.g. Scheduled, Pulled or BackOff.",
        "message": "Human-readable description.",
        "type": _EVENT_TYPE,
        "source": "Who reported it.",
        **under("source", _SOURCE),
        "firstTimestamp": "When it first happened.",
        "lastTimestamp": "When it most recently happened.",
        "count": "How many times it has happened.",
        "eventTime": "When it happened, with microseconds.",
        **_SERIES,
        "action": "What was done, or failed, e.g. Binding.",
        "reportingComponent": "Controller that emitted it, e.g. kubelet.",
        "reportingInstance": "Instance of that controller, e.g. the node name.",
    }, TOP_LEVEL),
    ("events.k8s.io", "Event"): merged({
        "": "A report of something that happened to an object; the newer form of the core "
            "v1 Event, over the same stored events.",
        "eventTime": "When it first happened, with microseconds.",
        **_SERIES,
        "reportingController": "Controller that emitted it, e.g. kubernetes.io/kubelet.",
        "reportingInstance": "Instance of that controller, e.g. the node name.",
        "action": "What was done, or failed.",
        "reason": "Short CamelCase cause.",
        "regarding": _REGARDING,
        **under("regarding", OBJECT_REFERENCE),
        "related": _RELATED,
        **under("related", OBJECT_REFERENCE),
        "note": "Human-readable description.",
        "type": _EVENT_TYPE,
        "deprecatedSource": "The core v1 source field.",
        **under("deprecatedSource", _SOURCE),
        "deprecatedFirstTimestamp": "The core v1 firstTimestamp field.",
        "deprecatedLastTimestamp": "The core v1 lastTimestamp field.",
        "deprecatedCount": "The core v1 count field.",
    }, TOP_LEVEL),
    ("", "ServiceAccount"): merged({
        "": "An identity for processes in pods; pods get a token for it to call the API, "
            "and RBAC bindings grant it permissions.",
        "secrets": "Legacy token Secrets; not used for new tokens.",
        **under("secrets", OBJECT_REFERENCE),
        "imagePullSecrets": "Registry credential Secrets added to every pod using this "
                            "account.",
        "imagePullSecrets.name": "Name of the Secret.",
        "automountServiceAccountToken": "Whether pods mount a token by default. Default "
                                        "true; a pod's own setting wins.",
    }, TOP_LEVEL),
    ("", "LimitRange"): merged({
        "": "Per-namespace bounds and defaults for the resources of containers, pods and "
            "claims, applied when they are created.",
        "spec": "The limits.",
        "spec.limits": "One entry per type of object.",
        "spec.limits.type": "Container, Pod or PersistentVolumeClaim.",
        "spec.limits.max": "Largest value allowed per resource.",
        "spec.limits.min": "Smallest value allowed per resource.",
        "spec.limits.default": "Limit given to containers that set none.",
        "spec.limits.defaultRequest": "Request given to containers that set none.",
        "spec.limits.maxLimitRequestRatio": "Largest limit/request ratio allowed.",
    }, TOP_LEVEL),
    ("", "ResourceQuota"): merged({
        "": "Caps the total resources and object counts of a namespace; requests going over "
            "are refused.",
        "spec": "The caps.",
        "spec.hard": "Cap per resource, e.g. requests.cpu: 4, pods: 10, count/jobs.batch: 5.",
        "spec.scopes": "Only count objects in these scopes, e.g. BestEffort, Terminating.",
        "spec.scopeSelector": "Scopes as a selector expression.",
        "status": "Current usage. Read-only.",
        "status.hard": "Caps in force.",
        "status.used": "Usage now, per resource.",
    }, TOP_LEVEL),
    ("scheduling.k8s.io", "PriorityClass"): merged({
        "": "A named scheduling priority that pods refer to with priorityClassName; "
            "higher-priority pods schedule first and may preempt lower ones.",
        "value": "The priority; higher is more important. Up to 1000000000 for user classes.",
        "globalDefault": "When true, pods without a class get this one. At most one class "
                         "should set it.",
        "description": "What the class is for, for people.",
        "preemptionPolicy": "PreemptLowerPriority (default) or Never.",
    }, TOP_LEVEL),
    ("coordination.k8s.io", "Lease"): merged({
        "": "A lightweight lock with an expiry, used for leader election and node "
            "heartbeats.",
        "spec": "Who holds the lease and until when.",
        "spec.holderIdentity": "Identity of the current holder.",
        "spec.leaseDurationSeconds": "Seconds the holder keeps it without renewing.",
        "spec.acquireTime": "When the current holder acquired it.",
        "spec.renewTime": "When the holder last renewed it.",
        "spec.leaseTransitions": "How many times the holder has changed.",
        "spec.strategy": "How the next holder is chosen (coordinated leader election).",
        "spec.preferredHolder": "Holder that should take over next.",
    }, TOP_LEVEL),
    ("autoscaling", "HorizontalPodAutoscaler"): merged(
        {"": "Scales a workload's replicas up and down to keep metrics (such as average CPU "
             "utilization) near their targets.",
         "spec": "The target, its replica bounds and the metrics.",
         "status": "Observed state. Read-only."},
        TOP_LEVEL, under("spec", _HPA_SPEC), under("status", _HPA_STATUS)),
    ("autoscaling", "v1", "HorizontalPodAutoscaler"): merged(
        {"": "Scales a workload's replicas up and down to keep its average CPU utilization "
             "near a target (autoscaling/v2 adds other metrics).",
         "spec": "The target, its replica bounds and the CPU target.",
         "status": "Observed state. Read-only."},
        TOP_LEVEL, under("spec", _HPA_V1_SPEC), under("status", _HPA_V1_STATUS)),
    ("policy", "PodDisruptionBudget"): merged(
        {"": "Limits how many pods of an application voluntary disruptions (evictions, node "
             "drains) may take down at once."},
        TOP_LEVEL, _PDB),
}
