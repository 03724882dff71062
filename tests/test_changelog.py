"""The index of the history (`dataset.changelog.ChangeLog`) on a real store and its log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from server import run_srg

from srg_graph.dataset import changelog, history, wal
from srg_graph.dataset.changelog import ChangeLog, subjects_of
from srg_graph.dataset.embedded import Dataset, log_path, opened_log, recovered
from srg_graph.dataset.history import Meta
from srg_graph.store import Delta

ID = "https://w3id.org/srg/id/"
GRAPH = "https://w3id.org/srg/graph/changelog-test"


def _triple(subject: str, label: str) -> bytes:
    label_of = "<http://www.w3.org/2000/01/rdf-schema#label>"
    return f'<{ID}{subject}> {label_of} "{label}" <{GRAPH}> .\n'.encode()


def test_index_of_the_build_and_of_each_commit(private_store: Path) -> None:
    data = Dataset.recovered(private_store)
    index = data.changelog
    assert index.last == 1 and index.first == 1 and len(index) == 1
    build = index.entry(1)
    assert build is not None and build.kind == "build" and build.removed == 0
    assert build.added > 5000 and "https://w3id.org/srg/graph/bodies" in build.graphs
    assert f"{ID}body/smart-region-office" in index.subjects(1)
    before = datetime.now(UTC)

    added = _triple("thing/a", "A") + _triple("thing/b", "B")
    two = data.commit(Delta(b"", added, frozenset({GRAPH}), (GRAPH,)), Meta("alice", "two"))
    three = data.commit(
        Delta(_triple("thing/a", "A"), _triple("thing/a", "A2"), frozenset({GRAPH})),
        Meta("bob", None, "write"),
    )
    assert (two, three) == (2, 3)
    # the commits were taken in without reading the whole log again
    assert [e.number for e in index.entries()] == [1, 2, 3]
    assert [e.number for e in index.entries(since=1, until=2)] == [2]
    second = index.entry(2)
    assert second is not None
    assert (second.agent, second.note, second.added, second.removed) == ("alice", "two", 2, 0)
    assert second.created == (GRAPH,) and second.graphs == (GRAPH,)
    change = index.change(3)
    assert change is not None and change.delta.added == _triple("thing/a", "A2")
    assert index.subjects(2) == {f"{ID}thing/a", f"{ID}thing/b"}
    assert index.touching(f"{ID}thing/a") == [2, 3]
    assert index.touching(f"{ID}thing/b") == [2]
    assert index.touching(f"{ID}thing/none") == []

    # a commit after the inverted index was made updates it
    data.commit(Delta(b"", _triple("thing/b", "B2"), frozenset({GRAPH})), Meta("carol"))
    assert index.touching(f"{ID}thing/b") == [2, 4]

    # time: the version at an instant
    assert index.at(before - timedelta(days=3650)) == 0
    assert index.at(before) == 1
    assert index.at(datetime.now(UTC)) == 4
    third = index.entry(3)
    assert third is not None and third.when is not None
    assert index.at(third.when) == 3
    assert index.at(third.when.replace(tzinfo=None)) == 3  # naive: UTC

    # a fresh index reads the same from the log
    again = ChangeLog(log_path(private_store))
    assert [(e.number, e.agent, e.offset) for e in again.entries()] == [
        (e.number, e.agent, e.offset) for e in index.entries()
    ]
    assert again.touching(f"{ID}thing/a") == [2, 3]


def test_a_commit_never_waits_for_the_index(private_store: Path) -> None:
    data = Dataset.recovered(private_store)
    index = data.changelog
    assert index.touching(f"{ID}thing/a") == []
    with index.lock:  # a reader busy with the index (e.g. working out every change's subjects)
        done = threading.Thread(
            target=data.commit, args=(Delta(b"", _triple("thing/a", "A"), frozenset({GRAPH})),)
        )
        done.start()
        done.join(10)
        assert not done.is_alive()  # committed without waiting for the reader
    assert index.last == 2 and index.touching(f"{ID}thing/a") == [2]


def test_a_rewritten_log_is_read_anew(private_store: Path) -> None:
    data = Dataset.recovered(private_store)
    data.commit(Delta(b"", _triple("thing/p", "P"), frozenset({GRAPH})), Meta("alice"))
    data.commit(Delta(_triple("thing/p", "P"), b"", frozenset({GRAPH})), Meta("alice"))
    index = ChangeLog(log_path(private_store))
    assert index.entry(2) is not None and index.entry(2).added == 1  # type: ignore[union-attr]
    data.close()  # the command owns the store while it purges
    statements = private_store.with_name("purge.nq")
    statements.write_bytes(_triple("thing/p", "P"))
    done = run_srg(
        "purge", "--statements", str(statements), "--note", "erasure", store=private_store
    )
    assert done.returncode == 0, done.stderr
    index.refresh()
    assert index.last == 4 and index.entry(4).kind == "purge"  # type: ignore[union-attr]
    assert index.entry(2).added == 0  # type: ignore[union-attr]
    assert index.change(2).delta.added == b""  # type: ignore[union-attr]


def test_a_log_handed_over_out_of_date_is_read_anew(private_store: Path) -> None:
    """The server's pool hands the log it opened to the dataset; one that changed since is
    read again, so a change is never numbered twice."""
    handed, _ = opened_log(private_store)
    data = Dataset.recovered(private_store)
    data.commit(Delta(b"", _triple("thing/r", "R"), frozenset({GRAPH})), Meta("alice"))
    last = data.change_number
    data.close()
    again = Dataset(private_store, *recovered(private_store), handed)
    assert again.change_number == last
    again.commit(Delta(b"", _triple("thing/s", "S"), frozenset({GRAPH})), Meta("alice"))
    assert again.change_number == last + 1
    again.close()
    assert ChangeLog(log_path(private_store)).last == last + 1


def test_a_store_without_a_history() -> None:
    index = ChangeLog(None)
    assert (index.last, index.first, index.entries(), index.touching("x")) == (0, None, [], [])
    assert index.change(1) is None and index.at(datetime.now(UTC)) == 0


def test_subjects_of_nquads() -> None:
    text = (
        b'<http://a> <http://p> "x" .\n_:b <http://p> <http://c> .\n'
        b"<< <http://a> <http://p> <http://c> >> <http://p> <http://d> .\n"
        b"<http://e> <http://p> <http://a> <http://g> .\n"
    )
    assert subjects_of(text) == {"http://a", "http://e"}


def test_records_read_off_their_raw_json_as_decoded(private_store: Path) -> None:
    """The index reads counts, metadata and subjects off the records' bytes; the same as
    decoding them, whatever the statements hold."""
    data = Dataset.recovered(private_store)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    tricky = [
        f'<{ID}thing/q> {label} "ends with .\\n<{ID}thing/fake> <p> <o> ." <{GRAPH}> .\n',
        f'<{ID}thing/q> {label} "quote \\" and backslash \\\\ and \\": \\"<x>" <{GRAPH}> .\n',
        f'<{ID}thing/caf\u00e9> {label} "caf\u00e9 \U0001f600"@fr <{GRAPH}> .\n',
        f"_:b1 {label} <{ID}thing/q> <{GRAPH}> .\n",
        f'<{ID}thing/default> {label} "in the default graph" .\n',
    ]
    data.commit(Delta(b"", "".join(tricky).encode(), frozenset({GRAPH}), (GRAPH,)), Meta("a b"))
    data.commit(Delta("".join(tricky[:2]).encode(), b"", frozenset({GRAPH})), Meta("c", 'say "x"'))
    data.commit(Delta(b"", b"", frozenset({GRAPH}), (), (GRAPH,)), Meta("d"))
    index = ChangeLog(log_path(private_store))
    for change in history.changes(log_path(private_store)):
        entry = index.entry(change.number)
        assert entry is not None
        delta, meta = change.delta, change.meta
        assert (entry.time, entry.agent, entry.note, entry.kind) == (
            change.time,
            meta.agent,
            meta.note,
            meta.kind,
        )
        assert (entry.removed, entry.added) == (
            delta.removed.count(b"\n"),
            delta.added.count(b"\n"),
        )
        assert (entry.created, entry.dropped) == (delta.created, delta.dropped)
        decoded = subjects_of(delta.removed) | subjects_of(delta.added)
        assert index.subjects(change.number) == decoded, change.number
    assert index.touching(f"{ID}thing/caf\u00e9") == [2]
    assert index.touching(f"{ID}thing/fake") == []
    assert index.touching(f"{ID}thing/q") == [2, 3]
    assert index.entry(4).dropped == (GRAPH,)  # type: ignore[union-attr]


def test_a_large_change_is_described_off_its_record_as_decoded(private_store: Path) -> None:
    """The history graph's description of a build or bulk load (made at every start for the
    changes a snapshot holds) is read off its record's bytes; the same as decoding it."""
    data = Dataset.recovered(private_store)
    many = b"".join(_triple(f"thing/{n}", "x" * 200 + ' \\"quoted\\" .\\n') for n in range(6000))
    assert len(many) > changelog.LARGE
    delta = Delta(b"", many, frozenset({GRAPH}), (GRAPH,))
    data.commit(delta, Meta("bulk", 'a note with "quotes"', "load"))
    data.commit(Delta(many, b"", frozenset({GRAPH}), (), (GRAPH,)), Meta("bulk"))
    found = wal.scan(log_path(private_store))
    described = [
        (changelog.description(n, r.payload), history.described(history.decode(n, r.payload)))
        for n, r in wal.numbered(found.records, None)
    ]
    assert len(described) == 3 and all(mine == decoded for mine, decoded in described)
