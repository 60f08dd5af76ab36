"""Pieces the apps/v1 replicated kinds share: the LabelSelector schema and checks, pod-template
defaults and validation, int-or-percent values, and the wide Table columns.

ReplicaSets and Deployments use them here; StatefulSets, DaemonSets and Jobs can too.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from minicube.api import selectors
from minicube.api.errors import cause
from minicube.api.kinds.common import get
from minicube.api.kinds.pod_validation import validate_pod_spec
from minicube.api.kinds.pods import default_pod_spec
from minicube.api.meta import (forbidden, invalid, is_label_key, not_supported, required,
                               validate_labels)
from minicube.api.registry import Cause, Column, Obj
from minicube.api.schema import arr, map_of, obj_, string, strings

label_selector = obj_({
    "matchLabels": map_of(string),
    "matchExpressions": arr(obj_({"key": string, "operator": string, "values": strings},
                                 required=["key", "operator"])),
})

_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_PERCENT = re.compile(r"[0-9]+%")


def go_map(labels: dict[str, Any] | None) -> str:
    """A label map as Go's %#v prints it in field errors: `map[string]string{"app":"web"}`."""
    inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted((labels or {}).items()))
    return f"map[string]string{{{inner}}}"


def validate_label_selector(sel: Obj | None, path: str) -> list[Cause]:
    """ValidateLabelSelector: operators, values per operator, keys and matchLabels."""
    if sel is None:
        return []
    out: list[Cause] = []
    for i, expr in enumerate(sel.get("matchExpressions") or []):
        p, op = f"{path}.matchExpressions[{i}]", expr.get("operator")
        if op not in _OPERATORS:
            out.append(not_supported(f"{p}.operator", op, _OPERATORS))
        elif op in ("In", "NotIn") and not expr.get("values"):
            out.append(required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist") and expr.get("values"):
            out.append(forbidden(f"{p}.values",
                                 "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        if msg := is_label_key(expr.get("key") or ""):
            out.append(invalid(f"{p}.key", expr.get("key") or "", msg))
    return out + validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")


def validate_selector_and_template(s: Obj, path: str = "spec") -> list[Cause]:
    """The selector is required, non-empty, and selects the template's labels; the template is
    a valid pod spec that restarts Always (ValidatePodTemplateSpecForReplicaSet). Upstream's
    messages name "deployment" and "ReplicaSet" whatever the kind, and so do these."""
    sel = s.get("selector")
    out: list[Cause] = []
    if sel is None:
        out.append(required(f"{path}.selector"))
    else:
        out += validate_label_selector(sel, f"{path}.selector")
        if not sel.get("matchLabels") and not sel.get("matchExpressions"):
            out.append(invalid(f"{path}.selector", sel, "empty selector is invalid for deployment"))
    template = s.get("template")
    if not isinstance(template, dict):
        return out + [required(f"{path}.template")]
    labels = get(template, "metadata", "labels", default={})
    tpath = f"{path}.template"
    if sel is not None and not out:
        try:
            selected = selectors.from_label_selector(sel).matches(labels)
        except ValueError:
            selected = False
        if not selected:
            out.append(cause(f"{tpath}.metadata.labels",
                             f"Invalid value: {go_map(labels)}: `selector` does not match "
                             "template `labels`"))
    out += validate_labels(labels, f"{tpath}.metadata.labels")
    pod_spec = template.get("spec") or {}
    out += validate_pod_spec(pod_spec, f"{tpath}.spec")
    policy = pod_spec.get("restartPolicy")
    if policy and policy != "Always":
        out.append(not_supported(f"{tpath}.spec.restartPolicy", policy, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        out.append(forbidden(f"{tpath}.spec.activeDeadlineSeconds",
                             "activeDeadlineSeconds in ReplicaSet is not Supported"))
    return out


def default_template(s: Obj) -> None:
    """Pod-spec defaults inside spec.template, so stored templates compare as pods do."""
    template = s.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        default_pod_spec(template["spec"])


def non_negative(s: Obj, field: str, path: str = "spec") -> list[Cause]:
    value = s.get(field)
    if isinstance(value, int) and value < 0:
        return [invalid(f"{path}.{field}", value, "must be greater than or equal to 0")]
    return []


# --- int-or-percent --------------------------------------------------------------------------


def int_or_percent_error(value: Any) -> str | None:
    """Why an IntOrString is neither an int nor `N%` (None when it is fine)."""
    if isinstance(value, str) and not _PERCENT.fullmatch(value):
        return ("a valid percent string must be a numeric string followed by an ending '%' "
                "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")
    return None


def scaled_value(value: Any, total: int, *, round_up: bool) -> int:
    """GetScaledValueFromIntOrPercent: an int as is, `N%` of total rounded up or down."""
    if isinstance(value, str):
        percent = int(value.rstrip("%"))
        exact = percent * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value or 0)


# --- columns ---------------------------------------------------------------------------------


def _containers(obj: Obj) -> list[Obj]:
    return get(obj, "spec", "template", "spec", "containers", default=[])


CONTAINERS = Column("Containers", lambda o: ",".join(c.get("name", "") for c in _containers(o)),
                    priority=1, description="Names of each container in the template.")
IMAGES = Column("Images", lambda o: ",".join(c.get("image", "") for c in _containers(o)),
                priority=1, description="Images referenced by each container in the template.")
SELECTOR = Column("Selector", lambda o: selectors.to_string(get(o, "spec", "selector")) or "<none>",
                  priority=1, description="Label selector for the pods.")
