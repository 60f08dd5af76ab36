"""What one sync of a pod must do to its containers (pure; upstream's computePodActions).

The plan compares the pod's spec with its labelled containers: create a sandbox when there
is no running one (after a node restart its containers are found exited), start what is
missing or due for a restart under the restartPolicy (unless in CrashLoopBackOff), stop
what must go, and garbage-collect attempts older than the previous one (kept for
`kubectl logs --previous`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

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


def plan_pod(pod: Obj, containers: list[ContainerInfo], *, finished: bool,
             backoff_remaining: Callable[[str, ContainerInfo], float]) -> Plan:
    """finished: the pod's phase is Succeeded/Failed, so nothing may run again.

    backoff_remaining(name, exited_container) -> seconds before a restart is allowed.
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
    for c in spec.get("containers", []):
        name = c["name"]
        attempts = by_name.get(name, [])
        latest = attempts[0] if attempts else None
        next_attempt = _plan_container(plan, c, latest, policy, backoff_remaining)
        keep = next_attempt - 1 if next_attempt is not None else (latest.attempt - 1 if latest else 0)
        plan.remove += [a for a in attempts if a.attempt < keep]
    return plan


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
