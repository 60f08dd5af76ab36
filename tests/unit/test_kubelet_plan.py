"""What a sync does: sandbox first, starts under the restartPolicy, back-off, clean-up."""

from __future__ import annotations

from typing import Any

from minicube.kubelet.containers import ContainerInfo
from minicube.kubelet.plan import plan_pod, should_restart
from tests.unit.kubelet_fixtures import info, make_pod


def plan(pod: dict[str, Any], *containers: ContainerInfo, finished: bool = False,
         backoff: float = 0.0) -> Any:
    return plan_pod(pod, list(containers), finished=finished,
                    backoff_remaining=lambda name, c: backoff)


def test_a_new_pod_gets_a_sandbox_then_its_containers_in_order() -> None:
    p = plan(make_pod("a", "b"))
    assert p.create_sandbox and p.sandbox_attempt == 0
    assert p.start == [("a", 0), ("b", 0)]


def test_a_running_pod_needs_nothing() -> None:
    assert plan(make_pod(), info("POD"), info()).idle


def test_after_a_node_restart_always_pods_get_a_new_sandbox_and_restart() -> None:
    p = plan(make_pod(), info("POD", state="exited", exit_code=255),
             info(attempt=2, state="exited", exit_code=255))
    assert p.create_sandbox and p.sandbox_attempt == 1
    assert p.start == [("web", 3)] and [c.name for c in p.remove] == ["POD"]


def test_after_a_node_restart_never_pods_stay_down() -> None:
    p = plan(make_pod(restart_policy="Never"), info("POD", state="exited", exit_code=255),
             info(state="exited", exit_code=255))
    assert p.idle


def test_restart_policies() -> None:
    assert should_restart("Always", 0) and should_restart("OnFailure", 1)
    assert not should_restart("OnFailure", 0) and not should_restart("Never", 1)


def test_a_crashed_container_in_back_off_waits() -> None:
    p = plan(make_pod(), info("POD"), info(attempt=1, state="exited", exit_code=1), backoff=7.5)
    assert p.start == [] and p.backoff == {"web": 7.5}


def test_a_crashed_container_past_back_off_restarts_and_old_attempts_go() -> None:
    old = info(attempt=0, state="exited", exit_code=1)
    p = plan(make_pod(), info("POD"), info(attempt=1, state="exited", exit_code=1), old)
    assert p.start == [("web", 2)] and p.remove == [old]


def test_a_finished_pod_only_stops_what_still_runs() -> None:
    sandbox = info("POD")
    p = plan(make_pod(restart_policy="OnFailure"), sandbox, info(state="exited"), finished=True)
    assert p.stop == [sandbox] and not p.start and not p.create_sandbox


def test_a_changed_image_restarts_the_container() -> None:
    running = info(image="app:0")
    p = plan(make_pod(), info("POD"), running)
    assert p.stop == [running] and p.start == [("web", 1)]


def test_a_created_but_never_started_container_is_redone() -> None:
    stale = info(attempt=1, state="created")
    p = plan(make_pod(), info("POD"), stale)
    assert p.remove == [stale] and p.start == [("web", 1)]


def with_inits(*names: str, **spec: Any) -> dict[str, Any]:
    pod = make_pod(**spec)
    pod["spec"]["initContainers"] = [{"name": n, "image": "app:1"} for n in names]
    return pod


def test_init_containers_run_one_at_a_time_before_the_app() -> None:
    pod, sandbox = with_inits("i1", "i2"), info("POD")
    assert plan(pod).start == [("i1", 0)]   # with the new sandbox
    running = info("i1", sandbox_id="POD-0")
    assert plan(pod, sandbox, running).idle
    done = info("i1", state="exited", sandbox_id="POD-0")
    assert plan(pod, sandbox, done).start == [("i2", 0)]
    assert plan(pod, sandbox, done, info("i2", state="exited", sandbox_id="POD-0")).start == [
        ("web", 0)]


def test_a_failed_init_container_restarts_with_back_off_unless_never() -> None:
    failed = info("i1", state="exited", exit_code=1, sandbox_id="POD-0")
    assert plan(with_inits("i1"), info("POD"), failed).start == [("i1", 1)]
    assert plan(with_inits("i1"), info("POD"), failed, backoff=5).backoff == {"i1": 5}
    assert plan(with_inits("i1", restart_policy="Never"), info("POD"), failed).idle


def test_a_new_sandbox_runs_the_init_containers_again() -> None:
    old = [info("POD", state="exited", exit_code=255),
           info("i1", state="exited", sandbox_id="POD-0"),
           info(state="exited", exit_code=255, sandbox_id="POD-0")]
    p = plan(with_inits("i1"), *old)
    assert p.create_sandbox and p.start == [("i1", 1)]


def test_an_initialized_pod_does_not_go_back_to_its_init_containers() -> None:
    pod = with_inits("i1")
    assert plan(pod, info("POD"), info(sandbox_id="POD-0")).idle   # i1's record is gone


def test_sidecars_start_first_and_keep_running_beside_the_app() -> None:
    pod = with_inits("side")
    pod["spec"]["initContainers"][0]["restartPolicy"] = "Always"
    assert plan(pod, info("POD"), info("side", sandbox_id="POD-0")).start == [("web", 0)]


def test_a_container_failing_its_liveness_probe_is_killed_then_restarts_like_a_crash() -> None:
    live = info(sandbox_id="POD-0")
    p = plan_pod(make_pod(), [info("POD"), live], finished=False,
                 backoff_remaining=lambda n, c: 0.0, unhealthy={"web-0"})
    assert p.stop == [live] and p.start == []
    killed = info(state="exited", exit_code=137, sandbox_id="POD-0")
    assert plan(make_pod(), info("POD"), killed, backoff=10).backoff == {"web": 10}


def test_ephemeral_containers_start_once_in_the_running_pod() -> None:
    pod = make_pod(ephemeralContainers=[{"name": "dbg", "image": "busybox"}])
    assert plan(pod, info("POD"), info()).start == [("dbg", 0)]
    assert plan(pod, info("POD"), info(), info("dbg", state="exited", exit_code=1)).idle
    fresh = plan(pod)  # a new sandbox brings back the app, not the debugger
    assert fresh.start == [("web", 0)]
