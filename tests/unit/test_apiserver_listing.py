"""Paged lists over the store: snapshots, tokens, and what expires."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from minicube.api import errors
from minicube.api.kinds import CONFIG_MAP
from minicube.apiserver import listing
from minicube.apiserver.objects import Objects
from minicube.store import SqliteStore


@pytest.fixture
def objects(tmp_path: Path) -> Iterator[Objects]:
    store = SqliteStore(tmp_path / "state.db", keep_revisions=0)
    objs = Objects(store)
    for name in ("a", "b", "c"):
        objs.create(CONFIG_MAP, "ns", {"metadata": {"name": name}})
    yield objs
    store.close()


def page(objects: Objects, **query: str) -> listing.Page:
    return listing.list_page(objects, CONFIG_MAP, "ns", listing.parse_options(query),
                             lambda o: True, filtered=False)


def names(p: listing.Page) -> list[str]:
    return [o["metadata"]["name"] for o in p.items]


def test_token_round_trips_and_names_the_next_key() -> None:
    token = listing.encode_continue(7, "b\x00")
    assert "=" not in token and listing.decode_continue(token) == (7, "b\x00")


def test_pages_walk_one_snapshot(objects: Objects) -> None:
    first = page(objects, limit="2")
    assert names(first) == ["a", "b"] and first.remaining == 1
    objects.create(CONFIG_MAP, "ns", {"metadata": {"name": "bb"}})  # after the snapshot
    rest = page(objects, limit="2", **{"continue": first.continue_token})
    assert names(rest) == ["c"] and rest.revision == first.revision and not rest.continue_token


def test_a_compacted_token_expires_with_an_inconsistent_remainder(objects: Objects) -> None:
    first = page(objects, limit="1")
    objects.create(CONFIG_MAP, "ns", {"metadata": {"name": "d"}})
    objects.store.compact()
    with pytest.raises(listing.ExpiredContinue) as e:
        page(objects, limit="1", **{"continue": first.continue_token})
    status = e.value.to_status()
    assert status["code"] == 410 and status["reason"] == "Expired"
    assert status["message"].startswith("The provided continue parameter is too old")
    rest = page(objects, **{"continue": status["metadata"]["continue"]})
    assert names(rest) == ["b", "c", "d"]  # the remainder, read now


@pytest.mark.parametrize("query, error", [
    ({"resourceVersionMatch": "Exact"}, errors.Invalid),
    ({"resourceVersionMatch": "Sometimes", "resourceVersion": "1"}, errors.Invalid),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "0"}, errors.Invalid),
    ({"continue": "x", "resourceVersion": "3"}, errors.BadRequest),
    ({"limit": "ten"}, errors.BadRequest),
])
def test_invalid_list_options(query: dict[str, str], error: type[errors.StatusError]) -> None:
    with pytest.raises(error):
        listing.parse_options(query)
