from typing import Any

from minicube.controllers.statefulset import (claim_name, claims_for, from_current, ordinal_of,
                                              pod_for, revision_name, wanted_ordinals)


def sts(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "ns", "uid": "u1"},
            "spec": {"replicas": 2, "serviceName": "nginx",
                     "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                         "containers": [{"name": "c", "image": "i"}],
                         "volumes": [{"name": "www", "emptyDir": {}}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": "1Gi"}}}}], **spec}}


def test_ordinals_come_only_from_the_sets_own_names() -> None:
    assert ordinal_of("web-0", "web") == 0 and ordinal_of("web-12", "web") == 12
    assert ordinal_of("web-01", "web") is None and ordinal_of("web-x", "web") is None
    assert ordinal_of("webby-1", "web") is None and ordinal_of("web-1", "we") is None


def test_wanted_ordinals_honour_ordinals_start() -> None:
    assert list(wanted_ordinals({"replicas": 3})) == [0, 1, 2]
    assert list(wanted_ordinals({"replicas": 2, "ordinals": {"start": 5}})) == [5, 6]


def test_pod_has_stable_identity_and_its_claims() -> None:
    pod = pod_for(sts(), 1, "web-abc")
    meta, spec = pod["metadata"], pod["spec"]
    assert meta["name"] == "web-1" and meta["ownerReferences"][0]["uid"] == "u1"
    assert meta["labels"] == {"app": "web", "controller-revision-hash": "web-abc",
                              "statefulset.kubernetes.io/pod-name": "web-1",
                              "apps.kubernetes.io/pod-index": "1"}
    assert (spec["hostname"], spec["subdomain"]) == ("web-1", "nginx")
    # The claim replaces a template volume of the same name.
    assert spec["volumes"] == [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}}]


def test_claims_carry_selector_labels_and_no_owner_when_retained() -> None:
    (claim,) = claims_for(sts(), 0)
    assert claim["metadata"]["name"] == claim_name("www", "web", 0) == "www-web-0"
    assert claim["metadata"]["labels"] == {"app": "web"}
    assert "ownerReferences" not in claim["metadata"]
    (owned,) = claims_for(sts(persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete"}), 0)
    assert owned["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"


def test_revision_changes_with_the_template_only() -> None:
    a, b = sts(), sts(replicas=5)
    assert revision_name(a) == revision_name(b) and revision_name(a).startswith("web-")
    b["spec"]["template"]["spec"]["containers"][0]["image"] = "j"
    assert revision_name(a) != revision_name(b)


def test_ordinals_below_the_partition_come_from_the_current_revision() -> None:
    rolling = sts(ordinals={"start": 3},
                  updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})
    assert [from_current(rolling, o) for o in (3, 4)] == [True, False]
    # With no rollingUpdate given: the currentReplicas keep the current revision.
    bare = {**sts(updateStrategy={"type": "RollingUpdate"}), "status": {"currentReplicas": 1}}
    assert [from_current(bare, o) for o in (0, 1)] == [True, False]
    assert not from_current(sts(updateStrategy={"type": "OnDelete"}), 0)
