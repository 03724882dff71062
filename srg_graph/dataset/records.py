"""What a change's record says, read from its raw JSON without decoding it whole.

A build or a bulk load is one record of hundreds of megabytes at a million triples; decoding
it (JSON, then the N-Quads back to bytes) takes seconds and several times its size in memory.
The index of the history (`changelog`) needs only its metadata, how many statements it
removed and added, and the subjects of those statements, which can be read off the record's
bytes where they lie (an mmap of the log). The layout is the one `history.encode` writes:

    {"removed": "<N-Quads>", "added": "<N-Quads>", "created": [...], "dropped": [...],
     "graphs": [...], "time": ..., "agent": ..., "kind": ..., "v": 1, "note": ..., ...}

JSON escapes every `"` and `\\` inside a string, and every N-Quads line ends with ` .` and a
newline (`\\n` in JSON), so `", "created": ` is where the statements end, ` .\\n` ends each
statement, and a statement's subject follows `": "` or ` .\\n` directly. A record laid out
otherwise is decoded whole.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import history

HEAD = b'{"removed": "'
ADDED = b'", "added": "'
TAIL = b'", "created": '
LINE_END = re.compile(rb" \.\\n")
SUBJECT = re.compile(rb'(?:": "|\.\\n)<([^<>" ]+)> ')


@contextmanager
def mapped(path: Path) -> Iterator[Any]:
    """The file's bytes, mapped read-only (b"" for a missing or empty file)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        yield b""
        return
    with handle:
        if handle.seek(0, 2) == 0:
            yield b""
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def _bounds(data: Any, begin: int, end: int) -> tuple[int, int, int] | None:
    """Where the added statements start and the statements end, or None."""
    if data[begin : begin + len(HEAD)] != HEAD:
        return None
    tail = data.rfind(TAIL, begin, end)
    added = data.rfind(ADDED, begin, tail) if tail >= 0 else -1
    if added < 0:
        return None
    return begin + len(HEAD), added + len(ADDED), tail


def _count(data: Any, start: int, stop: int) -> int:
    return sum(1 for _ in LINE_END.finditer(data, start, stop))


def _raw_facts(data: Any, begin: int, end: int) -> dict[str, Any] | None:
    found = _bounds(data, begin, end)
    if found is None:
        return None
    removed, added, tail = found
    try:
        record = json.loads(b"{" + bytes(data[tail + 3 : end]))
    except ValueError:
        return None
    record["removedCount"] = _count(data, removed, added - len(ADDED))
    record["addedCount"] = _count(data, added, tail)
    return record


def facts(number: int, data: Any, begin: int, end: int) -> dict[str, Any]:
    """What change `number` (its record at `data[begin:end]`) is: the record's metadata (the
    JSON after the statements) with the counts of statements removed and added
    (`removedCount`, `addedCount`)."""
    found = _raw_facts(data, begin, end)
    if found is not None:
        return found
    change = history.decode(number, bytes(data[begin:end]))  # laid out otherwise
    delta, meta = change.delta, change.meta
    return {
        "removedCount": delta.removed.count(b"\n"),
        "addedCount": delta.added.count(b"\n"),
        "graphs": sorted(delta.graphs),
        "created": delta.created,
        "dropped": delta.dropped,
        "time": change.time,
        "agent": meta.agent,
        "note": meta.note,
        "kind": meta.kind,
        "reverts": meta.reverts,
    }


def subjects(number: int, data: Any, begin: int, end: int) -> frozenset[str]:
    """The IRIs the statements change `number` removed and added are about (blank nodes and
    quoted triples left out)."""
    found = _bounds(data, begin, end)
    if found is None:  # laid out otherwise
        delta = history.decode(number, bytes(data[begin:end])).delta
        return frozenset(subjects_of(delta.removed) | subjects_of(delta.added))
    iris = set()
    for match in SUBJECT.finditer(data, begin, found[2]):
        raw = match.group(1)
        iris.add(json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode())
    return frozenset(iris)


def subjects_of(nquads: bytes) -> set[str]:
    """The IRIs that the statements of an N-Quads text are about (blank nodes and quoted
    triples left out). The engine writes one statement a line, its subject first."""
    found = set()
    for line in nquads.split(b"\n"):
        if line.startswith(b"<") and not line.startswith(b"<<"):
            end = line.find(b">")
            if end > 0:
                found.add(line[1:end].decode())
    return found
