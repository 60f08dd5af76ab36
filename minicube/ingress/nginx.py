"""nginx as a child of the control plane: test a configuration, start, reload, restart.

A new configuration is written beside the live one and checked with `nginx -t` first; only
a valid one replaces the live file, and a SIGHUP makes the master reload it (new workers
take new connections at once; old ones finish theirs). An invalid one is logged and the
last good configuration keeps serving. If nginx dies it is started again. A master left
running by a control plane that was killed is found by its pid file and stopped first, so
ports 80 and 443 are free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from minicube.ingress.certs import write_atomic

log = logging.getLogger(__name__)

_STOP_WAIT = 5.0


class NginxError(Exception):
    """nginx rejected a configuration or could not start."""


class Nginx:
    def __init__(self, conf: Path, pid_file: Path, *, binary: str = "nginx") -> None:
        self.conf, self.pid_file, self.binary = conf, pid_file, binary
        self.proc: asyncio.subprocess.Process | None = None
        self._logs: asyncio.Task[None] | None = None

    async def test(self, path: Path) -> None:
        proc = await asyncio.create_subprocess_exec(
            self.binary, "-t", "-q", "-c", str(path), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise NginxError(out.decode(errors="replace").strip())

    async def apply(self, text: str) -> None:
        """Make `text` the live configuration: test it, then start nginx or reload it."""
        candidate = self.conf.with_suffix(".new")
        write_atomic(candidate, text, mode=0o644)
        await self.test(candidate)
        os.replace(candidate, self.conf)
        if self.running:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGHUP)
            log.info("nginx reloaded")
        else:
            await self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self) -> None:
        await self._stop_stale()
        self.proc = await asyncio.create_subprocess_exec(
            self.binary, "-c", str(self.conf), stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        self._logs = asyncio.create_task(self._forward_logs(self.proc))
        log.info("nginx started (pid %d)", self.proc.pid)

    async def wait(self) -> int:
        """Until the running nginx exits; its exit code."""
        assert self.proc is not None
        return await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                await asyncio.wait_for(self.proc.wait(), _STOP_WAIT)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._logs is not None:
            self._logs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._logs

    async def _forward_logs(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        async for line in proc.stderr:
            log.info("nginx: %s", line.decode(errors="replace").rstrip())

    async def _stop_stale(self) -> None:
        """Stop an nginx master our pid file names (left by a control plane that was killed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"nginx: master" not in cmdline:
            return
        log.warning("stopping a stale nginx master (pid %d)", pid)
        os.kill(pid, signal.SIGQUIT)
        for _ in range(int(_STOP_WAIT / 0.1)):
            if not Path(f"/proc/{pid}").exists():
                return
            await asyncio.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
