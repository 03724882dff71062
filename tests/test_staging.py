"""Writes without copying the dataset: the recorded delta equals a copy-and-diff, and the
neighbourhood validation refuses exactly what a validation of the whole dataset refuses."""

from __future__ import annotations

import random
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest
from conftest import FIXTURES, ROOT, vocabulary_store

from srg_graph.dataset.build import source_store
from srg_graph.dataset.sources import submitted
from srg_graph.store import ChangeRecorder, Delta, GraphStore, parse_payload
from srg_graph.validation.algebra import predicates_read
from srg_graph.validation.engines import validate_store
from srg_graph.validation.fast import load_checks
from srg_graph.validation.incremental import changed, reaches, refusal
from srg_graph.validation.reach import reach
from srg_graph.validation.report import Result

EX = "http://example.org/"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
BAD = [FIXTURES / "bad" / name for name in ("second-lead.ttl", "reporting-cycle.ttl")]


@pytest.fixture(scope="module")
def seed_store() -> GraphStore:
    return source_store(ROOT)


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


# -- validating only what a write can affect: exactly the violations it brings --------------
SRG, ORG = "https://w3id.org/srg/ns#", "http://www.w3.org/ns/org#"
ID, SKOS = "https://w3id.org/srg/id/", "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
CHECKS = load_checks()
# (a check whose predicate is a variable, bound by VALUES, reads any: it adds none to pick from)
READ = sorted(set().union(*(p for c in CHECKS if (p := predicates_read(c.text)) is not None)))
CONFORMING = [p for p in SHAPE_FIXTURES if p.stem.endswith("-conforms")]
VIOLATING = [p for p in SHAPE_FIXTURES if p.stem.endswith("-violates")]


def full(result: Result) -> tuple:
    """Everything a result says, labels and messages included."""
    return (
        result.severity,
        result.shape,
        result.focus,
        result.path,
        result.value,
        result.constraint,
        tuple(sorted(result.message.items())),
        tuple(sorted(result.shape_label.items())),
        tuple(sorted(result.focus_label.items())),
    )


BEFORE: WeakKeyDictionary = WeakKeyDictionary()  # the violations of a store, and its size


def brought_by_the_whole(store: GraphStore, delta: Delta) -> set[tuple]:
    """The reference: the violations of the whole dataset with the change that it lacked."""
    staged = store.copy()
    staged.apply(delta)
    if BEFORE.get(store, (None,))[0] != len(store):
        BEFORE[store] = (len(store), {full(r)[:6] for r in validate_store(store).violations})
    before = BEFORE[store][1]
    return {full(r) for r in validate_store(staged).violations if full(r)[:6] not in before}


def assert_decides_like_the_whole(store: GraphStore, delta: Delta) -> None:
    assert changed(store, delta) is not None  # decided locally, not on a staged copy
    refused = refusal(store, delta)
    found = set() if refused is None else {full(r) for r in refused.results}
    assert found == brought_by_the_whole(store, delta)
    assert refused is None or (found and not refused.conforms)


def iri(value: str) -> tuple[str, str, None]:
    return ("iri", value, None)


def test_every_check_is_local_and_its_steps_read_all_it_reads() -> None:
    """Every check's reach is derived from its text, so every small write is decided locally,
    and the steps cover every predicate the check's patterns name."""
    assert reaches(CHECKS).others == ()
    for check in CHECKS:
        steps = reach(check.text).steps
        if any(s.predicates is None for s in steps):  # a step along any predicate
            assert predicates_read(check.text) is None, check.path.name
            continue
        followed = set().union(*(s.predicates or set() for s in steps))
        assert followed == predicates_read(check.text), check.path.name


def fixture_quads(store: GraphStore, path: Path) -> list:
    graph = submitted(path).graph
    return [q for q in store.quads() if q.graph_name.value == graph]


@pytest.mark.parametrize("path", CONFORMING, ids=lambda p: p.stem)
def test_removing_any_statement_of_a_fixture_decides_like_the_whole(path: Path) -> None:
    """Each shape's fixture, one statement taken away at a time: every pattern of every
    check, one class, value, count or reporting link at a time."""
    store = vocabulary_store([path])
    for quad in fixture_quads(store, path):
        delta = recorded(store, lambda s, q=quad: s.remove_quads([q])).delta()
        assert_decides_like_the_whole(store, delta)


@pytest.mark.parametrize("path", VIOLATING, ids=lambda p: p.stem)
def test_adding_the_last_statement_of_a_fixture_decides_like_the_whole(path: Path) -> None:
    """Each violating fixture less one statement, then the write that adds it back."""
    whole = vocabulary_store([path])
    for quad in fixture_quads(whole, path):
        store = whole.copy()
        store.apply(recorded(store, lambda s, q=quad: s.remove_quads([q])).delta())
        delta = recorded(store, lambda s, q=quad: s.add_quads([q])).delta()
        assert_decides_like_the_whole(store, delta)


def data_quads(store: GraphStore) -> list:
    schema = ("https://w3id.org/srg/graph/ontology", "https://w3id.org/srg/graph/shapes/")
    return [q for q in store.quads() if not q.graph_name.value.startswith(schema)]


def random_change(store: GraphStore, rng: random.Random):  # type: ignore[no-untyped-def]
    """Remove up to three statements that some check reads and add up to three statements
    between the store's resources and classes, with predicates that some check reads."""
    read = READ
    quads = data_quads(store)
    readable = sorted((q for q in quads if q.predicate.value in read), key=str)
    nodes = sorted({q.subject.value for q in quads if not str(q.subject).startswith("_:")})
    classes = sorted({q.object.value for q in store.quads() if q.predicate.value == SUBCLASS})
    removed = rng.sample(readable, rng.randint(0, 3))
    added = []
    for _ in range(rng.randint(0 if removed else 1, 3)):
        predicate = rng.choice(read)
        if predicate in (RDF_TYPE, SUBCLASS):
            value = iri(rng.choice(classes))
        elif rng.random() < 0.2:
            value = ("literal", rng.choice(["tekst", "-5", "12"]), "@nl")
        else:
            value = iri(rng.choice(nodes + classes))
        added.append((iri(rng.choice(nodes + classes[:3])), iri(predicate), value))
    graph = rng.choice(sorted({q.graph_name.value for q in quads}))
    return lambda s: (s.remove_quads(removed), s.add_triples(graph, added))


@pytest.mark.parametrize("case", range(60))
def test_random_changes_to_the_seed_decide_like_the_whole(
    seed_store: GraphStore, case: int
) -> None:
    change = random_change(seed_store, random.Random(case))
    assert_decides_like_the_whole(seed_store, recorded(seed_store, change).delta())


@pytest.mark.parametrize("case", range(20))
def test_random_changes_to_data_with_violations_decide_like_the_whole(
    generated: GraphStore, case: int
) -> None:
    """The store already has violations: only those a write brings refuse it."""
    assert not validate_store(generated).conforms
    change = random_change(generated, random.Random(1000 + case))
    assert_decides_like_the_whole(generated, recorded(generated, change).delta())


CLASSES = {
    "committee": [  # a class of bodies defined in the data, two levels below the ontology's
        (iri(EX + "Committee"), iri(SUBCLASS), iri(EX + "Board")),
        (iri(EX + "Board"), iri(SUBCLASS), iri(SRG + "GovernanceBody")),
    ],
    "instance": [
        (iri(ID + "body/committee"), iri(RDF_TYPE), iri(EX + "Committee")),
        (iri(ID + "body/committee"), iri(SKOS + "prefLabel"), ("literal", "Comité", "@nl")),
    ],
}


@pytest.mark.parametrize("first", ["committee", "instance"])
def test_a_class_hierarchy_in_the_data_reaches_its_instances(
    seed_store: GraphStore, first: str
) -> None:
    """The classes first, then an instance, or the instance first, then the classes that make
    it a governance body: either way the second write makes a body without a purpose,
    composition, ... and is refused, whatever statement it names."""
    store = seed_store.copy()
    second = "instance" if first == "committee" else "committee"
    delta = recorded(store, lambda s: s.add_triples(EX + "g", CLASSES[first])).delta()
    assert refusal(store, delta) is None
    store.apply(delta)
    delta = recorded(store, lambda s: s.add_triples(EX + "g", CLASSES[second])).delta()
    refused = refusal(store, delta)
    assert refused is not None and ID + "body/committee" in {r.focus for r in refused.violations}
    assert_decides_like_the_whole(store, delta)


def test_closing_a_reporting_chain_is_refused_for_every_link_of_the_cycle(
    seed_store: GraphStore,
) -> None:
    """The top of a reporting chain made to report to a node three links below it."""
    rows = seed_store.rows(
        f"SELECT ?low ?top WHERE {{ ?low <{ORG}reportsTo>/<{ORG}reportsTo>/<{ORG}reportsTo> ?top }}"
    )
    low, top = rows[0]["low"], rows[0]["top"]
    delta = recorded(
        seed_store,
        lambda s: s.add_triples(EX + "g", [(iri(top), iri(ORG + "reportsTo"), iri(low))]),
    ).delta()
    refused = refusal(seed_store, delta)
    assert refused is not None
    assert len({r.focus for r in refused.violations}) == 4  # every node of the cycle
    assert_decides_like_the_whole(seed_store, delta)
