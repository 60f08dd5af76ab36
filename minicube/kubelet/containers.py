"""How pods map onto inner-engine containers: names, labels, and what an inspection says.

Containers are named `k8s_<container>_<pod>_<ns>_<uid>_<attempt>` (dockershim's scheme; the
sandbox's container name is `POD`) and labelled with the pod's identity, so the kubelet can
rebuild its whole view from the engine after any restart. The attempt is the restart count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

SANDBOX = "POD"
POD_NETWORK = "minicube-pods"
POD_SUBNET = "10.244.0.0/16"
PAUSE_IMAGE = "minicube/pause:1"

LABEL_UID = "io.kubernetes.pod.uid"
LABEL_POD = "io.kubernetes.pod.name"
LABEL_NAMESPACE = "io.kubernetes.pod.namespace"
LABEL_CONTAINER = "io.kubernetes.container.name"
LABEL_ATTEMPT = "io.minicube.attempt"
# dockershim's label: lets an orphan found after a restart be stopped with its own grace.
LABEL_GRACE = "io.kubernetes.pod.terminationGracePeriod"


class ContainerWaiting(Exception):
    """A container cannot be started now: its waiting reason and message for the status.

    retry_after: seconds until trying again is worthwhile (0: at the next sync).
    """

    def __init__(self, reason: str, message: str, retry_after: float = 0.0) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.retry_after = retry_after


def container_name(pod: Obj, name: str, attempt: int) -> str:
    meta = pod["metadata"]
    return f"k8s_{name}_{meta['name']}_{meta.get('namespace', 'default')}_{meta['uid']}_{attempt}"


def container_labels(pod: Obj, name: str, attempt: int) -> dict[str, str]:
    meta = pod["metadata"]
    grace = pod.get("spec", {}).get("terminationGracePeriodSeconds", 30)
    return {LABEL_UID: meta["uid"], LABEL_POD: meta["name"],
            LABEL_NAMESPACE: meta.get("namespace", "default"), LABEL_CONTAINER: name,
            LABEL_ATTEMPT: str(attempt), LABEL_GRACE: str(grace)}


@dataclass(frozen=True)
class ContainerInfo:
    """What the kubelet needs to know of one inner container (from `docker inspect`)."""

    id: str
    pod_uid: str
    pod_name: str
    namespace: str
    name: str                 # the pod's container name, or POD for the sandbox
    attempt: int
    state: str                # created | running | paused | restarting | exited | dead
    exit_code: int = 0
    oom_killed: bool = False
    error: str = ""           # why the engine could not start it
    started_at: str = ""      # RFC 3339 from the engine ("" when never started)
    finished_at: str = ""
    image: str = ""           # as the pod spec named it
    image_id: str = ""        # sha256:...
    ip: str = ""              # the sandbox's address on the pod network
    grace: int = 30
    sandbox_id: str = ""      # the sandbox whose network it joined (app containers)

    @property
    def is_sandbox(self) -> bool:
        return self.name == SANDBOX

    @property
    def running(self) -> bool:
        return self.state in ("running", "paused", "restarting")

    @property
    def exited(self) -> bool:
        """Ran and stopped, or could not be started at all."""
        return self.state in ("exited", "dead") or (self.state == "created" and bool(self.error))


def parse_labels(labels: dict[str, str] | None) -> tuple[str, str, str, str, int] | None:
    """(uid, pod, namespace, container, attempt) from our labels; None if not ours."""
    labels = labels or {}
    try:
        return (labels[LABEL_UID], labels[LABEL_POD], labels[LABEL_NAMESPACE],
                labels[LABEL_CONTAINER], int(labels.get(LABEL_ATTEMPT, "0")))
    except (KeyError, ValueError):
        return None


def _engine_time(text: str | None) -> str:
    """The engine's zero time (`0001-01-01T00:00:00Z`) means never."""
    return "" if not text or text.startswith("0001-01-01") else text


def parse_inspect(attrs: Obj) -> ContainerInfo | None:
    """A ContainerInfo from `docker inspect` output; None for containers not labelled by us."""
    config = attrs.get("Config") or {}
    ident = parse_labels(config.get("Labels"))
    if ident is None:
        return None
    uid, pod, ns, name, attempt = ident
    state = attrs.get("State") or {}
    networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
    mode = (attrs.get("HostConfig") or {}).get("NetworkMode") or ""
    try:
        grace = int((config.get("Labels") or {}).get(LABEL_GRACE, "30"))
    except ValueError:
        grace = 30
    return ContainerInfo(
        id=attrs["Id"], pod_uid=uid, pod_name=pod, namespace=ns, name=name, attempt=attempt,
        state=state.get("Status", "unknown"), exit_code=int(state.get("ExitCode") or 0),
        oom_killed=bool(state.get("OOMKilled")), error=state.get("Error") or "",
        started_at=_engine_time(state.get("StartedAt")),
        finished_at=_engine_time(state.get("FinishedAt")),
        image=config.get("Image", ""), image_id=attrs.get("Image", ""),
        ip=(networks.get(POD_NETWORK) or {}).get("IPAddress", ""), grace=grace,
        sandbox_id=mode.removeprefix("container:") if mode.startswith("container:") else "")


def latest_by_name(containers: list[ContainerInfo]) -> dict[str, list[ContainerInfo]]:
    """Each container name's attempts, newest first (the sandbox under POD)."""
    out: dict[str, list[ContainerInfo]] = {}
    for c in sorted(containers, key=lambda c: c.attempt, reverse=True):
        out.setdefault(c.name, []).append(c)
    return out
