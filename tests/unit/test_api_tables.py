from datetime import datetime, timedelta, timezone

import pytest

from minicube.api import tables
from minicube.api.registry import Column, Kind


@pytest.mark.parametrize("seconds, text", [
    (-5, "<invalid>"), (-1, "0s"), (5, "5s"), (119, "119s"), (200, "3m20s"), (300, "5m"),
    (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (3 * 3600 + 60, "3h1m"), (8 * 3600, "8h"),
    (47 * 3600, "47h"), (51 * 3600, "2d3h"), (3 * 86400, "3d"), (45 * 86400, "45d"),
    (740 * 86400, "2y10d"), (730 * 86400, "2y"), (3000 * 86400, "8y"),
])
def test_human_duration_matches_upstream(seconds: int, text: str) -> None:
    assert tables.human_duration(seconds) == text


def _ago(seconds: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_age_from_creation_timestamp() -> None:
    assert tables.age({"metadata": {"creationTimestamp": _ago(300)}}) == "5m"
    assert tables.age({"metadata": {}}) == "<unknown>"


PLAIN = Kind("", "v1", "Thing", "things")
WITH_COLUMNS = Kind("", "v1", "Box", "boxes", columns=(
    Column("Size", lambda o: o["spec"]["size"], type="integer"), tables.AGE,
    Column("Wide", lambda o: "w", priority=1)))


def _box() -> dict:
    return {"metadata": {"name": "b", "namespace": "d", "labels": {"x": "y"},
                         "creationTimestamp": _ago(10)}, "spec": {"size": 3}}


def test_name_first_then_kind_columns() -> None:
    t = tables.table(WITH_COLUMNS, [_box()])
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Size", "Age", "Wide"]
    assert t["columnDefinitions"][0]["format"] == "name" and t["columnDefinitions"][3]["priority"] == 1
    assert t["rows"][0]["cells"] == ["b", 3, "10s", "w"]


def test_partial_object_metadata_by_default() -> None:
    box = _box()
    obj = tables.table(WITH_COLUMNS, [box])["rows"][0]["object"]
    assert obj == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": box["metadata"]}


def test_include_object() -> None:
    box = _box()
    assert tables.table(WITH_COLUMNS, [box], include_object="Object")["rows"][0]["object"] is box
    assert "object" not in tables.table(WITH_COLUMNS, [box], include_object="None")["rows"][0]


def test_kinds_without_columns_show_created_at() -> None:
    box = _box()
    t = tables.table(PLAIN, [box])
    assert [(c["name"], c["type"]) for c in t["columnDefinitions"]] == [
        ("Name", "string"), ("Created At", "date")]
    assert t["rows"][0]["cells"] == ["b", box["metadata"]["creationTimestamp"]]


def test_table_envelope() -> None:
    t = tables.table(PLAIN, [], resource_version="42", continue_token="c")
    assert (t["kind"], t["apiVersion"], t["metadata"], t["rows"]) == (
        "Table", "meta.k8s.io/v1", {"resourceVersion": "42", "continue": "c"}, [])


def test_a_kind_may_place_its_own_name_column() -> None:
    kind = Kind("", "v1", "Ev", "evs", columns=(Column("Seen", lambda o: "1s"),
                                                Column("Name", lambda o: "n", format="name")))
    assert [c["name"] for c in tables.table(kind, [])["columnDefinitions"]] == ["Seen", "Name"]
