"""Node capacity from cgroup limits and /proc, with the right fallbacks."""

from __future__ import annotations

from pathlib import Path

from minicube.kubelet.machine import architecture, cgroup_dirs, cpu_millis, memory_bytes, os_image


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_cgroup_v1_cpu_quota_gives_millicores(tmp_path: Path) -> None:
    write(tmp_path / "cpu.cfs_quota_us", "150000\n")
    write(tmp_path / "cpu.cfs_period_us", "100000\n")
    assert cpu_millis([tmp_path], cores=4) == 1500


def test_no_quota_means_all_cores(tmp_path: Path) -> None:
    write(tmp_path / "cpu.max", "max 100000\n")
    assert cpu_millis([tmp_path], cores=2) == 2000


def test_memory_limit_is_capped_by_mem_total(tmp_path: Path) -> None:
    meminfo = write(tmp_path / "meminfo", "MemTotal:       2048 kB\n")
    write(tmp_path / "cg" / "memory.limit_in_bytes", str(1 << 20))
    assert memory_bytes([tmp_path / "cg"], meminfo) == 1 << 20
    write(tmp_path / "cg" / "memory.limit_in_bytes", "9223372036854771712")
    assert memory_bytes([tmp_path / "cg"], meminfo) == 2048 * 1024


def test_our_own_cgroup_comes_before_the_root(tmp_path: Path) -> None:
    proc = write(tmp_path / "cgroup", "4:cpu,cpuacct:/docker/abc\n0::/\n")
    dirs = cgroup_dirs("cpu", Path("/cg"), proc)
    assert dirs[0] == Path("/cg/cpu,cpuacct/docker/abc") and Path("/cg/cpu") in dirs


def test_os_image_and_architecture(tmp_path: Path) -> None:
    release = write(tmp_path / "os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    assert os_image(release) == "Debian GNU/Linux 12 (bookworm)"
    assert architecture("x86_64") == "amd64" and architecture("aarch64") == "arm64"
