import pytest

from minicube.api import errors
from minicube.api.kinds import CONFIG_MAP, NAMESPACE
from minicube.apiserver import deletion


@pytest.mark.parametrize("policy, before, after", [
    ("Orphan", ["x"], ["x", "orphan"]),
    ("Foreground", ["orphan"], ["foregroundDeletion"]),
    ("Background", ["orphan", "x"], ["x"]),
    (None, ["orphan"], ["orphan"]),
])
def test_propagation_policy_becomes_finalizers(policy: str | None, before: list[str],
                                               after: list[str]) -> None:
    assert deletion.propagation_finalizers(before, policy) == after


def test_unknown_policy_is_invalid() -> None:
    with pytest.raises(errors.Invalid):
        deletion.propagation_finalizers([], "Sideways")


def test_a_namespace_terminates_once() -> None:
    ns = {"metadata": {"name": "dev"}, "spec": {"finalizers": ["kubernetes"]}, "status": {}}
    deletion.start_terminating(ns, "2026-01-01T00:00:00Z")
    assert ns["status"]["phase"] == "Terminating" and ns["metadata"]["deletionTimestamp"]
    with pytest.raises(errors.Conflict, match="ensuring all content is removed"):
        deletion.start_terminating(ns, "2026-01-01T00:00:01Z")


def test_finalize_changes_only_spec_finalizers() -> None:
    old = {"metadata": {"name": "dev"}, "spec": {"finalizers": ["kubernetes"]},
           "status": {"phase": "Terminating"}}
    new = deletion.finalize(old, {"metadata": {"labels": {"a": "b"}}, "spec": {"finalizers": []}})
    assert new == {**old, "spec": {"finalizers": []}}
    assert deletion.namespace_finalizers(NAMESPACE, new) == []
    assert deletion.namespace_finalizers(CONFIG_MAP, old) == []
