from minicube.api import schema as s

CONTAINER = s.obj_({"name": s.string, "ports": s.arr(s.obj_({"containerPort": s.int32})),
                    "env": s.arr(s.obj_({"name": s.string, "value": s.string}, required=["name"]))},
                   required=["name"])
POD = s.obj_({"metadata": s.obj_({"labels": s.map_of(s.string)}),
              "spec": s.obj_({"containers": s.arr(CONTAINER), "extra": s.open_object,
                              "port": s.int_or_string, "cpu": s.quantity,
                              "policy": s.with_default(s.string, "Always")})})


def test_wrong_type_names_the_path_as_upstream() -> None:
    pod = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "abc"}]}]}}
    assert s.type_errors(POD, pod) == [{
        "field": "spec.containers[0].ports[0].containerPort", "reason": "FieldValueTypeInvalid",
        "message": 'Invalid value: "abc": spec.containers[0].ports[0].containerPort in body '
                   'must be of type integer: "string"'}]


def test_int32_range_is_enforced() -> None:
    pod = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 2**31}]}]}}
    assert "must be of type int32" in s.type_errors(POD, pod)[0]["message"]


def test_nulls_and_integral_floats_are_accepted() -> None:
    pod = {"metadata": None, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80.0}]}]}}
    assert s.type_errors(POD, pod) == []


def test_int_or_string_and_quantity() -> None:
    assert s.type_errors(POD, {"spec": {"port": "http", "cpu": 0.5}}) == []
    assert [c["field"] for c in s.type_errors(POD, {"spec": {"port": 1.5, "cpu": True}})] == [
        "spec.port", "spec.cpu"]


def test_map_values_are_typed() -> None:
    [c] = s.type_errors(POD, {"metadata": {"labels": {"v": 1}}})
    assert c["field"] == "metadata.labels.v"


def test_unknown_fields_are_dotted_paths() -> None:
    pod = {"spec": {"containers": [{"name": "c", "imagePullPolicyy": "x"}], "bogus": 1}}
    assert sorted(s.unknown_fields(POD, pod)) == ["spec.bogus", "spec.containers[0].imagePullPolicyy"]


def test_open_objects_and_maps_accept_anything() -> None:
    pod = {"metadata": {"labels": {"any": "x"}}, "spec": {"extra": {"a": {"b": 1}}}}
    assert s.unknown_fields(POD, pod) == []


def test_required_fields() -> None:
    pod = {"spec": {"containers": [{"env": [{"value": "x"}]}]}}
    assert [(c["field"], c["message"]) for c in s.required_errors(POD, pod)] == [
        ("spec.containers[0].name", "Required value"),
        ("spec.containers[0].env[0].name", "Required value")]


def test_defaults_fill_absent_and_null_fields_only() -> None:
    assert s.apply_defaults(POD, {"spec": {}}) == {"spec": {"policy": "Always"}}
    assert s.apply_defaults(POD, {"spec": {"policy": None}})["spec"]["policy"] == "Always"
    assert s.apply_defaults(POD, {"spec": {"policy": "Never"}})["spec"]["policy"] == "Never"


def test_defaults_reach_into_lists_and_maps() -> None:
    sch = s.map_of(s.arr(s.obj_({"x": s.with_default(s.integer, 1)})))
    assert s.apply_defaults(sch, {"k": [{}, {"x": 2}]}) == {"k": [{"x": 1}, {"x": 2}]}


def test_enum_values() -> None:
    sch = s.obj_({"mode": s.enum("A", "B")})
    [c] = s.type_errors(sch, {"mode": "C"})
    assert c["message"] == 'Unsupported value: "C": supported values: "A", "B"'
