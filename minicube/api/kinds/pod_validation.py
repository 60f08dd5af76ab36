"""Pod spec validation and the pod update rules, with upstream's fields and messages (v1.32).

`validate_pod_spec` also checks the pod templates of workload kinds.
"""

from __future__ import annotations

import copy
from typing import Any

from minicube.api import quantity
from minicube.api.kinds.pod_schema import VOLUME_SOURCES
from minicube.api.kinds.pod_volume_validation import (validate_mount, validate_probes_and_hooks,
                                                      validate_volume_source)
from minicube.api.meta import (duplicate, forbidden, invalid, is_dns1123_label, not_found,
                               not_supported, required, validate_labels, without_nulls)
from minicube.api.registry import Cause, Obj

_MAX_INT32 = 2**31 - 1


def _port_name_error(name: str) -> str | None:
    if len(name) > 15:
        return "must be no more than 15 characters"
    if not all(ch.isdigit() or ch == "-" or "a" <= ch <= "z" for ch in name):
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    if not any("a" <= ch <= "z" for ch in name):
        return "must contain at least one letter (a-z)"
    if "--" in name:
        return "must not contain consecutive hyphens"
    if name.startswith("-") or name.endswith("-"):
        return "must not begin or end with a hyphen"
    return None


def _validate_ports(ports: list[Obj], path: str) -> list[Cause]:
    out: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        p = f"{path}[{i}]"
        if name := port.get("name"):
            if msg := _port_name_error(name):
                out.append(invalid(f"{p}.name", name, msg))
            elif name in names:
                out.append(duplicate(f"{p}.name", name))
            names.add(name)
        for key in ("containerPort", "hostPort"):
            value = port.get(key)
            if key == "containerPort" and not value:
                out.append(required(f"{p}.containerPort"))
            elif isinstance(value, int) and value and not 1 <= value <= 65535:
                out.append(invalid(f"{p}.{key}", value, "must be between 1 and 65535, inclusive"))
        if not port.get("protocol"):
            out.append(required(f"{p}.protocol"))
        elif port["protocol"] not in ("SCTP", "TCP", "UDP"):
            out.append(not_supported(f"{p}.protocol", port["protocol"], ("SCTP", "TCP", "UDP")))
    return out


def _validate_env(env: list[Obj], path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, e in enumerate(env):
        name = e.get("name") or ""
        if not name:
            out.append(required(f"{path}[{i}].name"))
        elif "=" in name or not all(32 <= ord(ch) <= 126 for ch in name):
            out.append(invalid(f"{path}[{i}].name", name, "a valid environment variable name "
                               "must consist only of printable ASCII characters other than '='"))
        if e.get("value") and e.get("valueFrom"):
            out.append(invalid(f"{path}[{i}].valueFrom", "",
                               "may not be specified when `value` is not empty"))
    return out


def _validate_resources(res: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    for bag in ("limits", "requests"):
        for name, q in (res.get(bag) or {}).items():
            if not quantity.is_valid(q):
                out.append(invalid(f"{path}.{bag}[{name}]", q, quantity.ERROR))
    limits = res.get("limits") or {}
    for name, q in (res.get("requests") or {}).items():
        lim = limits.get(name)
        if quantity.is_valid(q) and quantity.is_valid(lim) and \
                quantity.parse(q) > quantity.parse(lim):
            out.append(invalid(f"{path}.requests", quantity.canonical(q),
                               f"must be less than or equal to {name} limit of "
                               f"{quantity.canonical(lim)}"))
    return out


def _validate_container(c: Obj, path: str, kind: str, names: set[str],
                        volumes: set[str]) -> list[Cause]:
    out: list[Cause] = []
    name = c.get("name")
    if not name:
        out.append(required(f"{path}.name"))
    elif msg := is_dns1123_label(name):
        out.append(invalid(f"{path}.name", name, msg))
    elif name in names:
        out.append(duplicate(f"{path}.name", name))
    names.add(name or "")
    if not c.get("image"):
        out.append(required(f"{path}.image"))
    for field, allowed in (("imagePullPolicy", ("Always", "IfNotPresent", "Never")),
                           ("terminationMessagePolicy", ("File", "FallbackToLogsOnError"))):
        if not c.get(field):
            out.append(required(f"{path}.{field}"))
        elif c[field] not in allowed:
            out.append(not_supported(f"{path}.{field}", c[field], allowed))
    if (policy := c.get("restartPolicy")) is not None:
        if kind != "initContainers":
            out.append(forbidden(f"{path}.restartPolicy", "may not be set for non-init containers"))
        elif policy != "Always":
            out.append(not_supported(f"{path}.restartPolicy", policy, ("Always",)))
    out += _validate_ports(c.get("ports") or [], f"{path}.ports")
    out += _validate_env(c.get("env") or [], f"{path}.env")
    out += _validate_resources(c.get("resources") or {}, f"{path}.resources")
    paths: set[str] = set()
    for i, m in enumerate(c.get("volumeMounts") or []):
        p = f"{path}.volumeMounts[{i}]"
        if not m.get("name"):
            out.append(required(f"{p}.name"))
        elif m["name"] not in volumes:
            out.append(not_found(f"{p}.name", m["name"]))
        if not m.get("mountPath"):
            out.append(required(f"{p}.mountPath"))
        elif m["mountPath"] in paths:
            out.append(invalid(f"{p}.mountPath", m["mountPath"], "must be unique"))
        paths.add(m.get("mountPath") or "")
        out += validate_mount(m, p)
    if kind != "ephemeralContainers":
        out += validate_probes_and_hooks(c, path, init=kind == "initContainers")
    return out


def _validate_volumes(volumes: list[Obj], path: str, names: set[str]) -> list[Cause]:
    out: list[Cause] = []
    for i, v in enumerate(volumes):
        p, name = f"{path}[{i}]", v.get("name")
        if not name:
            out.append(required(f"{p}.name"))
        elif msg := is_dns1123_label(name):
            out.append(invalid(f"{p}.name", name, msg))
        elif name in names:
            out.append(duplicate(f"{p}.name", name))
        names.add(name or "")
        sources = [s for s in VOLUME_SOURCES if v.get(s) is not None]
        if not sources:
            out.append(required(p, "must specify a volume type"))
        elif len(sources) > 1:
            out.append(forbidden(f"{p}.{sources[1]}", "may not specify more than 1 volume type"))
        out += validate_volume_source(v, p)
    return out


def _validate_tolerations(tolerations: list[Obj], path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, t in enumerate(tolerations):
        p, op = f"{path}[{i}]", t.get("operator") or "Equal"
        if op not in ("Equal", "Exists"):
            out.append(not_supported(f"{p}.operator", op, ("Equal", "Exists")))
        elif op == "Exists" and t.get("value"):
            out.append(invalid(f"{p}.operator", t["value"],
                               "value must be empty when `operator` is 'Exists'"))
        effects = ("NoSchedule", "PreferNoSchedule", "NoExecute")
        if t.get("effect") and t["effect"] not in effects:
            out.append(not_supported(f"{p}.effect", t["effect"], effects))
    return out


def _enum(s: Obj, field: str, path: str, allowed: tuple[str, ...]) -> list[Cause]:
    if not s.get(field):
        return [required(f"{path}.{field}")]
    return [] if s[field] in allowed else [not_supported(f"{path}.{field}", s[field], allowed)]


def validate_pod_spec(s: Obj, path: str = "spec") -> list[Cause]:
    """ValidatePodSpec's checks that matter here, with upstream's fields and messages."""
    volumes: set[str] = set()
    out = _validate_volumes(s.get("volumes") or [], f"{path}.volumes", volumes)
    if not s.get("containers"):
        out.append(required(f"{path}.containers"))
    names: set[str] = set()
    for field in ("containers", "initContainers", "ephemeralContainers"):
        for i, c in enumerate(s.get(field) or []):
            out += _validate_container(c, f"{path}.{field}[{i}]", field, names, volumes)
    out += _validate_ephemeral(s, path)
    out += _enum(s, "restartPolicy", path, ("Always", "OnFailure", "Never"))
    out += _enum(s, "dnsPolicy", path, ("ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                        "None"))
    if (ads := s.get("activeDeadlineSeconds")) is not None and not 1 <= ads <= _MAX_INT32:
        out.append(invalid(f"{path}.activeDeadlineSeconds", ads,
                           f"must be between 1 and {_MAX_INT32}, inclusive"))
    out += validate_labels(s.get("nodeSelector"), f"{path}.nodeSelector")
    for field, check in (("hostname", is_dns1123_label), ("subdomain", is_dns1123_label)):
        if s.get(field) and (msg := check(s[field])):
            out.append(invalid(f"{path}.{field}", s[field], msg))
    out += _validate_tolerations(s.get("tolerations") or [], f"{path}.tolerations")
    return out


# Debugging containers run once beside the others: nothing that serves, restarts or reserves.
_NOT_FOR_EPHEMERAL = ("ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
                      "resources", "restartPolicy")


def _validate_ephemeral(s: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    targets = {c.get("name") for field in ("containers", "initContainers")
               for c in s.get(field) or []}
    for i, c in enumerate(s.get("ephemeralContainers") or []):
        p = f"{path}.ephemeralContainers[{i}]"
        out += [forbidden(f"{p}.{f}", "cannot be set for an Ephemeral Container")
                for f in _NOT_FOR_EPHEMERAL if c.get(f)]
        if (target := c.get("targetContainerName")) and target not in targets:
            out.append(not_found(f"{p}.targetContainerName", target))
    return out


def validate_ephemeral_update(new: Obj, old: Obj) -> list[Cause]:
    """Through pods/ephemeralcontainers, ephemeral containers may only be added: the ones
    there stay as they are (ValidatePodEphemeralContainersUpdate)."""
    kept = {c.get("name"): c for c in (new.get("spec") or {}).get("ephemeralContainers") or []}
    out: list[Cause] = []
    for c in (old.get("spec") or {}).get("ephemeralContainers") or []:
        name = c.get("name")
        if name not in kept:
            out.append(forbidden("spec.ephemeralContainers",
                                 f'existing ephemeral containers "{name}" may not be removed'))
        elif without_nulls(kept[name]) != without_nulls(c):
            out.append(forbidden("spec.ephemeralContainers",
                                 f'existing ephemeral containers "{name}" may not be changed'))
    return out


# --- updates ----------------------------------------------------------------------------------

UPDATABLE = ("`spec.containers[*].image`,`spec.initContainers[*].image`,"
             "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
             "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
             "was previously negative)")


def _set(obj: Obj, key: str, value: Any) -> None:
    if value is None:
        obj.pop(key, None)
    else:
        obj[key] = value


def validate_update(new: Obj, old: Obj) -> list[Cause]:
    """A pod's spec is fixed once created, but for images, a shorter deadline and more
    tolerations (ValidatePodUpdate)."""
    # nulls dropped, so `x: null` and a missing x compare equal
    ns, os_ = without_nulls(new.get("spec") or {}), without_nulls(old.get("spec") or {})
    out: list[Cause] = []
    new_ads, old_ads = ns.get("activeDeadlineSeconds"), os_.get("activeDeadlineSeconds")
    if new_ads is None and old_ads is not None:
        out.append(invalid("spec.activeDeadlineSeconds", None,
                           "must not update from a positive integer to nil value"))
    elif new_ads is not None and old_ads is not None and new_ads > old_ads:
        out.append(invalid("spec.activeDeadlineSeconds", new_ads,
                           "must be less than or equal to previous value"))
    for old_t in os_.get("tolerations") or []:
        # Each existing toleration must still be there; only its tolerationSeconds may change.
        if not any({**old_t, "tolerationSeconds": None} == {**t, "tolerationSeconds": None}
                   for t in ns.get("tolerations") or []):
            out.append(forbidden("spec.tolerations", "existing toleration can not be modified "
                                                     "except its tolerationSeconds"))
            break
    munged = copy.deepcopy(ns)
    for field in ("containers", "initContainers"):
        new_list, old_list = munged.get(field) or [], os_.get(field) or []
        if len(new_list) == len(old_list):
            for n, o in zip(new_list, old_list):
                _set(n, "image", o.get("image"))
    _set(munged, "activeDeadlineSeconds", old_ads)
    _set(munged, "tolerations", os_.get("tolerations"))
    old_grace = os_.get("terminationGracePeriodSeconds")
    if old_grace is not None and old_grace < 0 and ns.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if munged != os_:
        changed = sorted(k for k in set(munged) | set(os_) if munged.get(k) != os_.get(k))
        out.append(forbidden("spec", f"pod updates may not change fields other than {UPDATABLE}"
                                     f"\nchanged: {', '.join('spec.' + k for k in changed)}"))
    return out
