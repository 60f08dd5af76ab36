"""Access and identity reviews: create-only questions the API server answers without storing
(authorization.k8s.io SubjectAccessReview family for `kubectl auth can-i`,
authentication.k8s.io SelfSubjectReview for `kubectl auth whoami`).

Everyone authenticated may do everything here, so every access review is allowed; the kinds
still check their input as upstream does (exactly one kind of attributes, a subject named).
"""

from __future__ import annotations

from minicube.api.kinds.common import kind_schema
from minicube.api.meta import invalid, required
from minicube.api.registry import Cause, Kind, Obj
from minicube.api.schema import arr, boolean, map_of, obj_, open_object, string, strings

AUTHZ_GROUP = "authorization.k8s.io"
AUTHN_GROUP = "authentication.k8s.io"
CREATE_ONLY = ("create",)

resource_attributes = obj_({
    "namespace": string, "verb": string, "group": string, "version": string, "resource": string,
    "subresource": string, "name": string, "fieldSelector": open_object, "labelSelector": open_object})
non_resource_attributes = obj_({"path": string, "verb": string})
_access_status = obj_({"allowed": boolean, "denied": boolean, "reason": string,
                       "evaluationError": string})
user_info = obj_({"username": string, "uid": string, "groups": strings, "extra": map_of(strings)})


def _attributes(spec: Obj) -> list[Cause]:
    if bool(spec.get("resourceAttributes")) == bool(spec.get("nonResourceAttributes")):
        return [invalid("spec.resourceAttributes", spec.get("resourceAttributes"),
                        "exactly one of nonResourceAttributes or resourceAttributes must be specified")]
    return []


def _validate_self(review: Obj) -> list[Cause]:
    return _attributes(review.get("spec") or {})


def _validate_subject(review: Obj) -> list[Cause]:
    spec = review.get("spec") or {}
    out = _attributes(spec)
    if not spec.get("user") and not spec.get("groups"):
        out.append(required("spec.user", "at least one of user or group must be specified"))
    return out


def _validate_namespaced_subject(review: Obj) -> list[Cause]:
    out = _validate_subject(review)
    ns = (review.get("metadata") or {}).get("namespace", "")
    attr_ns = ((review.get("spec") or {}).get("resourceAttributes") or {}).get("namespace", "")
    if attr_ns != ns:
        out.append(invalid("spec.resourceAttributes.namespace", attr_ns,
                           "must match metadata.namespace"))
    return out


def _review(kind: str, plural: str, spec: Obj, validate, namespaced: bool = False,  # type: ignore[no-untyped-def]
            group: str = AUTHZ_GROUP, status: Obj = _access_status) -> Kind:
    return Kind(group=group, version="v1", kind=kind, plural=plural, namespaced=namespaced,
                verbs=CREATE_ONLY, schema=kind_schema(spec=spec, status=status), validate=validate)


_subject_spec = obj_({"resourceAttributes": resource_attributes,
                      "nonResourceAttributes": non_resource_attributes, "user": string,
                      "groups": strings, "extra": map_of(strings), "uid": string})
_self_spec = obj_({"resourceAttributes": resource_attributes,
                   "nonResourceAttributes": non_resource_attributes})
_rule_list = obj_({"resourceRules": arr(obj_({"verbs": strings, "apiGroups": strings,
                                               "resources": strings, "resourceNames": strings})),
                   "nonResourceRules": arr(obj_({"verbs": strings, "nonResourceURLs": strings})),
                   "incomplete": boolean, "evaluationError": string})

LOCAL_SUBJECT_ACCESS_REVIEW = _review("LocalSubjectAccessReview", "localsubjectaccessreviews",
                                      _subject_spec, _validate_namespaced_subject, namespaced=True)
SELF_SUBJECT_ACCESS_REVIEW = _review("SelfSubjectAccessReview", "selfsubjectaccessreviews",
                                     _self_spec, _validate_self)
SELF_SUBJECT_RULES_REVIEW = _review(
    "SelfSubjectRulesReview", "selfsubjectrulesreviews", obj_({"namespace": string}),
    lambda _r: [], status=_rule_list)
SUBJECT_ACCESS_REVIEW = _review("SubjectAccessReview", "subjectaccessreviews", _subject_spec,
                                _validate_subject)
SELF_SUBJECT_REVIEW = _review("SelfSubjectReview", "selfsubjectreviews", obj_({}), lambda _r: [],
                              group=AUTHN_GROUP, status=obj_({"userInfo": user_info}))
