"""The worker loop every queue-driven controller runs: take a key, reconcile it, requeue it
with back-off when the API refused or could not be reached (client-go's processNextWorkItem)."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from minicube.api.errors import Conflict, StatusError
from minicube.client import APIConnectionError, WorkQueue

log = logging.getLogger(__name__)


async def work(queue: WorkQueue, reconcile: Callable[[str], Awaitable[None]], what: str) -> None:
    """Process keys forever (cancel the task to stop)."""
    while True:
        key = await queue.get()
        try:
            await reconcile(str(key))
            queue.forget(key)
        except Conflict:
            queue.add_rate_limited(key)  # a stale cache: try again once the watch catches up
        except (StatusError, APIConnectionError) as e:
            log.warning("%s %s failed: %s; will retry", what, key, e)
            queue.add_rate_limited(key)
        except Exception:  # a worker boundary: log it and go on with other keys
            log.exception("%s %s failed", what, key)
            queue.add_rate_limited(key)
        finally:
            queue.done(key)
