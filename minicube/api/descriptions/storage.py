"""Descriptions of configuration and storage kinds: ConfigMap, Secret, PVC, PV, StorageClass."""

from __future__ import annotations

from minicube.api.descriptions.base import (LABEL_SELECTOR, OBJECT_REFERENCE, TOP_LEVEL,
                                            Descriptions, conditions, merged, under)
from minicube.api.descriptions.pods import EXTERNAL_SOURCES

_ACCESS_MODES = ("How the volume may be mounted: ReadWriteOnce (read-write by one node), "
                 "ReadOnlyMany, ReadWriteMany, or ReadWriteOncePod (by one pod).")
_STORAGE_CLASS = ("StorageClass the volume belongs to. On a claim: unset uses the default "
                  "class, \"\" asks for a volume without a class.")
_VOLUME_MODE = "Filesystem (default: mounted as a directory) or Block (a raw device)."
_TYPED_REF: Descriptions = {
    "apiGroup": "API group of the source; empty for the core group.",
    "kind": "Kind of the source, e.g. PersistentVolumeClaim or VolumeSnapshot.",
    "name": "Name of the source.",
    "namespace": "Namespace of the source, when it is another namespace.",
}

# A claim's spec and status: PersistentVolumeClaim, and StatefulSet volumeClaimTemplates.
PVC: Descriptions = merged(
    {"spec": "What storage is asked for.",
     "status": "Observed state of the claim. Read-only."},
    under("spec", {
        "accessModes": _ACCESS_MODES,
        "resources": "Storage asked for.",
        "resources.requests": "Minimum size, e.g. storage: 1Gi.",
        "resources.limits": "Maximum size the claim may grow to.",
        "resources.claims": "Unused for claims.",
        "resources.claims.name": "Unused for claims.",
        "resources.claims.request": "Unused for claims.",
        "selector": "Labels an existing volume must have to be bound to this claim.",
        **under("selector", LABEL_SELECTOR),
        "volumeName": "Name of the PersistentVolume bound to the claim; set by the binder, "
                      "or by you to ask for one volume.",
        "storageClassName": _STORAGE_CLASS,
        "volumeMode": _VOLUME_MODE,
        "dataSource": "Pre-populate the volume from a snapshot or another claim.",
        **under("dataSource", _TYPED_REF),
        "dataSourceRef": "Like dataSource, also allowing custom populator objects.",
        **under("dataSourceRef", _TYPED_REF),
        "volumeAttributesClassName": "VolumeAttributesClass with mutable attributes (such as "
                                     "IOPS) of the volume.",
    }),
    under("status", {
        "phase": "Pending (not bound yet), Bound or Lost (its volume disappeared).",
        "accessModes": "Access modes of the bound volume.",
        "capacity": "Size of the bound volume.",
        **conditions({"lastProbeTime": "When the condition was last checked."}),
        "allocatedResources": "Size the volume is being resized to.",
        "allocatedResourceStatuses": "State of a resize per resource.",
        "currentVolumeAttributesClassName": "VolumeAttributesClass currently applied.",
        "modifyVolumeStatus": "State of a change of VolumeAttributesClass.",
    }))

_DATA = "Keys (letters, digits, -, _ and .) mapped to values."

KINDS: dict[tuple[str, str], Descriptions] = {
    ("", "ConfigMap"): merged({
        "": "Non-secret configuration as key/value pairs, for pods to use as environment "
            "variables, command-line arguments or files in a volume.",
        "data": f"{_DATA} UTF-8 text.",
        "binaryData": f"{_DATA} Base64-encoded bytes; keys must not repeat those of data.",
        "immutable": "When true, data and binaryData can no longer change (delete and "
                     "re-create instead). Default false.",
    }, TOP_LEVEL),
    ("", "Secret"): merged({
        "": "Sensitive data such as passwords, tokens or keys, kept apart from pod specs and "
            "given to pods as files or environment variables.",
        "data": f"{_DATA} Base64-encoded values.",
        "stringData": "Write-only convenience: plain-text values merged into data (encoded "
                      "by the server) on write, winning over data; never returned.",
        "type": "What the data holds, which decides required keys: Opaque (default), "
                "kubernetes.io/tls, kubernetes.io/dockerconfigjson, "
                "kubernetes.io/service-account-token, kubernetes.io/basic-auth, ...",
        "immutable": "When true, data can no longer change. Default false.",
    }, TOP_LEVEL),
    ("", "PersistentVolumeClaim"): merged(
        {"": "A request for storage by a user: a size, access modes and a class. It binds to "
             "a matching PersistentVolume (provisioned on demand for dynamic classes) and "
             "pods mount it by name."},
        TOP_LEVEL, PVC),
    ("", "PersistentVolume"): merged(
        {"": "A piece of storage in the cluster, cluster-scoped, created by an administrator "
             "or a provisioner; a claim binds to it for exclusive use.",
         "spec": "What the volume is and how it may be used.",
         "status": "Observed state of the volume. Read-only."},
        TOP_LEVEL,
        under("spec", {
            "capacity": "Size of the volume, e.g. storage: 10Gi.",
            "accessModes": _ACCESS_MODES,
            "claimRef": "The claim this volume is bound (or reserved) to.",
            **under("claimRef", OBJECT_REFERENCE),
            "persistentVolumeReclaimPolicy": "What happens after its claim is deleted: Retain "
                                             "(default for manual volumes), Delete (default "
                                             "for provisioned ones) or Recycle "
                                             "(deprecated).",
            "storageClassName": _STORAGE_CLASS,
            "mountOptions": "Extra mount options, used as given.",
            "volumeMode": _VOLUME_MODE,
            "nodeAffinity": "Nodes the volume can be reached from; pods using it are "
                            "scheduled there.",
            "volumeAttributesClassName": "VolumeAttributesClass of the volume.",
            "hostPath": "A directory on the node (single-node clusters and tests).",
            "hostPath.path": "Path on the node.",
            "hostPath.type": "Check or create before mounting (e.g. DirectoryOrCreate).",
            "local": "A disk, partition or directory of one node; needs nodeAffinity.",
            "nfs": "An NFS export.",
            "csi": "A volume managed by a CSI driver.",
            **{name: text for name, text in EXTERNAL_SOURCES.items() if name != "csi"},
        }),
        under("status", {
            "phase": "Available, Bound, Released (claim deleted) or Failed.",
            "message": "Human-readable details about the state.",
            "reason": "Short reason for a failure.",
            "lastPhaseTransitionTime": "When phase last changed.",
        })),
    ("storage.k8s.io", "StorageClass"): merged({
        "": "A kind of storage on offer: which provisioner creates volumes for claims of this "
            "class, and with which parameters. Annotated "
            "storageclass.kubernetes.io/is-default-class: \"true\" it is the default.",
        "provisioner": "Name of the volume plugin that creates the volumes, e.g. "
                       "minicube.io/hostpath (this cluster's own). Cannot change.",
        "parameters": "Provisioner-specific settings. Cannot change.",
        "reclaimPolicy": "Reclaim policy of the volumes created: Delete (default) or Retain.",
        "mountOptions": "Mount options given to the created volumes.",
        "allowVolumeExpansion": "Whether claims of this class may be resized by editing "
                                "their requests.",
        "volumeBindingMode": "Immediate (default): bind and provision when the claim is "
                             "created; WaitForFirstConsumer: wait for a pod using it.",
        "allowedTopologies": "Where volumes may be provisioned (zones, nodes).",
    }, TOP_LEVEL),
}
