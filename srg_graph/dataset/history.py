"""The history: every accepted change, kept for good, with who made it, when and why.

The write-ahead log (`wal`) is the history. Its records are never removed: a compaction, a
load or a build writes a new snapshot that says up to which change it holds, and the log is
replayed onto it from there. So a change is in the history if and only if its write was
acknowledged, and it is as durable as the data. A record's payload is JSON: the quads the
change removed and added (N-Quads), the named graphs it created and dropped, and its
metadata (`time` in UTC, `agent`, `note`, `kind`; see `Meta`). Records written before the
metadata existed have none (their time and agent are unknown). Only `srg purge` rewrites a
past record (erasure), and records that it did.

The history is also data: each change is described in the read-only graph
`https://w3id.org/srg/graph/history` (`store.history_graph`), derived from its record when the
change is applied and kept in the snapshot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..store import Delta
from ..store.history_graph import HISTORY, history_quads, with_history
from . import faults, wal

KINDS = ("write", "build", "load", "revert", "purge")


@dataclass(frozen=True)
class Meta:
    """Who made a change and why: the agent's name (a named token's name, `anonymous` for a
    bare token, the login name for the command line), an optional note, and how it came in."""

    agent: str = "anonymous"
    note: str | None = None
    kind: str = "write"
    reverts: int | None = None  # the change a revert undoes


@dataclass(frozen=True)
class Change:
    """One accepted change: its number (the dataset's version just after it), when, who,
    why, and the delta it made."""

    number: int
    delta: Delta
    time: str | None = None  # xsd:dateTime in UTC, e.g. 2026-12-05T10:00:00.123456Z
    meta: Meta = field(default_factory=Meta)

    @property
    def when(self) -> datetime | None:
        return None if self.time is None else datetime.fromisoformat(self.time)


def modified_after(previous: float) -> float:
    """When a change just made counts as made, for `Last-Modified`: now, but in a later whole
    second than the change before, since HTTP dates have whole seconds (two changes in one
    second would share a date, and `If-Modified-Since` would hold across the second one).
    Ahead of the clock only while changes come faster than one a second (answers send at most
    their own time, `web.caching`)."""
    return max(time.time(), int(previous) + 1.0)


def now() -> str:
    """The current time as the history writes it (UTC, to the microsecond, `Z`), in XSD's
    canonical form, without trailing zeros in the fraction: stores keep an xsd:dateTime by
    its value and write it so (pyoxigraph, `oxigraph serve`; Virtuoso too, except that it
    writes a fraction of whole milliseconds with three digits: `.120`), so that the history
    graph's `prov:endedAtTime` reads as the log's time."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return f"{stamp}Z"


def encode(delta: Delta, meta: Meta, time: str) -> bytes:
    """A change as the log's payload: versioned JSON, ASCII (the log relies on it). Readers
    ignore keys they do not know."""
    record: dict[str, object] = {
        "removed": delta.removed.decode(),
        "added": delta.added.decode(),
        "created": list(delta.created),
        "dropped": list(delta.dropped),
        "graphs": sorted(delta.graphs),
        "time": time,
        "agent": meta.agent,
        "kind": meta.kind,
        "v": 1,
    }
    if meta.note:
        record["note"] = meta.note
    if meta.reverts is not None:
        record["reverts"] = meta.reverts
    return json.dumps(record).encode()


def decode(number: int, payload: bytes) -> Change:
    """The change of a log record (`number`: its change number)."""
    record = json.loads(payload)
    graphs = (tuple(record.get("created", ())), tuple(record.get("dropped", ())))
    touched = frozenset(record.get("graphs", ()))
    delta = Delta(record["removed"].encode(), record["added"].encode(), touched, *graphs)
    agent = record.get("agent")
    meta = Meta(
        agent if agent is not None else "unknown",
        record.get("note"),
        record.get("kind", "write"),
        record.get("reverts"),
    )
    return Change(number, delta, record.get("time"), meta)


def changes(log: Path, since: int = 0) -> Iterator[Change]:
    """The changes of a store's log after change `since`, oldest first (read-only: a torn
    tail is skipped, damage is an error)."""
    faults.reach("log-read")
    found = wal.scan(log)
    if found.damage is not None:
        raise wal.damage_error(found)
    for number, record in wal.numbered(found.records, None):
        if number > since:
            yield decode(number, record.payload)


def described(change: Change) -> Delta:
    """The description of a change in the history graph, as a delta that adds it."""
    meta = change.meta
    quads = history_quads(
        change.number, change.delta, change.time, meta.agent, meta.note, meta.kind, meta.reverts
    )
    return Delta(b"", quads, frozenset({HISTORY}))


def applied(change: Change) -> Delta:
    """What the dataset's store applies for a change: its delta, and its description in the
    history graph."""
    return with_history(change.delta, described(change).added)


def inverse(delta: Delta) -> Delta:
    """The delta that undoes `delta` (on the dataset just after it)."""
    return Delta(delta.added, delta.removed, delta.graphs, delta.dropped, delta.created)
