"""`minicube start`: a pipeline of named steps, with rollback in one place (kind's actions).

A new cluster is created; a stopped one is started again (recreated from the new node image
when the code changed, its volumes kept); a running one is left alone. When creating fails,
the node's logs are saved first, then what was made is removed (unless `retain`).
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import datetime, timezone
from dataclasses import dataclass
from pathlib import Path

from minicube import _paths
from minicube._errors import UsageError
from minicube.cluster import images, kubeconfig, readiness, runargs
from minicube.cluster.config import (DEFAULT_CPUS, DEFAULT_MEMORY, ClusterConfig, parse_cpus, parse_memory,
                                     validate_profile)
from minicube.cluster.endpoint import Endpoint, read_credentials
from minicube.cluster.kubeconfig import Credentials
from minicube.cluster.progress import Reporter
from minicube.cluster.provider import DockerProvider, EngineInfo, Node

log = logging.getLogger(__name__)


# What `start --wait` can wait for, in the order it is checked ("all" = every one).
WAIT_COMPONENTS = frozenset({"apiserver", "node", "dns", "storage", "default_sa", "ingress"})
_WAIT_ORDER = ("apiserver", "node", "dns", "storage", "default_sa", "ingress")


def parse_wait(text: str) -> frozenset[str]:
    """`--wait` as given: all, none, or a comma list of components."""
    names = {n.strip() for n in text.split(",") if n.strip()}
    if names == {"all"}:
        return WAIT_COMPONENTS
    if names in ({"none"}, set()):
        return frozenset()
    unknown = sorted(names - WAIT_COMPONENTS)
    if unknown:
        raise UsageError(f"--wait: unknown component {unknown[0]!r}",
                         hint=f"use all, none, or a comma list of: {', '.join(_WAIT_ORDER)}")
    return frozenset(names)


@dataclass(frozen=True)
class StartOptions:
    profile: str
    cpus: float | None = None  # None: the default for a new cluster, the stored value otherwise
    memory: str | None = None
    api_port: int | None = None  # None: a free port, picked once at create
    ingress_ports: bool = False  # publish ingress ports 80/443 on 127.0.0.1 (at create)
    wait: frozenset[str] = WAIT_COMPONENTS  # see parse_wait
    wait_timeout: float = 360.0
    retain: bool = False  # keep a node that failed to come up, for debugging


@dataclass
class Context:
    provider: DockerProvider
    reporter: Reporter
    options: StartOptions
    deadline: readiness.Deadline
    kubeconfig_path: Path
    config: ClusterConfig | None = None
    engine: EngineInfo | None = None
    image: str = ""
    node: Node | None = None
    booted_at: datetime | None = None  # when the node container was (re)started
    creds: Credentials | None = None


@dataclass(frozen=True)
class StartResult:
    node: Node
    action: str  # created, started, recreated, already running
    kubeconfig_path: Path


class Step:
    title = ""

    def run(self, ctx: Context) -> None:
        raise NotImplementedError

    def rollback(self, ctx: Context) -> None:
        """Undo what `run` made; called when this step or a later one fails."""


class CheckEngine(Step):
    title = "Checking the Docker engine"

    def run(self, ctx: Context) -> None:
        ctx.engine = engine = ctx.provider.info()
        opts = ctx.options
        cpus = parse_cpus(opts.cpus, engine.cpus) if opts.cpus is not None else min(DEFAULT_CPUS, engine.cpus)
        memory = parse_memory(opts.memory or DEFAULT_MEMORY)
        if opts.memory is None and engine.memory:
            memory = min(memory, engine.memory)
        ctx.config = ClusterConfig(profile=opts.profile, cpus=cpus, memory=memory,
                                   api_port=opts.api_port or _free_port(),
                                   ingress_ports=opts.ingress_ports)
        ctx.reporter.detail(f"Docker {engine.version}, cgroup v{engine.cgroup_version}, {engine.cpus} CPUs")


class EnsureImage(Step):
    title = "Preparing the node image"

    def run(self, ctx: Context) -> None:
        ctx.image = images.ensure_node_image(ctx.provider, ctx.reporter)


class CreateNode(Step):
    title = "Creating the node container"

    def __init__(self) -> None:
        self.new_volumes: list[str] = []

    def run(self, ctx: Context) -> None:
        assert ctx.config and ctx.engine
        # Volumes left by a container removed by hand are reused, and never rolled back.
        names = [runargs.docker_volume(ctx.config.profile), runargs.state_volume(ctx.config.profile)]
        self.new_volumes = [name for name in names if not ctx.provider.volume_exists(name)]
        ctx.booted_at = _now()
        ctx.node = ctx.provider.create_node(ctx.config, ctx.image, cgroup_v2=ctx.engine.cgroup_version == 2)

    def rollback(self, ctx: Context) -> None:
        node = ctx.provider.find(ctx.options.profile)
        if node:
            ctx.provider.remove_container(node)
        for name in self.new_volumes:
            ctx.provider.remove_volume(name)


class StartNode(Step):
    title = "Starting the node container"

    def run(self, ctx: Context) -> None:
        assert ctx.node
        ctx.booted_at = _now()
        ctx.node = ctx.provider.start_node(ctx.node)


class RecreateNode(Step):
    title = "Recreating the node container from the new node image (volumes kept)"

    def run(self, ctx: Context) -> None:
        assert ctx.node
        old = ctx.node
        engine = ctx.provider.info()
        ctx.provider.remove_container(old)
        ctx.booted_at = _now()
        ctx.node = ctx.provider.create_node(old.config, ctx.image, cgroup_v2=engine.cgroup_version == 2)


class WaitInnerEngine(Step):
    title = "Waiting for the inner Docker engine"

    def run(self, ctx: Context) -> None:
        assert ctx.node
        readiness.inner_engine(ctx.provider, ctx.node, ctx.deadline)


class WaitCredentials(Step):
    title = "Waiting for the cluster certificates"

    def run(self, ctx: Context) -> None:
        assert ctx.node
        ctx.creds = readiness.credentials(ctx.provider, ctx.node, ctx.deadline)


class WaitApiServer(Step):
    title = "Waiting for the API server"

    def run(self, ctx: Context) -> None:
        assert ctx.node and ctx.creds
        with Endpoint(ctx.node.config.server, ctx.creds) as api:
            readiness.api_server(ctx.provider, ctx.node, api, ctx.deadline)


class WaitNodeReady(Step):
    def __init__(self, profile: str) -> None:
        self.title = f"Waiting for node {profile} to be Ready"

    def run(self, ctx: Context) -> None:
        assert ctx.node and ctx.creds
        with Endpoint(ctx.node.config.server, ctx.creds) as api:
            readiness.node_ready(ctx.provider, ctx.node, api, ctx.deadline, ctx.booted_at)


class WriteKubeconfig(Step):
    title = "Writing the kubeconfig"

    def run(self, ctx: Context) -> None:
        assert ctx.node and ctx.creds
        name, server, creds = ctx.options.profile, ctx.node.config.server, ctx.creds
        kubeconfig.update(ctx.kubeconfig_path, lambda doc: kubeconfig.merge(doc, name, server, creds))
        ctx.reporter.detail(f"context {name} in {ctx.kubeconfig_path}")

    def rollback(self, ctx: Context) -> None:
        kubeconfig.update(ctx.kubeconfig_path, lambda doc: kubeconfig.remove(doc, ctx.options.profile))


class WaitClusterDns(Step):
    title = "Waiting for cluster DNS"

    def run(self, ctx: Context) -> None:
        assert ctx.node
        readiness.cluster_dns(ctx.provider, ctx.node, ctx.deadline)


class WaitApiObject(Step):
    """An object the control plane makes at boot: the default StorageClass or ServiceAccount."""

    def __init__(self, title: str, path: str) -> None:
        self.title, self.path = title, path

    def run(self, ctx: Context) -> None:
        assert ctx.node and ctx.creds
        with Endpoint(ctx.node.config.server, ctx.creds) as api:
            readiness.api_object(ctx.provider, ctx.node, api, ctx.deadline, self.title.lower(), self.path)


class WaitIngress(Step):
    title = "Waiting for the ingress controller"

    def run(self, ctx: Context) -> None:
        assert ctx.node
        readiness.ingress_serving(ctx.provider, ctx.node, ctx.deadline)


def _waits(opts: StartOptions) -> list[Step]:
    steps: list[Step] = [WaitCredentials()]  # the kubeconfig needs the certificates anyway
    if not opts.wait:
        return steps
    steps = [WaitInnerEngine(), *steps, WaitApiServer()]
    later = {
        "node": WaitNodeReady(opts.profile),
        "dns": WaitClusterDns(),
        "storage": WaitApiObject("Waiting for the default StorageClass",
                                 "/apis/storage.k8s.io/v1/storageclasses/standard"),
        "default_sa": WaitApiObject("Waiting for the default ServiceAccount",
                                    "/api/v1/namespaces/default/serviceaccounts/default"),
        "ingress": WaitIngress(),
    }
    return steps + [step for name, step in later.items() if name in opts.wait]


def start(provider: DockerProvider, opts: StartOptions, reporter: Reporter) -> StartResult:
    validate_profile(opts.profile)
    if opts.memory is not None:
        parse_memory(opts.memory)  # bad input fails before any work
    ctx = Context(provider=provider, reporter=reporter, options=opts,
                  deadline=readiness.Deadline(opts.wait_timeout), kubeconfig_path=_paths.kubeconfig())
    node = provider.find(opts.profile)
    if node is None:
        steps = [CheckEngine(), EnsureImage(), CreateNode(), *_waits(opts), WriteKubeconfig()]
        run_steps(steps, ctx, rollback=not opts.retain)
        action = "created"
    elif node.running:
        return _already_running(ctx, node)
    else:
        _warn_ignored_flags(ctx, node)
        ctx.node = node
        run_steps([EnsureImage()], ctx, rollback=False)
        first = StartNode() if node.image == ctx.image else RecreateNode()
        action = "started" if isinstance(first, StartNode) else "recreated"
        run_steps([first, *_waits(opts), WriteKubeconfig()], ctx, rollback=False)
    assert ctx.node
    return StartResult(node=ctx.node, action=action, kubeconfig_path=ctx.kubeconfig_path)


def run_steps(steps: list[Step], ctx: Context, *, rollback: bool) -> None:
    done: list[Step] = []
    for step in steps:
        try:
            with ctx.reporter.step(step.title):
                step.run(ctx)
        except BaseException:
            if rollback:
                _roll_back([*done, step], ctx)
            elif ctx.node:
                _postmortem(ctx)
            raise
        done.append(step)


def _roll_back(steps: list[Step], ctx: Context) -> None:
    undoable = [step for step in reversed(steps) if type(step).rollback is not Step.rollback]
    if not undoable:
        return
    if ctx.node:
        _postmortem(ctx)
    for step in undoable:
        try:
            step.rollback(ctx)
        except Exception:  # a boundary: rollback must go on past one failure
            log.exception("rolling back %r failed", step.title)
    ctx.reporter.info("removed what this start had created (use --retain to keep it for debugging)")


def _postmortem(ctx: Context) -> None:
    """Save the node's state and logs before anything is removed (minikube's LogContainerDebug)."""
    assert ctx.node
    path = _paths.postmortem_log(ctx.options.profile)
    parts: list[str] = []
    try:
        parts.append("== docker inspect (State)\n" + json.dumps(ctx.provider.inspect(ctx.node)["State"], indent=2))
        parts.append("== docker logs\n" + ctx.provider.container_logs(ctx.node, tail=100))
        for name in ("control-plane.log", "dockerd.log"):
            result = ctx.provider.exec(ctx.node, ["tail", "-n", "200", f"/var/log/minicube/{name}"])
            parts.append(f"== {name}\n" + result.stdout.decode(errors="replace"))
    except Exception as e:  # the node may be gone or stopped: save what we have
        parts.append(f"== (could not collect more: {e})")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(parts))
    ctx.reporter.info(f"the node's logs are saved in {path}")


def _already_running(ctx: Context, node: Node) -> StartResult:
    """A running cluster: only repair its kubeconfig entry if it went missing or stale."""
    ctx.node = node
    if kubeconfig.server_of(kubeconfig.load(ctx.kubeconfig_path), node.profile) != node.config.server:
        ctx.creds = read_credentials(ctx.provider, node)
        if ctx.creds:
            run_steps([WriteKubeconfig()], ctx, rollback=False)
    wanted = images.wanted_node_image(ctx.provider)
    if wanted and wanted != node.image:
        ctx.reporter.info(f"the node runs an older image than this checkout builds; to upgrade: "
                          f"minicube stop -p {node.profile} && minicube start -p {node.profile}")
    return StartResult(node=node, action="already running", kubeconfig_path=ctx.kubeconfig_path)


def _warn_ignored_flags(ctx: Context, node: Node) -> None:
    opts = ctx.options
    if opts.cpus is not None and opts.cpus != node.config.cpus or \
            opts.memory is not None and parse_memory(opts.memory) != node.config.memory:
        ctx.reporter.info(f"--cpus and --memory apply when a cluster is created; {node.profile} keeps its "
                          f"settings (minicube delete -p {node.profile} to change them)")


def _now() -> datetime:
    """Now, to the second: heartbeats are RFC 3339 times without fractions."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
