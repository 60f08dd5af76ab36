from typing import Any

from minicube.controllers.persistentvolume import find_match, matches


def pv(name: str, size: str = "1Gi", *, cls: str = "", modes: tuple[str, ...] = ("ReadWriteOnce",),
       phase: str = "Available", labels: dict[str, str] | None = None,
       claim: dict[str, str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"capacity": {"storage": size}, "accessModes": list(modes),
                            "storageClassName": cls}
    if claim:
        spec["claimRef"] = claim
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": spec,
            "status": {"phase": phase}}


def pvc(size: str = "500Mi", *, cls: str = "", modes: tuple[str, ...] = ("ReadWriteOnce",),
        **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "data", "namespace": "ns", "uid": "c1"},
            "spec": {"accessModes": list(modes), "storageClassName": cls,
                     "resources": {"requests": {"storage": size}}, **spec}}


def name_of(volume: dict[str, Any] | None) -> str | None:
    return volume["metadata"]["name"] if volume else None


def test_smallest_fitting_volume_wins() -> None:
    volumes = [pv("big", "10Gi"), pv("small", "1Gi"), pv("tiny", "100Mi")]
    assert name_of(find_match(pvc(), volumes)) == "small"


def test_class_modes_phase_and_selector_must_fit() -> None:
    assert not matches(pv("a", cls="fast"), pvc())
    assert not matches(pv("a"), pvc(modes=("ReadWriteMany",)))
    assert matches(pv("a", modes=("ReadWriteOnce", "ReadOnlyMany")), pvc(modes=("ReadOnlyMany",)))
    assert not matches(pv("a", phase="Released"), pvc())
    assert not matches(pv("a", labels={"tier": "db"}),
                       pvc(selector={"matchLabels": {"tier": "web"}}))
    assert matches(pv("a", labels={"tier": "web"}), pvc(selector={"matchLabels": {"tier": "web"}}))


def test_reserved_volumes_serve_only_their_claim() -> None:
    mine = pv("mine", "5Gi", phase="Pending", claim={"namespace": "ns", "name": "data"})
    theirs = pv("theirs", claim={"namespace": "ns", "name": "other"})
    assert name_of(find_match(pvc(), [theirs, pv("free"), mine])) == "mine"
    stale = pv("stale", claim={"namespace": "ns", "name": "data", "uid": "old"})
    assert not matches(stale, pvc())


def test_volume_name_pins_the_volume() -> None:
    volumes = [pv("small"), pv("other", "2Gi")]
    assert name_of(find_match(pvc(volumeName="other"), volumes)) == "other"
    assert find_match(pvc(volumeName="missing"), volumes) is None


def test_a_claim_is_in_use_while_a_pod_that_may_run_mounts_it() -> None:
    from minicube.controllers.protection import claim_in_use

    def pod(phase: str, claim: str) -> dict[str, Any]:
        return {"metadata": {"namespace": "ns"}, "status": {"phase": phase},
                "spec": {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": claim}}]}}
    assert claim_in_use("ns/data", [pod("Pending", "data")])
    assert not claim_in_use("ns/data", [pod("Succeeded", "data"), pod("Running", "other")])
