"""Schemas of core/v1 PodSpec, Container and PodStatus (Kubernetes v1.32 fields).

Every field of these structs is declared so strict validation knows them; sub-structures
spelled out only in part (affinity, most volume sources, ...) are open objects, so a valid
manifest is never rejected as having unknown fields. Workload kinds reuse `pod_template`.
"""

from __future__ import annotations

from minicube.api.kinds.common import condition, local_object_reference, object_meta
from minicube.api.schema import (Schema, arr, boolean, int32, int64, int_or_string, map_of, obj_,
                                 open_object, quantity, string, strings, time)

resources = obj_({"limits": map_of(quantity), "requests": map_of(quantity),
                  "claims": arr(obj_({"name": string, "request": string}))})

_key_ref = obj_({"name": string, "key": string, "optional": boolean}, required=["key"])
env_var = obj_({"name": string, "value": string, "valueFrom": obj_({
    "fieldRef": obj_({"apiVersion": string, "fieldPath": string}, required=["fieldPath"]),
    "resourceFieldRef": obj_({"containerName": string, "resource": string,
                              "divisor": quantity}, required=["resource"]),
    "configMapKeyRef": _key_ref, "secretKeyRef": _key_ref,
})}, required=["name"])

_optional_ref = obj_({"name": string, "optional": boolean})
env_from = obj_({"prefix": string, "configMapRef": _optional_ref, "secretRef": _optional_ref})

container_port = obj_({"name": string, "hostPort": int32, "containerPort": int32,
                       "protocol": string, "hostIP": string}, required=["containerPort"])

_http_get = obj_({"path": string, "port": int_or_string, "host": string, "scheme": string,
                  "httpHeaders": arr(obj_({"name": string, "value": string},
                                          required=["name", "value"]))}, required=["port"])
_exec = obj_({"command": strings})
_tcp = obj_({"port": int_or_string, "host": string}, required=["port"])
_handlers = {"exec": _exec, "httpGet": _http_get, "tcpSocket": _tcp}
probe = obj_({**_handlers, "grpc": obj_({"port": int32, "service": string}, required=["port"]),
              "initialDelaySeconds": int32, "timeoutSeconds": int32, "periodSeconds": int32,
              "successThreshold": int32, "failureThreshold": int32,
              "terminationGracePeriodSeconds": int64})
_lifecycle_handler = obj_({**_handlers, "sleep": obj_({"seconds": int64}, required=["seconds"])})

_se_linux = obj_({"user": string, "role": string, "type": string, "level": string})
_windows = obj_({"gmsaCredentialSpecName": string, "gmsaCredentialSpec": string,
                 "runAsUserName": string, "hostProcess": boolean})
_profile = obj_({"type": string, "localhostProfile": string}, required=["type"])
_identity = {"seLinuxOptions": _se_linux, "windowsOptions": _windows, "runAsUser": int64,
             "runAsGroup": int64, "runAsNonRoot": boolean, "seccompProfile": _profile,
             "appArmorProfile": _profile}
security_context = obj_({
    **_identity, "capabilities": obj_({"add": strings, "drop": strings}),
    "privileged": boolean, "readOnlyRootFilesystem": boolean,
    "allowPrivilegeEscalation": boolean, "procMount": string,
})
pod_security_context = obj_({
    **_identity, "supplementalGroups": arr(int64), "supplementalGroupsPolicy": string,
    "fsGroup": int64, "fsGroupChangePolicy": string, "seLinuxChangePolicy": string,
    "sysctls": arr(obj_({"name": string, "value": string}, required=["name", "value"])),
})

_container_fields: dict[str, Schema] = {
    "name": string, "image": string, "command": strings, "args": strings,
    "workingDir": string, "ports": arr(container_port), "envFrom": arr(env_from),
    "env": arr(env_var), "resources": resources,
    "resizePolicy": arr(obj_({"resourceName": string, "restartPolicy": string})),
    "restartPolicy": string,
    "volumeMounts": arr(obj_({
        "name": string, "readOnly": boolean, "recursiveReadOnly": string, "mountPath": string,
        "subPath": string, "mountPropagation": string, "subPathExpr": string,
    }, required=["name", "mountPath"])),
    "volumeDevices": arr(obj_({"name": string, "devicePath": string},
                              required=["name", "devicePath"])),
    "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe,
    "lifecycle": obj_({"postStart": _lifecycle_handler, "preStop": _lifecycle_handler}),
    "terminationMessagePath": string, "terminationMessagePolicy": string,
    "imagePullPolicy": string, "securityContext": security_context,
    "stdin": boolean, "stdinOnce": boolean, "tty": boolean,
}
container = obj_(_container_fields, required=["name"])
ephemeral_container = obj_({**_container_fields, "targetContainerName": string},
                           required=["name"])

_key_to_path = arr(obj_({"key": string, "path": string, "mode": int32},
                        required=["key", "path"]))
# Volume sources spelled out are the ones minicube's kubelet implements; the rest stay open.
_OTHER_SOURCES = (
    "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
    "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
    "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral",
)
volume = obj_({
    "name": string,
    "emptyDir": obj_({"medium": string, "sizeLimit": quantity}),
    "hostPath": obj_({"path": string, "type": string}, required=["path"]),
    "configMap": obj_({"name": string, "items": _key_to_path, "defaultMode": int32,
                       "optional": boolean}),
    "secret": obj_({"secretName": string, "items": _key_to_path, "defaultMode": int32,
                    "optional": boolean}),
    "persistentVolumeClaim": obj_({"claimName": string, "readOnly": boolean},
                                  required=["claimName"]),
    "image": obj_({"reference": string, "pullPolicy": string}),
    **{name: open_object for name in _OTHER_SOURCES},
}, required=["name"])

VOLUME_SOURCES = ("emptyDir", "hostPath", "configMap", "secret", "persistentVolumeClaim",
                  "image", *_OTHER_SOURCES)

toleration = obj_({"key": string, "operator": string, "value": string, "effect": string,
                   "tolerationSeconds": int64})

pod_spec = obj_({
    "volumes": arr(volume), "initContainers": arr(container), "containers": arr(container),
    "ephemeralContainers": arr(ephemeral_container), "restartPolicy": string,
    "terminationGracePeriodSeconds": int64, "activeDeadlineSeconds": int64,
    "dnsPolicy": string, "nodeSelector": map_of(string), "serviceAccountName": string,
    "serviceAccount": string, "automountServiceAccountToken": boolean, "nodeName": string,
    "hostNetwork": boolean, "hostPID": boolean, "hostIPC": boolean,
    "shareProcessNamespace": boolean, "securityContext": pod_security_context,
    "imagePullSecrets": arr(local_object_reference), "hostname": string, "subdomain": string,
    "affinity": open_object, "schedulerName": string, "tolerations": arr(toleration),
    "hostAliases": arr(obj_({"ip": string, "hostnames": strings}, required=["ip"])),
    "priorityClassName": string, "priority": int32,
    "dnsConfig": obj_({"nameservers": strings, "searches": strings,
                       "options": arr(obj_({"name": string, "value": string}))}),
    "readinessGates": arr(obj_({"conditionType": string}, required=["conditionType"])),
    "runtimeClassName": string, "enableServiceLinks": boolean, "preemptionPolicy": string,
    "overhead": map_of(quantity), "topologySpreadConstraints": arr(open_object),
    "setHostnameAsFQDN": boolean, "os": obj_({"name": string}, required=["name"]),
    "hostUsers": boolean, "schedulingGates": arr(obj_({"name": string}, required=["name"])),
    "resourceClaims": arr(obj_({"name": string, "resourceClaimName": string,
                                "resourceClaimTemplateName": string}, required=["name"])),
    "resources": resources,
}, required=["containers"])

pod_template = obj_({"metadata": object_meta, "spec": pod_spec})

_state = obj_({
    "waiting": obj_({"reason": string, "message": string}),
    "running": obj_({"startedAt": time}),
    "terminated": obj_({"exitCode": int32, "signal": int32, "reason": string,
                        "message": string, "startedAt": time, "finishedAt": time,
                        "containerID": string}, required=["exitCode"]),
})
container_status = obj_({
    "name": string, "state": _state, "lastState": _state, "ready": boolean,
    "restartCount": int32, "image": string, "imageID": string, "containerID": string,
    "started": boolean, "allocatedResources": map_of(quantity), "resources": resources,
    "volumeMounts": arr(obj_({"name": string, "mountPath": string, "readOnly": boolean,
                              "recursiveReadOnly": string})),
    "user": open_object, "allocatedResourcesStatus": arr(open_object),
}, required=["name", "ready", "restartCount", "image", "imageID"])

_ips = arr(obj_({"ip": string}))
pod_status = obj_({
    "phase": string, "conditions": arr(condition(lastProbeTime=time)), "message": string,
    "reason": string, "nominatedNodeName": string, "hostIP": string, "hostIPs": _ips,
    "podIP": string, "podIPs": _ips, "startTime": time,
    "initContainerStatuses": arr(container_status), "containerStatuses": arr(container_status),
    "qosClass": string, "ephemeralContainerStatuses": arr(container_status),
    "resize": string, "resourceClaimStatuses": arr(open_object),
})
