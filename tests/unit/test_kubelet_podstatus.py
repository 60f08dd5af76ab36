"""Pod status from container inspections: states, phase, conditions (upstream's rules)."""

from __future__ import annotations

from typing import Any

from minicube.kubelet.podstatus import container_status, pod_phase, pod_status
from tests.unit.kubelet_fixtures import info, make_pod

NOW = "2024-01-01T01:00:00Z"
SPEC = {"name": "web", "image": "app:1"}


def status(*containers: Any, restart_policy: str = "Always", **kw: Any) -> dict[str, Any]:
    return pod_status(make_pod(restart_policy=restart_policy), list(containers),
                      host_ip="192.168.49.2", now=NOW, **kw)


def cond(s: dict[str, Any], ctype: str) -> dict[str, Any]:
    return next(c for c in s["conditions"] if c["type"] == ctype)


def test_a_running_pod_is_ready_with_its_sandbox_ip() -> None:
    s = status(info("POD"), info())
    assert s["phase"] == "Running" and s["podIP"] == "10.244.0.5"
    assert s["podIPs"] == [{"ip": "10.244.0.5"}] and s["hostIP"] == "192.168.49.2"
    assert cond(s, "Ready")["status"] == "True" and s["startTime"] == NOW
    cs = s["containerStatuses"][0]
    assert cs["state"] == {"running": {"startedAt": "2024-01-01T00:00:00Z"}}
    assert cs["containerID"] == "docker://web-0" and cs["imageID"] == "docker://sha256:abc"


def test_a_pod_without_containers_yet_is_pending_container_creating() -> None:
    s = status()
    assert s["phase"] == "Pending" and "podIP" not in s
    assert s["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert cond(s, "Ready")["message"] == "containers with unready status: [web]"


def test_a_remembered_waiting_reason_shows_with_its_message() -> None:
    s = status(info("POD"), waiting={"web": ("ErrImageNeverPull", "not present")})
    assert s["containerStatuses"][0]["state"]["waiting"] == {"reason": "ErrImageNeverPull",
                                                             "message": "not present"}


def test_exit_codes_make_never_pods_succeed_or_fail() -> None:
    assert status(info(state="exited"), restart_policy="Never")["phase"] == "Succeeded"
    failed = status(info(state="exited", exit_code=2), restart_policy="Never")
    assert failed["phase"] == "Failed"
    assert failed["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error"
    assert cond(failed, "Ready")["reason"] == "PodFailed"
    assert cond(status(info(state="exited"), restart_policy="Never"), "Ready")["reason"] == \
        "PodCompleted"


def test_crash_loop_shows_waiting_with_the_last_termination() -> None:
    cs = container_status(SPEC, [info(attempt=3, state="exited", exit_code=1, oom_killed=True)],
                          backoff_message="back-off 40s restarting failed container=web")
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" and cs["restartCount"] == 3
    assert cs["lastState"]["terminated"]["reason"] == "OOMKilled"


def test_a_restarted_container_reports_the_previous_attempt_as_last_state() -> None:
    cs = container_status(SPEC, [info(attempt=1), info(attempt=0, state="exited", exit_code=255)])
    assert cs["restartCount"] == 1 and cs["ready"] and cs["started"]
    assert cs["lastState"]["terminated"]["exitCode"] == 255


def test_a_container_the_engine_could_not_run_says_why() -> None:
    cs = container_status(SPEC, [info(state="created", exit_code=127, error="exec: nope")])
    assert cs["state"]["terminated"]["reason"] == "ContainerCannotRun"
    assert cs["state"]["terminated"]["message"] == "exec: nope"


def test_phase_counts_restarting_containers_as_stopped() -> None:
    waiting_restart = {"state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": 1}}}
    assert pod_phase("Always", [waiting_restart]) == "Running"
    assert pod_phase("OnFailure", [{"state": {"terminated": {"exitCode": 0}}}]) == "Succeeded"


def test_unchanged_conditions_keep_their_transition_time() -> None:
    first = status(info("POD"), info())
    pod = make_pod()
    pod["status"] = first
    again = pod_status(pod, [info("POD"), info()], host_ip="192.168.49.2",
                       now="2024-01-01T02:00:00Z")
    assert again == first


def test_a_finished_pod_stays_finished() -> None:
    pod = make_pod()
    pod["status"] = {"phase": "Succeeded"}
    assert pod_status(pod, [], host_ip="h", now=NOW)["phase"] == "Succeeded"


def test_a_readiness_probe_that_does_not_pass_keeps_the_pod_not_ready() -> None:
    s = status(info("POD"), info(), unready={"web-0"})
    assert s["phase"] == "Running" and s["containerStatuses"][0]["ready"] is False
    assert cond(s, "Ready")["status"] == "False" and cond(s, "ContainersReady")["reason"] == \
        "ContainersNotReady"
    assert status(info("POD"), info(), unstarted={"web-0"})["containerStatuses"][0][
        "started"] is False


def test_initializing_pods_are_pending_with_init_statuses() -> None:
    pod = make_pod()
    pod["spec"]["initContainers"] = [{"name": "i1", "image": "app:1"},
                                     {"name": "i2", "image": "app:1"}]
    s = pod_status(pod, [info("POD"), info("i1", state="exited", sandbox_id="POD-0")],
                   host_ip="h", now=NOW)
    assert s["phase"] == "Pending"
    i1, i2 = s["initContainerStatuses"]
    assert i1["ready"] and i1["state"]["terminated"]["reason"] == "Completed"
    assert i2["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert s["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert cond(s, "Initialized")["message"] == "containers with incomplete status: [i2]"
    from minicube.api.kinds.pod_status import summary
    assert summary({**pod, "status": s})["reason"] == "Init:1/2"


def test_a_failed_init_container_fails_a_never_pod() -> None:
    pod = make_pod(restart_policy="Never")
    pod["spec"]["initContainers"] = [{"name": "i1", "image": "app:1"}]
    s = pod_status(pod, [info("POD"), info("i1", state="exited", exit_code=2, sandbox_id="POD-0")],
                   host_ip="h", now=NOW)
    assert s["phase"] == "Failed"


def test_an_oom_killed_container_says_so() -> None:
    s = status(info("POD"), info(state="exited", exit_code=137, oom_killed=True),
               restart_policy="Never")
    assert s["containerStatuses"][0]["state"]["terminated"]["reason"] == "OOMKilled"


def test_readiness_gates_hold_ready_back_and_foreign_conditions_stay() -> None:
    pod = make_pod(readinessGates=[{"conditionType": "example.com/lb"}])
    s = pod_status(pod, [info("POD"), info()], host_ip="h", now=NOW)
    assert cond(s, "ContainersReady")["status"] == "True"
    assert (cond(s, "Ready")["reason"], cond(s, "Ready")["message"]) == (
        "ReadinessGatesNotReady",
        'corresponding condition of pod readiness gate "example.com/lb" does not exist.')
    gate = {"type": "example.com/lb", "status": "True", "lastTransitionTime": NOW}
    pod["status"] = {"conditions": [gate]}
    s = pod_status(pod, [info("POD"), info()], host_ip="h", now=NOW)
    assert cond(s, "Ready")["status"] == "True" and cond(s, "example.com/lb") == gate


def test_the_base_status_is_the_kubelets_with_the_apis_foreign_conditions() -> None:
    from minicube.kubelet.podstatus import with_base_status
    mine = {"type": "Ready", "status": "True"}
    gate = {"type": "example.com/lb", "status": "False"}
    pod = {**make_pod(), "status": {"phase": "Pending", "conditions": [gate]}}
    base = with_base_status(pod, {"phase": "Running", "conditions": [mine]}, None)["status"]
    assert base == {"phase": "Running", "conditions": [mine, gate]}
    failed = with_base_status(pod, None, ("DeadlineExceeded", "too long"))["status"]
    assert (failed["phase"], failed["reason"]) == ("Failed", "DeadlineExceeded")
