"""Past versions of the dataset (`dataset.versions.Versions`), made from each kind of start:
the current dataset taken back, the snapshot brought forward, a kept version either way; each
the same dataset as replaying the history from the first change (the build, onto the empty
store)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from srg_graph.dataset import history
from srg_graph.dataset.build import fold_in
from srg_graph.dataset.changelog import ChangeLog
from srg_graph.dataset.embedded import Dataset, log_path
from srg_graph.dataset.history import Meta
from srg_graph.dataset.versions import Start, Versions
from srg_graph.errors import InvalidRequest
from srg_graph.store import Delta, GraphStore

ID = "https://w3id.org/srg/id/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
GRAPH = "https://w3id.org/srg/graph/versions-test"
OTHER = "https://w3id.org/srg/graph/versions-empty"


def quad(subject: str, label: str, graph: str = GRAPH) -> bytes:
    return f'<{ID}thing/{subject}> {LABEL} "{label}" <{graph}> .\n'.encode()


def replayed(snapshot: Path, number: int) -> set[str]:
    """Version `number` the plain way: the history replayed from the empty dataset."""
    store = GraphStore()
    for change in history.changes(log_path(snapshot)):
        if change.number > number:
            break
        store.apply(history.applied(change))
    return content(store)


def content(store: GraphStore) -> set[str]:
    quads = {str(q) for q in store.quads()}
    return quads | {f"graph {g}" for g in store.graph_names()}


@pytest.fixture
def data(private_store: Path) -> Dataset:
    """The built store (change 1) with five changes: 2-3 folded into a new snapshot, 4-6 in
    the log after it; change 4 creates an empty graph, change 6 drops it."""
    data = Dataset.recovered(private_store)
    data.commit(
        Delta(b"", quad("a", "A") + quad("b", "B"), frozenset({GRAPH}), (GRAPH,)), Meta("x")
    )
    data.commit(Delta(quad("a", "A"), quad("a", "A2"), frozenset({GRAPH})), Meta("y"))
    fold_in(data)
    data.commit(Delta(b"", quad("c", "C"), frozenset({GRAPH, OTHER}), (OTHER,)), Meta("x"))
    data.commit(Delta(quad("b", "B"), b"", frozenset({GRAPH})), Meta("z"))
    data.commit(Delta(b"", b"", frozenset({OTHER}), (), (OTHER,)), Meta("x"))
    assert data.change_number == 6
    return data


def versions_of(data: Dataset, size: int = 2) -> tuple[Versions, object]:
    @contextmanager
    def current() -> Iterator[tuple[GraphStore, int]]:
        yield data.store, data.change_number  # type: ignore[misc]

    return Versions(data.snapshot, ChangeLog(log_path(data.snapshot)), size), current


@pytest.mark.parametrize("number", [0, 1, 2, 3, 4, 5])
def test_each_version_is_the_history_replayed(data: Dataset, number: int) -> None:
    versions, current = versions_of(data, size=0)
    made = versions.at(number, current)  # type: ignore[arg-type]
    assert content(made) == replayed(data.snapshot, number)


def test_the_nearest_start_is_chosen(data: Dataset) -> None:
    versions, _current = versions_of(data)
    # the snapshot holds change 3: versions 3 and 4 are nearest from it; 5 from the current
    # dataset (change 6 removed nothing but a graph), and the versions before the snapshot
    assert versions._starts(4, 6)[0] == Start("snapshot", 3, 1)
    assert versions._starts(5, 6)[0] == Start("current", 6, 0)
    assert versions._starts(0, 6)[0].kind == "current"


def test_kept_versions_are_reused_and_bounded(data: Dataset) -> None:
    versions, current = versions_of(data, size=2)
    four = versions.at(4, current)  # type: ignore[arg-type]
    assert versions.at(4, current) is four  # type: ignore[arg-type]
    assert versions._starts(5, 6)[0].kind in ("kept", "current")
    versions.at(2, current)  # type: ignore[arg-type]
    three = versions.at(3, current)  # type: ignore[arg-type]  # from a kept version
    assert content(three) == replayed(data.snapshot, 3)
    assert list(versions.kept) == [2, 3]  # the least recently used, 4, was dropped
    assert content(versions.at(4, current)) == replayed(data.snapshot, 4)  # type: ignore[arg-type]


def test_versions_outside_the_history_are_refused(data: Dataset) -> None:
    versions, current = versions_of(data)
    for number in (7, -1):
        with pytest.raises(InvalidRequest):
            versions.at(number, current)  # type: ignore[arg-type]
