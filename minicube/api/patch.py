"""The three patch formats the API accepts: JSON patch, JSON merge patch, strategic merge patch.

Strategic merge patch (SMP) follows apimachinery's `strategicpatch` with the server's options
(parallel lists merged, unmatched nulls ignored). It is a merge patch except that lists
declared `patchStrategy: merge` merge element by element on their merge key, and the patch
may carry directives: `$patch: replace|delete|merge`, `$setElementOrder/<list>`,
`$deleteFromPrimitiveList/<list>` and `$retainKeys`. The merge keys live in MERGE_KEYS,
keyed by kind and list path, so a new kind adds rows rather than code.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

import jsonpatch
import jsonpointer

from minicube.api.registry import Obj


class PatchError(Exception):
    """A malformed patch, or one that cannot apply (the server answers 422 or 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- JSON patch (RFC 6902) and JSON merge patch (RFC 7386) ----------------------------------


def json_patch(target: Obj, ops: Any) -> Obj:
    """Apply RFC 6902 operations to a copy of target."""
    if not isinstance(ops, list):
        raise PatchError("json patch must be a JSON array of operations")
    try:
        result = jsonpatch.JsonPatch(ops).apply(target, in_place=False)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as e:
        raise PatchError(str(e)) from e
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as e:
        raise PatchError(f"invalid json patch: {e}") from e
    if not isinstance(result, dict):
        raise PatchError("json patch result is not a JSON object")
    return result


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _merge(out.get(k), v)
    return out


def merge_patch(target: Obj, patch: Any) -> Obj:
    """RFC 7386: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        raise PatchError("merge patch must be a JSON object")
    return _merge(copy.deepcopy(target), patch)


# --- the merge-key table ---------------------------------------------------------------------

PRIMITIVE = ""  # merge "key" of a list of scalars merged as a set (finalizers)

# {kind: {dotted list path: merge key}}; "*" rows apply to every kind. Paths skip list indices:
# a Pod's container ports are "spec.containers.ports".
MERGE_KEYS: dict[str, dict[str, str]] = {
    "*": {"metadata.finalizers": PRIMITIVE, "metadata.ownerReferences": "uid",
          "status.conditions": "type"},
}

_CONTAINER_LISTS = {"env": "name", "ports": "containerPort", "volumeMounts": "mountPath",
                    "volumeDevices": "devicePath"}
POD_SPEC_KEYS: dict[str, str] = {
    **{c: "name" for c in ("containers", "initContainers", "ephemeralContainers")},
    **{f"{c}.{sub}": key for c in ("containers", "initContainers", "ephemeralContainers")
       for sub, key in _CONTAINER_LISTS.items()},
    "volumes": "name", "imagePullSecrets": "name", "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey", "schedulingGates": "name",
    "resourceClaims": "name",
}
# Where each workload kind keeps its pod template.
POD_TEMPLATE_PATHS = {
    "Deployment": "spec.template", "ReplicaSet": "spec.template", "StatefulSet": "spec.template",
    "DaemonSet": "spec.template", "Job": "spec.template", "ReplicationController": "spec.template",
    "CronJob": "spec.jobTemplate.spec.template", "PodTemplate": "template",
}


def add_merge_keys(kind: str, rows: dict[str, str], prefix: str = "") -> None:
    """Declare merge lists of a kind, optionally below a path (a pod template)."""
    table = MERGE_KEYS.setdefault(kind, {})
    for path, key in rows.items():
        table[f"{prefix}.{path}" if prefix else path] = key


add_merge_keys("Pod", POD_SPEC_KEYS, "spec")
add_merge_keys("Pod", {"status.podIPs": "ip", "status.hostIPs": "ip",
                       "status.resourceClaimStatuses": "name"})
add_merge_keys("Node", {"spec.podCIDRs": PRIMITIVE, "status.addresses": "type"})
add_merge_keys("Service", {"spec.ports": "port"})
for _kind, _template in POD_TEMPLATE_PATHS.items():
    add_merge_keys(_kind, POD_SPEC_KEYS, f"{_template}.spec")


def merge_key(kind: str, path: str) -> str | None:
    """The merge key of a list (PRIMITIVE for scalar sets), or None if it is replaced whole."""
    found = MERGE_KEYS.get(kind, {}).get(path)
    return found if found is not None else MERGE_KEYS["*"].get(path)


# --- strategic merge patch -------------------------------------------------------------------

_PATCH = "$patch"
_RETAIN = "$retainKeys"
_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


def apply(patch_type: str, target: Obj, patch: Any, kind_name: str) -> Obj:
    """`patch` of one of the types "json", "merge" or "strategic" applied to a copy of
    target; PatchError when it does not apply or does not give an object."""
    if patch_type == "json":
        out = json_patch(target, patch)
    elif patch_type == "merge":
        out = merge_patch(target, patch)
    else:
        out = strategic_merge_patch(target, patch, kind_name)
    if not isinstance(out, dict):
        raise PatchError("the patch does not produce an object")
    return out


def strategic_merge_patch(target: Obj, patch: Any, kind_name: str) -> Obj:
    """Apply an SMP to a copy of target; PatchError when the patch is malformed."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be a JSON object")
    merged = _SMP(kind_name).merge_map(copy.deepcopy(target), copy.deepcopy(patch), "")
    return _strip(merged)


def _is_directive(key: str) -> bool:
    return key in (_PATCH, _RETAIN) or key.startswith((_ORDER, _DELETE_FROM))


def _strip(v: Any) -> Any:
    """Drop directive keys that rode along in subtrees taken from the patch as they are."""
    if isinstance(v, dict):
        return {k: _strip(x) for k, x in v.items() if not _is_directive(k)}
    if isinstance(v, list):
        return [_strip(x) for x in v]
    return v


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _same(a: Any, b: Any, key: str | None) -> bool:
    if key and isinstance(a, dict) and isinstance(b, dict):
        if key not in a or key not in b:
            missing = a if key not in a else b
            raise PatchError(f"map: {missing} does not contain declared merge key: {key}")
        return bool(a[key] == b[key])
    return bool(a == b)


def _index(items: list[Any], item: Any, key: str | None) -> int:
    return next((i for i, x in enumerate(items) if _same(x, item, key)), -1)


def _sorted_by(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def pos(x: Any) -> int:
        i = _index(order, x, key)
        return i if i >= 0 else len(order)
    return sorted(items, key=pos)


def _normalize(patch_items: list[Any], server_only: list[Any], patch_order: list[Any],
               server_order: list[Any], key: str | None) -> list[Any]:
    """Patch items in patch order, server-only items in live order, then interleave them:
    a server-only item goes before a patch item only if it came first in the live list."""
    right, left = _sorted_by(patch_items, patch_order, key), _sorted_by(server_only,
                                                                        server_order, key)
    out, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i])
            i += 1
        elif i >= len(left):
            out.append(right[j])
            j += 1
        else:
            li, ri = _index(server_order, left[i], key), _index(server_order, right[j], key)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _partition(merged: list[Any], present: list[Any], key: str | None
               ) -> tuple[list[Any], list[Any]]:
    inside = [x for x in merged if _index(present, x, key) >= 0]
    return inside, [x for x in merged if _index(present, x, key) < 0]


def _element_kind(*lists: Iterable[Any]) -> str:
    kinds = {"map" if isinstance(x, dict) else "list" if isinstance(x, list) else "scalar"
             for items in lists for x in items}
    if "list" in kinds or len(kinds) > 1:
        raise PatchError(f"list elements must all be maps or all be scalars, found {sorted(kinds)}")
    return kinds.pop() if kinds else "scalar"


class _SMP:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def fresh(self, value: Any, path: str) -> Any:
        """A patch value with nothing to merge into: resolve its directives and nulls."""
        if isinstance(value, dict):
            return self.merge_map({}, value, path)
        if isinstance(value, list):
            return self.merge_list([], value, path)
        return value

    def merge_map(self, orig: dict[str, Any], patch: dict[str, Any], path: str) -> dict[str, Any]:
        if _PATCH in patch:
            directive = patch[_PATCH]
            if directive == "replace":
                return {k: v for k, v in patch.items() if k != _PATCH}
            if directive == "delete":
                return {}
            if directive != "merge":
                raise PatchError(f"unknown patch type: {directive} in map: {patch}")
        patch = {k: v for k, v in patch.items() if k != _PATCH}
        self._retain_keys(orig, patch)
        self._set_element_orders(orig, patch, path)
        for k, pv in patch.items():
            if k.startswith(_ORDER):
                continue
            delete_list = k.startswith(_DELETE_FROM)
            if delete_list:
                k = k[len(_DELETE_FROM):]
            child = _join(path, k)
            if pv is None:
                orig.pop(k, None)
            elif k not in orig:
                if not delete_list:
                    orig[k] = self.fresh(pv, child)
            elif isinstance(orig[k], dict) and isinstance(pv, dict) and not delete_list:
                orig[k] = self.merge_map(orig[k], pv, child)
            elif isinstance(orig[k], list) and isinstance(pv, list):
                orig[k] = self.merge_list(orig[k], pv, child, delete_list)
            elif not delete_list:
                orig[k] = self.fresh(pv, child)
        return orig

    def merge_list(self, orig: list[Any], patch: list[Any], path: str,
             delete_list: bool = False) -> list[Any]:
        key = merge_key(self.kind, path)
        if delete_list:  # `$deleteFromPrimitiveList/x` works whatever x's strategy
            _element_kind(orig, patch)
            return [x for x in orig if x not in patch]
        if key is None:  # replaced whole
            return [self.fresh(x, path) for x in patch
                    if not (isinstance(x, dict) and _PATCH in x)]
        if not orig and not patch:
            return orig
        if _element_kind(orig, patch) == "scalar":
            merged = _dedupe(orig + patch)
            inside, server_only = _partition(merged, patch, None)
            return _normalize(inside, server_only, patch, orig, None)
        if not key:
            raise PatchError(f"cannot merge lists without merge key for {path}")
        orig, patch = self._special_elements(orig, patch, key, path)
        merged = list(orig)
        for el in patch:
            if key not in el:
                raise PatchError(f"map: {el} does not contain declared merge key: {key}")
            i = _index(merged, el, key)
            if i < 0:
                merged.append(self.fresh(el, path))
            else:
                merged[i] = self.merge_map(merged[i], el, path)
        inside, server_only = _partition(merged, patch, key)
        return _normalize(inside, server_only, patch, orig, key)

    def _special_elements(self, orig: list[Any], patch: list[Any], key: str, path: str
                          ) -> tuple[list[Any], list[Any]]:
        """Apply `{"$patch": "delete", key: v}` and `{"$patch": "replace"}` list elements."""
        rest, replace = [], False
        for el in patch:
            directive = el.get(_PATCH)
            if directive is None:
                rest.append(el)
            elif directive == "delete":
                if key not in el:
                    raise PatchError(f"map: {el} does not contain declared merge key: {key}")
                orig = [x for x in orig if not _same(x, el, key)]
            elif directive == "replace":
                replace = True
            elif directive == "merge":
                raise PatchError("merging lists cannot yet be specified in the patch")
            else:
                raise PatchError(f"unknown patch type: {directive} in map: {el}")
        if replace:
            return [self.fresh(x, path) for x in rest], []
        return orig, rest

    @staticmethod
    def _retain_keys(orig: dict[str, Any], patch: dict[str, Any]) -> None:
        if _RETAIN not in patch:
            return
        keep = patch.pop(_RETAIN)
        if not isinstance(keep, list):
            raise PatchError("invalid patch format of retainKeys")
        for k, v in patch.items():
            if v is not None and not k.startswith((_ORDER, _DELETE_FROM)) and k not in keep:
                raise PatchError("invalid patch format of retainKeys")
        for k in [k for k in orig if k not in keep]:
            del orig[k]

    def _set_element_orders(self, orig: dict[str, Any], patch: dict[str, Any],
                            path: str) -> None:
        """Merge each list named by a `$setElementOrder/<list>` and put it in that order."""
        for directive in [k for k in patch if k.startswith(_ORDER)]:
            order = patch[directive]
            name = directive[len(_ORDER):]
            child = _join(path, name)
            key = merge_key(self.kind, child) or None
            live, patched = orig.get(name), patch.get(name)
            if (not isinstance(order, list) or not isinstance(live, (list, type(None)))
                    or not isinstance(patched, (list, type(None)))):
                raise PatchError("invalid patch format of setElementOrder list")
            self._check_order(patched or [], order, key)
            if patched is None and live is None:
                continue
            if patched is None:
                merged = live
            elif live is None:
                merged = self.fresh(patched, child)
            else:
                merged = self.merge_list(live, patched, child)
            inside, server_only = _partition(merged, order, key)
            orig[name] = _normalize(inside, server_only, order, live or [], key)
            patch.pop(name, None)

    @staticmethod
    def _check_order(patched: list[Any], order: list[Any], key: str | None) -> None:
        items = [x for x in patched if not (isinstance(x, dict) and _PATCH in x)]
        i = j = 0
        while i < len(items) and j < len(order):
            if _same(items[i], order[j], key):
                i += 1
            j += 1
        if i < len(items):
            raise PatchError(f"The order in patch list:\n{patched}\n doesn't match "
                             f"$setElementOrder list:\n{order}\n")


def _dedupe(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out
