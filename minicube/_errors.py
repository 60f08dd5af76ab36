"""User-facing errors and the exit-code table (one place, documented in `minicube --help`).

Library code raises these; only `minicube.cli` turns them into a message and an exit code.
"""

from __future__ import annotations

# Exit codes, by cause. `minicube status` uses its own bit flags (see cli/status.py).
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NO_CLUSTER = 3
EXIT_ENGINE = 4
EXIT_IMAGE = 5
EXIT_TIMEOUT = 6
EXIT_CONFLICT = 7
EXIT_INPUT = 8
EXIT_UNHEALTHY = 9

EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 internal error, 2 usage error, 3 no such cluster, "
    "4 Docker engine unavailable or refused, 5 node image unavailable, "
    "6 timed out waiting, 7 conflict (already exists or running), 8 bad input, "
    "9 applied objects failed (a crashing pod, a failed Job, a stuck rollout)."
)


class MinicubeError(Exception):
    """An error the user can act on: what failed, in their terms, and what to do next."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(MinicubeError):
    exit_code = EXIT_USAGE


class NoSuchCluster(MinicubeError):
    exit_code = EXIT_NO_CLUSTER


class EngineUnavailable(MinicubeError):
    exit_code = EXIT_ENGINE


class ImageUnavailable(MinicubeError):
    exit_code = EXIT_IMAGE


class WaitTimeout(MinicubeError):
    exit_code = EXIT_TIMEOUT


class ClusterConflict(MinicubeError):
    exit_code = EXIT_CONFLICT


class BadInput(MinicubeError):
    exit_code = EXIT_INPUT


class Unhealthy(MinicubeError):
    """What was applied does not work, and waiting longer would not change that."""

    exit_code = EXIT_UNHEALTHY
