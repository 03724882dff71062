"""Time travel over HTTP: `version=N` and `asOf=DATETIME`, and Memento (RFC 7089).

Version `N` is the dataset just after change `N` (0: before the first change, the empty
dataset, when the history goes back that far). `asOf` is an ISO 8601 date-time (without a
zone: UTC); it names the version of that instant, the last change made at or before it (0
before the first change). A version the dataset has not reached is 404, as is one from
before the history of the store starts (a store built before the history was kept, or the
history of a server in remote-store mode, which starts with its own first write).

Memento: `/doc/{path}` is the Original Resource and its own TimeGate (RFC 7089 pattern 2.1,
"URI-R=URI-G", with 302 negotiation): a request with `Accept-Datetime` is redirected to the
memento `/doc/{path}?version=N`, the version just after the last change of the resource's
own statements at or before that instant (the first such change for an earlier instant);
`/timemap/{path}` lists those mementos. A memento carries `Memento-Datetime` (the time of
change `N`) and `Link` to the original, the TimeGate, the TimeMap and the first and last
mementos.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from fastapi import Request

from ..dataset.changelog import ChangeLog, Entry
from .errors import HttpError
from .parameters import whole_number

KEPT = "public, max-age=86400"  # the answer at a fixed version (only `srg purge` changes it)
OFFSET_AS_SPACE = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def http_date(when: datetime) -> str:
    """An HTTP-date (RFC 9110: `Sat, 05 Dec 2026 10:00:00 GMT`)."""
    return format_datetime(when.astimezone(UTC), usegmt=True)


def instant(text: str) -> datetime:
    """An `asOf` value: an ISO 8601 date-time (or date), UTC unless it says its zone (a `+`
    of the zone that came unencoded in a URL, read as a space, is taken for a `+`)."""
    text = OFFSET_AS_SPACE.sub(r"\1+\2", text.strip())
    try:
        found = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise HttpError(
            400, f"asOf must be an ISO 8601 date-time such as 2026-12-05T10:00:00Z, not {text!r}"
        ) from None
    return _in_utc(found, "asOf")


def _in_utc(found: datetime, name: str) -> datetime:
    """`found` in UTC (naive: taken as UTC); 400 when its zone moves it out of years 1-9999."""
    try:
        return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
    except OverflowError:
        raise HttpError(400, f"{name} is out of range once in UTC (years 1 to 9999)") from None


def accept_datetime(text: str) -> datetime:
    """An `Accept-Datetime` header: an HTTP-date (RFC 7089 section 2.1.1)."""
    try:
        found = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise HttpError(
            400,
            "Accept-Datetime must be an HTTP-date such as 'Sat, 05 Dec 2026 10:00:00 GMT', "
            f"not {text!r}",
        )
    return _in_utc(found, "Accept-Datetime")


def _missing(number: int, changes: ChangeLog, current: int) -> HttpError | None:
    if number > current:
        return HttpError(
            404, f"there is no version {number}: the dataset is at version {current} (/changes)"
        )
    first = changes.first
    if number == 0 and first is None and current == 0:
        return None
    if first is None or number < first - 1:
        since = "none of its changes" if first is None else f"change {first} on"
        return HttpError(
            404,
            f"version {number} is not in the history of this store, which holds {since} "
            "(its earlier versions were not recorded here)",
        )
    return None


def version_of(
    version: str | None, as_of: str | None, changes: ChangeLog, current: int
) -> int | None:
    """The version a request asks for with `version` or `asOf` (None: the current dataset,
    unversioned); 400 for a malformed value, 404 for a version the history does not have."""
    if version is None and as_of is None:
        return None
    if version is not None and as_of is not None:
        raise HttpError(400, "send either 'version' or 'asOf', not both")
    if version is not None:
        if not whole_number(version.strip()):
            message = f"'version' must be a change number (0, 1, 2, ...), not {version!r}"
            raise HttpError(400, message)
        number = int(version)
    else:
        assert as_of is not None
        number = min(changes.at(instant(as_of)), current)
    missing = _missing(number, changes, current)
    if missing is not None:
        raise missing
    return number


def modified(changes: ChangeLog, number: int, fallback: float) -> float:
    """Last-Modified of an answer at version `number`: the time of change `number`."""
    entry = changes.entry(number)
    when = entry.when if entry is not None else None
    return when.timestamp() if when is not None else fallback


# -- Memento ---------------------------------------------------------------------------------
def mementos(changes: ChangeLog, iri: str, current: int) -> list[Entry]:
    """The mementos of a resource: the changes of its own statements, each with a time."""
    found = [changes.entry(n) for n in changes.touching(iri) if n <= current]
    return [entry for entry in found if entry is not None and entry.when is not None]


def chosen(found: list[Entry], wanted: datetime) -> Entry:
    """The memento for an instant (RFC 7089 4.1.1): the last at or before it (the datetimes
    compared to the second, as HTTP-dates give them), else the first."""
    best = found[0]
    for entry in found:
        when = entry.when
        assert when is not None
        if when.replace(microsecond=0) <= wanted:
            best = entry
    return best


def memento_url(base: str, path: str, number: int) -> str:
    return f"{base}doc/{quote(path)}?version={number}"


def links(base: str, path: str, found: list[Entry]) -> str:
    """`Link` of the original resource and of its mementos (RFC 7089 section 2.2)."""
    original = f"{base}doc/{quote(path)}"
    parts = [
        f'<{original}>; rel="original timegate"',
        f'<{base}timemap/{quote(path)}>; rel="timemap"; type="application/link-format"',
    ]
    if found:
        first, last = found[0], found[-1]
        for entry, rel in ((first, "first memento"), (last, "last memento")):
            when = http_date(entry.when) if entry.when else ""
            url = memento_url(base, path, entry.number)
            parts.append(f'<{url}>; rel="{rel}"; datetime="{when}"')
    return ", ".join(parts)


def timemap(base: str, path: str, found: list[Entry]) -> str:
    """The TimeMap of a resource in `application/link-format` (RFC 7089 section 5.1)."""
    original = f"{base}doc/{quote(path)}"
    first, last = found[0].when, found[-1].when
    assert first is not None and last is not None
    rows = [
        f'<{original}>;rel="original"',
        f'<{original}>;rel="timegate"',
        f'<{base}timemap/{quote(path)}>;rel="self";type="application/link-format"'
        f';from="{http_date(first)}";until="{http_date(last)}"',
    ]
    for index, entry in enumerate(found):
        rel = "memento"
        if index == 0:
            rel = "first memento"
        if index == len(found) - 1:
            rel = "last memento" if index else "first last memento"
        when = entry.when
        assert when is not None
        url = memento_url(base, path, entry.number)
        rows.append(f'<{url}>;rel="{rel}";datetime="{http_date(when)}"')
    return ",\n".join(rows) + "\n"


def base_url(request: Request) -> str:
    return str(request.base_url)
