from decimal import Decimal

import pytest

from minicube.api import quantity


@pytest.mark.parametrize("text, value", [
    ("100m", Decimal("0.1")), ("1", Decimal(1)), ("1.5", Decimal("1.5")),
    ("128Mi", Decimal(128 * 2**20)), ("1G", Decimal(10**9)), ("1e3", Decimal(1000)),
    (2, Decimal(2)), (0.5, Decimal("0.5")), ("1Ki", Decimal(1024)), ("-2", Decimal(-2)),
])
def test_parse(text: str, value: Decimal) -> None:
    assert quantity.parse(text) == value


@pytest.mark.parametrize("text", ["abc", "1.2.3", "", "1Kb", ".", "1 Mi", True])
def test_malformed_quantities_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="quantities must match the regular expression"):
        quantity.parse(text)  # type: ignore[arg-type]


@pytest.mark.parametrize("text, canonical", [
    ("0.5", "500m"), ("1.5", "1500m"), ("1000", "1k"), ("1500", "1500"), ("1024Ki", "1Mi"),
    ("1536Mi", "1536Mi"), ("100m", "100m"), ("1e3", "1e3"), ("0.1n", "1n"), ("512", "512"),
])
def test_canonical_keeps_the_notation_family(text: str, canonical: str) -> None:
    assert quantity.canonical(text) == canonical


def test_node_memory_prints_in_kibibytes() -> None:
    assert quantity.format_bytes(33660301312) == "32871388Ki"
    assert quantity.format_bytes(16 * 2**30) == "16Gi"


def test_cpu_millicores() -> None:
    assert quantity.milli_value("0.25") == 250 and quantity.milli_value(2) == 2000
    assert quantity.format_millicores(2000) == "2" and quantity.format_millicores(250) == "250m"


def test_value_rounds_up() -> None:
    assert quantity.value("100m") == 1 and quantity.value("1Mi") == 1048576
