"""Controllers: level-triggered reconcilers that reach the API only through minicube.client."""

from minicube.controllers.scheduler import Scheduler

__all__ = ["Scheduler"]
