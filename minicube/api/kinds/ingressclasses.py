"""networking.k8s.io/v1 IngressClass: cluster-scoped; names the controller serving a class.

The class annotated `ingressclass.kubernetes.io/is-default-class: "true"` serves Ingresses
that name no class; minicube boots with one, `nginx` (ingress-nginx's controller name),
served by the nginx in the node (minicube/ingress).
"""

from __future__ import annotations

import re

from minicube.api.kinds.common import get, kind_schema
from minicube.api.kinds.ingresses import validate_typed_reference
from minicube.api.meta import (forbidden, immutable, invalid, is_dns1123_label, is_dns1123_subdomain,
                               not_supported, required, too_long, validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import obj_, string
from minicube.api.tables import AGE

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
NGINX_CONTROLLER = "k8s.io/ingress-nginx"
SCOPES = ("Cluster", "Namespace")
_MAX_CONTROLLER = 250
_HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"

SCHEMA = kind_schema(spec=obj_({
    "controller": string,
    "parameters": obj_({"apiGroup": string, "kind": string, "name": string, "scope": string,
                        "namespace": string}, required=["kind", "name"]),
}))


def is_default(ic: Obj) -> bool:
    return get(ic, "metadata", "annotations", DEFAULT_CLASS_ANNOTATION) == "true"


def nginx_class() -> Obj:
    """The class every minicube cluster starts with (what minikube's ingress addon installs)."""
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "nginx", "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
                         "labels": {"app.kubernetes.io/component": "controller",
                                    "app.kubernetes.io/name": "ingress-nginx"}},
            "spec": {"controller": NGINX_CONTROLLER}}


def _domain_prefixed_path(value: str, f: str) -> list[Cause]:
    """apimachinery IsDomainPrefixedPath: `example.com/some/path`."""
    if not value:
        return [required(f)]
    host, _, path = value.partition("/")
    if not host or not path:
        return [invalid(f, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    out = [invalid(f, host, msg) for msg in [is_dns1123_subdomain(host)] if msg]
    if not re.fullmatch(_HTTP_PATH_FMT, path):
        out.append(invalid(f, path, "must be a valid path (e.g. '/', regex used for validation "
                                    f"is '{_HTTP_PATH_FMT}')"))
    return out


def _default(ic: Obj) -> None:
    params = get(ic, "spec", "parameters")
    if isinstance(params, dict) and not params.get("scope"):
        params["scope"] = "Cluster"


def _validate_parameters(params: Obj) -> list[Cause]:
    f = "spec.parameters"
    out = validate_typed_reference(params, f)
    scope, namespace = params.get("scope"), params.get("namespace")
    if not scope:
        return out + [required(f"{f}.scope")]
    if scope not in SCOPES:
        return out + [not_supported(f"{f}.scope", scope, SCOPES)]
    if scope == "Namespace":
        if namespace is None:
            out.append(required(f"{f}.namespace", "`parameters.scope` is set to 'Namespace'"))
        elif msg := is_dns1123_label(namespace):
            out.append(invalid(f"{f}.namespace", namespace, msg))
    elif namespace is not None:
        out.append(forbidden(f"{f}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return out


def _validate(ic: Obj) -> list[Cause]:
    out = validate_object_meta(ic, namespaced=False)
    controller = get(ic, "spec", "controller") or ""
    if len(controller) > _MAX_CONTROLLER:
        out.append(too_long("spec.controller", _MAX_CONTROLLER))
    out += _domain_prefixed_path(controller, "spec.controller")
    if (params := get(ic, "spec", "parameters")) is not None:
        out += _validate_parameters(params)
    return out


def _validate_update(new: Obj, old: Obj) -> list[Cause]:
    return immutable(get(new, "spec", "controller"), get(old, "spec", "controller"),
                     "spec.controller")


def _parameters(ic: Obj) -> str:
    params = get(ic, "spec", "parameters")
    if not params:
        return "<none>"
    kind = params.get("kind", "") + (f".{params['apiGroup']}" if params.get("apiGroup") else "")
    return f"{kind}/{params.get('name', '')}"


INGRESS_CLASS = Kind(
    group="networking.k8s.io", version="v1", kind="IngressClass", plural="ingressclasses",
    namespaced=False,
    columns=(
        Column("Controller", lambda o: get(o, "spec", "controller") or "",
               description="Controller that is responsible for handling this class."),
        Column("Parameters", _parameters,
               description="A reference to a resource with additional parameters."),
        AGE,
    ),
    schema=SCHEMA, default=_default, validate=_validate, validate_update=_validate_update,
)

__all__ = ["DEFAULT_CLASS_ANNOTATION", "INGRESS_CLASS", "NGINX_CONTROLLER", "is_default",
           "nginx_class"]
