"""Service virtual IPs and NodePorts: iptables rules programmed from Services and Endpoints."""

from minicube.proxy.proxier import Proxy

__all__ = ["Proxy"]
