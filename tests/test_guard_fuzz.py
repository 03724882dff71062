"""The guard reads generated SPARQL texts as the engine does: a seeded differential test.

The guard (`srg_graph.sparql.guard`) reads a text before the engine, to tell its form, whether
it names its dataset, and whether it would reach the network. Where its reading and the
engine's part, the server answers wrongly (a query's FROM ignored for the union, or the union
lost), fails (a form it cannot tell: 500), or lets SERVICE or LOAD out. Texts made by
`sparql_texts` from fixed seeds are given to both; for each, the guard refuses it (always
allowed: an over-refusal is no error here), or the engine refuses it too, or they agree:

- form: a SELECT answers solutions, an ASK a boolean, a CONSTRUCT or DESCRIBE triples;
- dataset: the server's answer (`GraphStore.evaluate`, which asks the guard) is the answer of
  a store whose default graph already holds the union of all graphs, asked without options:
  that store honours a FROM or FROM NAMED the engine reads, and gives the union otherwise.
  The two stores hold different data in their default graphs, so that either mistake shows;
- network: every IRI of the texts is on a local listener that counts connections and closes
  each one at once (a SERVICE SILENT is seen too, and nothing leaves the machine).

An update's dataset (USING, WITH) matters only with the protocol's using-graph-uri parameters,
and the engine's reading of it shows in no answer; updates are held to the form and the
network only.
"""

from __future__ import annotations

import random
import re
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import pytest
from sparql_texts import KeywordTexts, NameTexts, Texts

from srg_graph.sparql.guard import GuardError, Inspection, check, names_dataset
from srg_graph.store import GraphStore

STYLES: dict[str, type[Texts]] = {"keywords": KeywordTexts, "names": NameTexts}
SEEDS = range(1, 7)
QUERIES = 2_000  # per style and seed
UPDATES = 1_000
READ_ALIKE = "read alike"  # the outcome every text that both accept must have
SHOWN = 3  # disagreements quoted in full in a failure


class Listener:
    """A loopback port that counts the connections made to it and closes each at once, so a
    SERVICE or LOAD fails at once (SILENT hides the failure, not the count)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.connections = 0
        self.authority = f"127.0.0.1:{self.socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # closed: the module's tests are over
                return
            # counted before it is closed, so before the engine's call returns
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


@dataclass(frozen=True)
class Disagreement:
    """A text the guard accepts and reads otherwise than the engine."""

    text: str
    guard: str
    engine: str

    def __str__(self) -> str:
        return f"{self.text!r}\n  guard:  {self.guard}\n  engine: {self.engine}"


Outcome = str | Disagreement
BLANK_NODE = re.compile(r"_:[0-9A-Za-z]+")
FORMS = {"SELECT": "solutions", "ASK": "a boolean", "CONSTRUCT": "triples", "DESCRIBE": "triples"}


def answer(result: Any) -> tuple[str, tuple[str, ...]]:
    """An engine's answer as its kind and its rows, sorted, blank nodes made alike (a
    CONSTRUCT makes new ones at every run)."""
    if isinstance(result, ox.QueryBoolean):
        return FORMS["ASK"], (str(bool(result)),)
    if isinstance(result, ox.QuerySolutions):
        names = result.variables
        rows = [str([str(solution[name]) for name in names]) for solution in result]
        return FORMS["SELECT"], sorted_rows(rows)
    return FORMS["CONSTRUCT"], sorted_rows(str(triple) for triple in result)


def sorted_rows(rows: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(BLANK_NODE.sub("_:b", row) for row in rows))


class Engine:
    """The engine on small stores whose every IRI is on the listener."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.data = f"http://{listener.authority}/"
        self.base = self.data + "base/"  # a relative IRI resolves on the listener too
        # one statement in each graph, its value telling the graph: a FROM, a FROM NAMED and
        # the union each give other answers than the default graph alone
        values = {"": "D", "g1": "G1", "g2": "G2"}
        self.quads = [self.quad(value, graph) for graph, value in values.items()]
        self.served = GraphStore()  # as the server holds it, and asks the guard
        self.served.add_quads(self.quads)
        # the union already in the default graph: asked without options, this store answers as
        # the server should (with the query's own dataset, else over the union)
        self.honoured = self.store(self.quads + [self.quad(v, "") for v in values.values()])

    def quad(self, value: str, graph: str) -> ox.Quad:
        name = ox.NamedNode(self.data + graph) if graph else ox.DefaultGraph()
        terms = ox.NamedNode(self.data + "s"), ox.NamedNode(self.data + "p")
        return ox.Quad(*terms, ox.Literal(value), name)

    def store(self, quads: list[ox.Quad] | None = None) -> ox.Store:
        """A store of the engine's own, holding `quads` (by default the served ones)."""
        store = ox.Store()
        store.extend(self.quads if quads is None else quads)
        return store

    def run(self, work: Callable[[], Any]) -> tuple[str, Any]:
        """("network", None) when the work reached the listener, ("syntax", message) when
        the engine refused the text, ("error", message) when it failed otherwise, else
        ("ran", what the work returned)."""
        before = self.listener.connections
        try:
            outcome: tuple[str, Any] = ("ran", work())
        except SyntaxError as error:
            outcome = ("syntax", str(error))
        except Exception as error:  # any failure on a text the guard let through is reported
            outcome = ("error", f"{type(error).__name__}: {error}")
        return ("network", None) if self.listener.connections != before else outcome


def guard_reading(text: str, found: Inspection) -> str:
    dataset = "a dataset (run on it)" if names_dataset(text) else "no dataset (run on the union)"
    return f"accepted: form {found.query_type}, names {dataset}, no SERVICE or LOAD"


def check_query(engine: Engine, text: str) -> Outcome:
    try:
        found = check(text, expect="query", base_iri=engine.base)
    except GuardError:
        return "refused by the guard"
    kind, ideal = engine.run(lambda: answer(engine.honoured.query(text, base_iri=engine.base)))
    if kind == "syntax":
        return "refused by the engine"
    if kind != "ran":
        engine_reading = "reaches the listener: a SERVICE" if kind == "network" else ideal
        return Disagreement(text, guard_reading(text, found), engine_reading)
    if FORMS.get(found.query_type or "") != ideal[0]:
        return Disagreement(text, guard_reading(text, found), f"answers {ideal[0]}")
    served = engine.run(lambda: answer(engine.served.evaluate(text, base_iri=engine.base)))
    if served != ("ran", ideal):
        return Disagreement(text, guard_reading(text, found), dataset_reading(engine, text))
    return READ_ALIKE


def dataset_reading(engine: Engine, text: str) -> str:
    """The engine's reading of the dataset, told by what it answers on the served data with
    and without the union."""
    plain = engine.store()
    own = engine.run(lambda: answer(plain.query(text, base_iri=engine.base)))
    union = engine.run(
        lambda: answer(plain.query(text, base_iri=engine.base, use_default_graph_as_union=True))
    )
    ideal = engine.run(lambda: answer(engine.honoured.query(text, base_iri=engine.base)))
    reads = "a FROM or FROM NAMED" if ideal == own else "no dataset"
    return f"reads {reads}: its own dataset answers {own}, the union {union}"


def check_update(engine: Engine, text: str) -> Outcome:
    try:
        check(text, expect="update", base_iri=engine.base)
    except GuardError:
        return "refused by the guard"
    store = engine.store()
    kind, _ = engine.run(lambda: store.update(text, base_iri=engine.base))
    if kind == "network":
        guard = "accepted: an update, no SERVICE or LOAD"
        return Disagreement(text, guard, "reaches the listener: a LOAD or a SERVICE")
    # an update may fail on the data (CREATE of a graph that exists): still read alike
    return "refused by the engine" if kind == "syntax" else READ_ALIKE


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    listener = Listener()
    yield Engine(listener)
    listener.close()


def assert_read_alike(outcomes: list[Outcome], what: str) -> None:
    """No disagreement, and enough texts read by both that the test is not idle."""
    found = [(n, o) for n, o in enumerate(outcomes) if isinstance(o, Disagreement)]
    if found:  # the texts and both readings, without pytest's repr of the list
        shown = "\n".join(f"text {n}: {outcome}" for n, outcome in found[:SHOWN])
        pytest.fail(f"{len(found)} of {len(outcomes)} {what} read otherwise:\n{shown}")
    # most texts are invalid on purpose (a tenth of the `names` ones is valid); fewer valid
    # than this would be a generator gone wrong, the test idle
    counts = Counter(outcomes)
    assert counts[READ_ALIKE] >= len(outcomes) // 20, f"{what}: too few run by both: {counts}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("style", STYLES)
def test_the_guard_reads_queries_as_the_engine(engine: Engine, style: str, seed: int) -> None:
    texts = STYLES[style](random.Random(seed), engine.listener.authority)
    outcomes = [check_query(engine, texts.query()) for _ in range(QUERIES)]
    assert_read_alike(outcomes, f"queries of {style}, seed {seed},")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("style", STYLES)
def test_the_guard_reads_updates_as_the_engine(engine: Engine, style: str, seed: int) -> None:
    texts = STYLES[style](random.Random(seed), engine.listener.authority)
    outcomes = [check_update(engine, texts.update()) for _ in range(UPDATES)]
    assert_read_alike(outcomes, f"updates of {style}, seed {seed},")
