from datetime import datetime, timedelta, timezone

from minicube.api.kinds import EVENT
from minicube.api.tables import table


def _ago(seconds: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ev() -> dict:
    return {"metadata": {"name": "web.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default", "uid": "u1",
                               "fieldPath": "spec.containers{c}"},
            "reason": "Pulled", "message": "Pulled image  \n", "type": "Normal",
            "source": {"component": "kubelet", "host": "minicube"},
            "firstTimestamp": _ago(600), "lastTimestamp": _ago(60), "count": 3}


def test_event_columns_and_cells() -> None:
    t = table(EVENT, [_ev()])
    assert [c["name"] for c in t["columnDefinitions"]] == [
        "Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
        "Count", "Name"]
    assert t["rows"][0]["cells"] == ["60s", "Normal", "Pulled", "pod/web", "spec.containers{c}",
                                     "kubelet, minicube", "Pulled image", "10m", 3, "web.1"]


def test_last_seen_falls_back_to_first_and_event_time() -> None:
    ev = {**_ev(), "lastTimestamp": None, "firstTimestamp": None, "eventTime": _ago(5), "count": None}
    cells = table(EVENT, [ev])["rows"][0]["cells"]
    assert cells[0] == "5s" and cells[8] == 1


def test_event_fields_for_describe() -> None:
    fields = EVENT.fields_of(_ev())
    assert fields["involvedObject.uid"] == "u1" and fields["involvedObject.name"] == "web"
    assert fields["source"] == "kubelet" and fields["type"] == "Normal"


def test_involved_object_is_required() -> None:
    ev = {"metadata": {"name": "e", "namespace": "default"}}
    assert [c["field"] for c in EVENT.validate(ev)] == ["involvedObject"]  # type: ignore[misc]
    assert EVENT.validate(_ev()) == []  # type: ignore[misc]


def test_involved_object_namespace_must_match() -> None:
    ev = {**_ev(), "involvedObject": {**_ev()["involvedObject"], "namespace": "other"}}
    assert [c["field"] for c in EVENT.validate(ev)] == ["involvedObject.namespace"]  # type: ignore[misc]
