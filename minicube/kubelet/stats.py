"""Resource usage of the node and of every running pod container, read from cgroup files.

Every SAMPLE_PERIOD seconds (metrics-server's resolution) one engine listing (its inspections
cached by the runtime) names the running containers; each one's cumulative CPU time and its
memory working set are read from its cgroup (v2: cpu.stat usage_usec, memory.current; v1:
cpuacct.usage, memory.usage_in_bytes), never through the engine's slow stats API. CPU usage is
the rate between a container's last two samples, in nanocores; the working set is memory in
use minus the inactive page cache (upstream's definition: what the kernel cannot simply drop).

The inner engine puts container cgroups under the node's own (entrypoint: --cgroup-parent
<own>/minicube on cgroup v1) or, on a cgroup v2 node with its own namespace, under /docker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from minicube.client.clock import rfc3339
from minicube.kubelet.containers import ContainerInfo
from minicube.kubelet.machine import cgroup_dirs
from minicube.kubelet.runtime import EngineError, Runtime

log = logging.getLogger(__name__)

SAMPLE_PERIOD = 15.0  # seconds between samples, as metrics-server's default resolution
CGROUP_ROOT = Path("/sys/fs/cgroup")
# Where the inner engine may put a container's cgroup, relative to a cgroup directory.
_CONTAINER_PARENTS = ("minicube/{id}", "docker/{id}", "system.slice/docker-{id}.scope")


# --- cgroup files (pure parsing) -------------------------------------------------------------

def parse_flat_keyed(text: str) -> dict[str, int]:
    """`key value` lines (cpu.stat, memory.stat) -> {key: value}; other lines are skipped."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def cpu_usage_ns(cpu_dir: Path) -> int | None:
    """Cumulative CPU time of a cgroup in nanoseconds (v2 cpu.stat, else v1 cpuacct.usage)."""
    text = _read(cpu_dir / "cpu.stat")
    if text is not None and "usage_usec" in (stat := parse_flat_keyed(text)):
        return stat["usage_usec"] * 1000
    text = _read(cpu_dir / "cpuacct.usage")
    return int(text) if text is not None and text.strip().isdigit() else None


def working_set_bytes(memory_dir: Path) -> int | None:
    """Memory in use minus inactive file cache (v2 memory.current, else v1 usage_in_bytes)."""
    for usage_file, inactive_key in (("memory.current", "inactive_file"),
                                     ("memory.usage_in_bytes", "total_inactive_file")):
        usage = _read(memory_dir / usage_file)
        if usage is None or not usage.strip().isdigit():
            continue
        stat = parse_flat_keyed(_read(memory_dir / "memory.stat") or "")
        return max(0, int(usage) - stat.get(inactive_key, 0))
    return None


def proc_stat_busy_ns(text: str, ticks_per_second: int) -> int | None:
    """Busy CPU time of the machine from /proc/stat's `cpu` line (all but idle and iowait)."""
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            ticks = [int(f) for f in fields[1:9]]  # guest time is already in user/nice
            busy = sum(ticks) - ticks[3] - (ticks[4] if len(ticks) > 4 else 0)
            return busy * 1_000_000_000 // ticks_per_second
    return None


def meminfo_working_set(text: str) -> int | None:
    """MemTotal - MemAvailable in bytes, the machine-wide working set."""
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if rest.split():
            values[name] = int(rest.split()[0]) * 1024
    if "MemTotal" in values and "MemAvailable" in values:
        return values["MemTotal"] - values["MemAvailable"]
    return None


def nanocores(previous_ns: int, current_ns: int, seconds: float) -> int | None:
    """CPU rate in billionths of a core between two cumulative readings; None when the
    counter went back (a reset) or no time passed."""
    if seconds <= 0 or current_ns < previous_ns:
        return None
    return round((current_ns - previous_ns) / seconds)


# --- where the cgroups are ---------------------------------------------------------------------

class CgroupLocator:
    """Finds the node's and each container's cgroup directories (cpu, memory), once each."""

    def __init__(self, root: Path = CGROUP_ROOT, proc_cgroup: Path = Path("/proc/self/cgroup")) -> None:
        # Our own cgroup (the node's) first, then the hierarchy roots. A cgroup2 mounted at
        # the root is the node's own namespace (we sit in a leaf of it): the node is the root.
        own_root = [root] if (root / "cgroup.controllers").exists() else []
        self.cpu_bases = own_root + [d for c in ("cpuacct", "cpu") for d in cgroup_dirs(c, root, proc_cgroup)]
        self.memory_bases = own_root + cgroup_dirs("memory", root, proc_cgroup)
        self._found: dict[str, tuple[Path, Path] | None] = {}

    def container(self, container_id: str) -> tuple[Path, Path] | None:
        if container_id not in self._found or self._found[container_id] is None:
            self._found[container_id] = self._search(container_id)
        return self._found[container_id]

    def forget_except(self, container_ids: set[str]) -> None:
        for gone in [c for c in self._found if c not in container_ids]:
            del self._found[gone]

    def _search(self, container_id: str) -> tuple[Path, Path] | None:
        cpu = self._first(self.cpu_bases, container_id, ("cpu.stat", "cpuacct.usage"))
        memory = self._first(self.memory_bases, container_id, ("memory.current", "memory.usage_in_bytes"))
        return (cpu, memory) if cpu is not None and memory is not None else None

    @staticmethod
    def _first(bases: list[Path], container_id: str, files: tuple[str, ...]) -> Path | None:
        for base in bases:
            for pattern in _CONTAINER_PARENTS:
                d = base / pattern.format(id=container_id)
                if _has(d, files):
                    return d
        return None

    def node(self) -> tuple[Path, Path]:
        """The node's own cgroup (the first base that has the files)."""
        cpu = next((d for d in self.cpu_bases if _has(d, ("cpu.stat", "cpuacct.usage"))), self.cpu_bases[0])
        memory = next((d for d in self.memory_bases if _has(d, ("memory.current", "memory.usage_in_bytes"))),
                      self.memory_bases[0])
        return cpu, memory


def _has(d: Path, files: tuple[str, ...]) -> bool:
    return any((d / f).exists() for f in files)


# --- samples ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    """One raw reading: cumulative CPU ns and working set bytes at a wall-clock time."""

    at: float
    cpu_ns: int
    memory_bytes: int


@dataclass(frozen=True)
class Usage:
    """Usage over a window ending at `at`: what the metrics API serves."""

    at: float
    window: float
    cpu_nanocores: int
    memory_bytes: int

    def document(self) -> dict[str, Any]:
        return {"timestamp": rfc3339(self.at), "window": round(self.window, 3),
                "cpuNanoCores": self.cpu_nanocores, "memoryWorkingSetBytes": self.memory_bytes}


def usage_between(previous: Reading | None, current: Reading) -> Usage | None:
    if previous is None:
        return None
    rate = nanocores(previous.cpu_ns, current.cpu_ns, current.at - previous.at)
    if rate is None:
        return None
    return Usage(current.at, current.at - previous.at, rate, current.memory_bytes)


@dataclass(frozen=True)
class ContainerKey:
    namespace: str
    pod: str
    pod_uid: str
    name: str
    container_id: str


class StatsCollector:
    """Samples usage every `period` seconds and keeps the latest usage of each container."""

    def __init__(self, runtime: Runtime, node_name: str, *, period: float = SAMPLE_PERIOD,
                 locator: CgroupLocator | None = None, clock: Callable[[], float] = time.time) -> None:
        self.runtime = runtime
        self.clock = clock
        self.node_name = node_name
        self.period = period
        self.locator = locator or CgroupLocator()
        self._readings: dict[ContainerKey, Reading] = {}
        self.containers: dict[ContainerKey, Usage] = {}
        self._node_reading: Reading | None = None
        self.node: Usage | None = None

    async def run(self) -> None:
        while True:
            try:
                await self.sample()
            except (EngineError, OSError, ValueError) as e:  # a missed sample only delays usage
                log.warning("resource sample skipped: %s", e)
            await asyncio.sleep(self.period)

    async def sample(self) -> None:
        listing = await self.runtime.pod_containers()
        running = [c for infos in listing.values() for c in infos if c.running and not c.is_sandbox]
        readings, node = await asyncio.to_thread(self._read_all, running)
        self.containers = {key: usage for key, reading in readings.items()
                           if (usage := usage_between(self._readings.get(key), reading))}
        self._readings = readings
        if node is not None:
            self.node = usage_between(self._node_reading, node) or self.node
            self._node_reading = node

    def _read_all(self, running: list[ContainerInfo]) -> tuple[dict[ContainerKey, Reading], Reading | None]:
        self.locator.forget_except({c.id for c in running})
        out: dict[ContainerKey, Reading] = {}
        for c in running:
            dirs = self.locator.container(c.id)
            if dirs is None:
                continue
            cpu, memory = cpu_usage_ns(dirs[0]), working_set_bytes(dirs[1])
            if cpu is not None and memory is not None:
                out[ContainerKey(c.namespace, c.pod_name, c.pod_uid, c.name, c.id)] = \
                    Reading(self.clock(), cpu, memory)
        return out, self._read_node()

    def _read_node(self) -> Reading | None:
        cpu_dir, memory_dir = self.locator.node()
        cpu, memory = cpu_usage_ns(cpu_dir), working_set_bytes(memory_dir)
        if cpu is None:  # no cgroup of our own: the machine's counters
            cpu = proc_stat_busy_ns(_read(Path("/proc/stat")) or "", os.sysconf("SC_CLK_TCK"))
        if memory is None:
            memory = meminfo_working_set(_read(Path("/proc/meminfo")) or "")
        return Reading(self.clock(), cpu, memory) if cpu is not None and memory is not None else None

    def document(self) -> dict[str, Any]:
        """The latest usage: {node: {name, ...usage} | null, pods: [{namespace, name, uid,
        timestamp, window, containers: [{name, cpuNanoCores, memoryWorkingSetBytes}]}]}."""
        pods: dict[tuple[str, str, str], dict[str, Any]] = {}
        for key, usage in sorted(self.containers.items(), key=lambda kv: (kv[0].namespace, kv[0].pod, kv[0].name)):
            doc = usage.document()
            pod = pods.setdefault((key.namespace, key.pod, key.pod_uid), {
                "namespace": key.namespace, "name": key.pod, "uid": key.pod_uid,
                "timestamp": doc["timestamp"], "window": doc["window"], "containers": []})
            pod["containers"].append({"name": key.name, "cpuNanoCores": usage.cpu_nanocores,
                                      "memoryWorkingSetBytes": usage.memory_bytes})
        node = {"name": self.node_name, **self.node.document()} if self.node else None
        return {"node": node, "pods": list(pods.values())}
