"""Kubernetes timestamps: RFC 3339 in UTC with a `Z`, whole seconds (metav1.Time)."""

from __future__ import annotations

import time
from datetime import datetime, timezone


def rfc3339(ts: float | None = None) -> str:
    """`2024-01-01T00:00:00Z` for a Unix time (now when None)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if ts is None else ts))


def parse_rfc3339(text: str | None) -> float | None:
    """Unix time of an RFC 3339 timestamp (fractions up to nanoseconds); None when unset."""
    if not text or text.startswith("0001-01-01"):
        return None
    head, _, frac = text.rstrip("Z").partition(".")
    try:
        base = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return base.timestamp() + (float("0." + frac) if frac.isdigit() else 0.0)
