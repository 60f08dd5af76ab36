"""The node's iptables, driven through its own command-line tools (the only I/O of the proxy).

We use whatever `iptables` the node's alternatives select (Debian: the nf_tables variant),
which is also what the inner dockerd programs, so our chains and Docker's live in the same
ruleset. Tables are replaced with `iptables-restore --noflush`: our chains are rewritten in
one transaction and everything else (Docker's rules) is left alone.
"""

from __future__ import annotations

import asyncio
import logging
import shlex

log = logging.getLogger(__name__)


class IptablesError(Exception):
    pass


async def _run(*argv: str, stdin: str | None = None) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate(stdin.encode() if stdin is not None else None)
    return proc.returncode or 0, out.decode(errors="replace")


async def chains(table: str) -> set[str]:
    """The chains a table holds now (from iptables-save's `:NAME POLICY` lines)."""
    code, out = await _run("iptables-save", "-t", table)
    if code:
        raise IptablesError(f"iptables-save -t {table} failed: {out.strip()}")
    return {line[1:].split()[0] for line in out.splitlines() if line.startswith(":")}


async def restore(text: str) -> None:
    code, out = await _run("iptables-restore", "-w", "5", "--noflush", stdin=text)
    if code:
        raise IptablesError(f"iptables-restore failed: {out.strip()}")


async def ensure_chain(table: str, name: str, *, jump_from: str = "") -> None:
    """Create a chain if missing (e.g. DOCKER-USER before the inner dockerd made it)."""
    if name in await chains(table):
        return
    code, out = await _run("iptables", "-w", "5", "-t", table, "-N", name)
    if code and "exists" not in out:
        raise IptablesError(f"iptables -t {table} -N {name} failed: {out.strip()}")
    if jump_from:
        await ensure_jump(table, jump_from, f"-j {name}")


async def ensure_jump(table: str, chain: str, rule: str) -> None:
    """Insert `rule` at the top of `chain` unless it is there already."""
    args = shlex.split(rule)
    code, _ = await _run("iptables", "-w", "5", "-t", table, "-C", chain, *args)
    if code == 0:
        return
    code, out = await _run("iptables", "-w", "5", "-t", table, "-I", chain, "1", *args)
    if code:
        raise IptablesError(f"iptables -t {table} -I {chain} {rule} failed: {out.strip()}")
    log.info("linked %s %s to our rules", table, chain)
