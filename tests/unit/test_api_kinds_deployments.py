from minicube.api.kinds import DEPLOYMENT, REPLICA_SET
from minicube.api.tables import table


def _deploy(**spec: object) -> dict:
    base = {"selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "c", "image": "minicube/hello:1"}]}}}
    return {"metadata": {"name": "web", "namespace": "default"}, "spec": {**base, **spec}}


def _defaulted(**spec: object) -> dict:
    d = _deploy(**spec)
    DEPLOYMENT.default(d)  # type: ignore[misc]
    return d


def test_deployment_defaults_are_upstreams() -> None:
    s = _defaulted()["spec"]
    assert (s["replicas"], s["revisionHistoryLimit"], s["progressDeadlineSeconds"]) == (1, 10, 600)
    assert s["strategy"] == {"type": "RollingUpdate",
                             "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert s["template"]["spec"]["restartPolicy"] == "Always"


def test_a_valid_deployment_has_no_causes() -> None:
    assert DEPLOYMENT.validate(_defaulted()) == []  # type: ignore[misc]


def test_selector_must_match_template_labels() -> None:
    d = _defaulted(selector={"matchLabels": {"app": "other"}})
    [c] = DEPLOYMENT.validate(d)  # type: ignore[misc]
    assert c["field"] == "spec.template.metadata.labels"
    assert c["message"] == ('Invalid value: map[string]string{"app":"web"}: '
                            "`selector` does not match template `labels`")


def test_selector_is_required() -> None:
    d = _defaulted()
    del d["spec"]["selector"]
    assert [c["field"] for c in DEPLOYMENT.validate(d)] == ["spec.selector"]  # type: ignore[misc]


def test_surge_and_unavailable_may_not_both_be_zero() -> None:
    d = _defaulted(strategy={"type": "RollingUpdate",
                             "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}})
    [c] = DEPLOYMENT.validate(d)  # type: ignore[misc]
    assert c["field"] == "spec.strategy.rollingUpdate.maxUnavailable"


def test_recreate_forbids_rolling_update_parameters() -> None:
    d = _defaulted(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})
    [c] = DEPLOYMENT.validate(d)  # type: ignore[misc]
    assert c["field"] == "spec.strategy.rollingUpdate" and "Forbidden" in c["message"]


def test_template_must_restart_always() -> None:
    d = _defaulted()
    d["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    [c] = DEPLOYMENT.validate(d)  # type: ignore[misc]
    assert c["field"] == "spec.template.spec.restartPolicy"


def test_selector_is_immutable() -> None:
    old, new = _defaulted(), _defaulted(selector={"matchLabels": {"app": "x"}})
    [c] = DEPLOYMENT.validate_update(new, old)  # type: ignore[misc]
    assert c["field"] == "spec.selector"


def test_deployment_and_replicaset_rows() -> None:
    d = _defaulted(replicas=3)
    d["status"] = {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
    assert table(DEPLOYMENT, [d])["rows"][0]["cells"][:4] == ["web", "2/3", 3, 2]
    rs = {**d, "status": {"replicas": 3, "readyReplicas": 1}}
    cells = table(REPLICA_SET, [rs])["rows"][0]["cells"]
    assert cells[:4] == ["web", 3, 3, 1] and cells[-3:] == ["c", "minicube/hello:1", "app=web"]
