"""The simple JSONPath subset CRD additionalPrinterColumns use: `.spec.a.b`, `.items[0]`,
`.metadata.labels['app.kubernetes.io/name']`. Upstream accepts any JSONPath but printer
columns in practice are plain field paths; anything else is rejected at CRD validation.
"""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(r"""\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]""")


def parse(path: str) -> list[str | int] | None:
    """The steps of a path, or None when it is not in the supported subset."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    if not path.startswith("."):
        return None
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if not m:
            return None
        name, index, quoted = m.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted))
        pos = m.end()
    return steps


def evaluate(path: str, obj: Any) -> Any:
    """The value at `path` in obj, or None when any step is missing."""
    for step in parse(path) or []:
        try:
            obj = obj[step]
        except (KeyError, IndexError, TypeError):
            return None
    return obj


def assign(path: str, obj: Any, value: Any) -> None:
    """Sets the field at `path` (named steps only), creating missing parent objects."""
    steps = parse(path)
    if not steps or not all(isinstance(s, str) for s in steps):
        raise ValueError(f"cannot assign to {path!r}")
    for step in steps[:-1]:
        obj = obj.setdefault(step, {})
    obj[steps[-1]] = value
