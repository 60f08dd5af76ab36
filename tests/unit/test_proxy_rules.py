"""iptables-restore input rendered from Services and Endpoints."""

from __future__ import annotations

from minicube.proxy.rules import chain, render_filter, render_nat, service_ports


def svc(name: str, ip: str, *, ports=None, **spec) -> dict:
    return {"metadata": {"name": name, "namespace": "default"},
            "spec": {"clusterIP": ip, "ports": ports or [{"name": "http", "port": 80,
                                                          "protocol": "TCP"}], **spec}}


def ep(name: str, *ips: str, port: int = 8080, port_name: str = "http") -> dict:
    return {"metadata": {"name": name, "namespace": "default"}, "subsets": [
        {"addresses": [{"ip": ip} for ip in ips],
         "notReadyAddresses": [{"ip": "10.244.9.9"}],
         "ports": [{"name": port_name, "port": port, "protocol": "TCP"}]}]}


def ports_of(services, *endpoints):
    return service_ports(services, {f"default/{e['metadata']['name']}": e for e in endpoints})


def test_ready_addresses_only_become_endpoints():
    [sp] = ports_of([svc("web", "10.96.0.5")], ep("web", "10.244.0.3", "10.244.0.2"))
    assert sp.endpoints == (("10.244.0.2", 8080), ("10.244.0.3", 8080))


def test_headless_and_external_name_services_are_not_proxied():
    services = [svc("h", "None"), svc("x", "", type="ExternalName", externalName="a.b")]
    assert ports_of(services) == []


def test_cluster_ip_is_dnat_balanced_with_statistic_probabilities():
    nat = render_nat(ports_of([svc("web", "10.96.0.5")], ep("web", "10.244.0.2", "10.244.0.3",
                                                              "10.244.0.4")), set())
    assert "-A MINICUBE-SERVICES -d 10.96.0.5/32 -p tcp -m tcp --dport 80" in nat
    assert "--probability 0.3333333333" in nat and "--probability 0.5000000000" in nat
    assert nat.count("-j DNAT --to-destination 10.244.0.") == 3
    assert "! -s 10.244.0.0/16 -d 10.96.0.5/32" in nat  # the node and the host are masqueraded


def test_node_port_jumps_to_the_service_chain():
    service = svc("web", "10.96.0.5", type="NodePort",
                  ports=[{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080}])
    nat = render_nat(ports_of([service], ep("web", "10.244.0.2")), set())
    svc_chain = chain("MC-SVC-", "default/web:http", "tcp")
    assert f"-A MINICUBE-NODEPORTS -p tcp -m tcp --dport 30080 -m comment --comment " \
           f"\"default/web:http\" -j {svc_chain}" in nat


def test_client_ip_affinity_uses_recent():
    service = svc("web", "10.96.0.5", sessionAffinity="ClientIP",
                  sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    nat = render_nat(ports_of([service], ep("web", "10.244.0.2", "10.244.0.3")), set())
    assert nat.count("--rcheck --seconds 60 --reap") == 2
    assert nat.count("--rsource --set") == 2


def test_service_without_endpoints_is_rejected_and_the_range_too():
    ports = ports_of([svc("web", "10.96.0.5")])
    assert "MC-SVC-" not in render_nat(ports, set())
    flt = render_filter(ports)
    assert "-A MINICUBE-SERVICES -d 10.96.0.5/32 -p tcp -m tcp --dport 80" in flt
    assert flt.index("10.96.0.5/32") < flt.index("-d 10.96.0.0/12")
    assert flt.count("REJECT") == 2


def test_stale_chains_are_flushed_and_deleted():
    nat = render_nat([], {"MC-SVC-OLD", "DOCKER", "MC-SEP-OLD"})
    assert ":MC-SVC-OLD - [0:0]" in nat and "-X MC-SVC-OLD" in nat and "-X MC-SEP-OLD" in nat
    assert "DOCKER" not in nat


def test_chain_names_fit_iptables():
    assert len(chain("MC-SVC-", "a" * 300)) <= 28


def test_load_balancer_ingress_ips_are_served_like_the_cluster_ip():
    service = svc("web", "10.96.0.5", type="LoadBalancer")
    service["status"] = {"loadBalancer": {"ingress": [{"ip": "172.17.0.2"}]}}
    ports = ports_of([service], ep("web", "10.244.0.2"))
    assert ports[0].external_ips == ("172.17.0.2",)
    assert "-A MINICUBE-SERVICES -d 172.17.0.2/32 -p tcp -m tcp --dport 80" in render_nat(ports, set())
    assert "-d 172.17.0.2/32" in render_filter(ports_of([service]))
