import copy
from typing import Any

from minicube.api.kinds.persistentvolumes import (PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM,
                                                  short_modes)
from minicube.api.kinds.storageclasses import STORAGE_CLASS, is_default, standard_class
from minicube.api.registry import Kind


def causes(kind: Kind, obj: dict[str, Any]) -> list[str]:
    obj = copy.deepcopy(obj)
    kind.default(obj)  # type: ignore[misc]
    return [f"{c['field']}: {c['message']}" for c in kind.validate(obj)]  # type: ignore[misc]


def pv(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "pv1"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "hostPath": {"path": "/data"}, **spec}}


def pvc(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "c", "namespace": "d"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, **spec}}


def test_pv_defaults_and_checks() -> None:
    obj = pv()
    PERSISTENT_VOLUME.default(obj)  # type: ignore[misc]
    assert obj["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert obj["spec"]["volumeMode"] == "Filesystem" and causes(PERSISTENT_VOLUME, pv()) == []
    assert causes(PERSISTENT_VOLUME, pv(capacity={"storage": "0"})) == [
        'spec.capacity[storage]: Invalid value: "0": must be greater than zero']
    assert causes(PERSISTENT_VOLUME, pv(accessModes=[])) == ["spec.accessModes: Required value"]
    both = pv(nfs={"server": "s", "path": "/"})
    assert causes(PERSISTENT_VOLUME, both) == [
        "spec.nfs: Forbidden: may not specify more than 1 volume type"]


def test_pvc_checks_size_and_modes() -> None:
    assert causes(PERSISTENT_VOLUME_CLAIM, pvc()) == []
    assert causes(PERSISTENT_VOLUME_CLAIM, pvc(resources={})) == [
        "spec.resources[storage]: Required value"]
    assert causes(PERSISTENT_VOLUME_CLAIM, pvc(accessModes=["ReadWriteOncePod", "ReadOnlyMany"])
                  ) == ["spec.accessModes: Forbidden: may not use ReadWriteOncePod with other "
                        "access modes"]


def test_pvc_spec_is_fixed_but_for_size_and_binding() -> None:
    old = pvc()
    grown = pvc(resources={"requests": {"storage": "2Gi"}})
    bound = pvc(volumeName="pv1", storageClassName="standard")
    assert PERSISTENT_VOLUME_CLAIM.validate_update(grown, old) == []  # type: ignore[misc]
    assert PERSISTENT_VOLUME_CLAIM.validate_update(bound, old) == []  # type: ignore[misc]
    moved = pvc(volumeName="pv2", storageClassName="standard")
    update = PERSISTENT_VOLUME_CLAIM.validate_update
    assert update(moved, bound)[0]["field"] == "spec"  # type: ignore[misc]


def test_access_modes_print_short() -> None:
    assert short_modes(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteOncePod"]) == "RWO,ROX,RWOP"


def test_standard_class_is_the_default_and_valid() -> None:
    sc = standard_class()
    assert is_default(sc) and causes(STORAGE_CLASS, sc) == []
    changed = {**sc, "provisioner": "other.io/x"}
    assert STORAGE_CLASS.validate_update(changed, sc)[0]["message"] == (  # type: ignore[misc]
        "Forbidden: updates to provisioner are forbidden.")
    assert causes(STORAGE_CLASS, {**sc, "reclaimPolicy": "Keep"}) == [
        'reclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", '
        '"Retain"']


def test_new_claims_and_volumes_are_pending_and_protected() -> None:
    claim, volume = pvc(), pv()
    PERSISTENT_VOLUME_CLAIM.on_create(claim)  # type: ignore[misc]
    PERSISTENT_VOLUME.on_create(volume)  # type: ignore[misc]
    assert claim["status"] == volume["status"] == {"phase": "Pending"}
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert volume["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
