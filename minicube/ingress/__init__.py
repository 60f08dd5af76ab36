"""The Ingress controller: Ingresses served by nginx in the node, configuration rendered
with Jinja2 (ingress-nginx's semantics, one nginx process, no admission webhook)."""

from minicube.ingress.controller import IngressController

__all__ = ["IngressController"]
