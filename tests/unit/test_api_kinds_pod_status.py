from datetime import datetime, timedelta, timezone

import pytest

from minicube.api.kinds import POD
from minicube.api.tables import table


def _ago(seconds: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cells(status: dict, *, init: int = 0, containers: int = 1, deleting: bool = False,
           **spec: object) -> dict:
    meta = {"name": "web", "creationTimestamp": _ago(300)}
    if deleting:
        meta["deletionTimestamp"] = _ago(1)
    pod = {"metadata": meta, "status": status, "spec": {
        "containers": [{"name": f"c{i}"} for i in range(containers)],
        "initContainers": [{"name": f"i{i}"} for i in range(init)], **spec}}
    names = [c["name"] for c in table(POD, [pod])["columnDefinitions"]]
    return dict(zip(names, table(POD, [pod])["rows"][0]["cells"]))


RUNNING = {"state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}, "ready": True, "restartCount": 0}


def test_columns_are_upstreams() -> None:
    cols = table(POD, [])["columnDefinitions"]
    assert [(c["name"], c["priority"]) for c in cols] == [
        ("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0), ("IP", 1),
        ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1)]


def test_running_pod_row() -> None:
    cells = _cells({"phase": "Running", "podIPs": [{"ip": "10.244.0.5"}], "containerStatuses": [RUNNING]},
                   nodeName="minicube")
    assert cells == {"Name": "web", "Ready": "1/1", "Status": "Running", "Restarts": "0", "Age": "5m",
                     "IP": "10.244.0.5", "Node": "minicube", "Nominated Node": "<none>",
                     "Readiness Gates": "<none>"}


@pytest.mark.parametrize("state, status", [
    ({"waiting": {"reason": "ContainerCreating"}}, "ContainerCreating"),
    ({"waiting": {"reason": "CrashLoopBackOff"}}, "CrashLoopBackOff"),
    ({"waiting": {"reason": "ErrImageNeverPull"}}, "ErrImageNeverPull"),
    ({"waiting": {"reason": "CreateContainerConfigError"}}, "CreateContainerConfigError"),
    ({"terminated": {"exitCode": 0, "reason": "Completed"}}, "Completed"),
    ({"terminated": {"exitCode": 1, "reason": "Error"}}, "Error"),
    ({"terminated": {"exitCode": 137, "signal": 9}}, "Signal:9"),
    ({"terminated": {"exitCode": 3}}, "ExitCode:3"),
])
def test_container_state_decides_status(state: dict, status: str) -> None:
    cs = {"name": "c0", "state": state, "ready": False, "restartCount": 0}
    assert _cells({"phase": "Running", "containerStatuses": [cs]})["Status"] == status


def test_pending_pod_without_statuses_shows_phase() -> None:
    assert _cells({"phase": "Pending"})["Status"] == "Pending"


def test_status_reason_wins_over_phase() -> None:
    assert _cells({"phase": "Failed", "reason": "Evicted"})["Status"] == "Evicted"


@pytest.mark.parametrize("init_status, status", [
    ({"state": {"running": {}}}, "Init:0/1"),
    ({"state": {"terminated": {"exitCode": 1, "reason": "Error"}}}, "Init:Error"),
    ({"state": {"waiting": {"reason": "CrashLoopBackOff"}}}, "Init:CrashLoopBackOff"),
    ({"state": {"waiting": {"reason": "PodInitializing"}}}, "Init:0/1"),
    ({"state": {"terminated": {"exitCode": 2}}}, "Init:ExitCode:2"),
])
def test_init_containers(init_status: dict, status: str) -> None:
    cs = {"name": "i0", "ready": False, "restartCount": 0, **init_status}
    assert _cells({"phase": "Pending", "initContainerStatuses": [cs]}, init=1)["Status"] == status


def test_finished_init_containers_let_containers_decide() -> None:
    done = {"name": "i0", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
            "ready": False, "restartCount": 0}
    cells = _cells({"phase": "Running", "initContainerStatuses": [done], "containerStatuses": [RUNNING]}, init=1)
    assert cells["Status"] == "Running" and cells["Ready"] == "1/1"


def test_completed_with_a_running_container_is_not_ready() -> None:
    done = {"name": "c1", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
            "ready": False, "restartCount": 0}
    cells = _cells({"phase": "Running", "containerStatuses": [RUNNING, done]}, containers=2)
    assert cells["Status"] == "NotReady" and cells["Ready"] == "1/2"


def test_terminating() -> None:
    assert _cells({"phase": "Running", "containerStatuses": [RUNNING]}, deleting=True)["Status"] == "Terminating"
    assert _cells({"phase": "Succeeded"}, deleting=True)["Status"] == "Succeeded"


def test_restarts_show_when_the_last_one_was() -> None:
    cs = {**RUNNING, "restartCount": 3, "lastState": {"terminated": {"exitCode": 1, "finishedAt": _ago(120)}}}
    assert _cells({"phase": "Running", "containerStatuses": [cs]})["Restarts"] == "3 (2m ago)"


def test_restarts_without_a_finish_time_are_a_plain_count() -> None:
    assert _cells({"phase": "Running", "containerStatuses": [{**RUNNING, "restartCount": 2}]})["Restarts"] == "2"


def test_readiness_gates() -> None:
    cells = _cells({"phase": "Running", "conditions": [{"type": "a", "status": "True"}]},
                   readinessGates=[{"conditionType": "a"}, {"conditionType": "b"}])
    assert cells["Readiness Gates"] == "1/2"


def test_sidecars_count_in_ready() -> None:
    sidecar = {"name": "i0", "state": {"running": {}}, "ready": True, "started": True, "restartCount": 0}
    pod_status = {"phase": "Running", "initContainerStatuses": [sidecar], "containerStatuses": [RUNNING]}
    meta = {"name": "web", "creationTimestamp": _ago(5)}
    pod = {"metadata": meta, "status": pod_status, "spec": {
        "containers": [{"name": "c0"}], "initContainers": [{"name": "i0", "restartPolicy": "Always"}]}}
    cells = table(POD, [pod])["rows"][0]["cells"]
    assert cells[1:3] == ["2/2", "Running"]
