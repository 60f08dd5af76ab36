"""Kubernetes resource quantities (`100m`, `1.5`, `128Mi`, `1G`, `1e3`): parse and canonical form.

A quantity keeps the notation family it was written in (binary, decimal SI or exponent), and
its canonical string is the shortest exact one in that family, as apimachinery's
`resource.Quantity.String()` prints it (node memory capacity comes out as `32871388Ki`).
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Literal

Format = Literal["BinarySI", "DecimalSI", "DecimalExponent"]

_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_RE = re.compile(_PATTERN)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {e: s for s, e in _DECIMAL.items()}
_EXPONENT = re.compile(r"^[eE]([-+]?[0-9]+)$")

ERROR = f"quantities must match the regular expression '{_PATTERN}'"


def parse_with_format(text: str | int | float) -> tuple[Decimal, Format]:
    """The exact value and notation family of a quantity; ValueError when malformed."""
    if isinstance(text, bool):
        raise ValueError(ERROR)
    if isinstance(text, (int, float)):  # JSON numbers (`cpu: 1`, `cpu: 0.5`) are decimal SI
        return Decimal(str(text)), "DecimalSI"
    m = _RE.match(text.strip())
    if not m or m.group(1).count(".") > 1 or m.group(1).strip("+-") in ("", "."):
        raise ValueError(ERROR)
    try:
        number = Decimal(m.group(1))
    except InvalidOperation as e:
        raise ValueError(ERROR) from e
    suffix = m.group(2)
    if suffix in _BINARY:
        return number * (2 ** _BINARY[suffix]), "BinarySI"
    if suffix in _DECIMAL:
        return number.scaleb(_DECIMAL[suffix]), "DecimalSI"
    if exp := _EXPONENT.match(suffix):
        return number.scaleb(int(exp.group(1))), "DecimalExponent"
    raise ValueError(ERROR)


def parse(text: str | int | float) -> Decimal:
    """`"100m"` -> Decimal("0.100"); `"128Mi"` -> Decimal(134217728)."""
    return parse_with_format(text)[0]


def is_valid(text: object) -> bool:
    try:
        parse(text)  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def milli_value(text: str | int | float) -> int:
    """Millicores (rounded up): `"1.5"` -> 1500, `"100m"` -> 100."""
    return int((parse(text) * 1000).to_integral_value(ROUND_CEILING))


def value(text: str | int | float) -> int:
    """Whole units (rounded up): `"128Mi"` -> 134217728, `"100m"` -> 1."""
    return int(parse(text).to_integral_value(ROUND_CEILING))


def _decimal_parts(v: Decimal) -> tuple[int, int]:
    """(mantissa, exponent) with an integer mantissa and the largest exponent that is a multiple
    of 3 (for SI) in range; values finer than 1n round up to whole nanos, as upstream does."""
    if v == 0:
        return 0, 0
    scaled = v.scaleb(9).to_integral_value(ROUND_CEILING)  # in nanos
    exp = -9
    while exp < 18 and scaled % 1000 == 0:
        scaled, exp = scaled // 1000, exp + 3
    return int(scaled), exp


def format_quantity(v: Decimal | int, fmt: Format = "DecimalSI") -> str:
    """Canonical text for a value in a notation family (resource.Quantity.String())."""
    v = Decimal(v)
    if fmt == "BinarySI" and (abs(v) < 1024 or v != v.to_integral_value()):
        fmt = "DecimalSI"  # small or fractional values print in decimal, without rounding
    if fmt == "BinarySI":
        n, power = int(v), 0
        while power < 60 and n % 1024 == 0 and n != 0:
            n, power = n // 1024, power + 10
        suffix = next((s for s, p in _BINARY.items() if p == power), "")
        return f"{n}{suffix}"
    mantissa, exp = _decimal_parts(v)
    if fmt == "DecimalExponent":
        return f"{mantissa}e{exp}" if exp else str(mantissa)
    return f"{mantissa}{_DECIMAL_SUFFIX[exp]}"


def canonical(text: str | int | float) -> str:
    """`"0.5"` -> `"500m"`, `"1024Ki"` -> `"1Mi"`, `"1000"` -> `"1k"`."""
    v, fmt = parse_with_format(text)
    return format_quantity(v, fmt)


def format_bytes(n: int) -> str:
    """Memory as the kubelet reports it: `33660301312` -> `32871388Ki`."""
    return format_quantity(n, "BinarySI")


def format_millicores(m: int) -> str:
    """CPU from millicores: 2000 -> `2`, 250 -> `250m`."""
    return format_quantity(Decimal(m).scaleb(-3), "DecimalSI")
