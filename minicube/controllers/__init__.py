"""Controllers: level-triggered reconcilers that reach the API only through minicube.client.

CONTROLLERS lists every controller the control plane runs. Each entry builds one from the
shared client and the node's name; the supervisor runs each `run()` until cancelled, and a
controller that ends takes the process down (the node's entrypoint restarts it).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from minicube.client import Client
from minicube.controllers.scheduler import Scheduler


class Controller(Protocol):
    def run(self) -> Coroutine[Any, Any, None]: ...


ControllerFactory = Callable[[Client, str], Controller]

CONTROLLERS: dict[str, ControllerFactory] = {
    "scheduler": lambda client, node_name: Scheduler(client, node_name),
}

__all__ = ["CONTROLLERS", "Controller", "ControllerFactory", "Scheduler"]
