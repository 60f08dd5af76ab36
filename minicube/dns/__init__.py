"""Cluster DNS: Service and pod names answered from the API, other names forwarded."""

from minicube.dns.cluster_dns import ClusterDNS

__all__ = ["ClusterDNS"]
