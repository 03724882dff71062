"""Past versions of the dataset, made on demand and kept: time travel.

Version `n` is the dataset just after change `n` (0: before the first change: the empty
dataset, or what a store made before the history was kept held). It is made from the nearest
version at hand: the current dataset with the inverses of changes `n+1..current` applied
(`history.inverse`), the snapshot with changes `snapshot+1..n` replayed, or another version
already made; each change with its description in the history graph, so the history graph
of version `n` describes the changes up to `n`. "Nearest": the fewest
statements to apply, since every start costs one copy of the dataset (seconds at a million
quads; the snapshot is loaded from its dump instead, without holding the current dataset).

The versions made are kept, the most recently used `size` of them (each costs about as much
memory as the dataset), so that repeated queries at a version run at full speed. One
version is made once even when several requests ask for it at the same time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidRequest
from ..store import Delta, GraphStore
from ..store.history_graph import HISTORY, agent_iri
from . import embedded, history
from .changelog import ChangeLog

# the current dataset and its version, held unchanged while the block runs
Current = Callable[[], AbstractContextManager[tuple[GraphStore, int]]]


@dataclass(frozen=True)
class Start:
    """Where a version is made from: `kind` is current, snapshot or kept."""

    kind: str
    version: int
    cost: int  # statements to apply


class Versions:
    """The past versions of one store's dataset (`snapshot`: its directory; `changes`: the
    index of its log), the `size` most recently used kept."""

    def __init__(self, snapshot: Path, changes: ChangeLog, size: int):
        self.snapshot, self.changes, self.size = snapshot, changes, max(0, size)
        self.kept: OrderedDict[int, GraphStore] = OrderedDict()
        self.lock = threading.Lock()
        self.making: dict[int, threading.Lock] = {}  # one maker a version

    def at(self, number: int, current: Current) -> GraphStore:
        """Version `number` of the dataset (the caller has checked that it is a past one)."""
        with self.lock:
            found = self.kept.get(number)
            if found is not None:
                self.kept.move_to_end(number)
                return found
            maker = self.making.setdefault(number, threading.Lock())
        with maker:
            with self.lock:
                found = self.kept.get(number)
                if found is not None:
                    return found
            store = self._make(number, current)
            with self.lock:
                self.making.pop(number, None)
                if self.size:
                    self.kept[number] = store
                    while len(self.kept) > self.size:
                        self.kept.popitem(last=False)
            return store

    def _cost(self, low: int, high: int) -> int:
        """The statements changes `low+1..high` removed and added."""
        return sum(e.removed + e.added for e in self.changes.entries(since=low, until=high))

    def _starts(self, number: int, latest: int) -> list[Start]:
        starts = [Start("current", latest, self._cost(number, latest))]
        base = embedded.snapshot_version(self.snapshot)
        if base is not None and base <= number:
            starts.append(Start("snapshot", base, self._cost(base, number)))
        with self.lock:
            kept = list(self.kept)
        starts += [Start("kept", k, self._cost(*sorted((k, number)))) for k in kept]
        return sorted(starts, key=lambda s: (s.cost, s.kind != "snapshot"))

    def _make(self, number: int, current: Current) -> GraphStore:
        self.changes.refresh()
        with current() as (store, latest):
            self._check(number, latest)
            start = self._starts(number, latest)[0]
            copied = store.copy_whole() if start.kind == "current" else None
        if copied is not None:
            return self._back(copied, latest, number)
        if start.kind == "snapshot":  # (its history graph is made from the log)
            return embedded.read_prefix(self.snapshot, number - start.version)
        with self.lock:
            kept = self.kept.get(start.version)
        if kept is None:  # dropped meanwhile: from the current dataset after all
            with current() as (store, latest):
                copied = store.copy_whole()
            return self._back(copied, latest, number)
        if start.version > number:
            return self._back(kept.copy_whole(), start.version, number)
        return self._forward(kept.copy_whole(), start.version, number)

    def _check(self, number: int, latest: int) -> None:
        if number > latest or number < 0:
            raise InvalidRequest(f"there is no version {number}: the dataset is at {latest}")
        first = self.changes.first
        if first is not None and number < first - 1:
            raise InvalidRequest(
                f"the history starts with change {first}: version {number} is not in it"
            )

    def _back(self, store: GraphStore, high: int, number: int) -> GraphStore:
        """`store` at version `high` taken back to version `number`: each change's delta
        undone, and its description taken out of the history graph. The description of its
        agent is shared with the agent's other changes: it goes only with the agent's last."""
        agents: dict[str, bytes] = {}
        for entry in reversed(self.changes.entries(since=number, until=high)):
            change = self.changes.change(entry.number)
            assert change is not None
            store.apply(history.inverse(change.delta))
            own, agents[change.meta.agent] = _description(change)
            store.apply(Delta(own, b"", frozenset({HISTORY})))
        kept = {e.agent for e in self.changes.entries(until=number)}
        gone = b"".join(quads for name, quads in agents.items() if name not in kept)
        # before the first change there was no history graph either
        dropped = (HISTORY,) if number == 0 and self.changes.first == 1 else ()
        store.apply(Delta(gone, b"", frozenset({HISTORY}), (), dropped))
        return store

    def _forward(self, store: GraphStore, low: int, number: int) -> GraphStore:
        """`store` at version `low` brought to version `number`."""
        for entry in self.changes.entries(since=low, until=number):
            change = self.changes.change(entry.number)
            assert change is not None
            store.apply(history.applied(change))
        return store


def _description(change: history.Change) -> tuple[bytes, bytes]:
    """The quads that describe a change in the history graph: its own, and its agent's."""
    own, agent = [], []
    subject = f"<{agent_iri(change.meta.agent)}> ".encode()
    for line in history.described(change).added.splitlines(keepends=True):
        (agent if line.startswith(subject) else own).append(line)
    return b"".join(own), b"".join(agent)
