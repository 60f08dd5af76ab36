"""CronJob schedules as Kubernetes reads them (robfig/cron's ParseStandard): five fields,
the @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly descriptors and
`@every <duration>`; evaluated in the CronJob's `timeZone` (UTC when unset, the node's zone).

Field parsing and matching come from `croniter`; this module adds Kubernetes's rules and the
scheduling question the controller asks: which run, if any, is due now?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@hourly": "0 * * * *"}
_EVERY = re.compile(r"@every\s+((?:\d+(?:\.\d+)?(?:h|m|s|ms))+)")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
# Upstream gives up counting missed runs past this many (and says so in an event).
MAX_MISSED = 100


@dataclass(frozen=True)
class Schedule:
    expression: str = ""           # five cron fields, when not an interval
    every: timedelta | None = None  # `@every`

    def next_after(self, t: datetime) -> datetime:
        """The first run strictly after t (t must be timezone-aware)."""
        if self.every is not None:
            return t.replace(microsecond=0) + self.every
        return croniter(self.expression, t).get_next(datetime)

    def last_at_or_before(self, t: datetime, start: datetime) -> datetime:
        """The last run in (start, t], given that one exists."""
        if self.every is not None:
            base = start.replace(microsecond=0)
            return base + self.every * ((t - base) // self.every)
        return croniter(self.expression, t + timedelta(seconds=1)).get_prev(datetime)


def parse(text: str) -> Schedule:
    """A schedule, or ValueError saying what is wrong (upstream's wording where it matters)."""
    text = text.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        raise ValueError("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    if m := _EVERY.fullmatch(text):
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(m[1]))
        # robfig rounds intervals below a second up to one second.
        return Schedule(every=timedelta(seconds=max(1.0, seconds)))
    if text.startswith("@"):
        if text not in _DESCRIPTORS:
            raise ValueError(f"unrecognized descriptor: {text}")
        text = _DESCRIPTORS[text]
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    # croniter's Jenkins-style `H` is no Kubernetes syntax.
    if any(tok.upper() == "H" for f in fields for tok in re.split(r"[,/()-]", f)):
        raise ValueError(f"unparseable schedule: {text}")
    try:
        croniter(text)
    except (CroniterError, ValueError, KeyError) as e:
        raise ValueError(str(e)) from None
    return Schedule(expression=text)


def zone(name: str | None) -> tzinfo:
    """The location of a CronJob's timeZone; UTC when unset. Raises ValueError if unknown."""
    if not name:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name}") from None


@dataclass(frozen=True)
class Due:
    """The answer to "what should run now": the most recent missed run (or None), how many
    runs were missed since `earliest` (capped above MAX_MISSED), and the next run after now."""
    scheduled: datetime | None
    missed: int
    next_run: datetime


def due(schedule: Schedule, earliest: datetime, now: datetime,
        starting_deadline_seconds: int | None = None) -> Due:
    """Runs in (earliest, now], as upstream's mostRecentScheduleTime counts them; with a
    starting deadline, runs older than it are no longer startable and are not reported."""
    if starting_deadline_seconds is not None:
        earliest = max(earliest, now - timedelta(seconds=starting_deadline_seconds))
    scheduled, missed = None, 0
    t = schedule.next_after(earliest)
    while t <= now:
        scheduled, missed = t, missed + 1
        if missed > MAX_MISSED:  # stop counting; jump to the last run
            scheduled = schedule.last_at_or_before(now, earliest)
            break
        t = schedule.next_after(t)
    return Due(scheduled, missed, schedule.next_after(scheduled) if scheduled else t)
