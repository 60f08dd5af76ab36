"""ServiceAccount and RBAC (Role, ClusterRole, RoleBinding, ClusterRoleBinding).

Charts and operators ship these with every app, so they must apply, list and describe as
upstream's do. RBAC is stored, not enforced: the admin and every ServiceAccount may do
everything (as minikube's default cluster-admin context effectively allows).
"""

from __future__ import annotations

from collections.abc import Callable

from minicube.api.kinds.common import get, kind_schema, local_object_reference, object_reference
from minicube.api.meta import (immutable, is_dns1123_subdomain, not_supported, required,
                               validate_object_meta)
from minicube.api.registry import Cause, Column, Kind, Obj
from minicube.api.schema import arr, boolean, obj_, open_object, string, strings
from minicube.api.tables import AGE

RBAC_GROUP = "rbac.authorization.k8s.io"

policy_rule = obj_({"apiGroups": strings, "resources": strings, "resourceNames": strings,
                    "verbs": strings, "nonResourceURLs": strings}, required=["verbs"])
role_ref = obj_({"apiGroup": string, "kind": string, "name": string},
                required=["apiGroup", "kind", "name"])
subject = obj_({"kind": string, "apiGroup": string, "name": string, "namespace": string},
               required=["kind", "name"])


def _validate_rules(obj: Obj) -> list[Cause]:
    out = []
    for i, rule in enumerate(obj.get("rules") or []):
        if not rule.get("verbs"):
            out.append(required(f"rules[{i}].verbs", "verbs must contain at least one value"))
        if not rule.get("resources") and not rule.get("nonResourceURLs"):
            out.append(required(f"rules[{i}].resources",
                                "resource rules must supply at least one resource"))
    return out


def _validate_binding(obj: Obj, *, namespaced: bool) -> list[Cause]:
    out = validate_object_meta(obj, namespaced=namespaced, name_validator=_path_segment)
    ref = obj.get("roleRef") or {}
    if ref.get("apiGroup") != RBAC_GROUP:
        out.append(not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), [RBAC_GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if ref.get("kind") not in kinds:
        out.append(not_supported("roleRef.kind", ref.get("kind", ""), kinds))
    if not ref.get("name"):
        out.append(required("roleRef.name"))
    for i, s in enumerate(obj.get("subjects") or []):
        if s.get("kind") not in ("ServiceAccount", "User", "Group"):
            out.append(not_supported(f"subjects[{i}].kind", s.get("kind", ""),
                                     ["ServiceAccount", "User", "Group"]))
        elif s.get("kind") == "ServiceAccount" and not namespaced and not s.get("namespace"):
            out.append(required(f"subjects[{i}].namespace"))
    return out


def _path_segment(name: str) -> str | None:
    """RBAC names only need to be valid path segments (`system:controller:x` is fine)."""
    if name in (".", "..") or "/" in name or "%" in name:
        return "may not contain '/' or '%' and may not be '.' or '..'"
    return None


def _binding_update(new: Obj, old: Obj) -> list[Cause]:
    return immutable(new.get("roleRef"), old.get("roleRef"), "roleRef")


def _subjects(kind: str) -> Callable[[Obj], str]:
    """A column cell listing the binding's subjects of one kind (`ns/name` for accounts)."""
    return lambda b: ",".join(f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount"
                              else s["name"] for s in b.get("subjects") or [] if s.get("kind") == kind)


def _binding_columns() -> tuple[Column, ...]:
    return (Column("Role", lambda b: f"{get(b, 'roleRef', 'kind', default='')}/"
                                     f"{get(b, 'roleRef', 'name', default='')}",
                   description="The role the subjects are bound to."),
            AGE,
            Column("Users", _subjects("User"), priority=1, description="Users in the binding."),
            Column("Groups", _subjects("Group"), priority=1, description="Groups in the binding."),
            Column("ServiceAccounts", _subjects("ServiceAccount"), priority=1,
                   description="Service accounts in the binding."))


SERVICE_ACCOUNT = Kind(
    group="", version="v1", kind="ServiceAccount", plural="serviceaccounts", short_names=("sa",),
    subresources=("token",),
    columns=(Column("Secrets", lambda sa: len(sa.get("secrets") or []),
                    description="Number of secrets listed in the service account."), AGE),
    schema=kind_schema(secrets=arr(object_reference), imagePullSecrets=arr(local_object_reference),
                       automountServiceAccountToken=boolean),
    validate=lambda sa: validate_object_meta(sa, namespaced=True, name_validator=is_dns1123_subdomain),
)

ROLE = Kind(
    group=RBAC_GROUP, version="v1", kind="Role", plural="roles",
    schema=kind_schema(rules=arr(policy_rule)),
    validate=lambda r: validate_object_meta(r, namespaced=True, name_validator=_path_segment)
    + _validate_rules(r),
)

CLUSTER_ROLE = Kind(
    group=RBAC_GROUP, version="v1", kind="ClusterRole", plural="clusterroles", namespaced=False,
    schema=kind_schema(rules=arr(policy_rule), aggregationRule=open_object),
    validate=lambda r: validate_object_meta(r, namespaced=False, name_validator=_path_segment)
    + _validate_rules(r),
)

ROLE_BINDING = Kind(
    group=RBAC_GROUP, version="v1", kind="RoleBinding", plural="rolebindings",
    columns=_binding_columns(),
    schema=kind_schema(roleRef=role_ref, subjects=arr(subject)),
    validate=lambda b: _validate_binding(b, namespaced=True),
    validate_update=_binding_update,
)

CLUSTER_ROLE_BINDING = Kind(
    group=RBAC_GROUP, version="v1", kind="ClusterRoleBinding", plural="clusterrolebindings",
    namespaced=False, columns=_binding_columns(),
    schema=kind_schema(roleRef=role_ref, subjects=arr(subject)),
    validate=lambda b: _validate_binding(b, namespaced=False),
    validate_update=_binding_update,
)
