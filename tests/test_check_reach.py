"""What a check can read about a focus node, worked out from its text (`validation.reach`), and
followed through a store (`store.staging.local_change`).

The property every write relies on: for a change, the check's rows about every focus node that
`local_change` does not name are the same before and after it, and the rows about the focus
nodes it names are the same on its small copy as on the whole dataset, before and after. It is
checked here for every check of queries/checks/ on random changes to the seed, and for
queries written to catch what SPARQL scoping makes easy to get wrong, on random graphs.
"""

from __future__ import annotations

import random

import pytest
from conftest import ROOT

from srg_graph.dataset.build import source_store
from srg_graph.store import ChangeRecorder, GraphStore, parse_payload
from srg_graph.store.staging import local_change
from srg_graph.validation.algebra import NotLocal
from srg_graph.validation.fast import load_checks
from srg_graph.validation.reach import reach

EX = "http://example.org/"
PREFIXES = f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def rows(store: GraphStore, text: str) -> dict[str, set[tuple[str, ...]]]:
    """The query's rows, by focus node (?this)."""
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]
    found: dict[str, set[tuple[str, ...]]] = {}
    for solution in solutions:
        row = tuple(str(solution[n]) for n in names)
        found.setdefault(str(solution["this"]), set()).add(row)
    return found


def assert_local_rows_are_exact(store: GraphStore, texts: dict[str, str], delta) -> None:  # type: ignore[no-untyped-def]
    local = local_change(store, delta, {name: reach(text) for name, text in texts.items()})
    assert local is not None
    staged = store.copy()
    staged.apply(delta)
    small_before, small_after = local.before(), local.after()
    for name, text in texts.items():
        before, after = rows(store, text), rows(staged, text)
        foci = {str(f) for f in local.foci.get(name, set())}
        for focus in (set(before) | set(after)) - foci:
            assert before.get(focus) == after.get(focus), (name, focus)
        here, there = rows(small_before, text), rows(small_after, text)
        for focus in foci:
            assert (here.get(focus), there.get(focus)) == (before.get(focus), after.get(focus))


# -- every check, on random changes to the seed ----------------------------------------------
@pytest.fixture(scope="module")
def seed_store() -> GraphStore:
    return source_store(ROOT)


def random_seed_change(store: GraphStore, rng: random.Random):  # type: ignore[no-untyped-def]
    quads = [q for q in store.quads() if "/graph/shapes/" not in q.graph_name.value]
    nodes = sorted({q.subject.value for q in quads if not str(q.subject).startswith("_:")})
    predicates = sorted({q.predicate.value for q in quads})
    removed = rng.sample(sorted(quads, key=str), rng.randint(0, 4))
    added = [
        tuple(("iri", v, None) for v in (rng.choice(nodes), rng.choice(predicates), o))
        for o in rng.sample(nodes, rng.randint(0 if removed else 1, 3))
    ]
    return lambda s: (s.remove_quads(removed), s.add_triples(EX + "g", added))


@pytest.mark.parametrize("case", range(25))
def test_every_check_reads_locally_what_it_reads_in_the_whole(
    seed_store: GraphStore, case: int
) -> None:
    recorder = ChangeRecorder(seed_store)
    random_seed_change(seed_store, random.Random(case))(recorder)
    texts = {check.path.stem: check.text for check in load_checks()}
    assert_local_rows_are_exact(seed_store, texts, recorder.delta())


# -- queries that SPARQL's scoping makes easy to get wrong, on random graphs ------------------
QUERIES = {
    # the MINUS's ?x is not the ?x after it
    "minus-scope": "SELECT ?this ?x WHERE { ?this a ex:C MINUS { ?x ex:p ?this } ?x ex:q ?this }",
    # two MINUS blocks with the same name for different variables
    "minus-twice": (
        "SELECT ?this WHERE { ?this a ex:C MINUS { ?m ex:p ?this } "
        "MINUS { ?u ex:q ?this . ?m ex:p ?u } }"
    ),
    "optional": "SELECT ?this ?v WHERE { ?this a ex:C OPTIONAL { ?this ex:p ?v . ?v ex:q ?w } }",
    "union": (
        "SELECT ?this ?v ?w WHERE { ?this a ex:D { ?this ex:p ?v } UNION { ?this ex:q ?v } "
        "?w ex:r ?v }"
    ),
    "count": (
        "SELECT ?this ?n WHERE { { SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE { "
        "?this a ex:C OPTIONAL { ?this ex:p/ex:q ?v } } GROUP BY ?this } FILTER (?n != 1) }"
    ),
    "subquery-scope": (
        "SELECT ?this ?v WHERE { { SELECT ?this WHERE { ?this ex:p ?v } } ?this ex:q ?v }"
    ),
    "classes": "SELECT ?this WHERE { ?class rdfs:subClassOf* ex:C . ?this a ?class }",
    "cycle": "SELECT ?this ?v WHERE { ?this ex:r ?v . ?v ex:r* ?this }",
    "alternative": "SELECT ?this ?v WHERE { ?this a ex:C ; (ex:p|ex:q)/^ex:r ?v }",
    "values-bind": (
        "SELECT ?this ?v WHERE { VALUES ?k { ex:C ex:D } ?this a ?k BIND (?this AS ?s) "
        "?s ex:p ?v FILTER NOT EXISTS { ?v a ex:D } }"
    ),
    "fixed": "SELECT ?this ?v WHERE { BIND (ex:n1 AS ?this) ?this ex:p ?v . ?w ex:q ?v }",
}
NOT_LOCAL = {"values-bind"}  # FILTER EXISTS: writes touching ex:p/ex:D go to the whole


def random_graph(rng: random.Random) -> GraphStore:
    lines = [f"<{EX}D> <{SUBCLASS}> <{EX}C> ."]
    for _ in range(60):
        s, o = (f"<{EX}n{rng.randrange(12)}>" for _ in range(2))
        p = rng.choice(["ex:p", "ex:q", "ex:r", "a"])
        o = rng.choice([f"<{EX}C>", f"<{EX}D>", f"<{EX}E>"]) if p == "a" else o
        lines.append(f"{s} {p} {o} .")
    text = f"@prefix ex: <{EX}> .\n" + "\n".join(lines)
    store = GraphStore()
    store.add_quads(parse_payload(text.encode(), "text/turtle", EX, EX + "data"))
    return store


def random_graph_change(store: GraphStore, rng: random.Random):  # type: ignore[no-untyped-def]
    quads = sorted(store.quads(), key=str)
    removed = rng.sample(quads, rng.randint(0, 2))
    added = []
    for _ in range(rng.randint(0 if removed else 1, 2)):
        p = rng.choice([EX + "p", EX + "q", EX + "r", TYPE, SUBCLASS])
        o = rng.choice(["C", "D", "E"]) if p in (TYPE, SUBCLASS) else f"n{rng.randrange(12)}"
        s = rng.choice(["D", "E"]) if p == SUBCLASS else f"n{rng.randrange(12)}"
        added.append((("iri", EX + s, None), ("iri", p, None), ("iri", EX + o, None)))
    return lambda r: (r.remove_quads(removed), r.add_triples(EX + "data", added))


def test_queries_that_are_not_local_are_said_so() -> None:
    for name in NOT_LOCAL:
        with pytest.raises(NotLocal):
            reach(PREFIXES + QUERIES[name])
    for text in (
        "SELECT ?this WHERE { ?this ex:p ?v } LIMIT 3",
        "SELECT ?this ?n WHERE { ?this a ex:C { SELECT (COUNT(*) AS ?n) WHERE { ?s ex:p ?o } } }",
        "SELECT ?this WHERE { ?this a ex:C . ?x ex:p ex:n1 }",
    ):
        with pytest.raises(NotLocal):
            reach(PREFIXES + text)


@pytest.mark.parametrize("case", range(150))
def test_tricky_queries_read_locally_what_they_read_in_the_whole(case: int) -> None:
    rng = random.Random(case)
    store = random_graph(rng)
    recorder = ChangeRecorder(store)
    random_graph_change(store, rng)(recorder)
    texts = {name: PREFIXES + q for name, q in QUERIES.items() if name not in NOT_LOCAL}
    assert_local_rows_are_exact(store, texts, recorder.delta())
