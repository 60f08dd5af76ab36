"""Facts about the machine the kubelet runs on (the node container), read from /proc and
/sys. Each reader takes its paths as arguments so tests can point it at fixtures."""

from __future__ import annotations

import fcntl
import math
import os
import platform
import socket
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

_UNLIMITED = 1 << 60   # cgroup v1 reports "no limit" as a huge page-aligned number


@dataclass(frozen=True)
class Machine:
    cpu_millis: int
    memory_bytes: int
    storage_bytes: int
    architecture: str
    kernel: str
    os_image: str
    boot_id: str
    machine_id: str
    system_uuid: str


def cgroup_dirs(controller: str, root: Path = Path("/sys/fs/cgroup"),
                proc_cgroup: Path = Path("/proc/self/cgroup")) -> list[Path]:
    """Where our own cgroup's files for a controller may be, most specific first.

    With /sys/fs/cgroup shared from the host, our limits sit under our own cgroup path
    (from /proc/self/cgroup), not at the root; cgroup v2 has no per-controller directory.
    """
    dirs: list[Path] = []
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        rel = path.lstrip("/")
        if controllers == "":
            dirs.append(root / rel)                  # v2 unified
        elif controller in controllers.split(","):
            dirs.append(root / controllers / rel)    # v1, e.g. cpu,cpuacct
            dirs.append(root / controller / rel)
    dirs += [root / controller, root]
    return [d for i, d in enumerate(dirs) if d not in dirs[:i]]


def cpu_millis(dirs: list[Path], cores: int | None = None) -> int:
    """The CPU quota of our cgroup (v2 cpu.max or v1 cfs quota/period), else the core count."""
    limit = (cores or os.cpu_count() or 1) * 1000
    for d in dirs:
        try:
            if (d / "cpu.max").exists():
                quota, period = (d / "cpu.max").read_text().split()[:2]
            else:
                quota = (d / "cpu.cfs_quota_us").read_text().strip()
                period = (d / "cpu.cfs_period_us").read_text().strip()
        except (OSError, ValueError):
            continue
        if quota not in ("max", "-1") and int(period) > 0:
            return min(limit, math.ceil(int(quota) * 1000 / int(period)))
    return limit


def memory_bytes(dirs: list[Path], meminfo: Path = Path("/proc/meminfo")) -> int:
    """The smaller of our cgroup's memory limit (v2 or v1) and the machine's MemTotal."""
    total = 0
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                total = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    for d in dirs:
        for name in ("memory.max", "memory.limit_in_bytes"):
            try:
                text = (d / name).read_text().strip()
            except OSError:
                continue
            if text.isdigit() and int(text) < _UNLIMITED:
                return min(int(text), total) if total else int(text)
    return total


def os_image(os_release: Path = Path("/etc/os-release")) -> str:
    try:
        for line in os_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "Linux"


def architecture(machine: str | None = None) -> str:
    m = machine or platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}.get(m, m)


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def read_machine(node_name: str, storage_path: str = "/var/lib/docker") -> Machine:
    machine_id = _read("/etc/machine-id") or uuid.uuid5(uuid.NAMESPACE_DNS, node_name).hex
    try:
        st = os.statvfs(storage_path if os.path.exists(storage_path) else "/")
        storage = st.f_blocks * st.f_frsize
    except OSError:
        storage = 0
    return Machine(
        cpu_millis=cpu_millis(cgroup_dirs("cpu")),
        memory_bytes=memory_bytes(cgroup_dirs("memory")), storage_bytes=storage,
        architecture=architecture(), kernel=platform.release(), os_image=os_image(),
        boot_id=_read("/proc/sys/kernel/random/boot_id") or str(uuid.uuid4()),
        machine_id=machine_id,
        system_uuid=_read("/sys/class/dmi/id/product_uuid")
        or str(uuid.UUID(machine_id[:32].ljust(32, "0"))))


def node_ip() -> str:
    """This container's IPv4 address: Docker maps its hostname to it; else the address of
    the interface holding the default route (read locally, nothing is sent)."""
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addr = str(info[4][0])
            if not addr.startswith("127."):
                return addr
    except OSError:
        pass
    return _default_route_ip() or "127.0.0.1"


def _default_route_ip(route: Path = Path("/proc/net/route")) -> str:
    try:
        rows = [line.split() for line in route.read_text().splitlines()[1:]]
    except OSError:
        return ""
    for row in rows:
        if len(row) > 1 and row[1] == "00000000":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    packed = fcntl.ioctl(s.fileno(), 0x8915,  # SIOCGIFADDR
                                         struct.pack("256s", row[0][:15].encode()))
                except OSError:
                    return ""
                return socket.inet_ntoa(packed[20:24])
    return ""
