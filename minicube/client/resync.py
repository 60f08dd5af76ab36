"""The loop of an agent that renders the whole state at once (iptables rules, nginx's
configuration): sync now, then whenever an informer reports a change, and at least every
resync period, so a change made behind its back is repaired too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


async def sync_loop(sync: Callable[[], Awaitable[None]], dirty: asyncio.Event, resync_seconds: float, *,
                    what: str, retry_on: tuple[type[Exception], ...]) -> None:
    """Run until cancelled. A failure of a `retry_on` type is logged and retried a second later;
    anything else ends the loop (and, through the supervisor, the process)."""
    while True:
        dirty.clear()
        try:
            await sync()
        except retry_on as e:
            log.error("%s failed: %s; retrying in %gs", what, e, RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)
            continue
        try:
            await asyncio.wait_for(dirty.wait(), resync_seconds)
        except TimeoutError:
            pass
