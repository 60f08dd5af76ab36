from datetime import datetime, timedelta, timezone

import pytest

from minicube.api import cron

UTC = timezone.utc
NOON = datetime(2024, 3, 1, 12, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("text, after, expected", [
    ("*/1 * * * *", NOON, datetime(2024, 3, 1, 12, 1, tzinfo=UTC)),
    ("@hourly", NOON, datetime(2024, 3, 1, 13, 0, tzinfo=UTC)),
    ("@daily", NOON, datetime(2024, 3, 2, 0, 0, tzinfo=UTC)),
    ("@weekly", NOON, datetime(2024, 3, 3, 0, 0, tzinfo=UTC)),  # Sunday
    ("0 9 * * MON-FRI", NOON, datetime(2024, 3, 4, 9, 0, tzinfo=UTC)),
    ("@every 90s", NOON, NOON + timedelta(seconds=90)),
])
def test_next_run(text: str, after: datetime, expected: datetime) -> None:
    assert cron.parse(text).next_after(after) == expected


@pytest.mark.parametrize("text, message", [
    ("every minute", "expected exactly 5 fields, found 2: [every minute]"),
    ("* * * * * *", "expected exactly 5 fields, found 6"),
    ("TZ=UTC * * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("61 * * * *", "out of range"),
    ("H * * * *", "unparseable schedule"),
])
def test_bad_schedules_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        cron.parse(text)


def test_schedule_in_a_time_zone() -> None:
    tz = cron.zone("Europe/Paris")
    nxt = cron.parse("0 9 * * *").next_after(NOON.astimezone(tz))
    assert nxt.astimezone(UTC) == datetime(2024, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 CET


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone Mars/Olympus"):
        cron.zone("Mars/Olympus")
    assert cron.zone(None) is UTC


def test_due_reports_the_most_recent_missed_run_and_the_next() -> None:
    due = cron.due(cron.parse("*/5 * * * *"), NOON - timedelta(minutes=17), NOON)
    assert due.scheduled == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert due.missed == 4  # 11:45, 11:50, 11:55, 12:00
    assert due.next_run == datetime(2024, 3, 1, 12, 5, tzinfo=UTC)


def test_nothing_due_before_the_first_run() -> None:
    due = cron.due(cron.parse("@hourly"), NOON - timedelta(seconds=20), NOON)
    assert (due.scheduled, due.missed) == (None, 0)
    assert due.next_run == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)


def test_starting_deadline_drops_runs_too_old_to_start() -> None:
    schedule = cron.parse("0 * * * *")
    late = NOON + timedelta(minutes=10)
    assert cron.due(schedule, NOON - timedelta(hours=1), late, 60).scheduled is None
    assert cron.due(schedule, NOON - timedelta(hours=1), late, 900).scheduled == \
        datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_too_many_missed_runs_stop_counting_but_find_the_last() -> None:
    due = cron.due(cron.parse("* * * * *"), NOON - timedelta(days=2), NOON)
    assert due.missed == cron.MAX_MISSED + 1
    assert due.scheduled == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
