"""Lifecycle hooks and the pod's active deadline.

postStart runs right after the container starts; when it fails the container is killed (the
restartPolicy decides what follows), as upstream. preStop runs before the stop signal and
counts against the grace period. activeDeadlineSeconds ends a pod that has been active on
the node for longer: every container is killed and the pod is Failed with DeadlineExceeded.
"""

from __future__ import annotations

import time
from typing import Any

from minicube.client import EventRecorder
from minicube.client.clock import parse_rfc3339
from minicube.kubelet import handlers
from minicube.kubelet.handlers import Execer, Target

Obj = dict[str, Any]

POST_START_TIMEOUT = 30.0
DEADLINE_REASON = "DeadlineExceeded"
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


def field_path(pod: Obj, name: str) -> str:
    inits = {c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []}
    return f"spec.{'initContainers' if name in inits else 'containers'}{{{name}}}"


def _describe(handler: Obj, name: str, pod: Obj, message: str) -> str:
    kind = handlers.handler_kind(handler)
    what = {"exec": f"Exec lifecycle hook ({(handler.get('exec') or {}).get('command')})",
            "httpGet": f"HTTP lifecycle hook ({(handler.get('httpGet') or {}).get('path', '/')})",
            }.get(kind, f"{kind} lifecycle hook")
    meta = pod["metadata"]
    return (f'{what} for Container "{name}" in Pod "{meta["name"]}_{meta.get("namespace")}'
            f'({meta["uid"]})" failed - error: {message}')


async def run_hook(hook: str, pod: Obj, target: Target, runtime: Execer,
                   recorder: EventRecorder, timeout: float) -> bool:
    """Run the container's postStart/preStop hook if it has one; False when it failed."""
    handler = ((target.container.get("lifecycle") or {}).get(hook)) or None
    if not handler:
        return True
    ok, message = await handlers.run(handler, target, runtime, timeout)
    if not ok:
        reason = "FailedPostStartHook" if hook == "postStart" else "FailedPreStopHook"
        name = target.container["name"]
        recorder.event(pod, "Warning", reason, _describe(handler, name, pod, message),
                       field_path=field_path(pod, name))
    return ok


def deadline_remaining(pod: Obj, now: float | None = None) -> float | None:
    """Seconds left of spec.activeDeadlineSeconds since status.startTime (None: no deadline
    or not started yet; <= 0: exceeded)."""
    limit = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    started = parse_rfc3339((pod.get("status") or {}).get("startTime"))
    if limit is None or started is None:
        return None
    return started + int(limit) - (time.time() if now is None else now)
