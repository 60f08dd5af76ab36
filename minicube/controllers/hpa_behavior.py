"""How far and how fast an HPA may move its target: stabilization windows over recent
recommendations and rate policies over recent scale events (upstream's `behavior`, and the
older fixed rules it uses for an HPA without one). Pure: the caller passes the time and keeps
one History per HPA."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from minicube.api.kinds.hpa_behavior_defaults import DOWNSCALE_STABILIZATION, scaling_rules

Obj = dict[str, Any]


# (status, reason, message) of a condition
Condition = tuple[str, str, str]
WITHIN_RANGE: Condition = ("False", "DesiredWithinRange",
                           "the desired count is within the acceptable range")
TOO_MANY = ("TooManyReplicas", "the desired replica count is more than the maximum replica count")
TOO_FEW = ("TooFewReplicas", "the desired replica count is less than the minimum replica count")
UP_LIMIT = ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
DOWN_LIMIT = ("ScaleDownLimit",
              "the desired replica count is decreasing faster than the maximum scale rate")
READY = ("ReadyForNewScale", "recommended size matches current size")
UP_STABILIZED = ("ScaleUpStabilized",
                 "recent recommendations were lower than current one, applying the lowest recent recommendation")
DOWN_STABILIZED = ("ScaleDownStabilized", "recent recommendations were higher than current one, "
                   "applying the highest recent recommendation")


@dataclass(frozen=True)
class Rules:
    window: int
    select: str                  # Max, Min or Disabled
    policies: tuple[Obj, ...]


def rules(behavior: Obj | None, direction: str) -> Rules:
    """The scaleUp or scaleDown rules, each unset field at its default."""
    given = scaling_rules((behavior or {}).get(direction), direction)
    return Rules(given["stabilizationWindowSeconds"], given["selectPolicy"],
                 tuple(given["policies"]))


@dataclass
class _Sample:
    value: int                   # a recommendation, or a replica change
    at: float
    outdated: bool = False


@dataclass
class History:
    """What one HPA's decisions depend on besides the present."""
    recommendations: list[_Sample] = field(default_factory=list)
    ups: list[_Sample] = field(default_factory=list)
    downs: list[_Sample] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    replicas: int
    able: Condition              # AbleToScale (status True)
    limited: Condition           # ScalingLimited


def without_behavior(history: History, current: int, desired: int, lo: int, hi: int,
                     now: float) -> Decision:
    """An HPA with no `behavior`: the highest recommendation of the last five minutes, then
    at most double (or 4) the current count."""
    cutoff = now - DOWNSCALE_STABILIZATION
    stabilized, reused = desired, False
    for rec in history.recommendations:
        if rec.at > cutoff:
            stabilized = max(stabilized, rec.value)
        elif not reused:
            rec.value, rec.at, reused = desired, now, True
    if not reused:
        history.recommendations.append(_Sample(desired, now))
    able = ("True", *(DOWN_STABILIZED if stabilized != desired else READY))
    up_limit = max(2 * current, 4)
    ceiling, why = (up_limit, UP_LIMIT) if hi > up_limit else (hi, TOO_MANY)
    if stabilized < lo:
        bounded, reason = lo, TOO_FEW
    elif stabilized > ceiling:
        bounded, reason = ceiling, why
    else:
        bounded, reason = stabilized, ("", "")
    limited = ("True", *reason) if bounded != stabilized else WITHIN_RANGE
    return Decision(bounded, able, limited)


def _changed_within(events: list[_Sample], period: int, now: float) -> int:
    return sum(e.value for e in events if e.at > now - period and not e.outdated)


def _scale_up_limit(current: int, history: History, r: Rules, now: float) -> int:
    if r.select == "Disabled":
        return current
    pick, limit = (min, math.inf) if r.select == "Min" else (max, -math.inf)
    for p in r.policies:
        period = int(p.get("periodSeconds") or 0)
        start = current - _changed_within(history.ups, period, now) + \
            _changed_within(history.downs, period, now)
        value = int(p.get("value") or 0)
        proposed = start + value if p.get("type") == "Pods" else math.ceil(start * (1 + value / 100))
        limit = pick(limit, proposed)
    return int(limit)


def _scale_down_limit(current: int, history: History, r: Rules, now: float) -> int:
    if r.select == "Disabled":
        return current
    # the Min policy is the smallest change: the most replicas left
    pick, limit = (max, -math.inf) if r.select == "Min" else (min, math.inf)
    for p in r.policies:
        period = int(p.get("periodSeconds") or 0)
        start = current - _changed_within(history.ups, period, now) + \
            _changed_within(history.downs, period, now)
        value = int(p.get("value") or 0)
        proposed = start - value if p.get("type") == "Pods" else int(start * (1 - value / 100))
        limit = pick(limit, proposed)
    return int(limit)


def _stabilize(history: History, current: int, desired: int, up: Rules, down: Rules,
               now: float) -> int:
    """The current count moved toward `desired` only as far as every recommendation within
    each direction's window agrees."""
    up_cutoff, down_cutoff = now - up.window, now - down.window
    up_rec = down_rec = desired
    old: _Sample | None = None
    for rec in history.recommendations:
        if rec.at > up_cutoff:
            up_rec = min(up_rec, rec.value)
        if rec.at > down_cutoff:
            down_rec = max(down_rec, rec.value)
        if rec.at < up_cutoff and rec.at < down_cutoff:
            old = rec
    if old is not None:
        old.value, old.at = desired, now
    else:
        history.recommendations.append(_Sample(desired, now))
    return min(max(current, up_rec), down_rec)


def with_behavior(history: History, behavior: Obj, current: int, desired: int, lo: int, hi: int,
                  now: float) -> Decision:
    up, down = rules(behavior, "scaleUp"), rules(behavior, "scaleDown")
    if not history.recommendations and down.window > 0:
        # a fresh controller has no past: it waits a whole window before scaling down
        history.recommendations.append(_Sample(current, now))
    stabilized = _stabilize(history, current, desired, up, down, now)
    stable_why = UP_STABILIZED if desired >= current else DOWN_STABILIZED
    able = ("True", *(stable_why if stabilized != desired else READY))
    bounded, reason = stabilized, ("", "")
    if stabilized > current:
        up_limit = max(_scale_up_limit(current, history, up, now), current)
        ceiling, why = (up_limit, UP_LIMIT) if hi > up_limit else (hi, TOO_MANY)
        if stabilized > ceiling:
            bounded, reason = ceiling, why
    elif stabilized < current:
        down_limit = min(_scale_down_limit(current, history, down, now), current)
        floor, why = (down_limit, DOWN_LIMIT) if lo < down_limit else (lo, TOO_FEW)
        if stabilized < floor:
            bounded, reason = floor, why
    limited = ("True", *reason) if bounded != stabilized else WITHIN_RANGE
    return Decision(bounded, able, limited)


def record_scale(history: History, behavior: Obj | None, before: int, after: int,
                 now: float) -> None:
    """Remember a rescale, for the rate policies of later periods."""
    if behavior is None or before == after:
        return
    direction, events = ("scaleUp", history.ups) if after > before else ("scaleDown", history.downs)
    longest = max((int(p.get("periodSeconds") or 0) for p in rules(behavior, direction).policies),
                  default=0)
    for e in events:
        if e.at <= now - longest:
            e.outdated = True
    change = abs(after - before)
    slot = next((e for e in events if e.outdated), None)
    if slot is not None:
        slot.value, slot.at, slot.outdated = change, now, False
    else:
        events.append(_Sample(change, now))
