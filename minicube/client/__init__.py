"""The node components' way to the API server: an async REST client, informers, a work
queue, back-off and an Event recorder. Nothing here touches the store or the apiserver."""

from minicube.client.backoff import Backoff
from minicube.client.events import EventRecorder
from minicube.client.informer import Informer, object_key
from minicube.client.resync import sync_loop
from minicube.client.rest import DEFAULT_BASE_URL, APIConnectionError, Client
from minicube.client.workqueue import WorkQueue

__all__ = ["APIConnectionError", "Backoff", "Client", "DEFAULT_BASE_URL", "EventRecorder", "sync_loop",
           "Informer", "WorkQueue", "object_key"]
