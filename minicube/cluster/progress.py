"""How long operations report progress without knowing about terminals.

The CLI passes a Reporter that draws ✓/✗ step lines with Rich; library code and tests
use `Silent`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ContextManager, Protocol


class Reporter(Protocol):
    def step(self, title: str) -> ContextManager[None]:
        """One named step: shown while it runs, then ✓ or ✗."""

    def detail(self, text: str) -> None:
        """Transient progress inside the current step (a build line, bytes sent)."""

    def info(self, text: str) -> None:
        """A line worth keeping on screen (which path a build took, a warning)."""


class Silent:
    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        yield

    def detail(self, text: str) -> None:
        pass

    def info(self, text: str) -> None:
        pass
