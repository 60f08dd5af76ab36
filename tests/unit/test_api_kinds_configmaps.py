from minicube.api.kinds import CONFIG_MAP
from minicube.api.tables import table


def _cm(**fields: object) -> dict:
    return {"metadata": {"name": "cm", "namespace": "default"}, **fields}


def test_valid_config_map() -> None:
    assert CONFIG_MAP.validate(_cm(data={"app.conf": "x"}, binaryData={"b": "AAE="})) == []  # type: ignore[misc]


def test_bad_keys_name_the_key() -> None:
    [c] = CONFIG_MAP.validate(_cm(data={"a/b": "x"}))  # type: ignore[misc]
    assert c["field"] == "data[a/b]" and c["message"].startswith(
        'Invalid value: "a/b": a valid config key must consist of alphanumeric characters')


def test_keys_may_not_repeat_across_data_and_binary_data() -> None:
    [c] = CONFIG_MAP.validate(_cm(data={"k": "x"}, binaryData={"k": "AA=="}))  # type: ignore[misc]
    assert c["message"] == 'Invalid value: "k": duplicate of key present in binaryData'


def test_binary_data_must_be_base64() -> None:
    assert [c["field"] for c in CONFIG_MAP.validate(_cm(binaryData={"k": "not base64!"}))] == ["binaryData[k]"]  # type: ignore[misc]


def test_immutable_config_map_refuses_data_changes() -> None:
    old = _cm(data={"k": "1"}, immutable=True)
    assert CONFIG_MAP.validate_update(_cm(data={"k": "1"}, immutable=True), old) == []  # type: ignore[misc]
    [c] = CONFIG_MAP.validate_update(_cm(data={"k": "2"}, immutable=True), old)  # type: ignore[misc]
    assert c == {"field": "data", "reason": "FieldValueForbidden",
                 "message": "Forbidden: field is immutable when `immutable` is set"}
    assert [c["field"] for c in CONFIG_MAP.validate_update(_cm(data={"k": "1"}), old)] == ["immutable"]  # type: ignore[misc]


def test_mutable_config_map_changes_freely() -> None:
    assert CONFIG_MAP.validate_update(_cm(data={"k": "2"}), _cm(data={"k": "1"})) == []  # type: ignore[misc]


def test_data_column_counts_both_bags() -> None:
    assert table(CONFIG_MAP, [_cm(data={"a": "1"}, binaryData={"b": ""})])["rows"][0]["cells"][1] == 2
