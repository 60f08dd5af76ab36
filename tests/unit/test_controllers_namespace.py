from minicube.controllers.namespace import set_content_condition


def test_remaining_content_is_reported_as_upstream_words_it() -> None:
    ns = {"status": {"phase": "Terminating"}}
    status = set_content_condition(ns, {"pods": 2, "replicasets.apps": 1})
    [cond] = status["conditions"]
    assert (cond["type"], cond["status"], cond["reason"]) == \
        ("NamespaceContentRemaining", "True", "SomeResourcesRemain")
    assert cond["message"] == ("Some resources are remaining: pods has 2 resource instances, "
                               "replicasets.apps has 1 resource instances")
    assert status["phase"] == "Terminating"


def test_nothing_remaining_clears_the_condition() -> None:
    ns = {"status": {"conditions": [{"type": "NamespaceContentRemaining", "status": "True"}]}}
    assert set_content_condition(ns, {})["conditions"] == []
