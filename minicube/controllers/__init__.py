"""Controllers: level-triggered reconcilers that reach the API only through minicube.client.

CONTROLLERS lists every controller the control plane runs. Each entry builds one from the
shared client and the node's name; the supervisor runs each `run()` until cancelled, and a
controller that ends takes the process down (the node's entrypoint restarts it).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from minicube.client import Client
from minicube.controllers.cronjob import CronJobController
from minicube.controllers.daemonset import DaemonSetController
from minicube.controllers.deployment import DeploymentController
from minicube.controllers.endpoints import EndpointsController
from minicube.controllers.garbagecollector import GarbageCollector
from minicube.controllers.horizontalpodautoscaler import HorizontalPodAutoscalerController
from minicube.controllers.job import JobController
from minicube.controllers.namespace import NamespaceController
from minicube.controllers.persistentvolume import PersistentVolumeController
from minicube.controllers.protection import StorageProtectionController
from minicube.controllers.provisioner import HostPathProvisioner
from minicube.controllers.replicaset import ReplicaSetController
from minicube.controllers.rootca import RootCAPublisher
from minicube.controllers.scheduler import Scheduler
from minicube.controllers.serviceaccounts import ServiceAccountsController
from minicube.controllers.statefulset import StatefulSetController


class Controller(Protocol):
    def run(self) -> Coroutine[Any, Any, None]: ...


ControllerFactory = Callable[[Client, str], Controller]

CONTROLLERS: dict[str, ControllerFactory] = {
    "scheduler": lambda client, node_name: Scheduler(client, node_name),
    "endpoints": lambda client, node_name: EndpointsController(client, node_name),
    "statefulset": lambda client, node_name: StatefulSetController(client, node_name),
    "daemonset": lambda client, node_name: DaemonSetController(client, node_name),
    "job": lambda client, node_name: JobController(client, node_name),
    "cronjob": lambda client, node_name: CronJobController(client, node_name),
    "persistentvolume-binder": lambda client, node: PersistentVolumeController(client, node),
    "hostpath-provisioner": lambda client, node_name: HostPathProvisioner(client, node_name),
    "storage-protection": lambda client, node: StorageProtectionController(client, node),
    "replicaset": lambda client, node_name: ReplicaSetController(client, node_name),
    "deployment": lambda client, node_name: DeploymentController(client, node_name),
    "garbagecollector": lambda client, node_name: GarbageCollector(client, node_name),
    "namespace": lambda client, node_name: NamespaceController(client, node_name),
    "serviceaccounts": lambda client, node_name: ServiceAccountsController(client, node_name),
    "root-ca-publisher": lambda client, node_name: RootCAPublisher(client, node_name),
    "horizontal-pod-autoscaler": lambda client, node: HorizontalPodAutoscalerController(client, node),
}

__all__ = ["CONTROLLERS", "Controller", "ControllerFactory", "EndpointsController", "Scheduler"]
