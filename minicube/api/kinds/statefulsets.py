"""apps/v1 StatefulSet: pods with stable names `<set>-<ordinal>` and one claim per pod from
each volumeClaimTemplate (controllers/statefulset.py does the work)."""

from __future__ import annotations

from minicube.api.kinds.common import condition, get, kind_schema, spec
from minicube.api.kinds.persistentvolumes import pvc_template, validate_claim_spec
from minicube.api.kinds.pod_schema import pod_template
from minicube.api.kinds.replication import (CONTAINERS, IMAGES, default_template, label_selector,
                                            non_negative, validate_selector_and_template)
from minicube.api.meta import (forbidden, invalid, is_dns1123_label, is_dns1123_subdomain,
                               not_supported, required, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, int32, int64, int_or_string, obj_, string
from minicube.api.tables import AGE

POLICIES = ("OrderedReady", "Parallel")
STRATEGIES = ("RollingUpdate", "OnDelete")
RETENTION = ("Retain", "Delete")
# What an update may change (ValidateStatefulSetUpdate); everything else is fixed.
_UPDATABLE = ("replicas", "ordinals", "template", "updateStrategy",
              "persistentVolumeClaimRetentionPolicy", "minReadySeconds")

SCHEMA = kind_schema(
    spec=obj_({
        "replicas": int32, "selector": label_selector, "template": pod_template,
        "volumeClaimTemplates": arr(pvc_template), "serviceName": string,
        "podManagementPolicy": string,
        "updateStrategy": obj_({"type": string, "rollingUpdate": obj_({
            "partition": int32, "maxUnavailable": int_or_string})}),
        "revisionHistoryLimit": int32, "minReadySeconds": int32,
        "persistentVolumeClaimRetentionPolicy": obj_({"whenDeleted": string,
                                                      "whenScaled": string}),
        "ordinals": obj_({"start": int32}),
    }, required=["selector", "template"]),
    status=obj_({
        "observedGeneration": int64, "replicas": int32, "readyReplicas": int32,
        "currentReplicas": int32, "updatedReplicas": int32, "currentRevision": string,
        "updateRevision": string, "collisionCount": int32, "conditions": arr(condition()),
        "availableReplicas": int32,
    }, required=["replicas"]),
)


def _default(sts: Obj) -> None:
    s = spec(sts)
    s.setdefault("replicas", 1)
    s.setdefault("podManagementPolicy", "OrderedReady")
    s.setdefault("revisionHistoryLimit", 10)
    strategy = s.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    retention = s.setdefault("persistentVolumeClaimRetentionPolicy", {})
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    default_template(s)
    for claim in s.get("volumeClaimTemplates") or []:
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        spec(claim).setdefault("volumeMode", "Filesystem")
        claim.setdefault("status", {"phase": "Pending"})


def _validate_claims(s: Obj) -> list[Cause]:
    out: list[Cause] = []
    for i, claim in enumerate(s.get("volumeClaimTemplates") or []):
        path = f"spec.volumeClaimTemplates[{i}]"
        name = get(claim, "metadata", "name")
        if not name:
            out.append(required(f"{path}.metadata.name"))
        elif msg := is_dns1123_subdomain(name):
            out.append(invalid(f"{path}.metadata.name", name, msg))
        out += validate_claim_spec(claim.get("spec") or {}, f"{path}.spec")
    return out


def _validate_strategy(s: Obj) -> list[Cause]:
    strategy = s.get("updateStrategy") or {}
    kind = strategy.get("type")
    if kind not in STRATEGIES:
        return [not_supported("spec.updateStrategy.type", kind, STRATEGIES)]
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete" and rolling is not None:
        return [invalid("spec.updateStrategy.rollingUpdate", rolling,
                        "only allowed for updateStrategy 'RollingUpdate'")]
    return non_negative(rolling or {}, "partition", "spec.updateStrategy.rollingUpdate")


def _validate(sts: Obj) -> list[Cause]:
    s = sts.get("spec") or {}
    out = validate_object_meta(sts, namespaced=True, name_validator=is_dns1123_label)
    if s.get("podManagementPolicy") not in POLICIES:
        out.append(not_supported("spec.podManagementPolicy", s.get("podManagementPolicy"),
                                 POLICIES))
    out += _validate_strategy(s)
    for field in ("whenDeleted", "whenScaled"):
        value = get(s, "persistentVolumeClaimRetentionPolicy", field)
        if value not in RETENTION:
            out.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{field}",
                                     value, RETENTION))
    out += non_negative(s, "replicas") + non_negative(s, "minReadySeconds")
    out += non_negative(s.get("ordinals") or {}, "start", "spec.ordinals")
    return out + validate_selector_and_template(_with_claim_volumes(s)) + _validate_claims(s)


def _with_claim_volumes(s: Obj) -> Obj:
    """The spec as its pods will see it: each claim template is also a volume, so mounts
    may name it (upstream skips pod-spec validation here for want of exactly this)."""
    claims = [get(t, "metadata", "name") for t in s.get("volumeClaimTemplates") or []]
    pod_spec = get(s, "template", "spec")
    if not claims or not isinstance(pod_spec, dict):
        return s
    volumes = [v for v in pod_spec.get("volumes") or [] if v.get("name") not in claims]
    volumes += [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims if c]
    return {**s, "template": {**s["template"], "spec": {**pod_spec, "volumes": volumes}}}


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    ns, os_ = new.get("spec") or {}, old.get("spec") or {}
    if any(ns.get(k) != os_.get(k) for k in set(ns) | set(os_) if k not in _UPDATABLE):
        return [forbidden("spec", "updates to statefulset spec for fields other than "
                                  "'replicas', 'ordinals', 'template', 'updateStrategy', "
                                  "'persistentVolumeClaimRetentionPolicy' and "
                                  "'minReadySeconds' are forbidden")]
    return []


def _on_create(sts: Obj) -> None:
    sts["status"] = {"replicas": 0, "availableReplicas": 0}


def _ready(sts: Obj) -> str:
    return (f"{get(sts, 'status', 'readyReplicas', default=0)}/"
            f"{get(sts, 'spec', 'replicas', default=0)}")


STATEFUL_SET = Kind(
    group="apps", version="v1", kind="StatefulSet", plural="statefulsets", short_names=("sts",),
    categories=("all",), subresources=("status", "scale"),
    columns=(Column("Ready", _ready, description="Number of ready pods out of desired."),
             AGE, CONTAINERS, IMAGES),
    schema=SCHEMA, default=_default,
    on_create=_on_create,
    validate=_validate, validate_update=_validate_update,
)
