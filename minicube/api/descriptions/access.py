"""Descriptions of access kinds: RBAC roles and bindings, the review kinds, and
CustomResourceDefinition."""

from __future__ import annotations

from minicube.api.descriptions.base import TOP_LEVEL, Descriptions, merged, under

_RULE: Descriptions = {
    "": "Permissions granted; they only add up (there are no deny rules).",
    "apiGroups": "API groups of the resources; \"\" is the core group, * all groups.",
    "resources": "Resources, e.g. pods or pods/log for a subresource; * for all.",
    "resourceNames": "Only objects with these names; empty means all.",
    "verbs": "Actions allowed: get, list, watch, create, update, patch, delete, "
             "deletecollection, or * for all.",
    "nonResourceURLs": "URL paths such as /healthz (ClusterRoles only); * at the end "
                       "matches a prefix.",
}

_BINDING: Descriptions = {
    "roleRef": "The Role or ClusterRole granted. Cannot change: delete and re-create the "
               "binding instead.",
    "roleRef.apiGroup": "rbac.authorization.k8s.io.",
    "roleRef.kind": "Role or ClusterRole.",
    "roleRef.name": "Name of the role.",
    "subjects": "Who gets the role's permissions.",
    "subjects.kind": "User, Group or ServiceAccount.",
    "subjects.apiGroup": "rbac.authorization.k8s.io for User and Group, \"\" for "
                         "ServiceAccount.",
    "subjects.name": "Name of the user, group or service account.",
    "subjects.namespace": "Namespace of a ServiceAccount subject.",
}

_ATTRIBUTES: Descriptions = {
    "resourceAttributes": "A request on a resource to check.",
    "resourceAttributes.namespace": "Namespace of the request; empty for cluster-scoped "
                                    "resources or all namespaces.",
    "resourceAttributes.verb": "Verb, e.g. get, list, create or delete; * for any.",
    "resourceAttributes.group": "API group; \"\" is the core group.",
    "resourceAttributes.version": "API version.",
    "resourceAttributes.resource": "Resource, e.g. pods.",
    "resourceAttributes.subresource": "Subresource, e.g. log.",
    "resourceAttributes.name": "Name of the object; empty means any.",
    "resourceAttributes.fieldSelector": "Field selector the request would use.",
    "resourceAttributes.labelSelector": "Label selector the request would use.",
    "nonResourceAttributes": "A request on a non-resource URL to check.",
    "nonResourceAttributes.path": "URL path, e.g. /healthz.",
    "nonResourceAttributes.verb": "HTTP verb in lower case, e.g. get.",
}
_WHO: Descriptions = {
    "user": "User to check for.",
    "groups": "Groups of the user.",
    "extra": "Extra attributes of the user.",
    "uid": "UID of the user.",
}
_DECISION: Descriptions = {
    "status": "The answer, filled in by the server.",
    "status.allowed": "Whether the action is allowed.",
    "status.denied": "Whether it was explicitly denied.",
    "status.reason": "Why, when known.",
    "status.evaluationError": "Problem met while checking, if any.",
}
_ACCESS_REVIEW = "Send it with create; nothing is stored, the answer comes back in status."

KINDS: dict[tuple[str, str], Descriptions] = {
    ("rbac.authorization.k8s.io", "Role"): merged(
        {"": "A set of permissions within one namespace; a RoleBinding grants it."},
        TOP_LEVEL, under("rules", _RULE)),
    ("rbac.authorization.k8s.io", "ClusterRole"): merged(
        {"": "A set of permissions, cluster-wide or reusable in any namespace; granted by a "
             "ClusterRoleBinding (everywhere) or a RoleBinding (one namespace).",
         "aggregationRule": "Build the rules from the ClusterRoles matching these selectors "
                            "(the controller fills rules in)."},
        TOP_LEVEL, under("rules", _RULE)),
    ("rbac.authorization.k8s.io", "RoleBinding"): merged(
        {"": "Grants a Role or ClusterRole to users, groups or service accounts, within the "
             "binding's namespace."},
        TOP_LEVEL, _BINDING),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): merged(
        {"": "Grants a ClusterRole to users, groups or service accounts in every namespace."},
        TOP_LEVEL, _BINDING),
    ("authentication.k8s.io", "SelfSubjectReview"): merged({
        "": "Asks who you are authenticated as (kubectl auth whoami). Create-only.",
        "spec": "Empty.",
        "status": "The answer.",
        "status.userInfo": "The authenticated user.",
        "status.userInfo.username": "User name.",
        "status.userInfo.uid": "User ID.",
        "status.userInfo.groups": "Groups the user belongs to.",
        "status.userInfo.extra": "Extra attributes from the authenticator.",
    }, TOP_LEVEL),
    ("authorization.k8s.io", "SubjectAccessReview"): merged(
        {"": f"Asks whether a given user may perform an action. {_ACCESS_REVIEW}",
         "spec": "The user and the action."},
        TOP_LEVEL, under("spec", {**_ATTRIBUTES, **_WHO}), _DECISION),
    ("authorization.k8s.io", "LocalSubjectAccessReview"): merged(
        {"": "Asks whether a given user may perform an action in this namespace. "
             f"{_ACCESS_REVIEW}",
         "spec": "The user and the action; the namespace must be the review's."},
        TOP_LEVEL, under("spec", {**_ATTRIBUTES, **_WHO}), _DECISION),
    ("authorization.k8s.io", "SelfSubjectAccessReview"): merged(
        {"": f"Asks whether you may perform an action (kubectl auth can-i). {_ACCESS_REVIEW}",
         "spec": "The action."},
        TOP_LEVEL, under("spec", _ATTRIBUTES), _DECISION),
    ("authorization.k8s.io", "SelfSubjectRulesReview"): merged({
        "": "Lists what you may do in a namespace (kubectl auth can-i --list). "
            f"{_ACCESS_REVIEW}",
        "spec": "Where to look.",
        "spec.namespace": "Namespace to list the rules of.",
        "status": "The answer.",
        "status.resourceRules": "Actions allowed on resources.",
        **under("status.resourceRules", {k: v for k, v in _RULE.items()
                                         if k and k != "nonResourceURLs"}),
        "status.nonResourceRules": "Actions allowed on non-resource URLs.",
        "status.nonResourceRules.verbs": "Verbs allowed.",
        "status.nonResourceRules.nonResourceURLs": "URL paths.",
        "status.incomplete": "True when the list may be missing rules the server cannot "
                             "enumerate.",
        "status.evaluationError": "Problem met while listing, if any.",
    }, TOP_LEVEL),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): merged({
        "": "Adds a new kind to the API: its names, scope, versions and schema; objects of "
            "it are then served like built-in ones. The name is <plural>.<group>.",
        "spec": "The kind's group, names, scope and versions (each with its schema).",
        "status": "Whether the names are accepted and the kind is served (Established).",
    }, TOP_LEVEL),
}
