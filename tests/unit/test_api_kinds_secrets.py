from minicube.api.kinds import SECRET
from minicube.api.tables import table


def _secret(**fields: object) -> dict:
    return {"metadata": {"name": "s", "namespace": "default"}, **fields}


def test_string_data_is_folded_into_data_and_removed() -> None:
    s = _secret(data={"a": "eA=="}, stringData={"b": "hello"})
    SECRET.default(s)  # type: ignore[misc]
    assert s["data"] == {"a": "eA==", "b": "aGVsbG8="} and "stringData" not in s
    assert s["type"] == "Opaque"


def test_string_data_wins_over_data() -> None:
    s = _secret(data={"a": "eA=="}, stringData={"a": "y"})
    SECRET.default(s)  # type: ignore[misc]
    assert s["data"] == {"a": "eQ=="}


def test_data_must_be_base64() -> None:
    [c] = SECRET.validate(_secret(data={"k": "%%%"}))  # type: ignore[misc]
    assert c["field"] == "data[k]" and "illegal base64 data" in c["message"]


def test_tls_secret_needs_its_keys() -> None:
    causes = SECRET.validate(_secret(type="kubernetes.io/tls", data={"tls.crt": ""}))  # type: ignore[misc]
    assert [(c["field"], c["message"]) for c in causes] == [("data[tls.key]", "Required value")]


def test_type_is_immutable() -> None:
    [c] = SECRET.validate_update(_secret(type="x/y"), _secret(type="Opaque"))  # type: ignore[misc]
    assert c["field"] == "type" and c["message"] == 'Invalid value: "x/y": field is immutable'


def test_immutable_secret_refuses_data_changes() -> None:
    old = _secret(data={"k": "MQ=="}, immutable=True)
    causes = SECRET.validate_update(_secret(data={"k": "Mg=="}, immutable=True), old)  # type: ignore[misc]
    assert [c["field"] for c in causes] == ["data"]


def test_secret_row_and_fields() -> None:
    s = _secret(type="Opaque", data={"a": "", "b": ""})
    assert table(SECRET, [s])["rows"][0]["cells"][:3] == ["s", "Opaque", 2]
    assert SECRET.fields_of(s)["type"] == "Opaque"
