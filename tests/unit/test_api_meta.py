from datetime import datetime, timezone

import pytest

from minicube.api import meta


def test_now_is_rfc3339_seconds_in_utc() -> None:
    assert len(meta.now()) == 20 and meta.now().endswith("Z")
    assert abs((meta.parse_time(meta.now()) - datetime.now(timezone.utc)).total_seconds()) < 2


@pytest.mark.parametrize("text", ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789Z",
                                  "2024-01-02T04:04:05+01:00"])
def test_parse_time_accepts_go_timestamps(text: str) -> None:
    assert meta.parse_time(text).replace(microsecond=0) == datetime(2024, 1, 2, 3, 4, 5,
                                                                    tzinfo=timezone.utc)


def test_subdomain_message_is_upstreams() -> None:
    assert meta.is_dns1123_subdomain("Bad_Name") == (
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    assert meta.is_dns1123_subdomain("web-1.example") is None


@pytest.mark.parametrize("name, error", [("web", None), ("a.b", "must not contain dots"),
                                         ("x" * 64, "must be no more than 63 characters")])
def test_dns_label(name: str, error: str | None) -> None:
    assert meta.is_dns1123_label(name) == error


@pytest.mark.parametrize("key", ["app", "app.kubernetes.io/name", "A_b-c.d"])
def test_valid_label_keys(key: str) -> None:
    assert meta.is_label_key(key) is None


@pytest.mark.parametrize("key, start", [("-a", "name part must consist"),
                                        ("a/b/c", "a qualified name must consist"),
                                        ("/a", "prefix part must be non-empty"),
                                        ("Ex.com/a", "prefix part a lowercase RFC 1123")])
def test_invalid_label_keys(key: str, start: str) -> None:
    assert meta.is_label_key(key).startswith(start)  # type: ignore[union-attr]


def test_label_values_may_be_empty_but_not_odd() -> None:
    assert meta.is_label_value("") is None
    assert meta.is_label_value("-x").startswith("a valid label must be an empty string")  # type: ignore[union-attr]


@pytest.mark.parametrize("key, ok", [("app.conf", True), ("KEY_1", True), ("a/b", False),
                                     ("..x", False), (".", False)])
def test_config_map_keys(key: str, ok: bool) -> None:
    assert (meta.is_config_map_key(key) is None) is ok


def test_missing_name_is_required() -> None:
    causes = meta.validate_object_meta({"metadata": {"namespace": "d"}}, namespaced=True)
    assert causes == [{"field": "metadata.name", "reason": "FieldValueRequired",
                       "message": "Required value: name or generateName is required"}]


def test_bad_name_is_invalid_with_value() -> None:
    [c] = meta.validate_object_meta({"metadata": {"name": "Bad_Name"}}, namespaced=False)
    assert c["field"] == "metadata.name" and c["reason"] == "FieldValueInvalid"
    assert c["message"].startswith('Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')


def test_generate_name_prefix_may_end_with_dash() -> None:
    obj = {"metadata": {"generateName": "web-", "name": "web-abcde", "namespace": "d"}}
    assert meta.validate_object_meta(obj, namespaced=True) == []


def test_labels_and_annotations_are_checked() -> None:
    obj = {"metadata": {"name": "a", "labels": {"ok": "-bad"}, "annotations": {"b/c/d": "x"}}}
    fields = [c["field"] for c in meta.validate_object_meta(obj, namespaced=False)]
    assert fields == ["metadata.labels", "metadata.annotations"]


def test_cluster_scoped_objects_refuse_a_namespace() -> None:
    [c] = meta.validate_object_meta({"metadata": {"name": "n", "namespace": "d"}}, namespaced=False)
    assert c["message"] == "Forbidden: not allowed on this type"


def test_owner_references_need_identity() -> None:
    obj = {"metadata": {"name": "a", "ownerReferences": [{"apiVersion": "v1", "kind": "Pod"}]}}
    fields = [c["field"] for c in meta.validate_object_meta(obj, namespaced=False)]
    assert fields == ["metadata.ownerReferences.name", "metadata.ownerReferences.uid"]


def test_identity_fields_are_immutable() -> None:
    old = {"metadata": {"name": "a", "uid": "1"}}
    [c] = meta.validate_object_meta_update({"metadata": {"name": "a", "uid": "2"}}, old)
    assert c == {"field": "metadata.uid", "reason": "FieldValueInvalid",
                 "message": 'Invalid value: "2": field is immutable'}


def test_field_errors_print_like_go() -> None:
    assert meta.not_supported("spec.x", "Sometimes", ("Always", "Never"))["message"] == (
        'Unsupported value: "Sometimes": supported values: "Always", "Never"')
    assert meta.invalid("f", 70000, "d")["message"] == "Invalid value: 70000: d"
    assert meta.duplicate("f", "c")["message"] == 'Duplicate value: "c"'
