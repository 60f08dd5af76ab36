"""Field sets, managedFields bookkeeping and server-side apply merges, without a server."""

from __future__ import annotations

import pytest

from minicube.api import errors, fieldsets, managedfields

NOW = "2026-01-01T00:00:00Z"


def cm(**data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}


def apply(live: dict | None, applied: dict, manager: str = "m", force: bool = False,
          kind: str = "ConfigMap") -> dict:
    return managedfields.apply(live, applied, manager=manager, force=force, kind=kind,
                               api_version="v1", has_status=kind == "Pod", now=NOW)


def owners(obj: dict) -> dict[str, dict]:
    return {f"{e['manager']}/{e['operation']}": e["fieldsV1"] for e in obj["metadata"]["managedFields"]}


def test_pod_field_set_keys_lists_and_marks_items() -> None:
    pod = {"metadata": {"finalizers": ["a"]},
           "spec": {"containers": [{"name": "app", "args": ["x"], "ports": [{"containerPort": 80}]}]}}
    tree = fieldsets.to_fields_v1(fieldsets.fields_of(pod, "Pod"))
    assert tree == {"f:metadata": {"f:finalizers": {'v:"a"': {}}},
                    "f:spec": {"f:containers": {'k:{"name":"app"}': {
                        ".": {}, "f:args": {}, "f:name": {},
                        "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}}}}
    assert fieldsets.from_fields_v1(tree) == fieldsets.fields_of(pod, "Pod")


def test_path_strings_as_upstream_prints_them() -> None:
    path = ("f:spec", "f:containers", 'k:{"name":"app"}', "f:image")
    assert fieldsets.path_string(path) == '.spec.containers[name="app"].image'
    assert fieldsets.path_string(("f:metadata", "f:finalizers", 'v:"x"')) == '.metadata.finalizers[="x"]'


def test_apply_creates_then_removes_what_it_no_longer_applies() -> None:
    first = apply(None, cm(a="1", b="2"))
    assert owners(first) == {"m/Apply": {"f:data": {"f:a": {}, "f:b": {}}}}
    second = apply(first, cm(a="1"))
    assert second["data"] == {"a": "1"}


def test_fields_shared_with_another_manager_survive_removal() -> None:
    first = apply(None, cm(a="1"), manager="one")
    both = apply(first, cm(a="1"), manager="two")  # same value: shared, no conflict
    after = apply(both, {**cm(), "data": {"z": "9"}}, manager="one")
    assert after["data"] == {"a": "1", "z": "9"}


def test_conflicting_apply_names_the_manager_and_field_until_forced() -> None:
    live = apply(None, cm(a="1"), manager="one")
    with pytest.raises(errors.Conflict) as e:
        apply(live, cm(a="2"), manager="two")
    assert e.value.message == 'Apply failed with 1 conflict: conflict with "one": .data.a'
    assert e.value.details["causes"][0] == {"reason": "FieldManagerConflict",
                                            "message": 'conflict with "one"', "field": ".data.a"}
    forced = apply(live, cm(a="2"), manager="two", force=True)
    assert forced["data"] == {"a": "2"} and "one/Apply" not in owners(forced)


def test_several_conflicts_are_grouped_by_manager() -> None:
    live = apply(None, cm(a="1", b="1"), manager="one")
    with pytest.raises(errors.Conflict) as e:
        apply(live, cm(a="2", b="2"), manager="two")
    assert e.value.message == ('Apply failed with 2 conflicts: conflict with "one"\n'
                               "- .data.a\n- .data.b")


def test_update_takes_changed_fields_and_a_noop_changes_nothing() -> None:
    live = apply(None, cm(a="1", b="1"), manager="applier")
    new = {**live, "data": {"a": "2", "b": "1"}}
    mf = managedfields.record_update(live, new, manager="kubectl-edit", kind="ConfigMap",
                                     api_version="v1", has_status=False, now=NOW)
    by = {f"{e['manager']}/{e['operation']}": e for e in mf}
    assert by["kubectl-edit/Update"]["fieldsV1"] == {"f:data": {"f:a": {}}}
    assert by["applier/Apply"]["fieldsV1"] == {"f:data": {"f:b": {}}}
    assert managedfields.record_update(live, live, manager="x", kind="ConfigMap", api_version="v1",
                                       has_status=False, now="later") == live["metadata"]["managedFields"]


def test_apply_merges_keyed_lists_and_ignores_status_of_a_main_resource() -> None:
    live = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Running"},
            "spec": {"containers": [{"name": "app", "image": "a:1", "imagePullPolicy": "IfNotPresent"}]}}
    applied = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "x"},
               "spec": {"containers": [{"name": "app", "image": "a:2"}, {"name": "side", "image": "b"}]}}
    out = apply(live, applied, kind="Pod")
    assert out["spec"]["containers"] == [{"name": "app", "image": "a:2", "imagePullPolicy": "IfNotPresent"},
                                         {"name": "side", "image": "b"}]
    assert "f:status" not in owners(out)["m/Apply"]


def test_diff_reports_changed_added_and_removed_paths_only() -> None:
    old = {"spec": {"containers": [{"name": "a", "image": "x:1", "env": [{"name": "E", "value": "1"}]},
                                   {"name": "gone", "image": "y"}], "restartPolicy": "Always"}}
    new = {"spec": {"containers": [{"name": "a", "image": "x:2", "env": [{"name": "E", "value": "1"}]},
                                   {"name": "new", "image": "z"}], "restartPolicy": "Always"}}
    changed, removed = fieldsets.diff(old, new, "Pod")
    item = ("f:spec", "f:containers")
    assert changed == {item + ('k:{"name":"a"}', "f:image"), item + ('k:{"name":"new"}',),
                       item + ('k:{"name":"new"}', "f:name"), item + ('k:{"name":"new"}', "f:image")}
    assert removed == {item + ('k:{"name":"gone"}',), item + ('k:{"name":"gone"}', "f:name"),
                       item + ('k:{"name":"gone"}', "f:image")}


def test_kubectl_takes_over_client_side_apply_only_while_last_applied_matches() -> None:
    last = '{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1"},"metadata":{"annotations":{},"name":"c"}}'
    live = cm(a="1")
    live["metadata"]["annotations"] = {managedfields.LAST_APPLIED: last}
    live["metadata"]["managedFields"] = managedfields.record_update(
        None, live, manager="kubectl-client-side-apply", kind="ConfigMap", api_version="v1",
        has_status=False, now=NOW)
    out = apply(live, cm(a="2"), manager="kubectl")
    assert out["data"] == {"a": "2"} and '"a":"2"' in out["metadata"]["annotations"][managedfields.LAST_APPLIED]
    with pytest.raises(errors.Conflict):
        apply(live, cm(a="2"), manager="someone-else")
    drifted = {**live, "data": {"a": "edited"}}
    with pytest.raises(errors.Conflict):
        apply(drifted, cm(a="2"), manager="kubectl")


def test_a_repeated_apply_changes_nothing() -> None:
    first = apply(None, cm(a="1"))
    again = managedfields.apply(first, cm(a="1"), manager="m", force=False, kind="ConfigMap",
                                api_version="v1", has_status=False, now="later")
    assert again == first
