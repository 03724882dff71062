"""The store: the only module that imports pyoxigraph.

A `GraphStore` holds one named graph per source; the default graph of queries is the union.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import results as results_module
from .queries import Binding
from .results import XSD_STRING
from .sources import Source, SourceError

FORMATS_BY_SUFFIX = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def rdf_format(path: Path) -> ox.RdfFormat:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in FORMATS_BY_SUFFIX:
        raise SourceError(
            str(path), f"unknown RDF file extension; use one of {sorted(FORMATS_BY_SUFFIX)}"
        )
    return FORMATS_BY_SUFFIX[suffixes[-1]]


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
    kind, value, datatype = binding
    if kind == "iri":
        return ox.NamedNode(value)
    return ox.Literal(value, datatype=ox.NamedNode(datatype or XSD_STRING))


def substitutions(bindings: Mapping[str, Binding] | None) -> dict[ox.Variable, Any]:
    """pyoxigraph substitutions from bindings: values enter as typed terms, never as text."""
    terms = {}
    for name, (kind, value, datatype) in (bindings or {}).items():
        node = (
            ox.NamedNode(value)
            if kind == "iri"
            else ox.Literal(value, datatype=ox.NamedNode(datatype or XSD_STRING))
        )
        terms[ox.Variable(name)] = node
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

    def __bool__(self) -> bool:
        return bool(self.removed or self.added or self.created or self.dropped)


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


def _term_text(term: Any) -> str:
    return term.value if term is not None else ""


class GraphStore:
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

    def diff(self, other: GraphStore) -> Delta:
        """What turns this store into `other`: the quads to remove and to add, as N-Quads."""
        mine = set(self._store.quads_for_pattern(None, None, None, None))
        theirs = set(other._store.quads_for_pattern(None, None, None, None))
        removed, added = mine - theirs, theirs - mine
        before, after = set(self.graph_names()), set(other.graph_names())
        created, dropped = tuple(sorted(after - before)), tuple(sorted(before - after))
        touched = {_graph_name(q.graph_name) for q in removed | added} | set(created + dropped)
        return Delta(_nquads(removed), _nquads(added), frozenset(touched), created, dropped)

    def apply(self, delta: Delta) -> None:
        """Apply a delta (blank node labels are kept, so a delta replays onto its own store)."""
        for quad in ox.parse(delta.removed, ox.RdfFormat.N_QUADS):
            self._store.remove(quad)
        for graph in delta.dropped:
            self._store.remove_graph(ox.NamedNode(graph))
        for graph in delta.created:
            self._store.add_graph(ox.NamedNode(graph))
        self._store.extend(ox.parse(delta.added, ox.RdfFormat.N_QUADS))

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        self._store.update(sparql, base_iri=base_iri)

    def bulk_load(
        self, path: Path, graph: str | None, progress: Callable[[int], None] | None = None
    ) -> None:
        """Load a file with the engine's bulk loader: triples go to `graph`, quads of N-Quads
        and TriG keep their own graphs (their default-graph quads go to `graph`).

        `progress` is called with the number of file bytes read so far.
        """
        fmt = rdf_format(path)
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

    def copy_to(self, path: Path) -> GraphStore:
        """A new on-disk store at `path` with every quad of this one."""
        if path.exists():
            shutil.rmtree(path)
        target = GraphStore(path)
        target._store.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        target._store.flush()
        return target

    # -- reading -----------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Binding] | None = None) -> Any:
        """Run a query on the union default graph, variables bound to typed terms."""
        return self._store.query(
            sparql, use_default_graph_as_union=True, substitutions=substitutions(bindings)
        )

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

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

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
        return _bounded([ox.serialize(triples, format=GRAPH_FORMATS[fmt]) or b""], limit)

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


def parse_quads(source: Source, name: str | None = None) -> list[ox.Quad]:
    """Every statement of a file, put in the source's named graph."""
    data = _read(source.path)
    graph = ox.NamedNode(source.graph)
    try:
        parsed = ox.parse(data, rdf_format(source.path), rename_blank_nodes=True)
        return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
    except SyntaxError as error:
        message = error.msg.split(": ", 1)[-1] if error.lineno else error.msg
        raise SourceError(name or str(source.path), message, error.lineno, error.offset) from error


GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class QueryRequest:
    """A query with its dataset, base IRI, wanted format and result caps."""

    text: str
    fmt: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    max_rows: int = 100_000
    max_bytes: int = 50_000_000
    bindings: tuple[tuple[str, Binding], ...] = ()
    offset: int = 0
    limit: int | None = None


class QueryFailed(Exception):
    """The engine refused the query (syntax) or its result is over a cap; `status` says which."""

    def __init__(self, status: int, message: str):
        self.status, self.message = status, message
        super().__init__(message)


def _term(term: Any) -> results_module.Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None, str(term))
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None, str(term))
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language, term.datatype.value, str(term))
    return ("triple", str(term), None, None, str(term))


def _capped(items: Iterable[Any], limit: int, what: str) -> Iterable[Any]:
    for count, item in enumerate(items):
        if count >= limit:
            raise QueryFailed(
                422, f"the result has more than {limit} {what}; add LIMIT and OFFSET to page it"
            )
        yield item


def _bounded(chunks: Iterable[str | bytes], limit: int) -> bytes:
    out, size = [], 0
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(data)
        if size > limit:
            raise QueryFailed(422, f"the result is larger than {limit} bytes; add LIMIT to page it")
        out.append(data)
    return b"".join(out)


def _dataset(request: QueryRequest) -> dict[str, Any]:
    if not request.default_graphs and not request.named_graphs:
        return {"use_default_graph_as_union": True}
    options: dict[str, Any] = {}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    return options


NATIVE_RESULTS = {
    "json": (ox.QueryResultsFormat.JSON, b'},{"', 0),
    "xml": (ox.QueryResultsFormat.XML, b"<result>", 0),
    "tsv": (ox.QueryResultsFormat.TSV, b"\n", 1),
    "csv": (ox.QueryResultsFormat.CSV, b"\n", 1),
}


class _CappedWriter:
    """Takes the engine's serialisation and stops it, with a clear error, past a cap.

    Rows are counted by a marker the format puts once per row (`},{"` between JSON bindings,
    which a JSON string cannot contain unescaped; `<result>` in XML; a line in TSV and CSV, an
    upper bound for CSV where a quoted literal holds a line break).
    """

    def __init__(self, fmt: str, max_rows: int, max_bytes: int):
        _, self.marker, self.header = NATIVE_RESULTS[fmt]
        self.json = fmt == "json"
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.chunks: list[bytes] = []
        self.size = self.markers = 0
        self.tail = b""

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise QueryFailed(422, f"the result is larger than {self.max_bytes} bytes; add LIMIT")
        window = self.tail + data
        self.markers += window.count(self.marker) - self.tail.count(self.marker)
        self.tail = window[-(len(self.marker) - 1) :] if len(self.marker) > 1 else b""
        self.chunks.append(bytes(data))
        if self.rows() > self.max_rows:
            raise QueryFailed(
                422,
                f"the result has more than {self.max_rows} rows; add LIMIT and OFFSET to page it",
            )
        return len(data)

    def flush(self) -> None:
        pass

    def rows(self) -> int:
        if self.json:  # bindings are separated by the marker: n markers, n + 1 rows
            return self.markers + (b'"bindings":[{' in b"".join(self.chunks[:2]))
        return self.markers - self.header


def _native(result: Any, request: QueryRequest) -> bytes:
    """SELECT results written by the engine itself (several times faster than Python)."""
    writer = _CappedWriter(request.fmt, request.max_rows, request.max_bytes)
    result.serialize(writer, NATIVE_RESULTS[request.fmt][0])
    return b"".join(writer.chunks)


@dataclass(frozen=True)
class Answer:
    """A serialised result; `more` says a page was asked for and rows remain after it."""

    body: bytes
    more: bool = False


class _Page:
    """The rows from `offset`, at most `limit` of them, noting whether one more exists."""

    def __init__(self, rows: Iterable[Any], offset: int, limit: int | None):
        stop = None if limit is None else offset + limit + 1
        self.rows, self.limit, self.more = islice(rows, offset, stop), limit, False

    def __iter__(self) -> Iterator[Any]:
        for count, row in enumerate(self.rows):
            if self.limit is not None and count == self.limit:
                self.more = True
                return
            yield row


def answer(store: GraphStore, request: QueryRequest) -> Answer:
    """Run a query and serialise its result in `request.fmt`, within the caps."""
    try:
        result = store._store.query(
            request.text,
            base_iri=request.base_iri,
            substitutions=substitutions(dict(request.bindings)),
            **_dataset(request),
        )
    except SyntaxError as error:
        raise QueryFailed(400, f"SPARQL syntax error: {error}") from error
    except RuntimeError as error:  # e.g. a substitution of a variable the query does not project
        raise QueryFailed(500, f"the query could not run: {error}") from error
    if isinstance(result, ox.QueryBoolean):
        return Answer(results_module.boolean(bool(result), request.fmt).encode())
    if isinstance(result, ox.QueryTriples):
        triples = list(_capped(result, request.max_rows, "triples"))
        graph = ox.serialize(triples, format=GRAPH_FORMATS[request.fmt]) or b""
        return Answer(_bounded([graph], request.max_bytes))
    if request.offset == 0 and request.limit is None and request.fmt in NATIVE_RESULTS:
        return Answer(_native(result, request))
    names = [v.value for v in result.variables]
    page = _Page(result, request.offset, request.limit)
    rows = ([_term(s[name]) for name in names] for s in _capped(page, request.max_rows, "rows"))
    writer = results_module.SELECT_WRITERS[request.fmt]
    return Answer(_bounded(writer(names, rows), request.max_bytes), page.more)


PAYLOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _graph_node(graph: str | None) -> Any:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


XML_TAG = re.compile(rb"<(/?)[A-Za-z_][^<>]*?(/?)>")
MAX_XML_DEPTH = 256


def _check_rdf_xml(body: bytes) -> None:
    """Refuse a DTD (entity expansion) and deep nesting: the RDF/XML parser slows down
    quadratically with depth, so a small body could keep a core busy for minutes."""
    if re.search(rb"<!doctype", body, re.IGNORECASE):
        raise QueryFailed(400, "RDF/XML with a DOCTYPE is not accepted (no DTDs or entities)")
    depth = deepest = 0
    for tag in XML_TAG.finditer(body):
        closing, empty = tag.group(1), tag.group(2)
        depth += -1 if closing else (0 if empty else 1)
        deepest = max(deepest, depth)
        if deepest > MAX_XML_DEPTH:
            raise QueryFailed(400, f"RDF/XML nests elements over {MAX_XML_DEPTH} deep; flatten it")


def parse_payload(body: bytes, media_type: str, base_iri: str, graph: str | None) -> list[Any]:
    """The triples of a request body, put into `graph` (None: the default graph).

    RDF/XML with a DTD is refused (no entity expansion); JSON-LD is parsed without loading
    any remote context, so a body can never make the server fetch a URL or read a file.
    """
    if media_type not in PAYLOAD_FORMATS:
        raise QueryFailed(
            415,
            f"Content-Type '{media_type}' is not accepted; use one of "
            f"{', '.join(sorted(PAYLOAD_FORMATS))}",
        )
    if media_type == "application/rdf+xml":
        _check_rdf_xml(body)
    target = _graph_node(graph)
    try:
        parsed = ox.parse(
            body, PAYLOAD_FORMATS[media_type], base_iri=base_iri, rename_blank_nodes=True
        )
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]
    except SyntaxError as error:
        raise QueryFailed(400, f"the {media_type} body does not parse: {error}") from error


DUMP_TRIPLES = (Path(__file__).parent / "sparql" / "dump-triples.rq").read_text("utf-8")


def dump(
    store: GraphStore,
    fmt: str,
    graphs: Iterable[str] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """The store serialised in `fmt` (a `GRAPH_FORMATS` key).

    Without `graphs`, dataset formats (N-Quads, TriG, JSON-LD) hold every quad with its graph;
    otherwise the distinct triples of the union of `graphs` (None: of every graph), each once.
    """
    rdf_format = GRAPH_FORMATS[fmt]
    if graphs is None and rdf_format.supports_datasets:
        quads = store._store.quads_for_pattern(None, None, None, None)
        return ox.serialize(quads, format=rdf_format, prefixes=prefixes) or b""
    options: dict[str, Any] = (
        {"use_default_graph_as_union": True}
        if graphs is None
        else {"default_graph": [_graph_node(g) for g in graphs]}
    )
    solutions = store._store.query(DUMP_TRIPLES, **options)
    triples = (ox.Triple(row["s"], row["p"], row["o"]) for row in solutions)
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
