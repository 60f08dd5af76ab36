from minicube.api.kinds import NAMESPACE
from minicube.api.tables import table


def test_new_namespace_is_active_with_the_kubernetes_finalizer() -> None:
    ns = {"metadata": {"name": "dev"}}
    NAMESPACE.default(ns)  # type: ignore[misc]
    assert ns["spec"] == {"finalizers": ["kubernetes"]} and ns["status"] == {"phase": "Active"}


def test_on_create_overrides_user_status() -> None:
    ns = {"metadata": {"name": "dev"}, "spec": {"finalizers": []}, "status": {"phase": "Terminating"}}
    NAMESPACE.on_create(ns)  # type: ignore[misc]
    assert ns["spec"]["finalizers"] == ["kubernetes"] and ns["status"] == {"phase": "Active"}


def test_namespace_names_are_labels() -> None:
    [c] = NAMESPACE.validate({"metadata": {"name": "a.b"}})  # type: ignore[misc]
    assert c["message"] == 'Invalid value: "a.b": must not contain dots'


def test_namespace_labels_are_validated() -> None:
    [c] = NAMESPACE.validate({"metadata": {"name": "a", "labels": {"bad key": "x"}}})  # type: ignore[misc]
    assert c["field"] == "metadata.labels"


def test_namespace_row_and_fields() -> None:
    ns = {"metadata": {"name": "dev"}, "status": {"phase": "Terminating"}}
    assert table(NAMESPACE, [ns])["rows"][0]["cells"][:2] == ["dev", "Terminating"]
    assert NAMESPACE.fields_of(ns)["status.phase"] == "Terminating"
