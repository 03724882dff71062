"""OpenLink Virtuoso's SPARQL dialect, for `RemoteStore` on a Virtuoso store.

Virtuoso (7.2, open source) differs from the SPARQL 1.1 standard in ways handled here and
nowhere else; `RemoteStore.virtuoso` tells it by the `Server` header of its first answer and
then sends each request through these functions:

- its default graph is the union of all its graphs, its own system graphs (`OWN_GRAPHS`)
  included: `GRAPH ?g { … }` is followed by a FILTER that leaves them out (`rewritten`), and a
  query with no dataset of its own is sent with the data's graphs as `default-graph-uri`
  when Virtuoso answers it right that way (`answers_under_dataset`): a dataset breaks
  zero-length property paths (`a/rdfs:subClassOf*`) and ASK and COUNT over `GRAPH <iri>` of
  a graph outside it, so a query with a path or `GRAPH <iri>` is sent without one and its
  default graph then holds Virtuoso's own statements too (`DEFINE input:*-graph-exclude`
  would break `GRAPH <iri>` everywhere). Under `default-graph-uri` alone, `GRAPH ?g` still
  ranges over every graph;
- it has no default graph of its own ("the endpoint is not configured to have default
  graph"): a named graph (`DEFAULT_GRAPH`) stands in for it, in the union default graph,
  left out under `GRAPH ?g`, as in a store with a real default graph (`stand_in`);
- a dataset given in the protocol does not override FROM in the query, as the standard says:
  the query's FROM clauses are then left out (`without_from`); it refuses a query with two
  BASE declarations: a BASE of the query is resolved against the server's base, not
  preceded by it (`with_base`);
- a named graph exists only while it holds triples: an empty graph cannot be kept;
- `GRAPH ?g { }` (an empty group) answers one unbound row: it is rewritten to the graphs that
  hold a triple (`GRAPH <iri> { }` to a subquery that binds `?srg_graph`, which `SELECT *`
  shows: Virtuoso answers `FILTER EXISTS` with no variable in common as true);
- it answers JSON to any Accept header that lists it, so CONSTRUCT and DESCRIBE ask for
  N-Triples only (`accept`); its blank nodes come as `nodeID://b123` in JSON results, read as
  `_:b123` (the label its N-Triples use), and named `<nodeID://b123>` in DELETE DATA, which it
  allows (`named_blank`);
- it holds typed literals by value: booleans come as `"1"` and `"0"` in JSON (read as `true`
  and `false`), and booleans computed in a query as integers 0 and 1 (read as booleans for
  the variables that the query binds to a boolean expression: `boolean_variables`,
  `results`); other non-canonical forms come back canonical (`"007"` as `"7"`, `"1.50"` as
  `"1.5"`), durations as seconds, language tags in lower case: those cannot be undone;
- its compiler fails on some groups with a FILTER that end with BIND: those are written
  `{ { … } BIND … }`, which gives the same answers (`rewritten`);
- at a time limit of its own (an "anytime query") it answers the part of the result found
  so far, marked only by the header `X-SQL-State: S1TAT` (`TIMED_OUT`): that is a 503. The
  query time limit is not sent as its `timeout`: that leaves a heavy query running in
  Virtuoso and every other query waiting behind it; without it, Virtuoso stops the query
  when the server gives up and closes the connection;
- blank nodes are refused in INSERT DATA: statements with blank nodes are inserted with
  `INSERT { } WHERE { }` (on every engine: the same blank nodes either way). An INSERT
  template with two GRAPH blocks fails there, after writing ("string_output_string needs a
  string output"), in the code that reports what it did; a DELETE { } INSERT { } WHERE { }
  is reported by other code, which works: Virtuoso's INSERT of blank nodes deletes a quad
  that is never there (`insert_blank`), so that the statements of every graph (the history
  graph's reified statements among them) name the same new blank nodes in one operation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

import pyoxigraph as ox

from ..sparql.guard import inspect
from ..sparql.lexer import IRI, PNAME, PUNCT, VAR, Token, decode_codepoints, depths, tokenize

SERVER = "Virtuoso/"  # how its `Server` header starts
# Virtuoso's own graphs, which a fresh database holds (ldp# is written again at each start)
OWN_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
# the graph that holds the default graph's statements in a Virtuoso store, which has none
DEFAULT_GRAPH = "urn:x-srg:default-graph"
HIDDEN = frozenset({*OWN_GRAPHS, DEFAULT_GRAPH})  # left out of GRAPH ?g
# a quad in no store: the DELETE template of `insert_blank`
NOTHING = (
    "GRAPH <urn:x-srg:nothing> { <urn:x-srg:nothing> <urn:x-srg:nothing> <urn:x-srg:nothing> }"
)
TIMED_OUT = "S1TAT"  # its X-SQL-State on the part of an answer found within its time limit
BLANK = "nodeID://"  # what a blank node of Virtuoso is called in its JSON results and queries
RESULTS = "application/sparql-results+json"
RDF_ANSWERS = ("CONSTRUCT", "DESCRIBE")
BRACKETS, CLOSING = "([{", ")]}"
PATHS = frozenset("+?/|^*")  # property path operators (and some others, which count too)
XSD = "http://www.w3.org/2001/XMLSchema#"
BOOLEAN = f"{XSD}boolean"
DATETIME = f"{XSD}dateTime"
# the zeros that end a fraction of seconds (Virtuoso writes whole milliseconds as `.120`)
_TRAILING_ZEROS = re.compile(r"\.(\d*?)0+(?=Z$|[+-]\d\d:\d\d$|$)")
# the built-in functions whose value is a boolean (SPARQL 1.1, 17.4)
BOOLEAN_CALLS = frozenset(
    {"BOUND", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX"}
    | {"CONTAINS", "STRSTARTS", "STRENDS", "LANGMATCHES", "EXISTS", "NOT", "TRUE", "FALSE"}
)


def is_virtuoso(server: str) -> bool:
    """Whether a `Server` header is Virtuoso's."""
    return server.startswith(SERVER)


def accept(text: str) -> str:
    """The media type to ask for: Virtuoso answers JSON to any Accept that lists it."""
    return "application/n-triples" if inspect(text).query_type in RDF_ANSWERS else RESULTS


def stand_in(default_graph: Sequence[str | None] | None) -> list[str] | None:
    """A dataset's default graph with the store's own (None) as its stand-in graph."""
    if default_graph is None:
        return None
    return [DEFAULT_GRAPH if graph is None else graph for graph in default_graph]


def named_blank(term: Any) -> Any:
    """A blank node that Virtuoso returned (`_:b123`) as the IRI Virtuoso names it by."""
    if isinstance(term, ox.BlankNode):
        return ox.NamedNode(f"{BLANK}{term.value}")
    return term


def insert_blank(block: str) -> str:
    """The operation that inserts the quads `block` (blank nodes among them) in Virtuoso: a
    MODIFY with a DELETE template that matches nothing (see the module's docstring)."""
    return f"DELETE {{ {NOTHING} }} INSERT {{ {block} }} WHERE {{ }}"


# -- the query's text -------------------------------------------------------------------------
def rewritten(text: str) -> str:
    """`text` as Virtuoso answers it like a standard store: its graph patterns (`_graphs`),
    then its groups that end with BIND after a FILTER (`_binds`)."""
    return _binds(_graphs(text))


def _graphs(text: str) -> str:
    """Each `GRAPH x { }` (one row per graph x, which Virtuoso answers wrongly) asked as the
    graphs that hold a triple, the only graphs Virtuoso has; then each `GRAPH ?g { … }`
    followed by a FILTER that leaves out Virtuoso's own graphs and the default graph's
    stand-in."""
    tokens = tokenize(text)
    for i in reversed(range(len(tokens) - 3)):
        graph, name, opening, closing = tokens[i : i + 4]
        empty = (opening.kind, opening.text, closing.kind, closing.text) == (PUNCT, "{", PUNCT, "}")
        if graph.keyword == "GRAPH" and name.kind in (VAR, IRI, PNAME) and empty:
            held = f"GRAPH {name.text} {{ ?srg_s ?srg_p ?srg_o }}"
            if name.kind == VAR:
                found = f"{{ SELECT DISTINCT {name.text} WHERE {{ {held} }} }}"
            else:  # (Virtuoso answers FILTER EXISTS with no shared variable as true)
                bound = f"BIND({name.text} AS ?srg_graph)"
                found = f"{{ SELECT ?srg_graph WHERE {{ {held} {bound} }} LIMIT 1 }}"
            text = f"{text[: graph.start]}{found}{text[closing.start + 1 :]}"
    tokens = tokenize(text)
    hidden = ", ".join(f"<{g}>" for g in sorted(HIDDEN))
    ends = []
    for i in range(len(tokens) - 2):
        if tokens[i].keyword == "GRAPH" and tokens[i + 1].kind == VAR:
            end = _group_end(tokens, i + 2)
            if end is not None:
                ends.append((end, f" FILTER({tokens[i + 1].text} NOT IN ({hidden}))"))
    for end, found in sorted(ends, reverse=True):
        text = f"{text[:end]}{found}{text[end:]}"
    return text


def _binds(text: str) -> str:
    """`text` with each group that has a FILTER and ends with BIND written `{ { … } BIND … }`:
    Virtuoso's compiler fails on some of those ("sparp_gp_deprecate(): equiv replaces filter
    but under deprecation"). The same answers: the FILTER then applies before the BIND, which
    changes nothing when it does not use the BIND's variable (else the group is left as is)."""
    done: set[int] = set()
    while True:
        tokens = tokenize(text)
        cut = _bind_cut(tokens, done)
        if cut is None:
            return text
        opening, first_bind = cut
        done.add(opening)
        start, end = tokens[opening].start + 1, tokens[first_bind].start
        text = f"{text[:start]} {{{text[start:end]}}} {text[end:]}"


def _bind_cut(tokens: list[Token], done: set[int]) -> tuple[int, int] | None:
    """A group (its `{` token) with a FILTER before the BINDs it ends with, and its first
    trailing BIND token; None when there is none left."""
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == PUNCT and token.text == "{":
            stack.append(index)
        elif token.kind == PUNCT and token.text == "}" and stack:
            opening = stack.pop()
            if opening in done:
                continue
            first_bind = _trailing_binds(tokens, opening, index)
            if first_bind is None:
                continue
            inner = tokens[opening + 1 : first_bind]
            bound = {
                tokens[i + 1].text
                for i in range(first_bind, index - 1)
                if tokens[i].keyword == "AS" and tokens[i + 1].kind == VAR
            }
            top = _top_level(tokens, opening, first_bind)
            if any(tokens[i].keyword == "FILTER" for i in top) and not any(
                t.kind == VAR and t.text in bound for t in inner
            ):
                return opening, first_bind
    return None


def _top_level(tokens: list[Token], opening: int, end: int) -> list[int]:
    """The indexes of the tokens of the group opened at `opening` that are not nested."""
    depth, found = 0, []
    for index in range(opening + 1, end):
        token = tokens[index]
        if depth == 0:
            found.append(index)
        if token.kind == PUNCT and token.text in "([{":
            depth += 1
        elif token.kind == PUNCT and token.text in ")]}":
            depth -= 1
    return found


def _trailing_binds(tokens: list[Token], opening: int, closing: int) -> int | None:
    """The first of the `BIND ( … )` clauses that end the group, if it ends with one."""
    top = _top_level(tokens, opening, closing)
    first = None
    position = len(top) - 1
    while position >= 0:
        index = top[position]
        if tokens[index].kind == PUNCT and tokens[index].text == ".":
            position -= 1
            continue
        # a BIND clause at the top level is `BIND` then its `(`, whose inside is nested
        if position >= 1 and tokens[top[position - 1]].keyword == "BIND":
            first = top[position - 1]
            position -= 2
            continue
        break
    if first is None or first == opening + 1:
        return None
    return first


def _group_end(tokens: list[Token], index: int) -> int | None:
    """The offset just after the `{ … }` group that opens at token `index`."""
    depth = 0
    for token in tokens[index:]:
        if token.kind == PUNCT and token.text == "{":
            depth += 1
        elif token.kind == PUNCT and token.text == "}":
            depth -= 1
            if depth == 0:
                return token.start + 1
        if depth == 0:
            return None
    return None


def answers_under_dataset(text: str) -> bool:
    """Whether Virtuoso answers a query right under a dataset of its own: not when it names a
    graph (ASK and COUNT over a graph outside the dataset answer true, 1), nor when it may
    have a property path (zero-length paths then match nothing); `*` of `SELECT *` and
    `COUNT(*)` is no path."""
    tokens = tokenize(text)
    for index, token in enumerate(tokens):
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.keyword == "GRAPH" and after is not None and after.kind in (IRI, PNAME):
            return False
        if token.kind == PUNCT and token.text in PATHS:
            before = tokens[index - 1] if index else None
            star = token.text == "*" and before is not None
            if star and before.keyword in ("SELECT", "DISTINCT", "REDUCED"):
                continue
            if star and before.text == "(" and after is not None and after.text == ")":
                continue
            return False
    return True


def with_base(text: str, base_iri: str) -> str:
    """`text` with the base IRI `base_iri`: a BASE of the query's own is resolved against it
    (Virtuoso refuses two BASE declarations), else a BASE is put first."""
    tokens = tokenize(text)
    for index in range(_prologue(tokens)):
        token = tokens[index]
        if token.keyword == "BASE" and index + 1 < len(tokens) and tokens[index + 1].kind == IRI:
            iri = tokens[index + 1]
            resolved = ox.NamedNode(urljoin(base_iri, decode_codepoints(iri.text[1:-1])))
            return f"{text[: iri.start]}{resolved}{text[iri.start + len(iri.text) :]}"
    return f"BASE {ox.NamedNode(base_iri)}\n{text}"


def _prologue(tokens: list[Token]) -> int:
    """The index of the first token after the BASE and PREFIX declarations."""
    index = 0
    while index < len(tokens):
        if tokens[index].keyword == "BASE":
            index += 2
        elif tokens[index].keyword == "PREFIX":
            index += 3
        else:
            break
    return index


def without_from(text: str) -> str:
    """`text` without its FROM and FROM NAMED clauses (a dataset in the protocol instead)."""
    tokens = tokenize(text)
    for index in reversed(range(len(tokens))):
        if tokens[index].keyword != "FROM":
            continue
        end = (
            index + 2
            if tokens[index + 1 : index + 2] and tokens[index + 1].keyword == "NAMED"
            else index + 1
        )
        if end < len(tokens) and tokens[end].kind in (IRI, PNAME):
            last = tokens[end]
            text = f"{text[: tokens[index].start]} {text[last.start + len(last.text) :]}"
    return text


# -- booleans computed in a query -------------------------------------------------------------
def boolean_variables(text: str) -> frozenset[str]:
    """The variables that `text` binds to a boolean expression with `(… AS ?v)` or
    `BIND(… AS ?v)`: Virtuoso gives booleans computed in a query as the integers 0 and 1,
    read back as booleans (`results`). (Rewriting the expression into an xsd:boolean
    literal does not do: Virtuoso then drops the rows where a BIND gives false.)"""
    tokens = tokenize(text)
    found = set()
    for index, token in enumerate(tokens):
        if token.keyword != "AS" or index + 1 >= len(tokens) or tokens[index + 1].kind != VAR:
            continue
        start = _expression_start(tokens, index)
        if start is not None and _is_boolean(tokens[start:index]):
            found.add(tokens[index + 1].text[1:])
    return frozenset(found)


def boolean_terms(terms: Mapping[str, Any]) -> frozenset[str]:
    """The variables bound to a boolean literal (a VALUES block's, also read back as 0 or 1)."""
    return frozenset(
        name
        for name, term in terms.items()
        if isinstance(term, ox.Literal) and term.datatype.value == BOOLEAN
    )


def _expression_start(tokens: list[Token], as_index: int) -> int | None:
    """The first token of the expression before `AS` at `as_index`, inside its `(`."""
    depth = 0
    for index in range(as_index - 1, -1, -1):
        token = tokens[index]
        if token.kind == PUNCT and token.text in ")]}":
            depth += 1
        elif token.kind == PUNCT and token.text in "([{":
            if depth == 0:
                return index + 1 if token.text == "(" and index + 1 < as_index else None
            depth -= 1
    return None


def _is_boolean(expression: list[Token]) -> bool:
    """Whether an expression's value is a boolean: a comparison or a logical operator at its
    top level, `!`, one call of a boolean built-in function (or `true`, `false`), or a
    COALESCE or IF that can only give booleans (`COALESCE(?optional, false)`)."""
    if not expression:
        return False
    for depth, token in depths(expression, BRACKETS, CLOSING):
        if depth == 0 and (token.text in ("=", "<", ">", "&", "|") or token.keyword == "IN"):
            return True
    first = expression[0]
    if first.text == "!":
        return True
    if first.keyword in ("COALESCE", "IF") and _bracket_end(expression, 1) == len(expression):
        return _gives_booleans(first.keyword, _arguments(expression[2:-1]))
    if first.keyword not in BOOLEAN_CALLS:
        return False
    if len(expression) == 1:
        return first.keyword in ("TRUE", "FALSE")
    # one call: its argument list closes at the end of the expression
    return _bracket_end(expression, 1 if first.keyword != "NOT" else 2) == len(expression)


def _gives_booleans(function: str, arguments: list[list[Token]]) -> bool:
    """Whether COALESCE or IF with these arguments gives only booleans: those it may give
    (IF: not its condition) are booleans, or variables when one of them is a boolean (the
    variable then holds one too: it comes from the data, where Virtuoso keeps a boolean's
    datatype, or from a boolean expression of the query)."""
    given = arguments[1:] if function == "IF" else arguments
    booleans = [_is_boolean(argument) for argument in given]
    variables = [len(argument) == 1 and argument[0].kind == VAR for argument in given]
    return any(booleans) and all(b or v for b, v in zip(booleans, variables, strict=True))


def _arguments(tokens: list[Token]) -> list[list[Token]]:
    """A call's argument list (the tokens inside its brackets) split at its top-level commas."""
    arguments: list[list[Token]] = [[]]
    for depth, token in depths(tokens, BRACKETS, CLOSING):
        if depth == 0 and token.kind == PUNCT and token.text == ",":
            arguments.append([])
        else:
            arguments[-1].append(token)
    return arguments


def _bracket_end(tokens: list[Token], index: int) -> int | None:
    """The index after the bracketed group that opens at token `index`."""
    depth = 0
    for position in range(index, len(tokens)):
        token = tokens[position]
        if token.kind == PUNCT and token.text in "([{":
            depth += 1
        elif token.kind == PUNCT and token.text in ")]}":
            depth -= 1
            if depth == 0:
                return position + 1
        if depth == 0:
            return None
    return None


def canonical_time(value: str) -> str:
    """An xsd:dateTime in XSD's canonical form: no trailing zeros in its fraction of seconds
    (as pyoxigraph and the history write it; Virtuoso writes whole milliseconds as `.120`)."""
    return _TRAILING_ZEROS.sub(lambda m: f".{m.group(1)}" if m.group(1) else "", value)


# -- its answers ------------------------------------------------------------------------------
def results(content: bytes, booleans: frozenset[str] = frozenset()) -> bytes:
    """Virtuoso's JSON results with its blank nodes (`nodeID://b123`) labelled `b123`, its
    booleans (`"1"^^xsd:boolean`, as it holds them) written `true` and `false`, as in its
    N-Triples and in the data it was given, and so the integers 0 and 1 of the variables
    `booleans` (bound to a boolean expression by the query); its xsd:dateTime values in
    canonical form (`canonical_time`)."""
    marks = (BLANK.encode(), BOOLEAN.encode(), DATETIME.encode())
    if not booleans and not any(mark in content for mark in marks):
        return content
    answer = json.loads(content)
    for row in answer.get("results", {}).get("bindings", []):
        for name, term in row.items():
            value = term.get("value", "")
            if term.get("type") == "bnode" and value.startswith(BLANK):
                term["value"] = value[len(BLANK) :]
            elif value in ("0", "1") and (
                term.get("datatype") == BOOLEAN
                or (name in booleans and term.get("datatype") == f"{XSD}integer")
            ):
                term["datatype"], term["value"] = BOOLEAN, "true" if value == "1" else "false"
            elif term.get("datatype") == DATETIME:
                term["value"] = canonical_time(value)
    return json.dumps(answer).encode()
