from minicube.controllers import rollout

TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}}


def _deploy(replicas: int = 4, surge: object = "25%", unavailable: object = "25%") -> dict:
    return {"metadata": {"name": "web", "generation": 2},
            "spec": {"replicas": replicas, "template": TEMPLATE, "progressDeadlineSeconds": 600,
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}}


def _rs(name: str, size: int, available: int = 0, created: str = "2026-01-01T00:00:00Z") -> dict:
    return {"metadata": {"name": name, "uid": name, "creationTimestamp": created},
            "spec": {"replicas": size}, "status": {"replicas": size, "availableReplicas": available,
                                                   "readyReplicas": available}}


def test_hash_is_stable_safe_and_ignores_its_own_label() -> None:
    h = rollout.template_hash(TEMPLATE)
    labelled = {**TEMPLATE, "metadata": {"labels": {"app": "web", rollout.HASH_LABEL: h}}}
    assert h == rollout.template_hash(labelled) and set(h) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert rollout.template_hash(TEMPLATE, 1) != h


def test_same_template_ignores_the_hash_label() -> None:
    labelled = {**TEMPLATE, "metadata": {"labels": {"app": "web", rollout.HASH_LABEL: "x"}}}
    assert rollout.same_template(TEMPLATE, labelled)
    assert not rollout.same_template(TEMPLATE, {**TEMPLATE, "spec": {"containers": []}})


def test_surge_rounds_up_and_unavailable_down() -> None:
    d = _deploy(replicas=3)
    assert (rollout.max_surge(d), rollout.max_unavailable(d)) == (1, 0)


def test_zero_surge_and_unavailable_still_allow_one() -> None:
    assert rollout.max_unavailable(_deploy(replicas=3, surge=0, unavailable="10%")) == 1


def test_new_set_grows_within_surge() -> None:
    d, old, new = _deploy(), _rs("old", 4, 4), _rs("new", 0)
    assert rollout.new_rs_replicas(d, [old, new], new) == 1


def test_old_sets_shrink_only_down_to_minimum_availability() -> None:
    d, old, new = _deploy(), _rs("old", 4, 4), _rs("new", 1, 0)
    assert rollout.max_scale_down(d, [old, new], new) == 1
    assert rollout.scale_down_old(d, [old, new], [old]) == {"old": 3}


def test_unhealthy_old_replicas_go_first() -> None:
    a, b = _rs("a", 2, 0, "2026-01-01T00:00:00Z"), _rs("b", 2, 2, "2026-01-02T00:00:00Z")
    assert rollout.cleanup_unhealthy([b, a], 1) == {"a": 1}


def test_reused_set_gets_next_revision_and_remembers_old_one() -> None:
    rs = {"metadata": {"annotations": {rollout.REVISION: "1"}}}
    out = rollout.new_rs_annotations(_deploy(), rs, 3)
    assert out[rollout.REVISION] == "3" and out[rollout.REVISION_HISTORY] == "1"
    assert out[rollout.DESIRED_REPLICAS] == "4" and out[rollout.MAX_REPLICAS] == "5"


def test_status_counts_and_completion() -> None:
    d, new = _deploy(), _rs("new", 4, 4)
    status = rollout.calculate_status(d, [new], new, 0.0)
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"],
            status["observedGeneration"]) == (4, 4, 4, 2)
    assert rollout.condition(status, "Available")["reason"] == "MinimumReplicasAvailable"
    rollout.progress(d, status, new, 0.0)
    assert rollout.condition(status, "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_a_rollout_without_progress_times_out() -> None:
    d, new = _deploy(), _rs("new", 4, 0)
    status = rollout.calculate_status(d, [new], new, 0.0)
    rollout.set_condition(status, "Progressing", "True", "ReplicaSetUpdated", "x", 0.0)
    d["status"] = dict(status)
    rollout.progress(d, status, new, 601.0)
    cond = rollout.condition(status, "Progressing")
    assert (cond["status"], cond["reason"]) == ("False", "ProgressDeadlineExceeded")


def test_scaling_splits_proportionally() -> None:
    d = _deploy(replicas=8, surge=0, unavailable=1)
    sizes = rollout.proportional_sizes(d, [_rs("a", 2), _rs("b", 2)])
    assert sizes == {"a": 4, "b": 4}


def test_a_sets_replica_failure_shows_on_the_deployment_until_it_clears() -> None:
    new = _rs("new", 2)
    new["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True",
                                    "reason": "FailedCreate", "message": "quota"}]
    status: dict = {"conditions": []}
    rollout.copy_replica_failure(status, [new], new, 0.0)
    assert rollout.condition(status, "ReplicaFailure")["message"] == "quota"
    del new["status"]["conditions"]
    rollout.copy_replica_failure(status, [new], new, 0.0)
    assert rollout.condition(status, "ReplicaFailure") is None
