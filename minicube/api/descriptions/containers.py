"""Descriptions of a pod's Container and the structures inside it (probes, env, ...)."""

from __future__ import annotations

from minicube.api.descriptions.base import Descriptions, under

RESOURCES: Descriptions = {
    "": "Compute resources (cpu, memory, ephemeral-storage, ...) requested and allowed.",
    "requests": "Amount of each resource reserved for the container; the scheduler places "
                "the pod only where these fit. Defaults to the limits when only limits are "
                "set. CPU in cores (`500m` = half a core), memory in bytes (`128Mi`).",
    "limits": "Most of each resource the container may use: going over the memory limit "
              "gets it killed (OOMKilled), CPU above the limit is throttled.",
    "claims": "Names of the pod's resourceClaims this container uses (dynamic resource "
              "allocation).",
    "claims.name": "Name of an entry in the pod's spec.resourceClaims.",
    "claims.request": "One request inside that claim; empty means the whole claim.",
}

_KEY_REF = {
    "name": "Name of the object to read from, in the pod's namespace.",
    "key": "Key inside the object whose value becomes the variable's value.",
    "optional": "When true the container starts even if the object or key is missing "
                "(the variable is then not set). Default false.",
}

ENV_VAR: Descriptions = {
    "": "Environment variables set in the container, in order.",
    "name": "Variable name.",
    "value": "Literal value. `$(OTHER)` expands to a variable defined earlier in the list; "
             "`$$(OTHER)` escapes it. Defaults to the empty string.",
    "valueFrom": "Take the value from somewhere else instead of `value`.",
    "valueFrom.fieldRef": "A field of the pod itself: metadata.name, metadata.namespace, "
                          "metadata.uid, metadata.labels['k'], spec.nodeName, "
                          "spec.serviceAccountName, status.podIP, status.hostIP, ...",
    "valueFrom.fieldRef.apiVersion": "Version the fieldPath is written against; default v1.",
    "valueFrom.fieldRef.fieldPath": "Path of the field to expose, e.g. status.podIP.",
    "valueFrom.resourceFieldRef": "A request or limit of a container: limits.cpu, "
                                  "limits.memory, requests.cpu, requests.memory, ...",
    "valueFrom.resourceFieldRef.containerName": "Container whose resources are read; "
                                                "required in volumes, optional in env.",
    "valueFrom.resourceFieldRef.resource": "Which request or limit, e.g. limits.memory.",
    "valueFrom.resourceFieldRef.divisor": "Unit the value is expressed in (default 1: cores "
                                          "for cpu, bytes for memory).",
    "valueFrom.configMapKeyRef": "One key of a ConfigMap.",
    "valueFrom.secretKeyRef": "One key of a Secret (the decoded value).",
    **under("valueFrom.configMapKeyRef", _KEY_REF),
    **under("valueFrom.secretKeyRef", _KEY_REF),
}

_OPTIONAL_REF = {
    "name": "Name of the object, in the pod's namespace.",
    "optional": "When true a missing object is ignored. Default false.",
}

ENV_FROM: Descriptions = {
    "": "Sources whose every key becomes an environment variable. Variables in `env` win "
        "over these; keys that are not valid variable names are skipped.",
    "prefix": "Text put in front of every key to make the variable name.",
    "configMapRef": "A ConfigMap whose keys become variables.",
    "secretRef": "A Secret whose keys become variables (decoded values).",
    **under("configMapRef", _OPTIONAL_REF),
    **under("secretRef", _OPTIONAL_REF),
}

CONTAINER_PORT: Descriptions = {
    "": "Ports the container listens on. Informational (traffic reaches any port the process "
        "opens), but named ports can be targeted by Services and probes.",
    "name": "Name (IANA_SVC_NAME, at most 15 characters) that Services and probes can use "
            "instead of the number; unique within the pod.",
    "containerPort": "Port number inside the pod's network namespace (1-65535).",
    "protocol": "TCP, UDP or SCTP. Default TCP.",
    "hostPort": "Port opened on the node and forwarded to containerPort; rarely needed, and "
                "limits scheduling to nodes where it is free.",
    "hostIP": "Node address to bind hostPort on.",
}

_PORT = "Port to connect to: a number or the name of a container port."
_HANDLERS: Descriptions = {
    "exec": "Run a command inside the container; exit status 0 counts as success.",
    "exec.command": "Command line, run directly (not in a shell: use sh -c for pipes or "
                    "variables), in the container's working directory.",
    "httpGet": "Send an HTTP GET; any status from 200 to 399 counts as success.",
    "httpGet.path": "Path of the request, default /.",
    "httpGet.port": _PORT,
    "httpGet.host": "Host to connect to; defaults to the pod IP. Set a Host header in "
                    "httpHeaders instead to reach a virtual host.",
    "httpGet.scheme": "HTTP or HTTPS (certificates are not verified). Default HTTP.",
    "httpGet.httpHeaders": "Extra request headers.",
    "httpGet.httpHeaders.name": "Header name.",
    "httpGet.httpHeaders.value": "Header value.",
    "tcpSocket": "Open a TCP connection; success when it connects.",
    "tcpSocket.port": _PORT,
    "tcpSocket.host": "Host to connect to; defaults to the pod IP.",
}

PROBE: Descriptions = {
    **_HANDLERS,
    "grpc": "Call the standard gRPC health-checking service; SERVING counts as success.",
    "grpc.port": "Port number of the gRPC server.",
    "grpc.service": "Service name sent in the health check request; empty checks the server.",
    "initialDelaySeconds": "Seconds to wait after the container starts before the first "
                           "probe. Default 0.",
    "timeoutSeconds": "Seconds a single probe may take before it counts as failed. "
                      "Default 1.",
    "periodSeconds": "Seconds between probes. Default 10.",
    "successThreshold": "Consecutive successes needed after a failure to count as passing. "
                        "Default 1; must be 1 for liveness and startup probes.",
    "failureThreshold": "Consecutive failures needed to count as failing. Default 3.",
    "terminationGracePeriodSeconds": "Grace period used when this probe's failure kills "
                                     "the container, instead of the pod's.",
}

_LIFECYCLE_HANDLER: Descriptions = {
    **_HANDLERS,
    "sleep": "Just wait before going on.",
    "sleep.seconds": "How many seconds to wait.",
}

_PROFILE: Descriptions = {
    "type": "RuntimeDefault, Unconfined or Localhost.",
    "localhostProfile": "Profile file on the node to use when type is Localhost.",
}

IDENTITY: Descriptions = {
    "runAsUser": "UID the processes run as; defaults to the image's USER.",
    "runAsGroup": "Primary GID of the processes; defaults to the image's (or the "
                  "runtime's) group.",
    "runAsNonRoot": "When true the kubelet refuses to start a container that would run as "
                    "UID 0.",
    "seLinuxOptions": "SELinux context applied to the container.",
    "seLinuxOptions.user": "SELinux user label.",
    "seLinuxOptions.role": "SELinux role label.",
    "seLinuxOptions.type": "SELinux type label.",
    "seLinuxOptions.level": "SELinux level label.",
    "windowsOptions": "Settings for Windows containers only.",
    "windowsOptions.gmsaCredentialSpecName": "Name of the GMSA credential spec to use.",
    "windowsOptions.gmsaCredentialSpec": "Inline GMSA credential spec.",
    "windowsOptions.runAsUserName": "Windows user the entrypoint runs as.",
    "windowsOptions.hostProcess": "Run as a Windows host process container.",
    "seccompProfile": "Seccomp filter restricting system calls.",
    "appArmorProfile": "AppArmor profile confining the processes.",
    **under("seccompProfile", _PROFILE),
    **under("appArmorProfile", _PROFILE),
}

SECURITY_CONTEXT: Descriptions = {
    "": "Privileges and identity of this container; set fields override the pod's "
        "securityContext.",
    **IDENTITY,
    "capabilities": "Linux capabilities added to or dropped from the runtime's default set.",
    "capabilities.add": "Capabilities to add, e.g. NET_ADMIN.",
    "capabilities.drop": "Capabilities to remove, e.g. ALL.",
    "privileged": "Run with (nearly) all of the host's privileges and devices. Default false.",
    "readOnlyRootFilesystem": "Mount the image's filesystem read-only; only volumes are "
                              "writable. Default false.",
    "allowPrivilegeEscalation": "Whether a process may gain more privileges than its parent "
                                "(setuid binaries); always true when privileged.",
    "procMount": "Default masks parts of /proc; Unmasked leaves it whole.",
}

_VOLUME_MOUNT: Descriptions = {
    "": "Volumes of the pod mounted into this container's filesystem.",
    "name": "Name of the pod volume to mount.",
    "mountPath": "Absolute path in the container where the volume appears; must not "
                 "contain ':'.",
    "subPath": "Mount only this path inside the volume instead of its root.",
    "subPathExpr": "Like subPath but may use $(VAR) references to the container's "
                   "environment.",
    "readOnly": "Mount read-only. Default false.",
    "recursiveReadOnly": "Disabled, IfPossible or Enabled: whether sub-mounts of a "
                         "read-only mount are read-only too.",
    "mountPropagation": "None (default), HostToContainer or Bidirectional: how mounts made "
                        "later under this path propagate.",
}

CONTAINER: Descriptions = {
    "name": "Name of the container (a DNS label), unique within the pod; used by "
            "`kubectl logs -c` and `kubectl exec -c`.",
    "image": "Container image to run, e.g. nginx:1.27 or registry/repo@sha256:...",
    "imagePullPolicy": "Always, IfNotPresent or Never. Default: Always for a :latest (or "
                       "untagged) image, IfNotPresent otherwise.",
    "command": "Replaces the image's ENTRYPOINT. Not run in a shell; $(VAR) references to "
               "the container's variables are expanded.",
    "args": "Replaces the image's CMD (the arguments to the entrypoint); $(VAR) references "
            "are expanded.",
    "workingDir": "Directory the process starts in; defaults to the image's WORKDIR.",
    "ports": CONTAINER_PORT[""],
    **under("ports", {k: v for k, v in CONTAINER_PORT.items() if k}),
    **under("env", ENV_VAR),
    **under("envFrom", ENV_FROM),
    **under("resources", RESOURCES),
    "resizePolicy": "Whether changing each resource in place needs a container restart.",
    "resizePolicy.resourceName": "cpu or memory.",
    "resizePolicy.restartPolicy": "NotRequired (default) or RestartContainer.",
    "restartPolicy": "Only for init containers: Always makes it a sidecar that starts "
                     "before the app containers and keeps running beside them.",
    **under("volumeMounts", _VOLUME_MOUNT),
    "volumeDevices": "Raw block volumes exposed to the container as devices.",
    "volumeDevices.name": "Name of a pod volume backed by a block-mode claim.",
    "volumeDevices.devicePath": "Device path inside the container.",
    "livenessProbe": "Checks the container is still healthy; after failureThreshold "
                     "failures the kubelet restarts it.",
    "readinessProbe": "Checks the container can serve; while it fails the pod is not Ready "
                      "and Services send it no traffic.",
    "startupProbe": "Checks the container has finished starting; liveness and readiness "
                    "probes only begin once it succeeds.",
    **under("livenessProbe", PROBE),
    **under("readinessProbe", PROBE),
    **under("startupProbe", PROBE),
    "lifecycle": "Actions run right after the container starts and before it is stopped.",
    "lifecycle.postStart": "Runs right after the container is created; if it fails the "
                           "container is killed.",
    "lifecycle.preStop": "Runs before the container gets SIGTERM (counted in the grace "
                         "period), e.g. to drain connections.",
    **under("lifecycle.postStart", _LIFECYCLE_HANDLER),
    **under("lifecycle.preStop", _LIFECYCLE_HANDLER),
    "terminationMessagePath": "File whose contents become the termination message. "
                              "Default /dev/termination-log.",
    "terminationMessagePolicy": "File (default) reads only the file; "
                                "FallbackToLogsOnError uses the end of the log when the file "
                                "is empty and the container failed.",
    **under("securityContext", SECURITY_CONTEXT),
    "stdin": "Keep a stdin open for the container (for attach). Default false.",
    "stdinOnce": "Close stdin after the first attach session ends. Default false.",
    "tty": "Allocate a terminal; usually set together with stdin. Default false.",
}
