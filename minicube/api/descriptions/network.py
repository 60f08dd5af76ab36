"""Descriptions of networking kinds: Service, Endpoints, EndpointSlice, Ingress, IngressClass,
NetworkPolicy."""

from __future__ import annotations

from minicube.api.descriptions.base import (LABEL_SELECTOR, OBJECT_REFERENCE, TOP_LEVEL,
                                            Descriptions, conditions, merged, under)

_PROTOCOL = "TCP (default), UDP or SCTP."
_APP_PROTOCOL = "Application protocol hint for proxies, e.g. http, https or kubernetes.io/h2c."

SERVICE_SPEC: Descriptions = {
    "": "How the service is reached and which pods serve it.",
    "type": "ClusterIP (default): a virtual IP inside the cluster; NodePort: also a port on "
            "every node; LoadBalancer: also an external load balancer; ExternalName: a DNS "
            "alias (CNAME) to externalName, without proxying.",
    "selector": "Pods with these labels receive the traffic. Without a selector the "
                "endpoints are managed by hand.",
    "ports": "Ports the service exposes and where each forwards to.",
    "ports.name": "Name of the port (a DNS label); required when there are several ports. "
                  "Names the DNS SRV record and the EndpointSlice port.",
    "ports.protocol": _PROTOCOL,
    "ports.appProtocol": _APP_PROTOCOL,
    "ports.port": "Port the service listens on at its cluster IP.",
    "ports.targetPort": "Port on the pods the traffic goes to: a number or the name of a "
                        "container port. Defaults to port.",
    "ports.nodePort": "Port opened on every node for NodePort and LoadBalancer services, in "
                      "30000-32767; allocated automatically when unset.",
    "clusterIP": "Virtual IP of the service, allocated from the service range when unset; "
                 "None makes a headless service (DNS returns the pod IPs). Cannot change.",
    "clusterIPs": "Cluster IPs, one per IP family; the first equals clusterIP.",
    "ipFamilies": "IPv4 and/or IPv6, in the order the cluster IPs are allocated.",
    "ipFamilyPolicy": "SingleStack (default), PreferDualStack or RequireDualStack.",
    "externalIPs": "Extra IPs, not managed by Kubernetes, on which nodes accept traffic "
                   "for the service.",
    "externalName": "DNS name the service is an alias for (type ExternalName).",
    "externalTrafficPolicy": "Cluster (default): external traffic may go to pods on any "
                             "node; Local: only to pods on the receiving node, keeping the "
                             "client's source IP.",
    "internalTrafficPolicy": "Cluster (default) or Local: whether traffic from inside the "
                             "cluster may go to pods on other nodes.",
    "healthCheckNodePort": "Node port answering health checks for LoadBalancer services "
                           "with externalTrafficPolicy Local.",
    "sessionAffinity": "None (default) or ClientIP: send each client's connections to the "
                       "same pod.",
    "sessionAffinityConfig": "Settings of session affinity.",
    "sessionAffinityConfig.clientIP": "Settings of ClientIP affinity.",
    "sessionAffinityConfig.clientIP.timeoutSeconds": "Seconds a client stays on its pod "
                                                     "after its last connection. Default "
                                                     "10800 (3 hours).",
    "publishNotReadyAddresses": "Put pods into DNS and endpoints even before they are "
                                "Ready (e.g. for peer discovery). Default false.",
    "loadBalancerIP": "Deprecated: requested load balancer IP.",
    "loadBalancerSourceRanges": "Client CIDRs allowed through the load balancer.",
    "loadBalancerClass": "Which load balancer implementation handles the service.",
    "allocateLoadBalancerNodePorts": "Whether LoadBalancer services get node ports. "
                                     "Default true.",
    "trafficDistribution": "Routing preference, e.g. PreferClose for endpoints in the same "
                           "zone.",
}

_LB_INGRESS: Descriptions = {
    "": "Addresses of the load balancer.",
    "ip": "An IP address.",
    "hostname": "A DNS name.",
    "ports": "Status of each port.",
    "ports.port": "Port number.",
    "ports.protocol": _PROTOCOL,
    "ports.error": "Problem with the port, if any.",
}
_LB_STATUS: Descriptions = {"loadBalancer": "Load balancer state, when there is one.",
                            **under("loadBalancer.ingress", _LB_INGRESS)}

_ADDRESS: Descriptions = {
    "ip": "IP address of the endpoint.",
    "hostname": "Host name of the endpoint.",
    "nodeName": "Node the endpoint runs on.",
    "targetRef": "Object behind the endpoint, usually a pod.",
    **under("targetRef", OBJECT_REFERENCE),
}
_PORT: Descriptions = {
    "name": "Name of the service port this is for.",
    "port": "Port number.",
    "protocol": _PROTOCOL,
    "appProtocol": _APP_PROTOCOL,
}

_SERVICE_BACKEND: Descriptions = {
    "service": "A Service in the ingress's namespace.",
    "service.name": "Name of the Service.",
    "service.port": "Port of the Service: exactly one of number or name.",
    "service.port.name": "Name of the service port.",
    "service.port.number": "Number of the service port.",
    "resource": "Another object (e.g. a storage bucket) instead of a Service.",
    "resource.apiGroup": "API group of the object.",
    "resource.kind": "Kind of the object.",
    "resource.name": "Name of the object.",
}

_PEER: Descriptions = {
    "podSelector": "Pods (in the policy's namespace, or in namespaceSelector's) allowed.",
    **under("podSelector", LABEL_SELECTOR),
    "namespaceSelector": "Namespaces whose pods are allowed; empty selects all.",
    **under("namespaceSelector", LABEL_SELECTOR),
    "ipBlock": "Addresses allowed, outside the cluster's pods.",
    "ipBlock.cidr": "CIDR allowed, e.g. 10.0.0.0/8.",
    "ipBlock.except": "CIDRs inside cidr that are not allowed.",
}
_RULE_PORTS: Descriptions = {
    "ports": "Ports the rule allows; empty allows all.",
    "ports.protocol": _PROTOCOL,
    "ports.port": "Port number or named container port.",
    "ports.endPort": "With a numeric port: last port of the range it starts.",
}

KINDS: dict[tuple[str, str], Descriptions] = {
    ("", "Service"): merged(
        {"": "A stable virtual address and DNS name (<name>.<namespace>.svc) for a set of "
             "pods chosen by labels, with traffic spread over them.",
         "status": "Observed state of the service. Read-only."},
        TOP_LEVEL, under("spec", SERVICE_SPEC),
        under("status", {
            **_LB_STATUS, **conditions({"observedGeneration": "Generation the condition was "
                                                              "set for."}),
            "loadBalancer.ingress.ipMode": "VIP (default): nodes handle traffic to the IP "
                                           "themselves; Proxy: it goes through the load "
                                           "balancer."})),
    ("", "Endpoints"): merged({
        "": "Addresses and ports that implement a service (superseded by EndpointSlice). "
            "Kept in sync with the service's selector by the endpoints controller.",
        "subsets": "Groups of addresses that share the same ports.",
        "subsets.addresses": "Ready addresses.",
        "subsets.notReadyAddresses": "Addresses of pods that are not Ready yet.",
        **under("subsets.addresses", _ADDRESS), **under("subsets.notReadyAddresses", _ADDRESS),
        "subsets.ports": "Ports available on every address of the subset.",
        **under("subsets.ports", _PORT),
    }, TOP_LEVEL),
    ("discovery.k8s.io", "EndpointSlice"): merged({
        "": "Part of the endpoints of a service (label kubernetes.io/service-name), as kube-"
            "proxy and DNS read them.",
        "addressType": "IPv4, IPv6 or FQDN: the kind of every address in the slice.",
        "endpoints": "The endpoints, at most 1000 per slice.",
        "endpoints.addresses": "Addresses of the endpoint (one, in practice).",
        "endpoints.hostname": "Host name of the endpoint, for DNS.",
        "endpoints.nodeName": "Node the endpoint runs on.",
        "endpoints.zone": "Zone the endpoint is in.",
        "endpoints.targetRef": "Object behind the endpoint, usually a pod.",
        **under("endpoints.targetRef", OBJECT_REFERENCE),
        "endpoints.deprecatedTopology": "Deprecated topology labels.",
        "endpoints.conditions": "State of the endpoint.",
        "endpoints.conditions.ready": "Whether it should receive traffic (serving and not "
                                      "terminating).",
        "endpoints.conditions.serving": "Whether it passes readiness checks.",
        "endpoints.conditions.terminating": "Whether it is shutting down.",
        "endpoints.hints": "Routing hints for topology-aware routing.",
        "endpoints.hints.forZones": "Zones that should use this endpoint.",
        "endpoints.hints.forZones.name": "Zone name.",
        "endpoints.hints.forNodes": "Nodes that should use this endpoint.",
        "endpoints.hints.forNodes.name": "Node name.",
        "ports": "Ports of every endpoint of the slice.",
        **under("ports", _PORT),
    }, TOP_LEVEL),
    ("networking.k8s.io", "Ingress"): merged(
        {"": "HTTP(S) routes from outside the cluster to Services, by host name and path, "
             "served by an ingress controller (nginx here).",
         "spec": "Routing rules, TLS and the controller class.",
         "status": "Observed state. Read-only."},
        TOP_LEVEL,
        under("spec", {
            "ingressClassName": "IngressClass (controller) that serves this ingress; unset "
                                "uses the default class.",
            "defaultBackend": "Where requests matching no rule go.",
            **under("defaultBackend", _SERVICE_BACKEND),
            "tls": "Hosts served over HTTPS, with their certificates.",
            "tls.hosts": "Host names the certificate is for.",
            "tls.secretName": "kubernetes.io/tls Secret holding the certificate and key.",
            "rules": "Host and path routes, checked before defaultBackend.",
            "rules.host": "Host name to match (may start with *. for one label); empty "
                          "matches any host.",
            "rules.http": "HTTP routes for the host.",
            "rules.http.paths": "Paths and the backend for each.",
            "rules.http.paths.path": "URL path to match; must start with /.",
            "rules.http.paths.pathType": "Exact: the whole path; Prefix: by /-separated "
                                         "elements; ImplementationSpecific: as the "
                                         "controller decides.",
            "rules.http.paths.backend": "Where matching requests go.",
            **under("rules.http.paths.backend", _SERVICE_BACKEND),
        }),
        under("status", _LB_STATUS)),
    ("networking.k8s.io", "IngressClass"): merged({
        "": "A kind of ingress and the controller that implements it. Annotated "
            "ingressclass.kubernetes.io/is-default-class: \"true\" it is the default.",
        "spec": "The controller and its parameters.",
        "spec.controller": "Name of the controller implementing the class, e.g. "
                           "k8s.io/ingress-nginx. Cannot change.",
        "spec.parameters": "An object with settings for the controller.",
        "spec.parameters.apiGroup": "API group of the object.",
        "spec.parameters.kind": "Kind of the object.",
        "spec.parameters.name": "Name of the object.",
        "spec.parameters.scope": "Cluster (default) or Namespace.",
        "spec.parameters.namespace": "Namespace of the object when scope is Namespace.",
    }, TOP_LEVEL),
    ("networking.k8s.io", "NetworkPolicy"): merged({
        "": "Which traffic may reach, and leave, the selected pods. Once a pod is selected "
            "only what some policy allows gets through. Needs a network plugin that "
            "enforces policies.",
        "spec": "Pods selected and the traffic allowed.",
        "spec.podSelector": "Pods the policy applies to; empty selects all in the namespace.",
        **under("spec.podSelector", LABEL_SELECTOR),
        "spec.policyTypes": "Ingress and/or Egress: which directions the policy restricts.",
        "spec.ingress": "Incoming traffic allowed; each rule matches from and ports.",
        "spec.ingress.from": "Sources allowed; empty allows all.",
        **under("spec.ingress", _RULE_PORTS), **under("spec.ingress.from", _PEER),
        "spec.egress": "Outgoing traffic allowed; each rule matches to and ports.",
        "spec.egress.to": "Destinations allowed; empty allows all.",
        **under("spec.egress", _RULE_PORTS), **under("spec.egress.to", _PEER),
    }, TOP_LEVEL),
}
