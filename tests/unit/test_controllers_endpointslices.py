"""Endpoints and EndpointSlices computed from a Service and its pods."""

from __future__ import annotations

from minicube.controllers.endpointslices import (MIRRORED_BY, backends, desired_endpoints,
                                                 desired_slices, endpoints_backends, find_port)


def pod(name: str, ip: str, *, ready: bool = True, labels: dict | None = None, **spec) -> dict:
    return {"metadata": {"name": name, "namespace": "default", "uid": f"u-{name}",
                         "labels": labels if labels is not None else {"app": "web"}},
            "spec": {"nodeName": "n1", "containers": [
                {"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}], **spec},
            "status": {"podIP": ip, "phase": "Running", "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"}]}}


def service(**spec) -> dict:
    return {"metadata": {"name": "web", "namespace": "default", "uid": "svc-uid"},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.5",
                     "ports": [{"name": "http", "port": 80, "targetPort": "http",
                                "protocol": "TCP"}], **spec}}


def test_named_target_port_resolves_per_pod():
    assert find_port(pod("a", "10.244.0.2"), "http", "TCP") == 8080
    assert find_port(pod("a", "10.244.0.2"), "http", "UDP") is None
    assert find_port(pod("a", "10.244.0.2"), 9090, "TCP") == 9090


def test_ready_and_not_ready_pods_are_separate_and_others_left_out():
    pods = [pod("a", "10.244.0.3"), pod("b", "10.244.0.2", ready=False),
            pod("other", "10.244.0.9", labels={"app": "db"}), pod("noip", "")]
    ep = desired_endpoints(service(), backends(service(), pods))
    [subset] = ep["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["10.244.0.3"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.244.0.2"]
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert subset["addresses"][0]["targetRef"]["name"] == "a"


def test_publish_not_ready_addresses_lists_every_pod_as_ready():
    svc = service(publishNotReadyAddresses=True)
    ep = desired_endpoints(svc, backends(svc, [pod("b", "10.244.0.2", ready=False)]))
    assert [a["ip"] for a in ep["subsets"][0]["addresses"]] == ["10.244.0.2"]


def test_terminating_pods_leave_the_endpoints():
    p = pod("a", "10.244.0.2")
    p["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:00Z"
    assert backends(service(), [p]) == []


def test_hostname_with_matching_subdomain_is_published():
    p = pod("web-0", "10.244.0.2", hostname="web-0", subdomain="web")
    ep = desired_endpoints(service(clusterIP="None"), backends(service(), [p]))
    assert ep["subsets"][0]["addresses"][0]["hostname"] == "web-0"
    assert ep["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}


def test_slice_holds_conditions_and_is_owned_by_the_service():
    svc = service()
    [es] = desired_slices(svc, backends(svc, [pod("a", "10.244.0.2"), pod("b", "10.244.0.3", ready=False)]))
    assert es["addressType"] == "IPv4"
    assert es["metadata"]["labels"]["kubernetes.io/service-name"] == "web"
    assert es["metadata"]["ownerReferences"][0]["uid"] == "svc-uid"
    assert [(e["addresses"], e["conditions"]["ready"]) for e in es["endpoints"]] == [
        (["10.244.0.2"], True), (["10.244.0.3"], False)]
    assert es["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]


def test_a_service_without_pods_still_has_one_empty_slice():
    [es] = desired_slices(service(), [])
    assert es["endpoints"] == []


def test_hand_written_endpoints_are_mirrored_into_a_slice():
    svc = service(selector=None)
    ep = {"subsets": [{"addresses": [{"ip": "172.17.0.2", "nodeName": "n1"}],
                       "notReadyAddresses": [{"ip": "172.17.0.3"}],
                       "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]}]}
    [es] = desired_slices(svc, endpoints_backends(ep), MIRRORED_BY)
    assert es["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == MIRRORED_BY
    assert [(e["addresses"], e["conditions"]["ready"]) for e in es["endpoints"]] == [
        (["172.17.0.2"], True), (["172.17.0.3"], False)]
    assert es["endpoints"][0]["nodeName"] == "n1"
    assert es["ports"] == [{"name": "dns", "port": 53, "protocol": "UDP"}]
