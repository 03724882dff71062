"""The snapshot: the on-disk store and its dump, which the server loads at the engine's speed.

The dump must hold exactly what the on-disk store holds, keep blank node labels (the log
refers to them) and empty named graphs, and a snapshot without a dump (written before dumps
existed) must still open. A crash in the middle of writing a snapshot leaves the old one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from srg_graph.config import Settings
from srg_graph.dataset.build import write_snapshot
from srg_graph.dataset.embedded import Dataset, read_prefix
from srg_graph.store import Delta, GraphStore
from srg_graph.store.history_graph import HISTORY
from srg_graph.store.snapshot import BLANK, GROUND, INDEX, has_dump, read_dump
from srg_graph.validation.report import Report

EX = "http://example.org/"
BLANK_QUAD = f'_:kept <{EX}p> "blank" <{EX}g> .\n'.encode()
GROUND_QUAD = f'<{EX}s> <{EX}p> "ground" <{EX}g> .\n'.encode()


def quads(store: GraphStore) -> set[str]:
    """The data (the history graph, which describes the changes, aside)."""
    return {
        str(quad) for quad in store.quads() if getattr(quad.graph_name, "value", None) != HISTORY
    }


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    """A snapshot of one ground quad, one with a blank node and an empty named graph."""
    store = GraphStore()
    store.apply(Delta(b"", GROUND_QUAD + BLANK_QUAD, created=(f"{EX}empty",)))
    target = tmp_path / "store"
    write_snapshot(store, target)
    return target


def test_build_writes_a_dump_equal_to_the_on_disk_store(
    settings: Settings, seed_report: Report, seed: GraphStore
) -> None:
    assert has_dump(settings.store)
    assert quads(read_dump(settings.store)) == quads(seed)


def test_dump_keeps_blank_node_labels_and_empty_graphs(snapshot: Path) -> None:
    store = read_dump(snapshot)
    assert f'_:kept <{EX}p> "blank" <{EX}g>' in {str(q) for q in store.quads()}
    assert store.has_graph(f"{EX}empty")
    assert len(store) == 2


def test_logged_removal_of_a_blank_node_quad_of_the_snapshot_replays(snapshot: Path) -> None:
    """The log names the blank node by its label in the store: a loader that renamed blank
    nodes would leave the quad in place after a restart."""
    Dataset.recovered(snapshot).commit(Delta(BLANK_QUAD, b""))
    reopened = Dataset.recovered(snapshot)
    assert reopened.writes == 1
    assert quads(reopened.store) == {f'<{EX}s> <{EX}p> "ground" <{EX}g>'}  # type: ignore[arg-type]


def test_the_on_disk_store_holds_what_the_dump_holds(snapshot: Path) -> None:
    disk = GraphStore.read_only(snapshot)
    assert quads(disk) == quads(read_dump(snapshot))
    assert disk.graph_names() == [f"{EX}empty", f"{EX}g"]


def test_snapshot_without_a_dump_opens_from_the_on_disk_store(snapshot: Path) -> None:
    for name in (GROUND, BLANK, INDEX):
        (snapshot / name).unlink()
    assert not has_dump(snapshot)
    assert quads(read_prefix(snapshot)) == {
        f'<{EX}s> <{EX}p> "ground" <{EX}g>',
        f'_:kept <{EX}p> "blank" <{EX}g>',
    }


def test_crash_during_a_snapshot_swap_leaves_the_old_snapshot(snapshot: Path) -> None:
    """Killed after the old snapshot was moved aside and while the new one was half
    written: opening puts the old one back and throws the half-written one away."""
    expected = quads(read_prefix(snapshot))
    staged, retired = snapshot.with_name("store.new"), snapshot.with_name("store.old")
    shutil.copytree(snapshot, staged)
    (staged / INDEX).unlink()
    (staged / GROUND).write_bytes(GROUND_QUAD[:10])
    snapshot.rename(retired)
    data = Dataset.recovered(snapshot)
    assert quads(data.store) == expected
    assert not staged.exists() and not retired.exists()
