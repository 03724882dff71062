"""Answering a query: dataset options, typed bindings, paging and capped serialisation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

import pyoxigraph as ox

from ..errors import EvaluationFailed, InvalidRequest, TooLarge
from ..sparql import results as results_module
from ..sparql.named import Binding
from .base import _bounded, checked_xml, rdf_bytes, results_format
from .graph_store import GraphStore, substitutions


@dataclass(frozen=True)
class QueryRequest:
    """A query with its dataset, base IRI, wanted format and result caps.

    The dataset is the protocol's (`default_graphs`, `named_graphs`) when either is given:
    with only default graphs there are no named graphs, and the other way round. Otherwise it
    is the query's own (FROM, FROM NAMED), else the union of the store's graphs.
    """

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
            raise TooLarge(
                f"the result has more than {limit} {what}; add LIMIT and OFFSET to page it"
            )
        yield item


# The results formats the engine writes itself: the marker each puts once per row, and how
# many markers come before the first row.
NATIVE_RESULTS = {
    "json": (b'},{"', 0),
    "xml": (b"<result>", 0),
    "tsv": (b"\n", 1),
    "csv": (b"\n", 1),
}


class _CappedWriter:
    """Takes the engine's serialisation and stops it, with a clear error, past a cap.

    Rows are counted by a marker the format puts once per row (`},{"` between JSON bindings,
    which a JSON string cannot contain unescaped; `<result>` in XML; a line in TSV and CSV, an
    upper bound for CSV where a quoted literal holds a line break).
    """

    def __init__(self, fmt: str, max_rows: int, max_bytes: int):
        self.marker, self.header = NATIVE_RESULTS[fmt]
        self.json = fmt == "json"
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.chunks: list[bytes] = []
        self.size = self.markers = 0
        self.tail = b""

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise TooLarge(f"the result is larger than {self.max_bytes} bytes; add LIMIT")
        window = self.tail + data
        self.markers += window.count(self.marker) - self.tail.count(self.marker)
        self.tail = window[-(len(self.marker) - 1) :] if len(self.marker) > 1 else b""
        self.chunks.append(bytes(data))
        if self.rows() > self.max_rows:
            raise TooLarge(
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
    result.serialize(writer, results_format(request.fmt))
    return b"".join(writer.chunks)


@dataclass(frozen=True)
class Answer:
    """A serialised result; `more` says a page was asked for and rows remain after it;
    `rows`: how many rows the page has (None: not a page of rows, a graph or a boolean)."""

    body: bytes
    more: bool = False
    rows: int | None = None


class _Page:
    """The rows from `offset`, at most `limit` of them, noting whether one more exists."""

    def __init__(self, rows: Iterable[Any], offset: int, limit: int | None):
        stop = None if limit is None else offset + limit + 1
        self.rows, self.limit, self.more = islice(rows, offset, stop), limit, False
        self.shown = 0

    def __iter__(self) -> Iterator[Any]:
        for count, row in enumerate(self.rows):
            if self.limit is not None and count == self.limit:
                self.more = True
                return
            self.shown = count + 1
            yield row


def answer(store: GraphStore, request: QueryRequest) -> Answer:
    """Run a query and serialise its result in `request.fmt`, within the caps."""
    given = bool(request.default_graphs or request.named_graphs)
    try:
        result = store.evaluate(
            request.text,
            request.base_iri,
            substitutions(dict(request.bindings)),
            request.default_graphs if given else None,
            request.named_graphs if given else None,
        )
    except SyntaxError as error:
        raise InvalidRequest(f"SPARQL syntax error: {error}") from error
    except RuntimeError as error:  # e.g. a substitution of a variable the query does not project
        raise EvaluationFailed(f"the query could not run: {error}") from error
    if isinstance(result, ox.QueryBoolean):
        return Answer(results_module.boolean(bool(result), request.fmt).encode())
    if not isinstance(result, ox.QuerySolutions):  # a graph, from this store or a remote one
        triples = list(_capped(result, request.max_rows, "triples"))
        return Answer(_bounded([rdf_bytes(triples, request.fmt)], request.max_bytes))
    if request.offset == 0 and request.limit is None and request.fmt in NATIVE_RESULTS:
        return _checked(Answer(_native(result, request)), request.fmt)
    names = [v.value for v in result.variables]
    page = _Page(result, request.offset, request.limit)
    rows = ([_term(s[name]) for name in names] for s in _capped(page, request.max_rows, "rows"))
    writer = results_module.SELECT_WRITERS[request.fmt]
    body = _bounded(writer(names, rows), request.max_bytes)
    return _checked(Answer(body, page.more, page.shown), request.fmt)


def _checked(answer: Answer, fmt: str) -> Answer:
    """An answer in SPARQL XML is checked once written (both writers copy a literal's control
    characters into it, which XML cannot hold): NotRepresentable rather than a broken 200."""
    return replace(answer, body=checked_xml(answer.body, fmt)) if fmt == "xml" else answer
