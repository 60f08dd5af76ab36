"""Kubernetes `Status` errors: raised by the API server, rebuilt from a Status by clients.

Messages follow upstream's wording so kubectl prints them as it does for a real cluster,
e.g. `Error from server (NotFound): pods "web-0" not found`.
"""

from __future__ import annotations

from typing import Any, ClassVar


def cause(field: str, message: str, reason: str = "FieldValueInvalid") -> dict[str, str]:
    """One entry of `details.causes` in a 422 Invalid Status."""
    return {"reason": reason, "message": message, "field": field}


class StatusError(Exception):
    """A failed API call, carrying what a `v1 Status` says."""

    code: ClassVar[int] = 500
    reason: ClassVar[str] = "InternalError"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            status["details"] = self.details
        return status


class BadRequest(StatusError):
    code, reason = 400, "BadRequest"


class Unauthorized(StatusError):
    code, reason = 401, "Unauthorized"


class Forbidden(StatusError):
    code, reason = 403, "Forbidden"


class NotFound(StatusError):
    code, reason = 404, "NotFound"

    @classmethod
    def route(cls) -> "NotFound":
        """No such resource or subresource. Upstream sends empty (not absent) details, and
        kubectl reads them: `kubectl debug` tells a missing pod from a missing subresource
        by details.name."""
        return cls("the server could not find the requested resource", details={})

    @classmethod
    def of(cls, group_resource: str, name: str, kind: str | None = None) -> "NotFound":
        """`pods "web" not found`; group_resource is `pods` or `deployments.apps`."""
        resource, _, group = group_resource.partition(".")
        return cls(f'{group_resource} "{name}" not found',
                   details={"name": name, "group": group, "kind": kind or resource})


class MethodNotAllowed(StatusError):
    code, reason = 405, "MethodNotAllowed"


class NotAcceptable(StatusError):
    code, reason = 406, "NotAcceptable"


class AlreadyExists(StatusError):
    code, reason = 409, "AlreadyExists"

    @classmethod
    def of(cls, group_resource: str, name: str) -> "AlreadyExists":
        resource, _, group = group_resource.partition(".")
        return cls(f'{group_resource} "{name}" already exists',
                   details={"name": name, "group": group, "kind": resource})


class Conflict(StatusError):
    code, reason = 409, "Conflict"

    @classmethod
    def modified(cls, group_resource: str, name: str) -> "Conflict":
        resource, _, group = group_resource.partition(".")
        return cls(
            f'Operation cannot be fulfilled on {group_resource} "{name}": the object has been '
            "modified; please apply your changes to the latest version and try again",
            details={"name": name, "group": group, "kind": resource},
        )


class Gone(StatusError):
    """A watch or list from a resourceVersion that compaction has removed."""

    code, reason = 410, "Expired"


class UnsupportedMediaType(StatusError):
    code, reason = 415, "UnsupportedMediaType"


class Invalid(StatusError):
    code, reason = 422, "Invalid"

    @classmethod
    def of(cls, kind: str, name: str, causes: list[dict[str, str]], group: str = "") -> "Invalid":
        """`Pod "x" is invalid: spec.containers[0].image: Required value` (upstream's format)."""
        text = ", ".join(f"{c['field']}: {c['message']}" if c.get("field") else c["message"]
                         for c in causes)
        if len(causes) > 1:
            text = "[" + text + "]"
        return cls(f'{kind} "{name}" is invalid: {text}',
                   details={"name": name, "group": group, "kind": kind, "causes": causes})


class TooManyRequests(StatusError):
    code, reason = 429, "TooManyRequests"


class InternalError(StatusError):
    code, reason = 500, "InternalError"


class ServiceUnavailable(StatusError):
    code, reason = 503, "ServiceUnavailable"


class Timeout(StatusError):
    code, reason = 504, "Timeout"


_BY_REASON: dict[str, type[StatusError]] = {
    c.reason: c for c in (BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
                          NotAcceptable, AlreadyExists, Conflict, Gone, UnsupportedMediaType,
                          Invalid, TooManyRequests, InternalError, ServiceUnavailable, Timeout)
}


def from_status(status: dict[str, Any], http_code: int) -> StatusError:
    """Rebuild the matching error from a Status body (the reason decides, as in kubectl)."""
    cls = _BY_REASON.get(status.get("reason", ""))
    if cls is None:
        cls = next((c for c in _BY_REASON.values() if c.code == http_code), InternalError)
    return cls(status.get("message") or f"HTTP {http_code}", details=status.get("details"))
