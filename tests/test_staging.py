"""Writes without copying the dataset: the recorded delta equals a copy-and-diff, and the
neighbourhood validation refuses exactly what a validation of the whole dataset refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from srg_graph.build import load_sources
from srg_graph.sources import submitted
from srg_graph.store import ChangeRecorder, GraphStore, parse_payload
from srg_graph.writes import refusal, validate_store

EX = "http://example.org/"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
BAD = [FIXTURES / "bad" / name for name in ("second-lead.ttl", "reporting-cycle.ttl")]


@pytest.fixture(scope="module")
def seed_store() -> GraphStore:
    return load_sources(ROOT)


def quads(path: Path, graph: str) -> list:
    return parse_payload(path.read_bytes(), "text/turtle", "https://w3id.org/srg/id/", graph)


def recorded(store: GraphStore, change) -> ChangeRecorder:  # type: ignore[no-untyped-def]
    recorder = ChangeRecorder(store)
    change(recorder)
    return recorder


def copied_delta(store: GraphStore, change):  # type: ignore[no-untyped-def]
    staged = store.copy()
    change(staged)
    return store.diff(staged)


def triple(s: str, o: str) -> tuple:
    return (("iri", EX + s, None), ("iri", EX + "p", None), ("iri", EX + o, None))


CHANGES = {
    "merge into a new graph": lambda s: s.merge_graph(EX + "g", []),
    "add triples": lambda s: s.add_triples(EX + "g", [triple("a", "b"), triple("a", "c")]),
    "drop a source graph": lambda s: s.drop_graph("https://w3id.org/srg/graph/next-steps"),
    "replace a graph": lambda s: s.replace_graph(
        "https://w3id.org/srg/graph/mandates",
        quads(FIXTURES / "bad" / "second-lead.ttl", "https://w3id.org/srg/graph/mandates"),
    ),
    "remove subjects": lambda s: s.remove_subjects(
        "https://w3id.org/srg/graph/bodies", ["https://w3id.org/srg/id/body/klankbordgroep"]
    ),
    "add then drop": lambda s: (
        s.add_triples(EX + "g", [triple("a", "b")]),
        s.drop_graph(EX + "g"),
    ),
    "drop then add back": lambda s: (
        s.drop_graph("https://w3id.org/srg/graph/sources"),
        s.add_triples(EX + "x", [triple("z", "y")]),
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_recorded_delta_equals_copy_and_diff(seed_store: GraphStore, name: str) -> None:
    change = CHANGES[name]
    expected = copied_delta(seed_store, change)
    actual = recorded(seed_store, change).delta()
    assert (set(actual.removed.splitlines()), set(actual.added.splitlines())) == (
        set(expected.removed.splitlines()),
        set(expected.added.splitlines()),
    )
    assert (set(actual.created), set(actual.dropped)) == (
        set(expected.created),
        set(expected.dropped),
    )


def test_recording_leaves_the_store_unchanged(seed_store: GraphStore) -> None:
    before = len(seed_store)
    recorded(seed_store, CHANGES["drop a source graph"])
    assert len(seed_store) == before


@pytest.mark.parametrize("path", SHAPE_FIXTURES + BAD, ids=lambda p: p.name)
def test_neighbourhood_validation_decides_like_the_whole(
    seed_store: GraphStore, path: Path
) -> None:
    graph = submitted(path).graph
    delta = recorded(seed_store, lambda s: s.merge_graph(graph, quads(path, graph))).delta()
    staged = seed_store.copy()
    staged.apply(delta)
    whole = validate_store(staged)  # the fast engine, held to pySHACL by test_fast_validation
    refused = refusal(seed_store, delta)
    assert (refused is None) == whole.conforms
    found = set() if refused is None else {(r.shape, r.focus) for r in refused.violations}
    assert found == {(r.shape, r.focus) for r in whole.violations}


def test_removing_what_a_rule_needs_is_refused(seed_store: GraphStore) -> None:
    """Dropping the compositions leaves every body without members: a violation far from
    any triple the write names as its subject."""
    delta = recorded(
        seed_store, lambda s: s.drop_graph("https://w3id.org/srg/graph/compositions")
    ).delta()
    refused = refusal(seed_store, delta)
    assert refused is not None
    assert "https://w3id.org/srg/id/body/smart-region-office" in {
        r.focus for r in refused.violations
    }
