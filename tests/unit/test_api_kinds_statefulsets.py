import copy
from typing import Any

from minicube.api.kinds.daemonsets import DAEMON_SET
from minicube.api.kinds.statefulsets import STATEFUL_SET
from minicube.api.registry import Kind


def causes(kind: Kind, obj: dict[str, Any]) -> list[str]:
    obj = copy.deepcopy(obj)
    kind.default(obj)  # type: ignore[misc]
    return [f"{c['field']}: {c['message']}" for c in kind.validate(obj)]  # type: ignore[misc]


def sts(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "d"}, "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "c", "image": "i", "volumeMounts": [{"name": "www", "mountPath": "/d"}]}]}},
        "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
        **spec}}


def test_mounts_may_name_claim_templates() -> None:
    assert causes(STATEFUL_SET, sts()) == []
    assert causes(STATEFUL_SET, sts(volumeClaimTemplates=[])) == [
        'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "www"']


def test_statefulset_enums_and_strategy() -> None:
    assert causes(STATEFUL_SET, sts(podManagementPolicy="Random")) == [
        'spec.podManagementPolicy: Unsupported value: "Random": supported values: '
        '"OrderedReady", "Parallel"']
    assert causes(STATEFUL_SET, sts(updateStrategy={"type": "RollingUpdate",
                                                    "rollingUpdate": {"partition": -1}})) == [
        "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than "
        "or equal to 0"]
    on_delete = sts(updateStrategy={"type": "OnDelete"})
    STATEFUL_SET.default(on_delete)  # type: ignore[misc]
    assert on_delete["spec"]["updateStrategy"] == {"type": "OnDelete"}


def test_only_some_fields_may_change() -> None:
    old, new = sts(replicas=1), sts(replicas=3)
    assert STATEFUL_SET.validate_update(new, old) == []  # type: ignore[misc]
    new["spec"]["serviceName"] = "other"
    assert STATEFUL_SET.validate_update(new, old)[0]["field"] == "spec"  # type: ignore[misc]


def test_daemonset_defaults_and_restart_policy() -> None:
    ds = {"metadata": {"name": "agent", "namespace": "d"}, "spec": {
        "selector": {"matchLabels": {"app": "a"}},
        "template": {"metadata": {"labels": {"app": "a"}},
                     "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    assert causes(DAEMON_SET, ds) == []
    ds["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert causes(DAEMON_SET, ds) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: '
        '"Always"']
