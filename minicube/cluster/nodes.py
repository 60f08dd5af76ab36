"""Finding a profile's node and the small things done to it: stop, logs, a shell."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Generator

from minicube._errors import NoSuchCluster
from minicube.cluster.provider import DockerProvider, Node

log = logging.getLogger(__name__)

CONTROL_PLANE_LOG = "/var/log/minicube/control-plane.log"
# Stopping waits for the control plane, then for the inner dockerd to stop the pods' containers.
STOP_TIMEOUT_SECONDS = 90


def require(provider: DockerProvider, profile: str) -> Node:
    node = provider.find(profile)
    if node is None:
        raise NoSuchCluster(f"no cluster named {profile!r}",
                            hint=f"create it: minicube start -p {profile} (minicube profile list shows the others)")
    return node


def require_running(provider: DockerProvider, profile: str) -> Node:
    node = require(provider, profile)
    if not node.running:
        raise NoSuchCluster(f"cluster {profile!r} is not running ({node.state})",
                            hint=f"start it: minicube start -p {profile}")
    return node


def stop(provider: DockerProvider, profile: str) -> bool:
    """Stop gracefully (all state kept); False if it was not running."""
    node = require(provider, profile)
    if not node.running:
        return False
    log.info("stopping %s (timeout %ss)", profile, STOP_TIMEOUT_SECONDS)
    provider.stop_node(node, timeout=STOP_TIMEOUT_SECONDS)
    return True


def control_plane_log(provider: DockerProvider, node: Node, lines: int,
                      follow: bool) -> Generator[bytes, None, None]:
    """The last `lines` of the control-plane log; with `follow`, then everything appended."""
    if not follow:
        yield provider.exec(node, ["tail", "-n", str(lines), CONTROL_PLANE_LOG]).stdout
        return
    # `tail -F` runs until its stdin closes, i.e. until the caller stops reading: no stray tails.
    script = f"tail -n {lines} -F {CONTROL_PLANE_LOG} & t=$!; cat >/dev/null; kill $t"
    yield from provider.exec_stream(node, ["sh", "-c", script])


def shell_argv(node: Node, command: list[str], tty: bool) -> list[str]:
    """A `docker exec` command line for an interactive shell (or a command) in the node.

    The docker CLI is used rather than the SDK because it handles the terminal (raw mode,
    resizes) properly."""
    flags = ["-it"] if tty else ["-i"]
    log.info("shell in %s: %s", node.name, shlex.join(command) or "bash -l")
    return ["docker", "exec", *flags, node.name, *(command or ["bash", "-l"])]
