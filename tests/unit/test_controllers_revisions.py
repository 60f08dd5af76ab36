from typing import Any

from minicube.api.kinds.controllerrevisions import CONTROLLER_REVISION
from minicube.controllers.revisions import condemned, new_revision, revision_data


def ds() -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "ns", "uid": "u1",
                         "annotations": {"kubernetes.io/change-cause": "v2"}},
            "spec": {"template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"containers": [{"name": "c", "image": "i:2"}]}}}}


def test_the_data_replaces_the_whole_template() -> None:
    data = revision_data(ds())
    assert data == {"spec": {"template": {"$patch": "replace",
                                          "metadata": {"labels": {"app": "agent"}},
                                          "spec": {"containers": [{"name": "c", "image": "i:2"}]}}}}
    assert "$patch" not in ds()["spec"]["template"]


def test_a_revision_is_owned_labelled_and_keeps_the_change_cause() -> None:
    rev = new_revision(ds(), "agent-abc", "abc", 4)
    meta = rev["metadata"]
    assert (rev["kind"], rev["revision"], meta["name"]) == ("ControllerRevision", 4, "agent-abc")
    assert meta["labels"] == {"app": "agent", "controller-revision-hash": "abc"}
    assert meta["ownerReferences"][0]["uid"] == "u1"
    assert meta["annotations"] == {"kubernetes.io/change-cause": "v2"}
    assert CONTROLLER_REVISION.validate(rev) == []  # type: ignore[misc]


def test_only_the_oldest_spare_revisions_beyond_the_limit_go() -> None:
    revs = [{"metadata": {"name": f"r{n}"}, "revision": n} for n in (3, 1, 4, 2)]
    assert [r["revision"] for r in condemned(revs, 1, {"r4"})] == [1, 2]
    assert [r["revision"] for r in condemned(revs, 1, {"r4", "r1"})] == [2]
    assert condemned(revs, 10, set()) == []


def test_validation_names_the_field() -> None:
    bad = {"metadata": {"name": "x", "namespace": "ns"}, "revision": -1}
    fields = {c["field"] for c in CONTROLLER_REVISION.validate(bad)}  # type: ignore[misc]
    assert fields == {"data", "revision"}
    old = {**bad, "data": {"a": 1}, "revision": 1}
    assert CONTROLLER_REVISION.validate_update({**old, "revision": 2}, old) == []  # type: ignore[misc]
    assert [c["field"] for c in CONTROLLER_REVISION.validate_update(  # type: ignore[misc]
        {**old, "data": {"a": 2}}, old)] == ["data"]
