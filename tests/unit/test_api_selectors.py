import pytest

from minicube.api import selectors

LABELS = {"app": "web", "tier": "front", "n": "5"}


@pytest.mark.parametrize("text, matches", [
    ("app=web", True), ("app==web", True), ("app!=web", False), ("app!=db", True),
    ("missing!=x", True), ("app in (web,db)", True), ("app in (db)", False),
    ("app notin (db)", True), ("missing notin (x)", True), ("app", True), ("!app", False),
    ("!missing", True), ("app=web,tier=back", False), ("app=web, tier in (front)", True),
    ("n>3", True), ("n<3", False), ("", True), ("app=", False), ("missing=", False),
])
def test_label_selector_matching(text: str, matches: bool) -> None:
    assert selectors.parse(text).matches(LABELS) is matches


@pytest.mark.parametrize("text", ["a in x", "a=b,", "=b", "a b", "a in (x", "Bad Key=1",
                                  "a in ()", "a=b c", "a>x", "-a=b", "a=-b"])
def test_bad_label_selectors_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        selectors.parse(text)


def test_parse_error_says_what_it_found() -> None:
    with pytest.raises(ValueError, match="found 'x', expected: '\\('"):
        selectors.parse("a in x")


def test_string_form_round_trips() -> None:
    assert str(selectors.parse("b in (y, x),a=1,!c")) == "b in (x,y),a=1,!c"


def test_label_selector_object() -> None:
    sel = selectors.from_label_selector({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]},
                             {"key": "canary", "operator": "DoesNotExist"}]})
    assert sel.matches(LABELS) and not sel.matches({"app": "web", "tier": "x"})
    assert str(sel) == "app=web,!canary,tier in (back,front)"


def test_empty_selector_object_matches_all_but_none_matches_nothing() -> None:
    assert selectors.from_label_selector({}).matches({"a": "b"})
    assert not selectors.from_label_selector(None).matches({})


def test_bad_operator_in_selector_object() -> None:
    with pytest.raises(ValueError, match='"Has" is not a valid label selector operator'):
        selectors.from_label_selector({"matchExpressions": [{"key": "a", "operator": "Has"}]})


def test_to_string_is_what_scale_status_shows() -> None:
    assert selectors.to_string({"matchLabels": {"app": "web"}}) == "app=web"


def test_field_selector_matching_and_fields() -> None:
    sel = selectors.parse_fields("spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed")
    assert sel.fields == ("spec.nodeName", "status.phase")
    assert sel.matches({"spec.nodeName": "n1", "status.phase": "Running"})
    assert not sel.matches({"spec.nodeName": "n1", "status.phase": "Failed"})
    assert sel.value_of("spec.nodeName") == "n1"


def test_field_selector_escapes_and_double_equals() -> None:
    sel = selectors.parse_fields(r"metadata.name==a\,b")
    assert sel.matches({"metadata.name": "a,b"}) and str(sel) == r"metadata.name=a\,b"


@pytest.mark.parametrize("text", ["name", "=x", "a=b\\x"])
def test_bad_field_selectors_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        selectors.parse_fields(text)


def test_empty_field_selector_matches_everything() -> None:
    assert selectors.parse_fields("").matches({}) and selectors.parse_fields("").fields == ()
