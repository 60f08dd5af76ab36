"""Per-key exponential back-off (client-go's flowcontrol.Backoff)."""

from __future__ import annotations

from minicube.client.backoff import Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_delay_doubles_up_to_the_maximum() -> None:
    b = Backoff(10, 300, clock=Clock())
    assert [b.next("k") for _ in range(7)] == [10, 20, 40, 80, 160, 300, 300]


def test_a_key_left_alone_longer_than_the_maximum_starts_over() -> None:
    clock = Clock()
    b = Backoff(10, 300, clock=clock)
    b.next("k"), b.next("k")
    clock.now += 301
    assert b.next("k") == 10


def test_remaining_counts_from_the_event_time() -> None:
    clock = Clock()
    b = Backoff(10, 300, clock=clock)
    b.next("k")
    clock.now += 4
    assert b.remaining_since("k", clock.now - 1) == 9
    assert b.remaining_since("other", clock.now) == 0


def test_reset_forgets_the_key() -> None:
    b = Backoff(10, 300, clock=Clock())
    b.next("k"), b.next("k")
    b.reset("k")
    assert b.get("k") == 0 and b.next("k") == 10
