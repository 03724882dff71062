"""`GraphStore`: one named graph per source, the union as the default graph of queries."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from .. import formats
from ..errors import InvalidRequest, SourceError
from ..sparql import internal
from ..sparql.guard import names_dataset
from ..sparql.named import Binding
from ..sparql.results import XSD_STRING
from .base import _bounded, _graph_node, n_triples, rdf_bytes, rdf_format


class Source(Protocol):
    """A file and the named graph it is read into (`dataset.sources.Source`)."""

    path: Path
    graph: str


def file_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, by its extension (`.gz` looked through)."""
    found = formats.of_file(path)
    if found is None:
        message = f"unknown RDF file extension; use one of {formats.rdf_suffixes()}"
        raise SourceError(str(path), message)
    return rdf_format(found.name)


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(str(path), error.strerror or str(error)) from error
    return gzip.decompress(data) if path.suffix.lower() == ".gz" else data


INSTANCE_OF = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "ASK { ?resource a/rdfs:subClassOf* ?class }"
)


def _node(binding: Binding) -> Any:
    """A term from a binding; a literal's third part is its datatype IRI, or `@lang`."""
    kind, value, datatype = binding
    if kind == "iri":
        return ox.NamedNode(value)
    if datatype and datatype.startswith("@"):
        return ox.Literal(value, language=datatype[1:])
    return ox.Literal(value, datatype=ox.NamedNode(datatype or XSD_STRING))


def substitutions(bindings: Mapping[str, Binding] | None) -> dict[str, Any]:
    """Terms from bindings: values enter a query as typed terms, never as text."""
    terms = {}
    for name, (kind, value, datatype) in (bindings or {}).items():
        if kind != "iri":
            terms[name] = ox.Literal(value, datatype=ox.NamedNode(datatype or XSD_STRING))
            continue
        try:  # the engine's own reading of the IRI, once
            terms[name] = ox.NamedNode(value)
        except ValueError as error:
            raise InvalidRequest(f"{name}: {value!r} is not an absolute IRI (RFC 3987)") from error
    return terms


@dataclass(frozen=True)
class Delta:
    """A change to the dataset: quads to remove, then to add (N-Quads), and named graphs
    created or dropped (a graph can exist empty, as after a Graph Store PUT of no triples)."""

    removed: bytes
    added: bytes
    graphs: frozenset[str] = frozenset()
    created: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    # the labels of blank nodes in `added` that the store already holds: a remote store must
    # give the new statements to those nodes, not to new ones
    stored_blanks: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.removed or self.added or self.created or self.dropped)


def _dataset_options(
    sparql: str, default_graph: Sequence[str | None] | None, named_graphs: Sequence[str] | None
) -> dict[str, Any]:
    """The engine's dataset options for `GraphStore.evaluate`."""
    if default_graph is None and named_graphs is None:
        # the engine's own FROM/FROM NAMED unless the union is asked for, which overrides them
        return {} if names_dataset(sparql) else {"use_default_graph_as_union": True}
    return {
        "default_graph": [_graph_node(g) for g in default_graph or ()],
        "named_graphs": [ox.NamedNode(g) for g in named_graphs or ()],
    }


class _Counting(io.RawIOBase):
    """A binary reader that reports how many bytes were read (for a progress bar)."""

    def __init__(self, raw: Any, progress: Callable[[int], None] | None):
        self.raw, self.progress, self.count = raw, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = self.raw.readinto(buffer)
        self.count += size or 0
        if self.progress is not None:
            self.progress(self.count)
        return size

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        if self.progress is not None:
            self.progress(self.count)
        return data


def _graph_name(graph: Any) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else graph.value


def _nquads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b""


def blank_nodes(quads: Iterable[ox.Quad]) -> set[ox.BlankNode]:
    """The blank nodes that are subjects or objects of `quads`."""
    return {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}


def stored_labels(new: set[ox.BlankNode], stored: set[ox.BlankNode]) -> tuple[str, ...]:
    """`Delta.stored_blanks`: the labels of the blank nodes `new` (of the added quads) among
    `stored`."""
    return tuple(sorted(node.value for node in new & stored))


def canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """The quads as the engine keeps them: a typed literal by its value's canonical form
    (`"1.50"^^xsd:decimal` as `"1.5"`, `"007"^^xsd:integer` as `"7"`, in triple terms too),
    so that statements as written compare equal to those a store gives back."""
    plain, typed = set(), ox.Store()
    for quad in quads:
        if isinstance(quad.object, ox.Literal | ox.Triple):
            typed.add(quad)
        else:
            plain.add(quad)
    return plain | set(typed)


def _term_text(term: Any) -> str:
    if term is None:
        return ""
    return n_triples(term) if isinstance(term, ox.Triple) else term.value


class Queries:
    """The read methods built on `evaluate`, shared by the embedded and the remote store."""

    # whether a delta for this store must say which of its blank nodes it adds statements
    # about (`Delta.stored_blanks`): a remote store cannot tell them from new ones itself
    needs_stored_blanks = False

    def evaluate(self, sparql: str, *args: Any, **options: Any) -> Any:
        """Run a query (see `GraphStore.evaluate`)."""
        raise NotImplementedError

    def query(self, sparql: str, bindings: Mapping[str, Binding] | None = None) -> Any:
        """Run a query on the union default graph, variables bound to typed terms."""
        return self.evaluate(sparql, terms=substitutions(bindings))

    def solutions(self, sparql: str, terms: Mapping[str, Any]) -> Any:
        """Run a query with variables bound to pyoxigraph terms (blank nodes included)."""
        return self.evaluate(sparql, terms=terms)

    def rows(
        self, sparql: str, bindings: Mapping[str, Binding] | None = None
    ) -> list[dict[str, str]]:
        """SELECT rows as plain strings (IRI or lexical form); unbound variables are left out."""
        solutions = self.query(sparql, bindings)
        names = [v.value for v in solutions.variables]
        return [
            {name: _term_text(row[name]) for name in names if row[name] is not None}
            for row in solutions
        ]

    def ask(self, sparql: str, bindings: Mapping[str, Binding] | None = None) -> bool:
        return bool(self.query(sparql, bindings))

    def is_a(self, iri: str, classes: tuple[str, ...]) -> bool:
        """Whether `iri` is an instance of one of `classes` (or of a subclass)."""
        return any(
            self.ask(INSTANCE_OF, {"resource": ("iri", iri, None), "class": ("iri", c, None)})
            for c in classes
        )

    def dump(
        self,
        fmt: str,
        graphs: Iterable[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes:
        """The dataset serialised in `fmt` (an RDF name of `formats`), for dumps and the ontology
        documents.

        Without `graphs`, dataset formats (N-Quads, TriG, JSON-LD) hold every quad with its
        graph; otherwise the distinct triples of the union of `graphs` (None: of every graph),
        each once.
        """
        engine_format = rdf_format(fmt)
        if graphs is None and engine_format.supports_datasets:
            return ox.serialize(self.quads(), format=engine_format, prefixes=prefixes) or b""
        chosen = None if graphs is None else list(graphs)
        solutions = self.evaluate(internal.query("dump-triples"), default_graph=chosen)
        triples = (ox.Triple(row["s"], row["p"], row["o"]) for row in solutions)
        return rdf_bytes(triples, fmt, dict(prefixes or {}))  # RDF/XML checked, as every answer


class GraphStore(Queries):
    """A pyoxigraph store, in memory (`path=None`) or on disk, with a small typed API."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._store = ox.Store(str(path)) if path is not None else ox.Store()

    # -- loading -----------------------------------------------------------------------------
    def load_source(self, source: Source, name: str | None = None) -> int:
        """Parse a source file into its named graph; positions of syntax errors are kept."""
        quads = parse_quads(source, name)
        self._store.extend(quads)
        return len(quads)

    @classmethod
    def read_only(cls, path: Path) -> GraphStore:
        """An on-disk store opened for reading, also while another process writes to it."""
        store = cls.__new__(cls)
        store.path, store._store = None, ox.Store.read_only(str(path))
        return store

    def copy(self) -> GraphStore:
        """An in-memory copy: the staging area of a write."""
        target = GraphStore()
        target._store.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        return target

    def copy_whole(self) -> GraphStore:
        """An in-memory copy with every named graph, empty ones too (a past version of the
        dataset is made from it)."""
        target = self.copy()
        target.add_graphs(self.graph_names())
        return target

    def diff(self, other: GraphStore) -> Delta:
        """What turns this store into `other`: the quads to remove and to add, as N-Quads."""
        mine = set(self._store.quads_for_pattern(None, None, None, None))
        theirs = set(other._store.quads_for_pattern(None, None, None, None))
        removed, added = mine - theirs, theirs - mine
        before, after = set(self.graph_names()), set(other.graph_names())
        created, dropped = tuple(sorted(after - before)), tuple(sorted(before - after))
        touched = {_graph_name(q.graph_name) for q in removed | added} | set(created + dropped)
        # (a pass over the whole store only when the change has blank nodes at all)
        new = blank_nodes(added)
        stored = stored_labels(new, blank_nodes(mine)) if new else ()
        return Delta(_nquads(removed), _nquads(added), frozenset(touched), created, dropped, stored)

    def apply(self, delta: Delta, counted: bool = False) -> int:
        """Apply a delta (blank node labels are kept, so a delta replays onto its own store).
        With `counted`: how many more quads the store holds after it (fewer: negative), found
        quad by quad, since a delta may remove what is not there or add what is; else 0."""
        net = 0
        for quad in ox.parse(delta.removed, ox.RdfFormat.N_QUADS):
            if counted and quad in self._store:
                net -= 1
            self._store.remove(quad)
        for graph in map(ox.NamedNode, delta.dropped):
            if counted:
                net -= len(self.quads(graph=graph))
            self._store.remove_graph(graph)
        for graph in delta.created:
            self._store.add_graph(ox.NamedNode(graph))
        if counted:
            added = set(ox.parse(delta.added, ox.RdfFormat.N_QUADS))
            net += sum(quad not in self._store for quad in added)
        if b"_:" in delta.added:  # the engine's loader would give blank nodes new labels
            self._store.extend(ox.parse(delta.added, ox.RdfFormat.N_QUADS))
        elif delta.added:  # twice as fast; lenient: the engine wrote every delta
            self._store.load(delta.added, format=ox.RdfFormat.N_QUADS, lenient=True)
        return net

    def missing_from(self, other: GraphStore) -> Delta:
        """What adding this store's quads and graphs to `other` adds: those it lacks."""
        quads = (
            q
            for q in self._store.quads_for_pattern(None, None, None, None)
            if q not in other._store
        )
        added = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        created = tuple(sorted(set(self.graph_names()) - set(other.graph_names())))
        return Delta(b"", added, frozenset(self.graph_names()), created)

    def statements(self, graph: str) -> set[str]:
        """The quads of a named graph as N-Quads lines (the engine writes one quad one way, so
        equal lines are equal quads)."""
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return set((ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").decode().splitlines())

    def held(self, statements: Iterable[str]) -> list[str]:
        """Those of `statements` (N-Quads lines) that the store holds."""
        found = []
        for line in statements:
            quads = list(ox.parse(line.encode(), format=ox.RdfFormat.N_QUADS))
            if quads and quads[0] in self._store:
                found.append(line)
        return found

    def take_graph(self, other: GraphStore, graph: str) -> None:
        """Add the quads of `other`'s named graph `graph` as they are (blank nodes too)."""
        self._store.extend(other._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(quads)

    def add_graphs(self, graphs: Iterable[str]) -> None:
        """Create named graphs (a graph can exist empty)."""
        for graph in graphs:
            self._store.add_graph(ox.NamedNode(graph))

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        self._store.update(sparql, base_iri=base_iri)

    def bulk_load(
        self, path: Path, graph: str | None, progress: Callable[[int], None] | None = None
    ) -> None:
        """Load a file with the engine's bulk loader: triples go to `graph`, quads of N-Quads
        and TriG keep their own graphs (their default-graph quads go to `graph`).

        `progress` is called with the number of file bytes read so far.
        """
        fmt = file_format(path)
        target = ox.NamedNode(graph) if graph else None
        with path.open("rb") as raw:
            stream: Any = _Counting(raw, progress)
            if path.suffix.lower() == ".gz":
                stream = gzip.GzipFile(fileobj=stream)
            try:
                self._store.bulk_load(stream, fmt, to_graph=target)
            except SyntaxError as error:
                message = error.msg.split(": ", 1)[-1] if error.lineno else error.msg
                raise SourceError(str(path), message, error.lineno, error.offset) from error

    # -- reading -----------------------------------------------------------------------------
    def evaluate(
        self,
        sparql: str,
        base_iri: str | None = None,
        terms: Mapping[str, Any] | None = None,
        default_graph: Sequence[str | None] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> Any:
        """Run a query, variables bound to pyoxigraph `terms`, on the dataset `default_graph`
        and `named_graphs` give when either is given (empty: no graph; None in `default_graph`:
        the store's own default graph), else on the dataset of the query's FROM and FROM
        NAMED, else on the union of all graphs as the default graph and every named graph.
        A graph the store does not hold is an empty graph."""
        bound = {ox.Variable(name): term for name, term in (terms or {}).items()}
        options = _dataset_options(sparql, default_graph, named_graphs)
        return self._store.query(sparql, base_iri=base_iri, substitutions=bound, **options)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def quads(
        self, subject: Any = None, predicate: Any = None, object: Any = None, graph: Any = None
    ) -> list[ox.Quad]:
        """The quads matching a pattern (None matches anything)."""
        return list(self._store.quads_for_pattern(subject, predicate, object, graph))

    def contains(self, quad: ox.Quad) -> bool:
        return quad in self._store

    def around(self, nodes: Iterable[Any]) -> list[ox.Quad]:
        """Every statement about one of `nodes` or pointing at one (of its IRIs and blank
        nodes; literals have no statements about them)."""
        out: list[ox.Quad] = []
        for node in nodes:
            if isinstance(node, ox.NamedNode | ox.BlankNode):
                out += self._store.quads_for_pattern(node, None, None, None)
                out += self._store.quads_for_pattern(None, None, node, None)
        return out

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def replace_graph(self, graph: str | None, quads: list[Any]) -> None:
        """Graph Store PUT: the graph holds exactly `quads` afterwards (and exists)."""
        self.drop_graph(graph)
        self.merge_graph(graph, quads)

    def merge_graph(self, graph: str | None, quads: list[Any]) -> None:
        """Graph Store POST: add `quads`, creating the graph if needed."""
        if graph is not None:
            self._store.add_graph(ox.NamedNode(graph))
        self._store.extend(quads)

    def remove_subjects(self, graph: str, subjects: list[str]) -> None:
        """Remove every triple of `graph` whose subject is one of `subjects`."""
        name = ox.NamedNode(graph)
        for subject in subjects:
            for quad in list(
                self._store.quads_for_pattern(ox.NamedNode(subject), None, None, name)
            ):
                self._store.remove(quad)

    def add_triples(self, graph: str, triples: list[tuple[Binding, Binding, Binding]]) -> None:
        """Add triples given as bindings (typed terms) to a named graph."""
        name = ox.NamedNode(graph)
        self._store.extend(ox.Quad(*(_node(t) for t in triple), name) for triple in triples)

    def drop_graph(self, graph: str | None) -> None:
        """Graph Store DELETE: a named graph is removed, the default graph emptied."""
        if graph is None:
            self._store.clear_graph(ox.DefaultGraph())
        elif self.has_graph(graph):
            self._store.remove_graph(ox.NamedNode(graph))

    def graph_bytes(self, graph: str | None, fmt: str, limit: int) -> bytes:
        """One graph (None: the default graph) serialised, within `limit` bytes."""
        quads = self._store.quads_for_pattern(None, None, None, _graph_node(graph))
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        return _bounded([rdf_bytes(triples, fmt)], limit)

    def __len__(self) -> int:
        return len(self._store)

    def ntriples(self, graphs: Iterable[str | None]) -> bytes:
        """The union of the given graphs (None: the default graph) as N-Triples."""
        out = io.BytesIO()
        for graph in graphs:
            name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in self._store.quads_for_pattern(None, None, None, name)
            )
            ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
        return out.getvalue()

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
        del self._store


def nquad_lines(data: bytes) -> set[str]:
    """The quads of an N-Quads (or N-Triples) text, each as the engine writes it: the form
    `statements` compares."""
    quads = ox.parse(data, format=ox.RdfFormat.N_QUADS)
    return set((ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").decode().splitlines())


def unnamed(lines: set[str]) -> int:
    """How many of `nquad_lines`' quads are in the default graph."""
    quads = ox.parse("\n".join(lines).encode(), format=ox.RdfFormat.N_QUADS)
    return sum(isinstance(quad.graph_name, ox.DefaultGraph) for quad in quads)


def parse_quads(source: Source, name: str | None = None) -> list[ox.Quad]:
    """Every statement of a file, put in the source's named graph."""
    data = _read(source.path)
    graph = ox.NamedNode(source.graph)
    try:
        parsed = ox.parse(data, file_format(source.path), rename_blank_nodes=True)
        return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
    except SyntaxError as error:
        message = error.msg.split(": ", 1)[-1] if error.lineno else error.msg
        raise SourceError(name or str(source.path), message, error.lineno, error.offset) from error
