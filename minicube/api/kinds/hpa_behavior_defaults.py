"""The defaults of an HPA's `behavior` (autoscaling/v2): the API server fills them into a
behavior that is given, and the controller scales by them.

Scaling up: no stabilization, at most 4 pods or 100% more per 15 s, the larger. Scaling down:
the highest recommendation of the last 5 minutes, at most 100% fewer per 15 s.
"""

from __future__ import annotations

import copy
from typing import Any

Obj = dict[str, Any]

DOWNSCALE_STABILIZATION = 300  # --horizontal-pod-autoscaler-downscale-stabilization
_POLICIES = {
    "scaleUp": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15}],
    "scaleDown": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}


def scaling_rules(given: Obj | None, direction: str) -> Obj:
    """`given` (the scaleUp or scaleDown rules) with every unset field at its default."""
    out = dict(given or {})
    window = out.get("stabilizationWindowSeconds")
    if not isinstance(window, int):
        out["stabilizationWindowSeconds"] = 0 if direction == "scaleUp" else DOWNSCALE_STABILIZATION
    out["selectPolicy"] = out.get("selectPolicy") or "Max"
    out["policies"] = out.get("policies") or copy.deepcopy(_POLICIES[direction])
    return out
