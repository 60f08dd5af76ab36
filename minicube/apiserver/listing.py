"""Lists as upstream serves them: `limit`/`continue` pages of one consistent snapshot, and the
`resourceVersion`/`resourceVersionMatch` options.

A continue token is what the etcd3 storage issues: unpadded base64url of
`{"v":"meta.k8s.io/v1","rv":<revision of the first page>,"start":<next key, relative to the
list's prefix>}`. Every page is read at that revision, so a paged list is one snapshot; once
compaction has removed that revision the token answers 410 Expired, carrying a fresh token
(rv -1) that lists the remainder at the current revision, as upstream does.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable

from minicube.api import errors
from minicube.api.errors import cause
from minicube.api.registry import Kind, Obj
from minicube.apiserver.objects import Objects, key_for, view
from minicube.store import Compacted

_TOKEN_VERSION = "meta.k8s.io/v1"
_INCONSISTENT = -1  # a token's rv meaning "the rest, at whatever revision is current"
EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list.")


class ExpiredContinue(errors.Gone):
    """410 for a compacted continue token; the Status carries the inconsistent-remainder token."""

    def __init__(self, token: str) -> None:
        super().__init__(EXPIRED_CONTINUE)
        self.token = token

    def to_status(self) -> dict[str, Any]:
        return {**super().to_status(), "metadata": {"continue": self.token}}


@dataclass(frozen=True)
class ListOptions:
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""
    resource_version_match: str = ""


@dataclass(frozen=True)
class Page:
    items: list[Obj]
    revision: int
    continue_token: str = ""
    remaining: int | None = None  # remainingItemCount: only known for unfiltered lists

    def list_meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resourceVersion": str(self.revision)}
        if self.continue_token:
            out["continue"] = self.continue_token
        if self.remaining is not None:
            out["remainingItemCount"] = self.remaining
        return out


def parse_options(query: Any) -> ListOptions:
    """ListOptions from the query, checked as upstream's ValidateListOptions does (422)."""
    try:
        limit = int(query.get("limit") or 0)
    except ValueError:
        raise errors.BadRequest(f"limit: invalid value {query.get('limit')!r}: must be an integer") from None
    opts = ListOptions(limit=max(limit, 0), continue_token=query.get("continue", ""),
                       resource_version=query.get("resourceVersion", ""),
                       resource_version_match=query.get("resourceVersionMatch", ""))
    match, rv = opts.resource_version_match, opts.resource_version
    problems = []
    if match and match not in ("Exact", "NotOlderThan"):
        problems.append(cause("resourceVersionMatch", f'Unsupported value: "{match}": supported '
                              'values: "Exact", "NotOlderThan", ""', "FieldValueNotSupported"))
    elif match and not rv:
        problems.append(cause("resourceVersionMatch", "Forbidden: resourceVersionMatch is "
                              "forbidden unless resourceVersion is provided", "FieldValueForbidden"))
    elif match and opts.continue_token:
        problems.append(cause("resourceVersionMatch", "Forbidden: resourceVersionMatch is "
                              "forbidden when continue is provided", "FieldValueForbidden"))
    elif match == "Exact" and rv == "0":
        problems.append(cause("resourceVersionMatch", 'Forbidden: resourceVersionMatch "exact" is '
                              'forbidden for resourceVersion "0"', "FieldValueForbidden"))
    if problems:
        raise errors.Invalid.of("ListOptions.meta.k8s.io", "", problems, "meta.k8s.io")
    if opts.continue_token and rv not in ("", "0"):
        raise errors.BadRequest("specifying resource version is not allowed when using continue")
    return opts


def encode_continue(revision: int, start: str) -> str:
    raw = json.dumps({"v": _TOKEN_VERSION, "rv": revision, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    """(revision, start key relative to the list prefix); 400 for anything malformed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (ValueError, binascii.Error):
        raise errors.BadRequest("continue key is not valid: incorrect encoded start "
                                "resourceVersion (version meta.k8s.io/v1)") from None
    if not isinstance(data, dict) or data.get("v") != _TOKEN_VERSION:
        raise errors.BadRequest("continue key is not valid: server does not recognize this "
                                "encoded version")
    rv, start = data.get("rv"), data.get("start")
    if not isinstance(rv, int) or rv == 0 or rv < _INCONSISTENT or not isinstance(start, str) \
            or not start or start.startswith("/") or "/../" in f"/{start}":
        raise errors.BadRequest("continue key is not valid: incorrect encoded start "
                                "resourceVersion (version meta.k8s.io/v1)")
    return rv, start


def _parse_rv(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise errors.BadRequest(f"invalid resource version {text!r}: must be a non-negative integer")
    return value


def _snapshot_revision(objects: Objects, opts: ListOptions) -> int:
    """The revision to read (0: current) for a list without a continue token."""
    rv = _parse_rv(opts.resource_version) if opts.resource_version else 0
    if rv == 0:
        return 0  # "" is a consistent read of now; "0" may be any state: now is fine too
    current = objects.store.current_revision()
    if rv > current:
        raise errors.Timeout(f"Too large resource version: {rv}, current: {current}",
                             details={"causes": [{"reason": "ResourceVersionTooLarge",
                                                  "message": "Too large resource version"}],
                                      "retryAfterSeconds": 1})
    # Exact, or upstream's legacy reading of a paged list at a resourceVersion, reads at rv;
    # NotOlderThan is satisfied by the current state.
    exact = opts.resource_version_match == "Exact" or (
        not opts.resource_version_match and opts.limit > 0)
    return rv if exact else 0


def list_page(objects: Objects, kind: Kind, namespace: str, opts: ListOptions,
              matches: Callable[[Obj], bool], filtered: bool) -> Page:
    """One page of matching objects. Like upstream's storage, filtered lists keep reading
    until `limit` matches are found or the keys run out, and give no remainingItemCount."""
    prefix = key_for(kind, namespace)
    if opts.continue_token:
        revision, start = decode_continue(opts.continue_token)
        start = prefix + start
    else:
        revision, start = _snapshot_revision(objects, opts), ""
    try:
        read_at = 0 if revision == _INCONSISTENT else revision
        items: list[Obj] = []
        while True:
            want = opts.limit - len(items) if opts.limit else 0
            records, read_at, remaining = objects.store.list_page(prefix, read_at, start, want)
            items.extend(o for o in (view(kind, r.value, r.revision) for r in records) if matches(o))
            if not remaining:
                return Page(items, read_at)
            start = records[-1].key + "\0"
            if len(items) >= opts.limit:
                return Page(items, read_at, encode_continue(read_at, start[len(prefix):]),
                            None if filtered else remaining)
    except ValueError:  # a token naming a revision the store has not reached
        raise errors.BadRequest("continue key is not valid: the resourceVersion is in the future") from None
    except Compacted:
        if opts.continue_token:
            raise ExpiredContinue(encode_continue(_INCONSISTENT, start[len(prefix):])) from None
        raise errors.Gone("The resourceVersion for the provided list is too old.") from None
