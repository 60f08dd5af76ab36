import copy

import pytest

from minicube.api.patch import PatchError, json_patch, merge_key, merge_patch, strategic_merge_patch

DEPLOY = {
    "metadata": {"name": "web", "finalizers": ["a", "b"]},
    "spec": {"replicas": 1, "template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.26",
         "ports": [{"containerPort": 80, "protocol": "TCP"}],
         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        {"name": "side", "image": "busybox", "args": ["sleep", "1d"]}]}}},
}


def _containers(obj: dict) -> list:
    return obj["spec"]["template"]["spec"]["containers"]


# --- merge patch and json patch -----------------------------------------------------------------

def test_merge_patch_merges_maps_and_null_deletes() -> None:
    target = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    assert merge_patch(target, {"a": {"b": None, "d": 3}, "l": [3]}) == {"a": {"c": 2, "d": 3}, "l": [3]}
    assert target == {"a": {"b": 1, "c": 2}, "l": [1, 2]}  # the target is not modified


def test_merge_patch_must_be_an_object() -> None:
    with pytest.raises(PatchError):
        merge_patch({}, [1])


def test_json_patch_applies_operations_to_a_copy() -> None:
    target = {"spec": {"replicas": 1}}
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3}, {"op": "add", "path": "/x", "value": 1}]
    assert json_patch(target, ops) == {"spec": {"replicas": 3}, "x": 1}
    assert target == {"spec": {"replicas": 1}}


@pytest.mark.parametrize("ops", [
    [{"op": "replace", "path": "/missing/x", "value": 1}],
    [{"op": "test", "path": "/spec/replicas", "value": 9}],
    [{"op": "bogus", "path": "/a"}], [{"path": "/a"}], {"op": "add"},
])
def test_json_patch_errors_are_patch_errors(ops: object) -> None:
    with pytest.raises(PatchError):
        json_patch({"spec": {"replicas": 1}}, ops)


# --- strategic merge patch ---------------------------------------------------------------------

def test_set_image_keeps_ports_and_other_containers() -> None:
    # The exact body `kubectl set image deploy/web nginx=nginx:1.27` sends.
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "nginx"}],
        "containers": [{"image": "nginx:1.27", "name": "nginx"}]}}}}
    out = strategic_merge_patch(DEPLOY, patch, "Deployment")
    nginx, side = _containers(out)
    assert nginx["image"] == "nginx:1.27" and nginx["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert side == _containers(DEPLOY)[1]
    assert "$setElementOrder/containers" not in out["spec"]["template"]["spec"]


def test_target_is_not_modified() -> None:
    before = copy.deepcopy(DEPLOY)
    strategic_merge_patch(DEPLOY, {"spec": {"replicas": 5}}, "Deployment")
    assert DEPLOY == before


def test_set_element_order_reorders_the_list() -> None:
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "side"}, {"name": "nginx"}]}}}}
    assert [c["name"] for c in _containers(strategic_merge_patch(DEPLOY, patch, "Deployment"))] == ["side", "nginx"]


def test_set_element_order_places_new_items() -> None:
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "nginx"}, {"name": "new"}, {"name": "side"}],
        "containers": [{"name": "new", "image": "x"}]}}}}
    out = strategic_merge_patch(DEPLOY, patch, "Deployment")
    assert [c["name"] for c in _containers(out)] == ["nginx", "new", "side"]


def test_set_element_order_that_disagrees_with_the_patch_is_an_error() -> None:
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "nginx"}],
        "containers": [{"name": "side", "image": "y"}]}}}}
    with pytest.raises(PatchError, match="doesn't match"):
        strategic_merge_patch(DEPLOY, patch, "Deployment")


def test_merge_lists_merge_by_key_recursively() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]}]}}}}
    env = _containers(strategic_merge_patch(DEPLOY, patch, "Deployment"))[0]["env"]
    assert sorted((e["name"], e["value"]) for e in env) == [("A", "1"), ("B", "20"), ("C", "3")]


def test_lists_without_merge_key_are_replaced_whole() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "args": ["sleep", "5"]}]}}}}
    assert _containers(strategic_merge_patch(DEPLOY, patch, "Deployment"))[1]["args"] == ["sleep", "5"]


def test_delete_directive_in_a_list() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}}
    assert [c["name"] for c in _containers(strategic_merge_patch(DEPLOY, patch, "Deployment"))] == ["nginx"]


def test_replace_directive_in_a_list() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}}}}
    assert _containers(strategic_merge_patch(DEPLOY, patch, "Deployment")) == [{"name": "only", "image": "x"}]


def test_replace_and_delete_directives_on_maps() -> None:
    target = {"spec": {"selector": {"a": "1", "b": "2"}, "other": {"x": 1}}}
    patch = {"spec": {"selector": {"$patch": "replace", "c": "3"}, "other": {"$patch": "delete"}}}
    assert strategic_merge_patch(target, patch, "Service") == {"spec": {"selector": {"c": "3"}, "other": {}}}


def test_unknown_directive_is_an_error() -> None:
    with pytest.raises(PatchError, match="unknown patch type: explode"):
        strategic_merge_patch({"spec": {}}, {"spec": {"$patch": "explode"}}, "Pod")


def test_merge_item_without_its_key_is_an_error() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}
    with pytest.raises(PatchError, match="does not contain declared merge key: name"):
        strategic_merge_patch(DEPLOY, patch, "Deployment")


def test_primitive_merge_list_unions_and_deletes() -> None:
    out = strategic_merge_patch(DEPLOY, {"metadata": {"finalizers": ["c", "a"]}}, "Deployment")
    assert sorted(out["metadata"]["finalizers"]) == ["a", "b", "c"]
    out = strategic_merge_patch(DEPLOY, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}, "Deployment")
    assert out["metadata"]["finalizers"] == ["b"]


def test_retain_keys_clears_other_fields() -> None:
    target = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic_merge_patch(target, patch, "Deployment") == {"spec": {"strategy": {"type": "Recreate"}}}


def test_retain_keys_must_list_the_patched_fields() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}
    with pytest.raises(PatchError, match="retainKeys"):
        strategic_merge_patch({"spec": {}}, patch, "Deployment")


def test_merge_keys_are_path_aware() -> None:
    assert merge_key("Pod", "spec.containers.ports") == "containerPort"
    assert merge_key("Service", "spec.ports") == "port"
    assert merge_key("CronJob", "spec.jobTemplate.spec.template.spec.volumes") == "name"
    assert merge_key("Deployment", "status.conditions") == "type"
    assert merge_key("Pod", "spec.tolerations") is None


def test_service_ports_merge_on_port() -> None:
    target = {"spec": {"ports": [{"port": 80, "targetPort": 80}, {"port": 443, "targetPort": 443}]}}
    out = strategic_merge_patch(target, {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}}, "Service")
    assert [(p["port"], p["targetPort"]) for p in out["spec"]["ports"]] == [(80, 8080), (443, 443)]


def test_pod_container_ports_merge_on_container_port() -> None:
    pod = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}, {"containerPort": 81}]}]}}
    patch = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 81, "name": "metrics"}]}]}}
    ports = strategic_merge_patch(pod, patch, "Pod")["spec"]["containers"][0]["ports"]
    assert {"containerPort": 81, "name": "metrics"} in ports and {"containerPort": 80} in ports


def test_null_deletes_and_new_subtrees_lose_nulls_and_directives() -> None:
    patch = {"metadata": {"name": None},
             "status": {"conditions": [{"type": "Ready", "status": "True", "reason": None}]}}
    out = strategic_merge_patch(DEPLOY, patch, "Deployment")
    assert "name" not in out["metadata"]
    assert out["status"] == {"conditions": [{"type": "Ready", "status": "True"}]}


def test_apply_style_patch_on_a_missing_list() -> None:
    patch = {"spec": {"template": {"spec": {"$setElementOrder/volumes": [{"name": "v"}],
                                            "volumes": [{"name": "v", "emptyDir": {}}]}}}}
    out = strategic_merge_patch(DEPLOY, patch, "Deployment")
    assert out["spec"]["template"]["spec"]["volumes"] == [{"name": "v", "emptyDir": {}}]


def test_non_directive_dollar_keys_are_kept() -> None:
    # CRD schemas carry `$ref`/`$schema` fields; only directives are stripped.
    out = strategic_merge_patch({}, {"spec": {"$schema": "x"}}, "CustomResourceDefinition")
    assert out == {"spec": {"$schema": "x"}}


def test_patch_must_be_an_object() -> None:
    with pytest.raises(PatchError):
        strategic_merge_patch({}, [], "Pod")


def test_rollout_restart_annotation_patch() -> None:
    patch = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "t"}}}}}
    out = strategic_merge_patch(DEPLOY, patch, "Deployment")
    assert out["spec"]["template"]["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": "t"}
    assert _containers(out) == _containers(DEPLOY)
