"""What one sync of a pod must do to its containers (pure; upstream's computePodActions).

The plan compares the pod's spec with its labelled containers: create a sandbox when there
is no running one (after a node restart its containers are found exited), start what is
missing or due for a restart under the restartPolicy (unless in CrashLoopBackOff), stop
what must go, and garbage-collect attempts older than the previous one (kept for
`kubectl logs --previous`). Init containers run one at a time, in order, in the current
sandbox before any app container; a new sandbox runs them again. Ephemeral containers run
once each. Containers whose liveness
or startup probe failed are killed; the restartPolicy and back-off decide what follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Collection

from minicube.kubelet.containers import SANDBOX, ContainerInfo, latest_by_name

Obj = dict[str, Any]


@dataclass
class Plan:
    create_sandbox: bool = False
    sandbox_attempt: int = 0
    stop: list[ContainerInfo] = field(default_factory=list)     # running, to be stopped
    start: list[tuple[str, int]] = field(default_factory=list)  # (container, attempt), in order
    backoff: dict[str, float] = field(default_factory=dict)     # container -> seconds left
    remove: list[ContainerInfo] = field(default_factory=list)   # garbage

    @property
    def idle(self) -> bool:
        return not (self.create_sandbox or self.stop or self.start or self.remove)


def should_restart(restart_policy: str, exit_code: int) -> bool:
    return restart_policy == "Always" or (restart_policy == "OnFailure" and exit_code != 0)


def is_sidecar(spec: Obj) -> bool:
    """An init container with restartPolicy Always runs beside the app containers."""
    return spec.get("restartPolicy") == "Always"


def _current_sandbox(containers: list[ContainerInfo]) -> ContainerInfo | None:
    sandboxes = latest_by_name(containers).get(SANDBOX, [])
    return sandboxes[0] if sandboxes and sandboxes[0].running else None


def init_done(spec: Obj, latest: ContainerInfo | None, sandbox: ContainerInfo | None) -> bool:
    """This init container is through, in the current sandbox: it exited 0 (a sidecar: runs)."""
    if latest is None or sandbox is None or latest.sandbox_id != sandbox.id:
        return False
    return latest.running if is_sidecar(spec) else latest.exited and latest.exit_code == 0


def initialized(pod: Obj, containers: list[ContainerInfo]) -> bool:
    """Every init container is through in the current sandbox, or app containers ran there
    (once initialized, a pod never goes back to initializing while its sandbox lives)."""
    inits = (pod.get("spec") or {}).get("initContainers") or []
    if not inits:
        return True
    sandbox = _current_sandbox(containers)
    if sandbox is None:
        return False
    names = {c["name"] for c in (pod.get("spec") or {}).get("containers") or []}
    if any(c.name in names and c.sandbox_id == sandbox.id for c in containers):
        return True
    by_name = latest_by_name(containers)
    return all(init_done(c, next(iter(by_name.get(c["name"], [])), None), sandbox)
               for c in inits)


def plan_pod(pod: Obj, containers: list[ContainerInfo], *, finished: bool,
             backoff_remaining: Callable[[str, ContainerInfo], float],
             unhealthy: Collection[str] = ()) -> Plan:
    """finished: the pod's phase is Succeeded/Failed, so nothing may run again.

    backoff_remaining(name, exited_container) -> seconds before a restart is allowed;
    unhealthy: ids of running containers whose liveness or startup probe failed.
    """
    spec = pod.get("spec", {})
    policy = spec.get("restartPolicy", "Always")
    by_name = latest_by_name(containers)
    sandboxes = by_name.get(SANDBOX, [])
    apps = [c for c in containers if not c.is_sandbox]
    plan = Plan()
    if finished:
        plan.stop = [c for c in containers if c.running]
        return plan
    sandbox_ok = bool(sandboxes) and sandboxes[0].running
    if not sandbox_ok:
        if policy == "Never" and apps:
            # It ran and may not run again; what still runs has lost its network.
            plan.stop = [c for c in apps if c.running]
            return plan
        plan.create_sandbox = True
        plan.sandbox_attempt = sandboxes[0].attempt + 1 if sandboxes else 0
        plan.stop = [c for c in apps if c.running]
        plan.remove += sandboxes
    plan.stop += [c for c in apps if c.running and c.id in unhealthy and c not in plan.stop]
    inits = spec.get("initContainers") or []
    if plan.create_sandbox and inits:
        _plan_init(plan, inits, by_name, None, policy, backoff_remaining)
    elif not initialized(pod, containers):
        _plan_init(plan, inits, by_name, sandboxes[0], policy, backoff_remaining)
    else:
        for c in [*[i for i in inits if is_sidecar(i)], *spec.get("containers", [])]:
            attempts = by_name.get(c["name"], [])
            _plan_container(plan, c, attempts[0] if attempts else None,
                            "Always" if is_sidecar(c) else policy, backoff_remaining)
    if not plan.create_sandbox and initialized(pod, containers):
        # Ephemeral (debugging) containers run once, in the pod as it is: never restarted,
        # and not brought back with a new sandbox.
        plan.start += [(c["name"], 0) for c in spec.get("ephemeralContainers") or []
                       if not by_name.get(c["name"])]
    for c in [*inits, *spec.get("containers", [])]:
        attempts = by_name.get(c["name"], [])
        started = [a for n, a in plan.start if n == c["name"]]
        keep = started[0] - 1 if started else (attempts[0].attempt - 1 if attempts else 0)
        plan.remove += [a for a in attempts if a.attempt < keep]
    return plan


def _plan_init(plan: Plan, inits: list[Obj], by_name: dict[str, list[ContainerInfo]],
               sandbox: ContainerInfo | None, policy: str,
               backoff_remaining: Callable[[str, ContainerInfo], float]) -> None:
    """Start the first init container that is not through, in order; one at a time."""
    for spec in inits:
        name = spec["name"]
        attempts = by_name.get(name, [])
        latest = attempts[0] if attempts else None
        if init_done(spec, latest, sandbox):
            continue
        if latest is None or sandbox is None or latest.sandbox_id != sandbox.id:
            plan.start.append((name, latest.attempt + 1 if latest else 0))
            return
        if latest.running and latest not in plan.stop:
            return   # wait for it to finish
        # It failed (or a sidecar exited): restart under the pod's policy, with back-off.
        _plan_container(plan, spec, latest, "Always" if is_sidecar(spec) else
                        ("Never" if policy == "Never" else "OnFailure"), backoff_remaining)
        return


def _plan_container(plan: Plan, spec: Obj, latest: ContainerInfo | None, policy: str,
                    backoff_remaining: Callable[[str, ContainerInfo], float]) -> int | None:
    """Add this container's actions to plan; returns the attempt it starts, if any."""
    name = spec["name"]
    if latest is None:
        plan.start.append((name, 0))
        return 0
    if latest.state == "created" and not latest.error:
        # Created but never started (the kubelet was interrupted): redo that attempt.
        plan.remove.append(latest)
        plan.start.append((name, latest.attempt))
        return latest.attempt
    if latest.running:
        if latest in plan.stop and not plan.create_sandbox:
            # Failed its liveness probe: once it is down, it restarts like a crash, with
            # back-off (CrashLoopBackOff when it keeps failing).
            return None
        if plan.create_sandbox or latest.image != spec.get("image"):
            # Its sandbox is being replaced, or its image changed: restart it now.
            if latest not in plan.stop:
                plan.stop.append(latest)
            plan.start.append((name, latest.attempt + 1))
            return latest.attempt + 1
        return None
    if not should_restart(policy, latest.exit_code):
        return None
    remaining = backoff_remaining(name, latest)
    if remaining > 0:
        plan.backoff[name] = remaining
        return None
    plan.start.append((name, latest.attempt + 1))
    return latest.attempt + 1
