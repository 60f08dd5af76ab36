"""The built-in kinds, and REGISTRY holding them in discovery order (as upstream lists
/api/v1: alphabetical by resource)."""

from __future__ import annotations

from minicube.api.kinds.configmaps import CONFIG_MAP
from minicube.api.kinds.events import EVENT
from minicube.api.kinds.namespaces import NAMESPACE
from minicube.api.kinds.nodes import NODE
from minicube.api.kinds.pods import POD
from minicube.api.kinds.secrets import SECRET
from minicube.api.registry import Kind, Registry

BUILTIN: tuple[Kind, ...] = (CONFIG_MAP, EVENT, NAMESPACE, NODE, POD, SECRET)

REGISTRY = Registry()
for _kind in BUILTIN:
    REGISTRY.add(_kind)

__all__ = ["BUILTIN", "CONFIG_MAP", "EVENT", "NAMESPACE", "NODE", "POD", "REGISTRY", "SECRET"]
