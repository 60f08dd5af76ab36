"""Object metadata helpers: timestamps, name/label validators, field errors, ObjectMeta checks.

Validator messages follow apimachinery's `util/validation` wording and 422 causes follow
`field.Error.ErrorBody()` (`Invalid value: "Bad_Name": a lowercase RFC 1123 ...`), because
kubectl prints them verbatim.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Callable

from minicube.api.errors import cause
from minicube.api.registry import Cause, Obj

# --- time -----------------------------------------------------------------------------------


def now(*, micro: bool = False) -> str:
    """The current time as the apiserver writes it: `2025-01-01T00:00:00Z` (MicroTime: `.000000Z`)."""
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


_FRACTION = re.compile(r"\.(\d+)")


def without_nulls(value: Any) -> Any:
    """A copy with every null map value dropped: `x: null` reads as x left out."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def parse_time(s: str) -> datetime:
    """An RFC 3339 timestamp (`Z` or offset, any fraction) as an aware UTC datetime."""
    # fromisoformat takes at most 6 fraction digits; Go writes up to 9.
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), s.strip())
    t = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


# --- string validators (None = valid) --------------------------------------------------------

_LABEL_FMT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_FMT = _LABEL_FMT + r"(\." + _LABEL_FMT + r")*"
_QNAME_FMT = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _QNAME_FMT + ")?"
_CONFIG_KEY_FMT = r"[-._a-zA-Z0-9]+"
_QNAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
              "with an alphanumeric character")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery's RegexError: `<msg> (e.g. 'a' or 'b', regex used for validation is '<fmt>')`."""
    shown = " or ".join(f"'{e}'" for e in examples)
    return f"{msg} (e.g. {shown}, regex used for validation is '{fmt}')"


def _full(fmt: str, value: str) -> bool:
    return re.fullmatch(fmt, value) is not None


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def is_dns1123_subdomain(name: str) -> str | None:
    if len(name) > 253:
        return _max_len(253)
    if not _full(_SUBDOMAIN_FMT, name):
        return _regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
            "'-' or '.', and must start and end with an alphanumeric character",
            _SUBDOMAIN_FMT, "example.com")
    return None


def is_dns1123_label(name: str) -> str | None:
    if len(name) > 63:
        return _max_len(63)
    if not _full(_LABEL_FMT, name):
        if _full(_SUBDOMAIN_FMT, name):
            return "must not contain dots"
        return _regex_error(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
            "'-', and must start and end with an alphanumeric character",
            _LABEL_FMT, "my-name", "123-abc")
    return None


def is_qualified_name(key: str) -> str | None:
    """A label/annotation key or finalizer: `[prefix/]name` (apimachinery IsQualifiedName)."""
    parts = key.split("/")
    if len(parts) > 2:
        return ("a qualified name " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name",
                                                    "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            return "prefix part must be non-empty"
        if msg := is_dns1123_subdomain(parts[0]):
            return "prefix part " + msg
    if not name:
        return "name part must be non-empty"
    if len(name) > 63:
        return "name part " + _max_len(63)
    if not _full(_QNAME_FMT, name):
        return "name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
    return None


is_label_key = is_qualified_name


def is_label_value(value: str) -> str | None:
    if len(value) > 63:
        return _max_len(63)
    if not _full(_LABEL_VALUE_FMT, value):
        return _regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character",
            _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
    return None


def is_config_map_key(key: str) -> str | None:
    """Keys of ConfigMap/Secret data (they become file names, so no `.`/`..` prefixes)."""
    if len(key) > 253:
        return _max_len(253)
    if not _full(_CONFIG_KEY_FMT, key):
        return _regex_error("a valid config key must consist of alphanumeric characters, '-', "
                            "'_' or '.'", _CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name")
    if key in (".", ".."):
        return f"must not be '{key}'"
    if key.startswith(".."):
        return "must not start with '..'"
    return None


# --- field errors (field.Error.ErrorBody) ----------------------------------------------------


def show(value: Any) -> str:
    """A bad value as Go's field errors print it: strings quoted, scalars bare, else JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def required(field: str, detail: str = "") -> Cause:
    return cause(field, "Required value" + (f": {detail}" if detail else ""), "FieldValueRequired")


def invalid(field: str, value: Any, detail: str) -> Cause:
    return cause(field, f"Invalid value: {show(value)}: {detail}", "FieldValueInvalid")


def not_supported(field: str, value: Any, supported: list[str] | tuple[str, ...]) -> Cause:
    values = ", ".join(json.dumps(v) for v in supported)
    return cause(field, f"Unsupported value: {show(value)}: supported values: {values}",
                 "FieldValueNotSupported")


def duplicate(field: str, value: Any) -> Cause:
    return cause(field, f"Duplicate value: {show(value)}", "FieldValueDuplicate")


def not_found(field: str, value: Any) -> Cause:
    return cause(field, f"Not found: {show(value)}", "FieldValueNotFound")


def forbidden(field: str, detail: str) -> Cause:
    return cause(field, f"Forbidden: {detail}", "FieldValueForbidden")


def too_long(field: str, limit: int) -> Cause:
    return cause(field, f"Too long: may not be more than {limit} bytes", "FieldValueTooLong")


# --- ObjectMeta -----------------------------------------------------------------------------

NameValidator = Callable[[str], "str | None"]
_ANNOTATIONS_LIMIT = 256 * 1024


def validate_labels(labels: dict[str, Any] | None, field: str) -> list[Cause]:
    out: list[Cause] = []
    for k, v in (labels or {}).items():
        if msg := is_label_key(k):
            out.append(invalid(field, k, msg))
        if isinstance(v, str) and (msg := is_label_value(v)):
            out.append(invalid(field, v, msg))
    return out


def validate_object_meta(obj: Obj, *, namespaced: bool,
                         name_validator: NameValidator = is_dns1123_subdomain) -> list[Cause]:
    """ObjectMeta checks shared by every kind (apimachinery ValidateObjectMetaAccessor)."""
    meta = obj.get("metadata") or {}
    out: list[Cause] = []
    if gen := meta.get("generateName"):
        # A prefix may end in '-': mask it so only the generated suffix could complete it.
        if msg := name_validator(gen[:-1] + "a" if gen.endswith("-") else gen):
            out.append(invalid("metadata.generateName", gen, msg))
    name = meta.get("name")
    if not name:
        out.append(required("metadata.name", "name or generateName is required"))
    elif msg := name_validator(name):
        out.append(invalid("metadata.name", name, msg))
    ns = meta.get("namespace")
    if namespaced:
        if not ns:
            out.append(required("metadata.namespace"))
        elif msg := is_dns1123_label(ns):
            out.append(invalid("metadata.namespace", ns, msg))
    elif ns:
        out.append(forbidden("metadata.namespace", "not allowed on this type"))
    if (meta.get("generation") or 0) < 0:
        out.append(invalid("metadata.generation", meta["generation"],
                           "must be greater than or equal to 0"))
    out += validate_labels(meta.get("labels"), "metadata.labels")
    annotations = meta.get("annotations") or {}
    for k in annotations:
        if msg := is_qualified_name(k.lower()):
            out.append(invalid("metadata.annotations", k, msg))
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > _ANNOTATIONS_LIMIT:
        out.append(too_long("metadata.annotations", _ANNOTATIONS_LIMIT))
    out += _validate_owner_references(meta.get("ownerReferences") or [])
    for f in meta.get("finalizers") or []:
        if msg := is_qualified_name(f):
            out.append(invalid("metadata.finalizers", f, msg))
    return out


def _validate_owner_references(refs: list[Obj]) -> list[Cause]:
    field, out = "metadata.ownerReferences", []
    for ref in refs:
        api_version = ref.get("apiVersion") or ""
        if not api_version.rpartition("/")[2]:
            out.append(invalid(f"{field}.apiVersion", api_version, "version must not be empty"))
        for key in ("kind", "name", "uid"):
            if not ref.get(key):
                out.append(invalid(f"{field}.{key}", ref.get(key) or "", "must not be empty"))
    if sum(1 for r in refs if r.get("controller")) > 1:
        out.append(invalid(field, refs, "Only one reference can have Controller set to true"))
    return out


def validate_object_meta_update(new: Obj, old: Obj) -> list[Cause]:
    """Identity fields never change once stored (ValidateObjectMetaUpdate)."""
    nm, om = new.get("metadata") or {}, old.get("metadata") or {}
    return [invalid(f"metadata.{k}", nm.get(k), "field is immutable")
            for k in ("name", "namespace", "uid", "creationTimestamp")
            if om.get(k) and nm.get(k) != om.get(k)]


def immutable(new: Any, old: Any, field: str) -> list[Cause]:
    """`field is immutable` when an update changes a write-once field."""
    return [] if new == old else [invalid(field, new, "field is immutable")]
