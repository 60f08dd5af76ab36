"""The kubelet: pods bound to this node, run as containers of the inner engine."""

from minicube.kubelet.kubelet import Kubelet

__all__ = ["Kubelet"]
