import pytest
import yaml

from minicube.api import schema
from minicube.api.kinds import POD, REGISTRY

FULL_POD = yaml.safe_load("""
apiVersion: v1
kind: Pod
metadata:
  name: full
  namespace: default
  creationTimestamp: null
  labels: {app: web}
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u, controller: true, blockOwnerDeletion: true}]
  finalizers: [example.com/f]
  managedFields: [{manager: kubectl, operation: Update, apiVersion: v1, time: "2024-01-01T00:00:00Z", fieldsType: FieldsV1, fieldsV1: {"f:spec": {}}}]
spec:
  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}
  automountServiceAccountToken: false
  dnsConfig: {nameservers: [1.1.1.1], searches: [a], options: [{name: ndots, value: "2"}]}
  hostAliases: [{ip: 1.2.3.4, hostnames: [a]}]
  imagePullSecrets: [{name: reg}]
  nodeSelector: {kubernetes.io/os: linux}
  os: {name: linux}
  overhead: {cpu: 10m}
  priorityClassName: high
  readinessGates: [{conditionType: x}]
  schedulingGates: [{name: g}]
  securityContext: {runAsUser: 1000, fsGroup: 2000, sysctls: [{name: a, value: b}], seccompProfile: {type: RuntimeDefault}}
  serviceAccountName: default
  shareProcessNamespace: true
  tolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 30}]
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]
  volumes:
  - {name: a, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
  - {name: b, configMap: {name: cm, items: [{key: k, path: p, mode: 0400}], optional: true}}
  - {name: c, secret: {secretName: s, defaultMode: 0400}}
  - {name: d, projected: {sources: [{serviceAccountToken: {path: token}}]}}
  - {name: e, hostPath: {path: /tmp, type: Directory}}
  - {name: f, persistentVolumeClaim: {claimName: data}}
  - {name: g, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, "true"], restartPolicy: Always}
  containers:
  - name: web
    image: nginx:1.27
    args: [a]
    workingDir: /
    ports: [{name: http, containerPort: 80, protocol: TCP, hostPort: 8080, hostIP: 0.0.0.0}]
    envFrom: [{prefix: P_, configMapRef: {name: cm}}, {secretRef: {name: s, optional: true}}]
    env:
    - {name: A, value: "1"}
    - {name: B, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: C, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: D, valueFrom: {secretKeyRef: {name: s, key: k}}}
    resources: {limits: {cpu: 1, memory: 128Mi}, requests: {cpu: 0.5, memory: 64Mi}}
    resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]
    volumeMounts: [{name: a, mountPath: /a, readOnly: true, subPath: x}]
    livenessProbe: {httpGet: {path: /healthz, port: http, httpHeaders: [{name: X, value: y}]}, initialDelaySeconds: 3}
    readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 5}
    startupProbe: {exec: {command: [cat, /tmp/ok]}, failureThreshold: 30}
    lifecycle: {preStop: {sleep: {seconds: 5}}, postStart: {exec: {command: ["true"]}}}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
    stdin: true
    tty: true
status: {}
""")


def test_every_kind_is_registered_in_discovery_order() -> None:
    assert [(k.plural, k.short_names) for k in REGISTRY] == [
        ("configmaps", ("cm",)), ("endpoints", ("ep",)), ("events", ("ev",)),
        ("limitranges", ("limits",)), ("namespaces", ("ns",)), ("nodes", ("no",)),
        ("persistentvolumeclaims", ("pvc",)), ("persistentvolumes", ("pv",)), ("pods", ("po",)),
        ("resourcequotas", ("quota",)), ("secrets", ()), ("serviceaccounts", ("sa",)),
        ("services", ("svc",)),
        ("controllerrevisions", ()), ("daemonsets", ("ds",)), ("deployments", ("deploy",)), ("replicasets", ("rs",)),
        ("statefulsets", ("sts",)), ("events", ("ev",)), ("selfsubjectreviews", ()), ("localsubjectaccessreviews", ()),
        ("selfsubjectaccessreviews", ()), ("selfsubjectrulesreviews", ()), ("subjectaccessreviews", ()),
        ("horizontalpodautoscalers", ("hpa",)), ("horizontalpodautoscalers", ("hpa",)),
        ("cronjobs", ("cj",)), ("jobs", ()),
        ("storageclasses", ("sc",)), ("endpointslices", ()), ("ingressclasses", ()),
        ("ingresses", ("ing",)), ("networkpolicies", ("netpol",)), ("poddisruptionbudgets", ("pdb",)),
        ("clusterrolebindings", ()), ("clusterroles", ()), ("rolebindings", ()), ("roles", ()),
        ("customresourcedefinitions", ("crd", "crds")), ("priorityclasses", ("pc",)),
        ("leases", ()), ("nodes", ()), ("pods", ())]
    assert REGISTRY.get("", "v1", "pods") is POD and REGISTRY.for_object("v1", "Pod") is POD


def test_subresources_and_scopes() -> None:
    kinds = {k.plural: k for k in REGISTRY if k.group == ""}
    assert kinds["namespaces"].subresources == ("status", "finalize")
    assert kinds["nodes"].subresources == ("status",) and not kinds["nodes"].namespaced
    assert kinds["pods"].subresources == ("status", "log", "binding", "exec", "attach",
                                          "portforward", "eviction", "ephemeralcontainers")
    assert kinds["pods"].categories == ("all",) and not kinds["configmaps"].has_status


def test_a_pod_using_many_fields_is_accepted() -> None:
    assert schema.unknown_fields(POD.schema, FULL_POD) == []  # type: ignore[arg-type]
    assert schema.type_errors(POD.schema, FULL_POD) == []  # type: ignore[arg-type]
    assert schema.required_errors(POD.schema, FULL_POD) == []  # type: ignore[arg-type]


def test_the_full_pod_is_valid_after_defaults() -> None:
    import copy
    pod = copy.deepcopy(FULL_POD)
    pod["spec"]["volumes"] = pod["spec"]["volumes"][:1]  # mounts name only volume "a"
    POD.default(pod)  # type: ignore[misc]
    assert POD.validate(pod) == []  # type: ignore[misc]


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda k: k.kind)
def test_every_kind_has_a_schema_and_a_validator(kind) -> None:  # type: ignore[no-untyped-def]
    obj = {"apiVersion": "v1", "kind": kind.kind, "metadata": {"name": "x"}}
    assert kind.schema is not None and schema.unknown_fields(kind.schema, obj) == []
    assert kind.validate is not None
