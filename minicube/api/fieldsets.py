"""Field sets: which fields of an object a manager owns (structured-merge-diff's model).

A field path is a tuple of path elements in the `fieldsV1` spelling: `f:<field>` for a map
field, `k:<json of the key fields>` for an item of a list keyed by its map keys, `v:<json>` for
an item of a list treated as a set. Lists without keys are atomic: the list is one leaf. A
set holds the leaves and the list items; `fieldsV1` nests the elements and marks a member
that also has children with `".": {}`.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from minicube.api import patch

Path = tuple[str, ...]
MISSING = object()
SET_LIST = ("",)  # list_keys answer for a list of scalars merged as a set

# Server-side apply keys some lists by more fields than strategic merge patch's merge key.
_SSA_KEYS = {"containerPort": ("containerPort", "protocol"), "port": ("port", "protocol"),
             "topologyKey": ("topologyKey", "whenUnsatisfiable")}
_KEY_DEFAULTS = {"protocol": "TCP"}  # key fields the server defaults before keying


def list_keys(kind: str, dotted: str) -> tuple[str, ...] | None:
    """The key fields of a list (SET_LIST for a scalar set); None for an atomic list."""
    key = patch.merge_key(kind, dotted)
    if key is None:
        return None
    if key == patch.PRIMITIVE:
        return SET_LIST
    return _SSA_KEYS.get(key, (key,))


def item_key(item: Any, keys: tuple[str, ...]) -> str:
    if keys == SET_LIST or not isinstance(item, dict):
        return "v:" + _json(item)
    return "k:" + _json({k: item.get(k, _KEY_DEFAULTS.get(k)) for k in keys})


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _join(dotted: str, name: str) -> str:
    return f"{dotted}.{name}" if dotted else name


def fields_of(obj: Any, kind: str) -> set[Path]:
    """Every leaf and list item of obj as paths (obj is already stripped of server fields)."""
    out: set[Path] = set()
    _walk(obj, kind, "", (), out)
    return out


def _walk(value: Any, kind: str, dotted: str, path: Path, out: set[Path]) -> None:
    if isinstance(value, dict) and value:
        for name, child in value.items():
            if child is not None:
                _walk(child, kind, _join(dotted, name), path + ("f:" + name,), out)
        return
    keys = list_keys(kind, dotted) if isinstance(value, list) else None
    if keys is None:
        if path:
            out.add(path)  # a scalar, an empty map or an atomic list
        return
    for item in value:
        _walk_list_item(item, item_key(item, keys), kind, dotted, path, out)


def diff(old: Any, new: Any, kind: str) -> tuple[set[Path], set[Path]]:
    """(paths added or changed in new, paths of old gone from new), walking only the
    subtrees that differ: equal subtrees are skipped with one comparison."""
    changed: set[Path] = set()
    removed: set[Path] = set()
    _diff(old, new, kind, "", (), changed, removed)
    return changed, removed


def _diff(old: Any, new: Any, kind: str, dotted: str, path: Path,
          changed: set[Path], removed: set[Path]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and old and new:
        for name in {**old, **new}:
            _diff(old.get(name), new.get(name), kind, _join(dotted, name), path + ("f:" + name,),
                  changed, removed)
        return
    keys = list_keys(kind, dotted) if isinstance(old, list) and isinstance(new, list) else None
    if keys is not None:
        old_items = {item_key(i, keys): i for i in old}
        new_items = {item_key(i, keys): i for i in new}
        for key in {**old_items, **new_items}:
            before, after = old_items.get(key), new_items.get(key)
            if before is None or after is None:
                _walk_list_item(before if after is None else after, key, kind, dotted, path,
                                removed if after is None else changed)
            elif keys != SET_LIST and isinstance(before, dict) and isinstance(after, dict):
                for name in {**before, **after}:
                    _diff(before.get(name), after.get(name), kind, _join(dotted, name),
                          path + (key, "f:" + name), changed, removed)
        return
    added: set[Path] = set()
    if new is not None:
        _walk(new, kind, dotted, path, added)
    if old is not None:
        gone: set[Path] = set()
        _walk(old, kind, dotted, path, gone)
        removed |= gone - added
    changed |= added


def _walk_list_item(item: Any, key: str, kind: str, dotted: str, path: Path, out: set[Path]) -> None:
    item_path = path + (key,)
    out.add(item_path)
    if isinstance(item, dict) and key.startswith("k:"):
        for name, child in item.items():
            if child is not None:
                _walk(child, kind, _join(dotted, name), item_path + ("f:" + name,), out)


def value_at(obj: Any, path: Path, kind: str) -> Any:
    """The value a path names in obj, or MISSING."""
    node, dotted = obj, ""
    for element in path:
        kind_of, _, name = element.partition(":")
        if kind_of == "f":
            if not isinstance(node, dict) or name not in node:
                return MISSING
            node, dotted = node[name], _join(dotted, name)
        else:
            if not isinstance(node, list):
                return MISSING
            keys = list_keys(kind, dotted) or SET_LIST
            node = next((i for i in node if item_key(i, keys) == element), MISSING)
            if node is MISSING:
                return MISSING
    return node


def remove(obj: Any, path: Path, kind: str) -> None:
    """Delete what a path names from obj (in place); maps it leaves empty go too."""
    if not path:
        return
    parent = value_at(obj, path[:-1], kind)
    last = path[-1]
    if last.startswith("f:") and isinstance(parent, dict):
        parent.pop(last[2:], None)
    elif isinstance(parent, list):
        dotted = ".".join(e[2:] for e in path[:-1] if e.startswith("f:"))
        keys = list_keys(kind, dotted) or SET_LIST
        parent[:] = [i for i in parent if item_key(i, keys) != last]
    if isinstance(parent, dict) and not parent and len(path) > 1 and path[-2].startswith("f:"):
        remove(obj, path[:-1], kind)


def to_fields_v1(paths: Iterable[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    members = list(paths)
    for path in sorted(members):
        node = tree
        for element in path:
            node = node.setdefault(element, {})
    for path in members:
        node = tree
        for element in path:
            node = node[element]
        if node and "." not in node:
            node["."] = {}
    return tree


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    for element, child in tree.items():
        if element == ".":
            out.add(prefix)
        elif isinstance(child, dict) and child:
            out |= from_fields_v1(child, prefix + (element,))
        else:
            out.add(prefix + (element,))
    return out


def path_string(path: Path) -> str:
    """Upstream's printed form: `.spec.containers[name="app"].image`."""
    out = ""
    for element in path:
        kind_of, _, rest = element.partition(":")
        if kind_of == "f":
            out += "." + rest
        elif kind_of == "k":
            fields = json.loads(rest)
            out += "[" + ",".join(f"{k}={_json(v)}" for k, v in fields.items()) + "]"
        else:
            out += "[=" + rest + "]"
    return out
