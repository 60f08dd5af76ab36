"""Descriptions of PodSpec (volumes included), PodStatus, pod templates and the Pod kind."""

from __future__ import annotations

from minicube.api.descriptions.base import (OBJECT_META, TOP_LEVEL, Descriptions, conditions,
                                            merged, under)
from minicube.api.descriptions.containers import CONTAINER, IDENTITY, RESOURCES

_KEY_TO_PATH: Descriptions = {
    "items": "Only these keys, each at its own path; without it every key becomes a file "
             "named after the key.",
    "items.key": "Key to project.",
    "items.path": "Relative file path to write the value to (no `..`).",
    "items.mode": "Permission bits of this file (0-0777); defaults to defaultMode.",
    "defaultMode": "Permission bits of the files, 0-0777 (octal in YAML). Default 0644.",
    "optional": "When true the pod starts even if the object (or a listed key) is missing.",
}

# Network and cloud storage sources that both pod volumes and PersistentVolumes may name.
EXTERNAL_SOURCES: Descriptions = {
    "nfs": "An NFS export.",
    "iscsi": "An iSCSI disk.",
    "fc": "A Fibre Channel disk.",
    "cephfs": "A CephFS filesystem.",
    "rbd": "A Ceph RBD block device.",
    "glusterfs": "A GlusterFS volume (removed upstream; not supported).",
    "flexVolume": "A volume from a FlexVolume plugin (deprecated; use CSI).",
    "gcePersistentDisk": "A GCE persistent disk (migrated to its CSI driver).",
    "awsElasticBlockStore": "An AWS EBS volume (migrated to its CSI driver).",
    "azureDisk": "An Azure data disk (migrated to its CSI driver).",
    "azureFile": "An Azure File share (migrated to its CSI driver).",
    "cinder": "An OpenStack Cinder volume (migrated to its CSI driver).",
    "vsphereVolume": "A vSphere VMDK (migrated to its CSI driver).",
    "portworxVolume": "A Portworx volume.",
    "photonPersistentDisk": "A Photon Controller disk (removed upstream).",
    "quobyte": "A Quobyte volume (removed upstream).",
    "scaleIO": "A ScaleIO volume (removed upstream).",
    "storageos": "A StorageOS volume (removed upstream).",
    "flocker": "A Flocker dataset (removed upstream).",
}

VOLUME: Descriptions = {
    "": "Storage the pod's containers can mount (each volume needs exactly one source).",
    "name": "Name of the volume (a DNS label), referenced by volumeMounts.",
    "emptyDir": "A directory created empty when the pod starts and deleted with it; "
                "shared by the pod's containers.",
    "emptyDir.medium": "Empty (node disk, default) or Memory (tmpfs, counted as memory).",
    "emptyDir.sizeLimit": "Most the volume may hold, e.g. 1Gi; exceeding it evicts the pod.",
    "hostPath": "A file or directory of the node mounted into the pod; for system agents "
                "and tests.",
    "hostPath.path": "Path on the node.",
    "hostPath.type": "Check or create before mounting: empty (none), DirectoryOrCreate, "
                     "Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.",
    "configMap": "The keys of a ConfigMap as files.",
    "configMap.name": "Name of the ConfigMap, in the pod's namespace.",
    **under("configMap", _KEY_TO_PATH),
    "secret": "The keys of a Secret as files (decoded).",
    "secret.secretName": "Name of the Secret, in the pod's namespace.",
    **under("secret", _KEY_TO_PATH),
    "persistentVolumeClaim": "The volume bound to a PersistentVolumeClaim.",
    "persistentVolumeClaim.claimName": "Name of the claim, in the pod's namespace.",
    "persistentVolumeClaim.readOnly": "Mount read-only. Default false.",
    "image": "The contents of an OCI image or artifact, mounted read-only.",
    "image.reference": "Image reference, like a container's image.",
    "image.pullPolicy": "Always, IfNotPresent or Never, as for a container's image.",
    "projected": "Several sources (secrets, configMaps, downwardAPI, service account "
                 "tokens) combined in one directory.",
    "downwardAPI": "Fields of the pod (labels, annotations, resources, ...) written as files.",
    "csi": "A volume provided by a CSI driver for the pod's lifetime.",
    "ephemeral": "A PersistentVolumeClaim created from a template for this pod and deleted "
                 "with it.",
    **EXTERNAL_SOURCES,
    "gitRepo": "Deprecated: a git repository cloned into an empty directory.",
}

_INIT = ("Containers run one at a time, in order, before the app containers start; each must "
         "exit successfully. Ones with restartPolicy Always are sidecars and keep running.")

POD_SPEC: Descriptions = {
    "": "Desired state of the pod: its containers, volumes and how to schedule and run them.",
    "containers": "The pod's main containers, started together; at least one.",
    **under("containers", CONTAINER),
    "initContainers": _INIT,
    **under("initContainers", CONTAINER),
    "ephemeralContainers": "Debugging containers added to a running pod (`kubectl debug`); "
                           "only through the ephemeralcontainers subresource.",
    **under("ephemeralContainers", CONTAINER),
    "ephemeralContainers.targetContainerName": "Container whose process namespace the "
                                               "debug container joins.",
    "volumes": VOLUME[""],
    **under("volumes", {k: v for k, v in VOLUME.items() if k}),
    "restartPolicy": "Always (default), OnFailure or Never: whether the kubelet restarts "
                     "containers that exit. Job pods must use OnFailure or Never.",
    "terminationGracePeriodSeconds": "Seconds between SIGTERM and SIGKILL when the pod "
                                     "is deleted. Default 30; 0 kills at once.",
    "activeDeadlineSeconds": "Seconds the pod may run (counted from its start) before it "
                             "is failed with reason DeadlineExceeded.",
    "dnsPolicy": "ClusterFirst (default: cluster DNS), ClusterFirstWithHostNet, Default "
                 "(the node's resolv.conf) or None (only dnsConfig).",
    "dnsConfig": "Extra resolver settings merged into the generated resolv.conf.",
    "dnsConfig.nameservers": "Extra name server IPs (at most 3 in total).",
    "dnsConfig.searches": "Extra search domains.",
    "dnsConfig.options": "Resolver options such as ndots.",
    "dnsConfig.options.name": "Option name, e.g. ndots.",
    "dnsConfig.options.value": "Option value, e.g. 2.",
    "nodeSelector": "Labels a node must have for the pod to be scheduled there.",
    "nodeName": "Node the pod runs on. Set by the scheduler; setting it yourself bypasses "
                "scheduling.",
    "affinity": "Node affinity and pod (anti-)affinity scheduling rules.",
    "tolerations": "Taints of nodes the pod tolerates (can be scheduled onto or keep "
                   "running on).",
    "tolerations.key": "Taint key; empty with operator Exists matches every taint.",
    "tolerations.operator": "Equal (default) or Exists.",
    "tolerations.value": "Taint value to match with Equal.",
    "tolerations.effect": "NoSchedule, PreferNoSchedule or NoExecute; empty matches all.",
    "tolerations.tolerationSeconds": "For NoExecute: how long the pod stays after the "
                                     "taint appears; unset means forever.",
    "topologySpreadConstraints": "How to spread matching pods across zones, nodes or "
                                 "other topology domains.",
    "schedulerName": "Scheduler responsible for the pod. Default default-scheduler.",
    "priorityClassName": "PriorityClass giving the pod's scheduling priority.",
    "priority": "Priority value, filled in from priorityClassName by the server.",
    "preemptionPolicy": "PreemptLowerPriority (default) or Never.",
    "schedulingGates": "While any gate remains the scheduler leaves the pod Pending.",
    "schedulingGates.name": "Name of the gate.",
    "serviceAccountName": "ServiceAccount the pod runs as; its token is mounted for API "
                          "access. Default `default`.",
    "serviceAccount": "Deprecated alias of serviceAccountName.",
    "automountServiceAccountToken": "Whether to mount an API token at "
                                    "/var/run/secrets/kubernetes.io/serviceaccount. "
                                    "Defaults to the ServiceAccount's setting (true).",
    "imagePullSecrets": "Secrets with registry credentials used to pull the images.",
    "imagePullSecrets.name": "Name of a docker-registry Secret in the pod's namespace.",
    "hostNetwork": "Use the node's network namespace instead of the pod's own. "
                   "Default false.",
    "hostPID": "Share the node's process namespace. Default false.",
    "hostIPC": "Share the node's IPC namespace. Default false.",
    "hostUsers": "False runs the pod in its own user namespace. Default true.",
    "shareProcessNamespace": "Let all containers of the pod see each other's processes. "
                             "Default false.",
    "securityContext": "Security settings for all containers; a container's own "
                       "securityContext overrides them.",
    **under("securityContext", IDENTITY),
    "securityContext.supplementalGroups": "Extra GIDs added to each container's first "
                                          "process.",
    "securityContext.supplementalGroupsPolicy": "Merge (default: also the image's groups) "
                                                "or Strict.",
    "securityContext.fsGroup": "GID that owns supported volumes and is added to every "
                               "process's groups.",
    "securityContext.fsGroupChangePolicy": "OnRootMismatch or Always (default): when to "
                                           "change volume ownership to fsGroup.",
    "securityContext.seLinuxChangePolicy": "MountOption or Recursive: how volumes get "
                                           "their SELinux label.",
    "securityContext.sysctls": "Namespaced kernel parameters set for the pod.",
    "securityContext.sysctls.name": "Parameter name, e.g. net.ipv4.ip_local_port_range.",
    "securityContext.sysctls.value": "Parameter value.",
    "hostname": "Host name inside the pod; defaults to the pod's name.",
    "subdomain": "With a headless Service of this name, gives the pod the DNS name "
                 "<hostname>.<subdomain>.<namespace>.svc.",
    "setHostnameAsFQDN": "Make the host name the fully qualified name. Default false.",
    "hostAliases": "Extra lines for the pod's /etc/hosts.",
    "hostAliases.ip": "IP address of the entry.",
    "hostAliases.hostnames": "Names for that address.",
    "readinessGates": "Extra pod conditions that must be True for the pod to be Ready.",
    "readinessGates.conditionType": "Condition type to wait for.",
    "runtimeClassName": "RuntimeClass selecting the container runtime handler.",
    "enableServiceLinks": "Put variables describing each Service of the namespace "
                          "(FOO_SERVICE_HOST, ...) into the containers. Default true.",
    "overhead": "Resources the sandbox itself uses, set from the RuntimeClass.",
    "os": "Operating system the pod needs.",
    "os.name": "linux or windows.",
    "resourceClaims": "Dynamically allocated resources (devices) the pod needs.",
    "resourceClaims.name": "Name containers use to refer to the claim.",
    "resourceClaims.resourceClaimName": "An existing ResourceClaim to use.",
    "resourceClaims.resourceClaimTemplateName": "A template to create a claim from, for "
                                                "this pod only.",
    **under("resources", RESOURCES),
    "resources": "Resources for the whole pod, shared by its containers.",
}

_STATE: Descriptions = {
    "waiting": "Not running yet (or between restarts).",
    "waiting.reason": "Why, e.g. ContainerCreating, ImagePullBackOff or CrashLoopBackOff.",
    "waiting.message": "Details about the reason.",
    "running": "Running.",
    "running.startedAt": "When it (last) started.",
    "terminated": "Exited.",
    "terminated.exitCode": "Exit code of the process.",
    "terminated.signal": "Signal that stopped it, if any.",
    "terminated.reason": "Why, e.g. Completed, Error or OOMKilled.",
    "terminated.message": "Termination message, if any.",
    "terminated.startedAt": "When it started.",
    "terminated.finishedAt": "When it exited.",
    "terminated.containerID": "Runtime ID of the exited container.",
}

CONTAINER_STATUS: Descriptions = {
    "name": "Name of the container.",
    "state": "Current state: exactly one of waiting, running or terminated.",
    **under("state", _STATE),
    "lastState": "State of the previous run, useful after a restart.",
    **under("lastState", _STATE),
    "ready": "Whether the container passes its readiness probe.",
    "resources": "Requests and limits the running container actually has.",
    **under("resources", {k: v for k, v in RESOURCES.items() if k}),
    "allocatedResources": "Resources the node has set aside for the container.",
    "allocatedResourcesStatus": "Health of the devices allocated to the container.",
    "volumeMounts": "Volumes mounted in the running container.",
    "volumeMounts.name": "Name of the pod volume.",
    "volumeMounts.mountPath": "Where it is mounted.",
    "volumeMounts.readOnly": "Whether it is mounted read-only.",
    "volumeMounts.recursiveReadOnly": "Whether sub-mounts are read-only too.",
    "user": "Identity (UID, GIDs) the first process runs as.",
    "started": "Whether the container passed its startup probe (or has none and runs).",
    "restartCount": "How many times the container has been restarted.",
    "image": "Image the container runs.",
    "imageID": "Digest of the image that actually runs.",
    "containerID": "Runtime ID, as <runtime>://<id>.",
}

POD_STATUS: Descriptions = {
    "": "Observed state of the pod, written by the kubelet. Read-only for users.",
    "phase": "Pending, Running, Succeeded, Failed or Unknown: a summary of where the pod is "
             "in its life.",
    **conditions({"lastProbeTime": "When the condition was last checked."}),
    "message": "Human-readable details about the pod's state.",
    "reason": "Short reason for the state, e.g. Evicted.",
    "nominatedNodeName": "Node the pod may run on once preemption makes room.",
    "hostIP": "Primary IP address of the node the pod runs on.",
    "hostIPs": "IP addresses of the node.",
    "hostIPs.ip": "One address.",
    "podIP": "Primary IP address of the pod.",
    "podIPs": "IP addresses of the pod, one per IP family.",
    "podIPs.ip": "One address.",
    "startTime": "When the kubelet accepted the pod, before pulling images.",
    "qosClass": "Guaranteed, Burstable or BestEffort, derived from requests and limits.",
    "containerStatuses": "One entry per app container.",
    **under("containerStatuses", CONTAINER_STATUS),
    "initContainerStatuses": "One entry per init container.",
    **under("initContainerStatuses", CONTAINER_STATUS),
    "ephemeralContainerStatuses": "One entry per ephemeral container.",
    **under("ephemeralContainerStatuses", CONTAINER_STATUS),
    "resize": "Progress of an in-place resize of the containers' resources.",
    "resourceClaimStatuses": "Names of the ResourceClaims made for the pod's claims.",
}

POD_TEMPLATE: Descriptions = merged(
    {"": "Pod to create: its metadata (labels must match the selector) and spec.",
     "metadata": "Labels and annotations the created pods get."},
    under("metadata", {k: v for k, v in OBJECT_META.items() if k}),
    under("spec", POD_SPEC))

KINDS: dict[tuple[str, str], Descriptions] = {
    ("", "Pod"): merged(
        {"": "A group of containers that share a network namespace and volumes, scheduled "
             "together onto one node; the smallest unit Kubernetes runs."},
        TOP_LEVEL, under("spec", POD_SPEC), under("status", POD_STATUS)),
}
