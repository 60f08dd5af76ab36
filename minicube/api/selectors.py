"""Label and field selectors: parse the query-string forms and LabelSelector objects, match.

Label grammar (apimachinery `labels.Parse`): comma-separated requirements, each one of
`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, `k>1`, `k<1`.
Field grammar (`fields.ParseSelector`): `k=v`, `k==v`, `k!=v`, comma-separated, with `\\,`,
`\\=` and `\\\\` escapes in values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from minicube.api.meta import is_label_key, is_label_value

# --- label selectors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "==", "!=", "in", "notin", "exists", "!", ">", "<"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        has, value = self.key in labels, labels.get(self.key)
        if self.op in ("=", "==", "in"):
            return has and value in self.values
        if self.op in ("!=", "notin"):
            return not has or value not in self.values
        if self.op == "exists":
            return has
        if self.op == "!":
            return not has
        try:  # > and <: both sides must be integers
            left, right = int(value or ""), int(self.values[0])
        except ValueError:
            return False
        return left > right if self.op == ">" else left < right

    def __str__(self) -> str:
        if self.op == "exists":
            return self.key
        if self.op == "!":
            return "!" + self.key
        if self.op in ("in", "notin"):
            return f"{self.key} {self.op} ({','.join(sorted(self.values))})"
        return f"{self.key}{self.op}{self.values[0]}"


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False  # a nil LabelSelector object selects nothing

    def matches(self, labels: dict[str, str] | None) -> bool:
        return not self.nothing and all(r.matches(labels or {}) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements and not self.nothing

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


_TOKEN = re.compile(r"\s*(!=|==|=|!|\(|\)|,|<|>|[^\s!=(),<>]+)")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:  # only trailing whitespace is left
            break
        out.append(m.group(1))
        pos = m.end()
    return out


def _requirement(key: str, op: str, values: tuple[str, ...]) -> Requirement:
    if msg := is_label_key(key):
        raise ValueError(f'invalid label key "{key}": {msg}')
    if op in ("in", "notin") and not values:
        raise ValueError("for 'in', 'notin' operators, values set can't be empty")
    if op in (">", "<"):
        if not re.fullmatch(r"-?\d+", values[0]):
            raise ValueError(f"for 'Gt', 'Lt' operators, the value must be an integer, "
                             f"got {values[0]!r}")
    else:
        for v in values:
            if msg := is_label_value(v):
                raise ValueError(f'invalid label value: "{v}": {msg}')
    return Requirement(key, op, tuple(sorted(set(values))) if op in ("in", "notin") else values)


_SPECIAL = {"!=", "==", "=", "!", "(", ")", ",", "<", ">"}


def parse(text: str) -> LabelSelector:
    """A label selector from its query-string form; ValueError on bad syntax."""
    toks, i, reqs = _tokens(text), 0, []

    def fail(expected: str) -> ValueError:
        found = toks[i] if i < len(toks) else "end of string"
        return ValueError(f"unable to parse requirement: found '{found}', expected: {expected}")

    def ident() -> str:
        nonlocal i
        if i >= len(toks) or toks[i] in _SPECIAL:
            raise fail("identifier")
        i += 1
        return toks[i - 1]

    while i < len(toks):
        if toks[i] == "!":
            i += 1
            reqs.append(_requirement(ident(), "!", ()))
        else:
            key = ident()
            op = toks[i] if i < len(toks) else ","
            if op == ",":
                reqs.append(_requirement(key, "exists", ()))
            elif op in ("=", "==", "!="):
                i += 1
                # `k=` selects an empty value
                value = "" if i >= len(toks) or toks[i] == "," else ident()
                reqs.append(_requirement(key, op, (value,)))
            elif op in (">", "<"):
                i += 1
                reqs.append(_requirement(key, op, (ident(),)))
            elif op in ("in", "notin"):
                i += 1
                if i >= len(toks) or toks[i] != "(":
                    raise fail("'('")
                i += 1
                values: list[str] = []
                cur: str | None = None  # the value since the last comma
                while i < len(toks) and toks[i] != ")":
                    if toks[i] == ",":
                        values.append(cur or "")
                        cur = None
                    elif cur is not None or toks[i] in _SPECIAL:
                        raise fail("',' or ')'")
                    else:
                        cur = toks[i]
                    i += 1
                if i >= len(toks):
                    raise fail("')'")
                if cur is not None or values:
                    values.append(cur or "")
                i += 1
                reqs.append(_requirement(key, op, tuple(values)))
            else:
                raise fail("'=', '!=', '==', 'in', 'notin', '<', '>' or ','")
        if i < len(toks):
            if toks[i] != ",":
                raise fail("','")
            i += 1
            if i >= len(toks):
                raise fail("identifier")
    return LabelSelector(tuple(reqs))


_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


def from_label_selector(sel: dict[str, Any] | None) -> LabelSelector:
    """A `metav1.LabelSelector` object: nil selects nothing, `{}` selects everything."""
    if sel is None:
        return LabelSelector(nothing=True)
    reqs = [_requirement(k, "=", (str(v),)) for k, v in (sel.get("matchLabels") or {}).items()]
    for expr in sel.get("matchExpressions") or []:
        op = _OPERATORS.get(expr.get("operator", ""))
        if op is None:
            raise ValueError(f'"{expr.get("operator")}" is not a valid label selector operator')
        values = tuple(expr.get("values") or ())
        if op in ("exists", "!") and values:
            raise ValueError("values set must be empty for exists and does not exist")
        reqs.append(_requirement(expr.get("key", ""), op, values))
    return LabelSelector(tuple(sorted(reqs, key=lambda r: r.key)))


def to_string(sel: dict[str, Any] | None) -> str:
    """The query-string form of a LabelSelector object (Scale.status.selector, `-o wide`)."""
    return str(from_label_selector(sel))


# --- field selectors ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[tuple[str, str, str], ...] = ()  # (field, "=" or "!=", value)

    @property
    def fields(self) -> tuple[str, ...]:
        """The field names used, so the server can reject unsupported ones."""
        return tuple(dict.fromkeys(f for f, _, _ in self.terms))

    def matches(self, fields: dict[str, str]) -> bool:
        return all((fields.get(f, "") == v) == (op == "=") for f, op, v in self.terms)

    def value_of(self, field: str) -> str | None:
        """The value an `=` term pins a field to (lets the server narrow a list)."""
        return next((v for f, op, v in self.terms if f == field and op == "="), None)

    def __str__(self) -> str:
        esc = lambda s: s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")  # noqa: E731
        return ",".join(f"{f}{op}{esc(v)}" for f, op, v in self.terms)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, i = [], "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
            continue
        if text[i] == sep:
            parts.append(cur)
            cur = ""
        else:
            cur += text[i]
        i += 1
    return parts + [cur]


def _unescape(value: str, selector: str) -> str:
    out, i = "", 0
    while i < len(value):
        if value[i] == "\\":
            if i + 1 >= len(value) or value[i + 1] not in "\\,=":
                raise ValueError(f"invalid field selector: '{selector}'; invalid escape sequence")
            out += value[i + 1]
            i += 2
        else:
            out += value[i]
            i += 1
    return out


def parse_fields(text: str) -> FieldSelector:
    """A field selector from its query-string form; ValueError on bad syntax."""
    terms = []
    for part in _split_unescaped(text, ","):
        if not part.strip():
            continue
        m = re.match(r"^([^=!]*?)(!=|==|=)(.*)$", part)
        if not m or not m.group(1).strip():
            raise ValueError(f"invalid selector: '{text}'; can't understand '{part}'")
        op = "!=" if m.group(2) == "!=" else "="
        terms.append((m.group(1).strip(), op, _unescape(m.group(3), text)))
    return FieldSelector(tuple(terms))
