"""Resource samples from cgroup files: parsing, rates, where the cgroups are, the document."""

from __future__ import annotations

import asyncio
from pathlib import Path

from minicube.kubelet.containers import ContainerInfo
from minicube.kubelet.stats import (CgroupLocator, Reading, StatsCollector, cpu_usage_ns,
                                    meminfo_working_set, nanocores, parse_flat_keyed,
                                    proc_stat_busy_ns, usage_between, working_set_bytes)

NODE_ID = "84a4"


def _write(d: Path, files: dict[str, str]) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def test_flat_keyed_files_parse_to_integers() -> None:
    assert parse_flat_keyed("usage_usec 1500\nuser_usec 1000\nbad line here\nx y\n") == {
        "usage_usec": 1500, "user_usec": 1000}


def test_cpu_time_from_cgroup_v2_or_v1(tmp_path: Path) -> None:
    v2 = _write(tmp_path / "v2", {"cpu.stat": "usage_usec 1500\nuser_usec 1000\n"})
    v1 = _write(tmp_path / "v1", {"cpuacct.usage": "2821931603\n"})
    assert cpu_usage_ns(v2) == 1_500_000
    assert cpu_usage_ns(v1) == 2_821_931_603
    assert cpu_usage_ns(tmp_path / "missing") is None


def test_working_set_leaves_out_inactive_file_cache(tmp_path: Path) -> None:
    v2 = _write(tmp_path / "v2", {"memory.current": "10000000\n",
                                  "memory.stat": "anon 100\ninactive_file 4000000\nactive_file 5\n"})
    v1 = _write(tmp_path / "v1", {"memory.usage_in_bytes": "156667904\n",
                                  "memory.stat": "inactive_file 1\ntotal_inactive_file 5472256\n"})
    assert working_set_bytes(v2) == 6_000_000
    assert working_set_bytes(v1) == 156667904 - 5472256
    # more cache than usage (the counters are read at slightly different times): never negative
    _write(tmp_path / "v2", {"memory.stat": "inactive_file 20000000\n"})
    assert working_set_bytes(v2) == 0
    assert working_set_bytes(tmp_path / "missing") is None


def test_machine_counters() -> None:
    stat = "cpu  100 10 50 1000 20 0 5 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
    assert proc_stat_busy_ns(stat, 100) == (100 + 10 + 50 + 0 + 5 + 0) * 10_000_000
    assert meminfo_working_set("MemTotal:  2048 kB\nMemFree: 10 kB\nMemAvailable:  1024 kB\n") == 1024 * 1024
    assert meminfo_working_set("MemTotal: 1 kB\n") is None


def test_rates_in_nanocores() -> None:
    assert nanocores(1_000_000_000, 2_500_000_000, 15.0) == 100_000_000  # 0.1 core
    assert nanocores(5, 4, 15.0) is None  # a reset counter
    assert nanocores(1, 2, 0.0) is None
    usage = usage_between(Reading(100.0, 0, 1), Reading(115.0, 3_000_000_000, 4096))
    assert usage is not None and (usage.cpu_nanocores, usage.window, usage.memory_bytes) == (
        200_000_000, 15.0, 4096)
    assert usage_between(None, Reading(1.0, 1, 1)) is None


def _cgroup_v1(tmp_path: Path, container: str, cpu_ns: int, memory: int) -> None:
    own = f"docker/{NODE_ID}"
    _write(tmp_path / "cpuacct" / own, {"cpuacct.usage": str(cpu_ns * 4)})
    _write(tmp_path / "memory" / own, {"memory.usage_in_bytes": str(memory * 4), "memory.stat": ""})
    _write(tmp_path / "cpuacct" / own / "minicube" / container, {"cpuacct.usage": str(cpu_ns)})
    _write(tmp_path / "memory" / own / "minicube" / container,
           {"memory.usage_in_bytes": str(memory), "memory.stat": "total_inactive_file 0\n"})


def _proc_cgroup(tmp_path: Path) -> Path:
    path = tmp_path / "proc_cgroup"
    path.write_text(f"4:memory:/docker/{NODE_ID}\n2:cpuacct:/docker/{NODE_ID}\n1:cpu:/docker/{NODE_ID}\n"
                    f"0::/docker/{NODE_ID}\n")
    return path


def test_locator_finds_containers_nested_under_the_node_cgroup_v1(tmp_path: Path) -> None:
    root = tmp_path / "cg"
    _cgroup_v1(root, "abc", 10, 20)
    locator = CgroupLocator(root, _proc_cgroup(tmp_path))
    assert locator.container("abc") == (root / f"cpuacct/docker/{NODE_ID}/minicube/abc",
                                        root / f"memory/docker/{NODE_ID}/minicube/abc")
    assert locator.container("nope") is None
    assert locator.node() == (root / f"cpuacct/docker/{NODE_ID}", root / f"memory/docker/{NODE_ID}")


def test_locator_on_a_cgroup_v2_node_namespace(tmp_path: Path) -> None:
    root = _write(tmp_path / "cg", {"cgroup.controllers": "cpu memory\n", "cpu.stat": "usage_usec 9\n",
                                    "memory.current": "100\n"})
    _write(root / "init", {"cpu.stat": "usage_usec 1\n", "memory.current": "1\n"})
    _write(root / "docker" / "abc", {"cpu.stat": "usage_usec 5\n", "memory.current": "50\n"})
    proc = tmp_path / "proc_cgroup"
    proc.write_text("0::/init\n")
    locator = CgroupLocator(root, proc)
    assert locator.container("abc") == (root / "docker/abc", root / "docker/abc")
    assert locator.node() == (root, root)  # the whole node, not the control plane's leaf


class _Runtime:
    def __init__(self, containers: list[ContainerInfo]) -> None:
        self.containers = containers

    async def pod_containers(self) -> dict[str, list[ContainerInfo]]:
        out: dict[str, list[ContainerInfo]] = {}
        for c in self.containers:
            out.setdefault(c.pod_uid, []).append(c)
        return out


def _info(cid: str, name: str, state: str = "running") -> ContainerInfo:
    return ContainerInfo(id=cid, pod_uid="u1", pod_name="web", namespace="ns", name=name,
                         attempt=0, state=state)


def test_collector_reports_rates_after_two_samples(tmp_path: Path) -> None:
    root = tmp_path / "cg"
    _cgroup_v1(root, "c1", 1_000_000_000, 8192)
    runtime = _Runtime([_info("c1", "app"), _info("s1", "POD"), _info("c2", "old", "exited")])
    times = iter([1000.0, 1000.0, 1015.0, 1015.0])
    collector = StatsCollector(runtime, "node1",  # type: ignore[arg-type]
                               locator=CgroupLocator(root, _proc_cgroup(tmp_path)), clock=lambda: next(times))
    asyncio.run(collector.sample())
    assert collector.document() == {"node": None, "pods": []}  # one reading: no rate yet
    _cgroup_v1(root, "c1", 2_000_000_000, 4096)
    asyncio.run(collector.sample())
    doc = collector.document()
    [pod] = doc["pods"]
    assert (pod["namespace"], pod["name"], pod["uid"]) == ("ns", "web", "u1")
    [container] = pod["containers"]
    assert container["name"] == "app" and container["memoryWorkingSetBytes"] == 4096
    assert container["cpuNanoCores"] == 66_666_667 and pod["window"] == 15.0  # 1 s of CPU in 15 s
    assert pod["timestamp"] == "1970-01-01T00:16:55Z"
    assert doc["node"] == {"name": "node1", "timestamp": "1970-01-01T00:16:55Z", "window": 15.0,
                           "cpuNanoCores": 266_666_667, "memoryWorkingSetBytes": 4096 * 4}
