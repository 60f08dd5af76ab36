"""Admission steps that need other stored objects (the pure ones live on the kinds).

DefaultIngressClass, as upstream's admission plugin: an Ingress created with no class gets the
one IngressClass marked `ingressclass.kubernetes.io/is-default-class: "true"`, so clients see
(and `kubectl get ingress` shows) which controller serves it. Pods get their ServiceAccount's
API credentials mounted (sa_admission.py).
"""

from __future__ import annotations

from typing import Protocol

from minicube.api.kinds import INGRESS, INGRESS_CLASS, POD, SERVICE_ACCOUNT
from minicube.api.registry import Kind, Obj
from minicube.apiserver.sa_admission import mount_api_access

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


class Lister(Protocol):
    def list(self, kind: Kind, namespace: str) -> tuple[list[Obj], int]: ...

    def get(self, kind: Kind, namespace: str, name: str) -> Obj: ...


def on_create(objects: Lister, kind: Kind, obj: Obj) -> None:
    if kind is INGRESS:
        _default_ingress_class(objects, obj)
    elif kind is POD:
        mount_api_access(objects, SERVICE_ACCOUNT, obj)


def _default_ingress_class(objects: Lister, ingress: Obj) -> None:
    spec = ingress.get("spec")
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    if not isinstance(spec, dict) or spec.get("ingressClassName") or LEGACY_CLASS_ANNOTATION in annotations:
        return
    classes, _ = objects.list(INGRESS_CLASS, "")
    defaults = [c["metadata"]["name"] for c in classes
                if ((c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION)) == "true"]
    if len(defaults) == 1:  # upstream refuses to guess between several defaults
        spec["ingressClassName"] = defaults[0]
