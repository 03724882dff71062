"""Changes about changes: undoing one (`revert`), and erasing statements from the history
where the law requires it (`purge`).

A revert is a new change, validated like any write: it removes what change N added and is
still there, and puts back what N removed and is gone (a graph N created goes only if that
leaves it empty: a later write to it stays); the history keeps both. A purge is the
one rewrite of the past: it takes statements out of every record of the log that holds them
(they must be gone from the data first), makes the history graph and the snapshot anew from
the rewritten log, and records that it did (a change of kind `purge`, with its note and how
many statements it erased, never the statements themselves).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..errors import InvalidRequest
from ..store import ChangeRecorder, Delta
from ..store.history_graph import HISTORY
from . import history, wal
from .build import write_snapshot
from .embedded import Dataset, log_path
from .history import Meta
from .writes import apply_write


def revert(data: Dataset, number: int, meta: Meta) -> Delta:
    """A new change that undoes change `number` as far as the data still shows it."""
    found = next((c for c in history.changes(log_path(data.snapshot), number - 1)), None)
    if found is None or found.number != number:
        last = data.change_number
        raise InvalidRequest(f"there is no change {number}; the history has changes 1-{last}")

    def undo(staged: ChangeRecorder) -> None:
        done = found.delta  # put back what it removed, take out what it added
        staged.apply(Delta(done.added, done.removed, done.graphs, done.dropped, ()))
        for graph in done.created:  # a graph it created goes only if nothing else is in it
            if not staged.graph_quads(graph):
                staged.drop_graph(graph)

    return apply_write(data, undo, Meta(meta.agent, meta.note, "revert", reverts=number))


@dataclass(frozen=True)
class Purged:
    number: int | None  # the change that records the purge
    statements: int  # how many statements were taken out of past changes
    changes: list[int]  # the changes they were taken out of


def purge(data: Dataset, statements: set[str], meta: Meta) -> Purged:
    """Take `statements` (N-Quads lines) out of the history. Refused while the data holds any
    of them: delete them with a write first (that write is purged too)."""
    held = data.store.held(statements)
    if held:
        raise InvalidRequest(
            f"{len(held)} of these statements are in the data now (e.g. {held[0]}); "
            "delete them with a write first, then purge them from the history"
        )
    path = log_path(data.snapshot)
    found = wal.scan(path)
    rewritten, touched, erased = [], [], 0
    for number, record in wal.numbered(found.records, None):
        payload, count = _without(record.payload, statements)
        rewritten.append((number, payload))
        if count:
            touched.append(number)
            erased += count
    if not erased:
        return Purged(None, 0, [])
    # The data as it is becomes the snapshot first: the rewritten log, replayed onto an older
    # snapshot holding a purged statement, would no longer remove it (and its files keep it).
    write_snapshot(data.store, data.snapshot, data.change_number)
    wal.rewrite(path, rewritten)
    data.reopen_log()
    _describe_anew(data)
    fingerprint = hashlib.sha256("\n".join(sorted(statements)).encode()).hexdigest()
    what = f"{erased} statement(s) in change(s) {_span(touched)}; their sha256 {fingerprint}"
    marker = Meta(meta.agent, f"{meta.note or 'erasure'} ({what})", "purge")
    number = data.commit(Delta(b"", b""), marker, record_empty=True)
    return Purged(number, erased, touched)


def _without(payload: bytes, statements: set[str]) -> tuple[bytes, int]:
    record = json.loads(payload)
    count = 0
    for key in ("removed", "added"):
        lines = record.get(key, "").splitlines()
        kept = [line for line in lines if line not in statements]
        count += len(lines) - len(kept)
        record[key] = "".join(f"{line}\n" for line in kept)
    return json.dumps(record).encode(), count


def _describe_anew(data: Dataset) -> None:
    """The history graph made again from the (rewritten) log."""
    data.store.apply(Delta(b"", b"", frozenset({HISTORY}), dropped=(HISTORY,)))
    for change in history.changes(log_path(data.snapshot)):
        data.store.apply(history.described(change))


def _span(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
