"""The files of configMap, secret, downwardAPI and projected volumes (pure).

Each function turns a volume source plus the objects it names into a Payload for the atomic
writer, with upstream's rules: `items` pick and rename keys, `mode` beats `defaultMode`,
a missing object or key is an error unless `optional`, and with a pod fsGroup the files
belong to that group and are group-readable.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from minicube.kubelet.atomic_writer import FileProjection, Payload
from minicube.kubelet.envvars import field_value, object_bytes
from minicube.kubelet.resources import resource_value
from minicube.kubelet.sa_tokens import TokenKey, token_key

Obj = dict[str, Any]
# (plural, name) -> the object, or None when it does not exist
Objects = Mapping[tuple[str, str], "Obj | None"]

DEFAULT_MODE = 0o644
_KIND = {"configmaps": "configmap", "secrets": "secret"}


class ProjectionError(Exception):
    """The volume cannot be set up now (message as upstream's MountVolume.SetUp error)."""


class Skipped(Exception):
    """A source this kubelet does not project (reported once as an event, not fatal)."""


def _file(data: bytes, mode: int, fs_group: int | None) -> FileProjection:
    if fs_group is None:
        return FileProjection(data, mode)
    return FileProjection(data, mode | 0o440, gid=fs_group)


def keys_payload(plural: str, name: str, obj: Obj | None, items: list[Obj] | None,
                 default_mode: int, optional: bool, fs_group: int | None) -> Payload:
    """A configMap or secret source: every key as a file, or only `items` (renamed)."""
    kind = _KIND[plural]
    if obj is None:
        if optional:
            return {}
        raise ProjectionError(f'{kind} "{name}" not found')
    data = object_bytes(plural, obj)
    if not items:
        return {k: _file(v, default_mode, fs_group) for k, v in data.items()}
    out: Payload = {}
    for item in items:
        key = item.get("key", "")
        if key not in data:
            if optional:
                continue
            raise ProjectionError(f"{kind} references non-existent config key: {key}")
        mode = item.get("mode")
        out[item.get("path") or key] = _file(data[key], default_mode if mode is None else mode,
                                             fs_group)
    return out


def downward_payload(pod: Obj, items: list[Obj], default_mode: int, fs_group: int | None, *,
                     node_name: str, allocatable: Mapping[str, str]) -> Payload:
    """downwardAPI items: metadata fields (labels/annotations as key="value" lines) and
    container resources."""
    out: Payload = {}
    for item in items:
        if "fieldRef" in item:
            text = field_value(pod, item["fieldRef"].get("fieldPath", ""), node_name=node_name,
                               host_ip="", pod_ip="")
        elif "resourceFieldRef" in item:
            ref = item["resourceFieldRef"]
            try:
                text = resource_value(pod, ref.get("containerName", ""), ref.get("resource", ""),
                                      ref.get("divisor"), allocatable)
            except ValueError as e:
                raise ProjectionError(str(e)) from e
        else:
            continue
        mode = item.get("mode")
        out[item["path"]] = _file(text.encode(), default_mode if mode is None else mode,
                                  fs_group)
    return out


def projected_payload(pod: Obj, source: Obj, objects: Objects, fs_group: int | None, *,
                      node_name: str, allocatable: Mapping[str, str],
                      skipped: Callable[[str], None], tokens: Mapping[TokenKey, str],
                      token_errors: Mapping[TokenKey, str]) -> Payload:
    """A projected volume: its sources merged into one directory, later sources winning.
    ServiceAccount tokens come fetched already (sa_tokens.py), keyed by audience and lifetime."""
    mode = source.get("defaultMode", DEFAULT_MODE)
    out: Payload = {}
    for s in source.get("sources") or []:
        if "configMap" in s or "secret" in s:
            plural = "configmaps" if "configMap" in s else "secrets"
            ref = s.get("configMap") or s.get("secret") or {}
            name = ref.get("name", "")
            out.update(keys_payload(plural, name, objects.get((plural, name)), ref.get("items"),
                                    mode, bool(ref.get("optional")), fs_group))
        elif "downwardAPI" in s:
            out.update(downward_payload(pod, (s["downwardAPI"] or {}).get("items") or [], mode,
                                        fs_group, node_name=node_name, allocatable=allocatable))
        elif "serviceAccountToken" in s:
            ref = s["serviceAccountToken"] or {}
            key = token_key(ref)
            if key not in tokens:
                raise ProjectionError(token_errors.get(key, "failed to fetch token"))
            # upstream: the token file is 0600 unless an fsGroup must read it
            out[ref.get("path") or "token"] = _file(tokens[key].encode(), mode, fs_group)
        else:
            skipped(next(iter(s), "unknown"))
    return out


def volume_references(volumes: list[Obj]) -> set[tuple[str, str]]:
    """The (plural, name) of every ConfigMap and Secret the pod's volumes project."""
    refs: set[tuple[str, str]] = set()
    for v in volumes:
        if "configMap" in v:
            refs.add(("configmaps", (v["configMap"] or {}).get("name", "")))
        if "secret" in v:
            refs.add(("secrets", (v["secret"] or {}).get("secretName", "")))
        for s in ((v.get("projected") or {}).get("sources") or []):
            if "configMap" in s:
                refs.add(("configmaps", (s["configMap"] or {}).get("name", "")))
            if "secret" in s:
                refs.add(("secrets", (s["secret"] or {}).get("name", "")))
    return refs
