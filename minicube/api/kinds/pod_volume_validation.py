"""Validation of volume sources, volume mounts and probes, with upstream's fields and messages.

The kubelet relies on these: projected file paths and subPaths stay inside their volume, file
modes are real modes, and every probe or hook has exactly one handler.
"""

from __future__ import annotations

from typing import Any

from minicube.api.meta import forbidden, invalid, not_supported, required
from minicube.api.registry import Cause, Obj

FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive"
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                   "FileOrCreate", "Socket")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")


def local_path(target: str, field: str, *, reserved: bool = False) -> list[Cause]:
    """A path that stays below its volume (validateLocalDescendingPath / ...NonReservedPath)."""
    out = []
    if target.startswith("/"):
        out.append(invalid(field, target, "must be a relative path"))
    if ".." in target.split("/"):
        out.append(invalid(field, target, "must not contain '..'"))
    if reserved and target.startswith("..") and len(target.split("/")[0]) > 2:
        out.append(invalid(field, target, "must not start with '..'"))
    return out


def _mode(mode: Any, field: str) -> list[Cause]:
    if mode is not None and not 0 <= mode <= 0o777:
        return [invalid(field, mode, FILE_MODE_ERROR)]
    return []


def _file(item: Obj, path: str) -> list[Cause]:
    """A projected file's path (inside the volume, not hidden) and its mode."""
    if not item.get("path"):
        out = [required(f"{path}.path")]
    else:
        out = local_path(item["path"], f"{path}.path", reserved=True)
    return out + _mode(item.get("mode"), f"{path}.mode")


def _items(items: list[Obj], path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, item in enumerate(items):
        p = f"{path}[{i}]"
        if not item.get("key"):
            out.append(required(f"{p}.key"))
        out += _file(item, p)
    return out


def _downward_items(items: list[Obj], path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, item in enumerate(items):
        p = f"{path}[{i}]"
        out += _file(item, p)
        if item.get("fieldRef") and item.get("resourceFieldRef"):
            out.append(invalid(p, "resource", "fieldRef and resourceFieldRef can not be "
                                              "specified simultaneously"))
        elif not item.get("fieldRef") and not item.get("resourceFieldRef"):
            out.append(required(p, "one of fieldRef and resourceFieldRef is required"))
    return out


def validate_volume_source(v: Obj, path: str) -> list[Cause]:
    """The parts of a volume's source the kubelet depends on."""
    out: list[Cause] = []
    for source, items in (("configMap", "items"), ("secret", "items"), ("downwardAPI", "items"),
                          ("projected", None)):
        if isinstance(v.get(source), dict):
            out += _mode(v[source].get("defaultMode"), f"{path}.{source}.defaultMode")
            if source == "downwardAPI":
                out += _downward_items(v[source].get("items") or [], f"{path}.{source}.items")
            elif items:
                out += _items(v[source].get(items) or [], f"{path}.{source}.{items}")
    for i, s in enumerate(((v.get("projected") or {}).get("sources")) or []):
        p = f"{path}.projected.sources[{i}]"
        for kind in ("configMap", "secret"):
            if isinstance(s.get(kind), dict):
                out += _items(s[kind].get("items") or [], f"{p}.{kind}.items")
        if isinstance(s.get("downwardAPI"), dict):
            out += _downward_items(s["downwardAPI"].get("items") or [], f"{p}.downwardAPI.items")
    host = v.get("hostPath")
    if isinstance(host, dict) and (host.get("type") or "") not in HOST_PATH_TYPES:
        out.append(not_supported(f"{path}.hostPath.type", host["type"], HOST_PATH_TYPES))
    return out


def validate_mount(m: Obj, path: str) -> list[Cause]:
    out = local_path(m.get("subPath") or "", f"{path}.subPath")
    if m.get("subPath") and m.get("subPathExpr"):
        out.append(invalid(f"{path}.subPathExpr", m["subPathExpr"],
                           "subPathExpr and subPath are mutually exclusive"))
    return out


def _handler(h: Obj, path: str, kinds: tuple[str, ...]) -> list[Cause]:
    found = [k for k in kinds if h.get(k) is not None]
    if not found:
        return [required(path, "must specify a handler type")]
    if len(found) > 1:
        return [forbidden(f"{path}.{found[1]}", "may not specify more than 1 handler type")]
    return []


def validate_probes_and_hooks(c: Obj, path: str, *, init: bool = False) -> list[Cause]:
    """init: a (non-sidecar) init container, which may have neither probes nor hooks."""
    out: list[Cause] = []
    if init and c.get("restartPolicy") != "Always":
        return [forbidden(f"{path}.{field}", "may not be set for init containers without "
                                             "restartPolicy=Always")
                for field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")
                if c.get(field)]
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(kind)
        if not isinstance(probe, dict):
            continue
        p = f"{path}.{kind}"
        out += _handler(probe, p, _HANDLERS)
        grpc = probe.get("grpc")
        if isinstance(grpc, dict) and isinstance(port := grpc.get("port"), int) \
                and not 0 < port < 65536:
            out.append(invalid(f"{p}.grpc.port", port, "must be between 1 and 65535, inclusive"))
        for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                      "successThreshold", "failureThreshold"):
            if (value := probe.get(field)) is not None and value < 0:
                out.append(invalid(f"{p}.{field}", value, "must be greater than or equal to 0"))
        if kind != "readinessProbe" and probe.get("successThreshold") not in (None, 1):
            out.append(invalid(f"{p}.successThreshold", probe["successThreshold"], "must be 1"))
    for hook in ("postStart", "preStop"):
        handler = (c.get("lifecycle") or {}).get(hook)
        if isinstance(handler, dict):
            out += _handler(handler, f"{path}.lifecycle.{hook}", _HOOK_HANDLERS)
    return out
