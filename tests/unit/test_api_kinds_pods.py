import copy

import pytest

from minicube.api.kinds import POD
from minicube.api.kinds.pod_validation import validate_ephemeral_update
from minicube.api.kinds.pods import default_pod_spec, image_pull_policy, qos_class


def _pod(**spec: object) -> dict:
    s = {"containers": [{"name": "web", "image": "nginx:1.27"}], **spec}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": s}


def _defaulted(**spec: object) -> dict:
    pod = _pod(**spec)
    POD.default(pod)  # type: ignore[misc]
    return pod


@pytest.mark.parametrize("image, policy", [
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
    ("reg:5000/app", "Always"), ("reg:5000/app:v1", "IfNotPresent"),
    ("nginx@sha256:abcd", "IfNotPresent"), ("", "IfNotPresent"),
])
def test_image_pull_policy_default(image: str, policy: str) -> None:
    assert image_pull_policy(image) == policy


def test_pod_spec_defaults_are_upstreams() -> None:
    s = _defaulted()["spec"]
    assert {k: s[k] for k in ("restartPolicy", "dnsPolicy", "schedulerName",
                              "terminationGracePeriodSeconds", "securityContext",
                              "enableServiceLinks", "priority")} == {
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30, "securityContext": {}, "enableServiceLinks": True,
        "priority": 0}


def test_container_defaults_include_init_containers_and_ports() -> None:
    s = _defaulted(initContainers=[{"name": "init", "image": "busybox", "ports": [{"containerPort": 1}]}])["spec"]
    init = s["initContainers"][0]
    assert init["imagePullPolicy"] == "Always" and init["ports"][0]["protocol"] == "TCP"
    assert init["terminationMessagePath"] == "/dev/termination-log"
    assert init["terminationMessagePolicy"] == "File" and init["resources"] == {}


def test_defaults_keep_what_the_user_set() -> None:
    s = _defaulted(restartPolicy="Never", terminationGracePeriodSeconds=0)["spec"]
    assert s["restartPolicy"] == "Never" and s["terminationGracePeriodSeconds"] == 0


def test_probe_and_volume_defaults() -> None:
    s = {"containers": [{"name": "c", "image": "i", "readinessProbe": {"httpGet": {"port": 80}}}],
         "volumes": [{"name": "a"}, {"name": "b", "configMap": {"name": "cm"}}]}
    default_pod_spec(s)
    assert s["containers"][0]["readinessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
        "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert s["volumes"] == [{"name": "a", "emptyDir": {}},
                            {"name": "b", "configMap": {"name": "cm", "defaultMode": 420}}]


def test_requests_default_to_limits() -> None:
    pod = _defaulted(containers=[{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}}}])
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1"}


@pytest.mark.parametrize("resources, qos", [
    ({}, "BestEffort"),
    ({"requests": {"cpu": "100m"}}, "Burstable"),
    ({"limits": {"cpu": "1", "memory": "1Gi"}}, "Guaranteed"),
    ({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1Gi"}}, "Guaranteed"),
    ({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}, "Burstable"),
    ({"limits": {"cpu": "1"}}, "Burstable"),
])
def test_qos_class(resources: dict, qos: str) -> None:
    assert qos_class(_pod(containers=[{"name": "c", "image": "i", "resources": resources}])) == qos


def test_on_create_sets_pending_status() -> None:
    pod = _pod()
    pod["status"] = {"phase": "Running"}
    POD.on_create(pod)  # type: ignore[misc]
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def _causes(pod: dict) -> list[tuple[str, str]]:
    POD.default(pod)  # type: ignore[misc]
    return [(c["field"], c["message"]) for c in POD.validate(pod)]  # type: ignore[misc]


def test_valid_pod_has_no_causes() -> None:
    assert _causes(_pod()) == []


def test_pod_needs_a_container() -> None:
    assert _causes(_pod(containers=[])) == [("spec.containers", "Required value")]


def test_container_image_is_required() -> None:
    assert _causes(_pod(containers=[{"name": "c"}])) == [("spec.containers[0].image", "Required value")]


def test_container_names_are_labels_and_unique() -> None:
    causes = _causes(_pod(containers=[{"name": "c", "image": "i"}, {"name": "c", "image": "i"},
                                      {"name": "Bad", "image": "i"}]))
    assert causes[0] == ("spec.containers[1].name", 'Duplicate value: "c"')
    assert causes[1][0] == "spec.containers[2].name"
    assert causes[1][1].startswith('Invalid value: "Bad": a lowercase RFC 1123 label')


def test_ports_are_in_range() -> None:
    causes = _causes(_pod(containers=[{"name": "c", "image": "i", "ports": [{"containerPort": 70000}]}]))
    assert causes == [("spec.containers[0].ports[0].containerPort",
                       "Invalid value: 70000: must be between 1 and 65535, inclusive")]


def test_restart_policy_enum() -> None:
    assert _causes(_pod(restartPolicy="Sometimes")) == [(
        "spec.restartPolicy",
        'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"')]


def test_env_names_and_value_from() -> None:
    env = [{"name": "A=B"}, {"name": "X", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "a"}}}]
    fields = [f for f, _ in _causes(_pod(containers=[{"name": "c", "image": "i", "env": env}]))]
    assert fields == ["spec.containers[0].env[0].name", "spec.containers[0].env[1].valueFrom"]


def test_volume_mounts_name_a_volume() -> None:
    c = {"name": "c", "image": "i", "volumeMounts": [{"name": "nope", "mountPath": "/x"}]}
    assert _causes(_pod(containers=[c])) == [("spec.containers[0].volumeMounts[0].name", 'Not found: "nope"')]


def test_requests_may_not_exceed_limits() -> None:
    c = {"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}}
    assert _causes(_pod(containers=[c])) == [(
        "spec.containers[0].resources.requests", 'Invalid value: "2": must be less than or equal to cpu limit of 1')]


def test_pod_name_is_a_subdomain() -> None:
    pod = _pod()
    pod["metadata"]["name"] = "web.v1"
    assert _causes(pod) == []


def _update(change) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    old = _defaulted(tolerations=[{"key": "k", "operator": "Exists"}], activeDeadlineSeconds=100)
    new = copy.deepcopy(old)
    change(new["spec"])
    return [(c["field"], c["message"]) for c in POD.validate_update(new, old)]  # type: ignore[misc]


def test_image_deadline_and_toleration_updates_are_allowed() -> None:
    def change(s: dict) -> None:
        s["containers"][0]["image"] = "nginx:1.28"
        s["activeDeadlineSeconds"] = 50
        s["tolerations"].append({"key": "other", "operator": "Exists"})
    assert _update(change) == []


def test_other_spec_updates_are_forbidden() -> None:
    [(field, message)] = _update(lambda s: s.update(restartPolicy="Never"))
    assert field == "spec" and message.startswith(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,")
    assert "spec.restartPolicy" in message


def test_deadline_may_only_shrink() -> None:
    assert _update(lambda s: s.update(activeDeadlineSeconds=200)) == [
        ("spec.activeDeadlineSeconds", "Invalid value: 200: must be less than or equal to previous value")]


def test_existing_tolerations_may_not_be_removed() -> None:
    fields = [f for f, _ in _update(lambda s: s.update(tolerations=[]))]
    assert fields == ["spec.tolerations"]


def test_selectable_fields() -> None:
    pod = _defaulted(nodeName="n1")
    pod["status"] = {"phase": "Running", "podIPs": [{"ip": "10.244.0.5"}]}
    fields = POD.fields_of(pod)
    assert fields["spec.nodeName"] == "n1" and fields["status.phase"] == "Running"
    assert fields["status.podIP"] == "10.244.0.5" and fields["metadata.name"] == "web"
    assert fields["spec.restartPolicy"] == "Always" and fields["spec.schedulerName"] == "default-scheduler"


def test_ephemeral_containers_serve_nothing_and_target_a_container() -> None:
    debugger = {"name": "dbg", "image": "busybox", "targetContainerName": "nope",
                "ports": [{"containerPort": 80}], "readinessProbe": {"exec": {"command": ["true"]}}}
    pod = _defaulted(ephemeralContainers=[debugger])
    fields = {c["field"] for c in POD.validate(pod)}  # type: ignore[misc]
    assert fields == {"spec.ephemeralContainers[0].ports",
                      "spec.ephemeralContainers[0].readinessProbe",
                      "spec.ephemeralContainers[0].targetContainerName"}


def test_ephemeral_containers_may_only_be_added() -> None:
    one = _defaulted(ephemeralContainers=[{"name": "dbg", "image": "busybox"}])
    two = copy.deepcopy(one)
    two["spec"]["ephemeralContainers"].append({"name": "dbg2", "image": "busybox"})
    assert validate_ephemeral_update(two, one) == []
    changed = copy.deepcopy(two)
    changed["spec"]["ephemeralContainers"][0]["image"] = "other"
    assert "may not be changed" in validate_ephemeral_update(changed, two)[0]["message"]
    assert "may not be removed" in validate_ephemeral_update(one, two)[0]["message"]
