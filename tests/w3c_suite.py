"""The W3C SPARQL 1.1 test suite (vendored in `tests/w3c/sparql11/`), run as an outside client.

This module knows the suite, not the product: it reads the manifests, rewrites a query to carry
its dataset in the text (FROM / FROM NAMED), parses the expected and the returned results, and
compares them (result sets as multisets with blank nodes renamed, in order only under ORDER BY;
graphs and datasets up to blank-node isomorphism). An `Endpoint` is anything that speaks the
SPARQL protocols over HTTP: the product (`srg serve`) or `oxigraph serve` itself, so that every
test can be run the same way on both (`run`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).resolve().parent / "w3c"
SUITE = HERE / "sparql11"
# The manifests' own base: every file of the suite is known by its URL under it, and the query
# tests' data files are loaded into named graphs of those URLs (expected results name them).
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
# A graph that exists and stays empty: the default graph of a test that names none.
EMPTY = f"{BASE}empty-default-graph"

QUERY_FOLDERS = (
    "aggregates", "bind", "bindings", "cast", "construct", "exists", "functions", "grouping",
    "negation", "project-expression", "property-path", "subquery", "csv-tsv-res", "json-res",
)  # fmt: skip
SYNTAX_FOLDERS = ("syntax-query", "syntax-update-1", "syntax-update-2", "syntax-fed")
UPDATE_FOLDERS = (
    "add", "basic-update", "clear", "copy", "delete-data", "delete-insert", "delete-where",
    "delete", "drop", "move", "update-silent",
)  # fmt: skip
FOLDERS = QUERY_FOLDERS + SYNTAX_FOLDERS + UPDATE_FOLDERS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

POSITIVE_SYNTAX = {"PositiveSyntaxTest11", "PositiveUpdateSyntaxTest11"}
NEGATIVE_SYNTAX = {"NegativeSyntaxTest11", "NegativeUpdateSyntaxTest11"}
QUERY_EVALUATION = {"QueryEvaluationTest", "CSVResultFormatTest"}
UPDATE_EVALUATION = {"UpdateEvaluationTest"}

# What the product refuses on purpose (README, "Limits that hold"): a positive syntax test that
# uses SERVICE or LOAD passes when refused with this policy message, not with a syntax error.
POLICY = {
    "SERVICE": re.compile(r"SERVICE .*disabled", re.I),
    "LOAD": re.compile(r"LOAD is disabled", re.I),
}


# --- the manifests -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One test of a manifest: `kind` is syntax+, syntax-, query or update."""

    iri: str
    kind: str
    action: str  # URL of the query or update file
    is_update: bool
    data: tuple[str, ...] = ()  # URLs of the files merged into the default graph
    graph_data: tuple[tuple[str, str], ...] = ()  # (graph name, file URL)
    result: str | None = None  # URL of the expected results (query tests)
    result_data: tuple[str, ...] = ()  # expected default graph (update tests)
    result_graph_data: tuple[tuple[str, str], ...] = ()  # expected named graphs (update tests)

    @property
    def short(self) -> str:
        """`folder/name`: the test IRI without the suite's base and manifest."""
        return self.iri.removeprefix(BASE).replace("/manifest#", "/")

    @property
    def text(self) -> str:
        return path_of(self.action).read_text(encoding="utf-8")


def path_of(url: str) -> Path:
    if not url.startswith(BASE):
        raise ValueError(f"{url} is not a file of the vendored suite")
    return SUITE / url.removeprefix(BASE)


def _graph_data(graph: Graph, node: object) -> tuple[str, str]:
    """A `qt:graphData`/`ut:graphData`: a file (named by its URL) or [ ut:graph; rdfs:label ]."""
    if isinstance(node, BNode):
        file = graph.value(node, UT.graph)
        label = graph.value(node, RDFS.label)
        return (str(label) if label is not None else str(file), str(file))
    return (str(node), str(node))


def load_manifest(folder: str) -> list[Case]:
    graph = Graph()
    url = f"{BASE}{folder}/manifest.ttl"
    graph.parse(SUITE / folder / "manifest.ttl", format="turtle", publicID=url)
    cases = []
    for entries in graph.objects(URIRef(url), MF.entries):
        for test in Collection(graph, entries):
            cases.append(_case(graph, test))
    return cases


def _case(graph: Graph, test: object) -> Case:
    kind = str(graph.value(test, RDF.type)).rsplit("#", 1)[-1]
    action = graph.value(test, MF.action)
    result = graph.value(test, MF.result)
    iri = str(test)
    if kind in POSITIVE_SYNTAX | NEGATIVE_SYNTAX:
        sign = "syntax+" if kind in POSITIVE_SYNTAX else "syntax-"
        return Case(iri, sign, str(action), str(action).endswith(".ru"))
    if kind in QUERY_EVALUATION:
        return Case(
            iri,
            "query",
            str(graph.value(action, QT.query)),
            False,
            data=tuple(sorted(str(d) for d in graph.objects(action, QT.data))),
            graph_data=tuple(
                sorted(_graph_data(graph, g) for g in graph.objects(action, QT.graphData))
            ),
            result=str(result),
        )
    if kind in UPDATE_EVALUATION:
        return Case(
            iri,
            "update",
            str(graph.value(action, UT.request)),
            True,
            data=tuple(sorted(str(d) for d in graph.objects(action, UT.data))),
            graph_data=tuple(
                sorted(_graph_data(graph, g) for g in graph.objects(action, UT.graphData))
            ),
            result_data=tuple(sorted(str(d) for d in graph.objects(result, UT.data))),
            result_graph_data=tuple(
                sorted(_graph_data(graph, g) for g in graph.objects(result, UT.graphData))
            ),
        )
    raise ValueError(f"{iri}: test type {kind} is not run by this harness")


def load_suite(folders: Iterable[str] = FOLDERS) -> list[Case]:
    return [case for folder in folders for case in load_manifest(folder)]


# --- reading query text --------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:'{0,2}(?:[^'\\]|\\.))*''' | \"\"\"(?:"{0,2}(?:[^"\\]|\\.))*\"\"\"
        | '(?:[^'\\\r\n]|\\.)*' | "(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
    | (?P<word>[^\W\d][\w\-.]*(?::[\w\-.:%\\]*)?|:[\w\-.:%\\]*)
    | (?P<punct>.)
    """,
    re.X | re.S,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """SPARQL tokens, enough to find keywords and brackets (strings, IRIs, comments skipped)."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


def uses(text: str, keyword: str) -> bool:
    return any(token.keyword == keyword for token in tokens(text))


def query_form(text: str) -> str:
    for token in tokens(text):
        if token.keyword in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            return token.keyword
    raise ValueError("no query form")


def has_dataset_clause(text: str) -> bool:
    return uses(text, "FROM")


def is_ordered(text: str) -> bool:
    """ORDER BY among the outermost solution modifiers (outside every group)."""
    depth = 0
    found = tokens(text)
    for token, following in pairwise(found):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and token.keyword == "ORDER" and following.keyword == "BY":
            return True
    return False


def with_base(text: str, url: str) -> str:
    """The text with `BASE <url>` in front: relative IRIs of a test file resolve against the
    file's URL, not the server's own base (a BASE of the text's own comes later and wins)."""
    return f"BASE <{url}>\n{text}"


def _after_group(found: list[Token], start: int) -> int:
    """The index after the group that opens at `found[start]` (a `{`)."""
    depth = 0
    for index in range(start, len(found)):
        depth += {"{": 1, "}": -1}.get(found[index].text, 0)
        if depth == 0:
            return index + 1
    return len(found)


def with_dataset(text: str, default: Sequence[str], named: Sequence[str]) -> str:
    """The query with `FROM <d>` and `FROM NAMED <n>` clauses added where the grammar puts
    them: after the SELECT clause, the CONSTRUCT template, ASK or the DESCRIBE targets, before
    WHERE or the query pattern's first `{`."""
    clauses = [f"FROM <{iri}>" for iri in default] + [f"FROM NAMED <{iri}>" for iri in named]
    if not clauses:
        return text
    found = tokens(text)
    form = next(
        i for i, t in enumerate(found) if t.keyword in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
    )
    position = form + 1
    if found[form].keyword == "CONSTRUCT" and found[position].text == "{":
        position = _after_group(found, position)
    parens = 0
    stops = {"WHERE", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"}
    insert_at = len(text)
    for token in found[position:]:
        parens += {"(": 1, ")": -1}.get(token.text, 0)
        if parens == 0 and (token.text == "{" or token.keyword in stops):
            insert_at = token.start
            break
    return f"{text[:insert_at].rstrip()}\n{' '.join(clauses)}\n{text[insert_at:]}"


# --- RDF terms, result sets and graphs as plain values -------------------------------------
# A term: ("I", iri) | ("B", label) | ("L", lexical form, datatype, lower-cased language).
# A row: a tuple of (key, term) pairs, sorted (key: a variable name, or a position in a triple).

Term = tuple[str, ...]
Row = tuple[tuple[object, Term], ...]


def literal(lexical: str, datatype: str | None = None, language: str | None = None) -> Term:
    if language:
        return ("L", lexical, LANG_STRING, language.lower())
    return ("L", lexical, datatype or f"{XSD}string", "")


def term_of(node: object) -> Term:
    """A pyoxigraph term as a plain value."""
    if isinstance(node, pyoxigraph.NamedNode):
        return ("I", node.value)
    if isinstance(node, pyoxigraph.BlankNode):
        return ("B", node.value)
    if isinstance(node, pyoxigraph.Literal):
        return literal(node.value, node.datatype.value, node.language)
    if isinstance(node, pyoxigraph.DefaultGraph):
        return ("D",)
    raise TypeError(f"unexpected term {node!r}")


@dataclass
class Results:
    """A SELECT or ASK result (rows with their order kept), or a graph (rows of triples)."""

    variables: frozenset[str] = frozenset()
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: bool = False

    def __str__(self) -> str:
        if self.boolean is not None:
            return f"boolean {self.boolean}"
        lines = [render_row(row) for row in self.rows]
        head = "graph" if self.graph else f"variables {sorted(self.variables)}"
        return f"{head}, {len(self.rows)} rows:\n  " + "\n  ".join(lines)


def render_term(term: Term) -> str:
    if term[0] == "I":
        return f"<{term[1]}>"
    if term[0] == "B":
        return f"_:{term[1]}"
    if term[0] == "D":
        return "DEFAULT"
    suffix = f"@{term[3]}" if term[3] else "" if term[2] == f"{XSD}string" else f"^^<{term[2]}>"
    return json.dumps(term[1], ensure_ascii=False) + suffix


def render_row(row: Row) -> str:
    return " ".join(f"{key}={render_term(term)}" for key, term in row)


def _row(pairs: Iterable[tuple[object, Term]]) -> Row:
    return tuple(sorted(pairs, key=lambda pair: str(pair[0])))


def parse_srx(data: bytes) -> Results:
    ns = "{http://www.w3.org/2005/sparql-results#}"
    root = ET.fromstring(data)
    variables = frozenset(v.get("name", "") for v in root.iter(f"{ns}variable"))
    boolean = root.find(f"{ns}boolean")
    if boolean is not None:
        return Results(variables, boolean=(boolean.text or "").strip() == "true")
    rows = []
    for result in root.iter(f"{ns}result"):
        pairs = []
        for binding in result.findall(f"{ns}binding"):
            value = binding[0]
            tag = value.tag.removeprefix(ns)
            if tag == "uri":
                term: Term = ("I", value.text or "")
            elif tag == "bnode":
                term = ("B", value.text or "")
            else:
                language = value.get("{http://www.w3.org/XML/1998/namespace}lang")
                term = literal(value.text or "", value.get("datatype"), language)
            pairs.append((binding.get("name", ""), term))
        rows.append(_row(pairs))
    return Results(variables, rows)


def parse_srj(data: bytes) -> Results:
    document = json.loads(data)
    variables = frozenset(document.get("head", {}).get("vars", []))
    if "boolean" in document:
        return Results(variables, boolean=bool(document["boolean"]))
    rows = []
    for binding in document["results"]["bindings"]:
        pairs = []
        for name, value in binding.items():
            if value["type"] == "uri":
                term: Term = ("I", value["value"])
            elif value["type"] == "bnode":
                term = ("B", value["value"])
            else:
                term = literal(value["value"], value.get("datatype"), value.get("xml:lang"))
            pairs.append((name, term))
        rows.append(_row(pairs))
    return Results(variables, rows)


_ECHAR = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
_TSV_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$', re.S)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            return chr(int(code, 16))
        return _ESCAPES.get(match.group(3), match.group(3))

    return _ECHAR.sub(one, text)


def tsv_term(text: str) -> Term | None:
    """A TSV results field (an RDF term in Turtle syntax); None for an unbound one."""
    if text == "":
        return None
    if text.startswith("<") and text.endswith(">"):
        return ("I", _unescape(text[1:-1]))
    if text.startswith("_:"):
        return ("B", text[2:])
    if match := _TSV_LITERAL.match(text):
        return literal(_unescape(match.group(1)), match.group(3), match.group(2))
    if text in ("true", "false"):
        return literal(text, f"{XSD}boolean")
    if re.fullmatch(r"[+-]?\d+", text):
        return literal(text, f"{XSD}integer")
    if re.fullmatch(r"[+-]?\d*\.\d+", text):
        return literal(text, f"{XSD}decimal")
    if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+", text):
        return literal(text, f"{XSD}double")
    raise ValueError(f"not a TSV term: {text!r}")


def parse_tsv(data: bytes) -> Results:
    lines = data.decode("utf-8").removesuffix("\n").split("\n")
    lines = [line.removesuffix("\r") for line in lines]
    header = [name.removeprefix("?").removeprefix("$") for name in lines[0].split("\t")]
    rows = []
    for line in lines[1:]:
        fields = line.split("\t")
        terms = [(name, tsv_term(value)) for name, value in zip(header, fields, strict=True)]
        rows.append(_row((name, term) for name, term in terms if term is not None))
    return Results(frozenset(h for h in header if h), rows)


def parse_csv(data: bytes) -> Results:
    """CSV results keep only the lexical forms: every value a plain string, `_:x` a blank
    node, an empty field unbound (both sides are read this way, so they compare alike)."""
    table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, rows = table[0], []
    for line in table[1:]:
        pairs = []
        for name, value in zip(header, line, strict=True):
            if value.startswith("_:"):
                pairs.append((name, ("B", value[2:])))
            elif value != "":
                pairs.append((name, literal(value)))
        rows.append(_row(pairs))
    return Results(frozenset(header), rows)


def parse_graph(data: bytes, format: pyoxigraph.RdfFormat, base: str | None = None) -> Results:
    rows = []
    for quad in pyoxigraph.parse(data, format, base_iri=base):
        graph = getattr(quad, "graph_name", pyoxigraph.DefaultGraph())
        terms = (quad.subject, quad.predicate, quad.object, graph)
        rows.append(tuple((i, term_of(t)) for i, t in enumerate(terms)))
    return Results(rows=sorted(set(rows)), graph=True)


def parse_rdf_result_set(data: bytes, base: str) -> Results | None:
    """An expected result written in the DAWG result-set vocabulary (rs:ResultSet), or None
    when the file is a plain graph (the expected result of a CONSTRUCT)."""
    store = pyoxigraph.Store()
    store.load(data, pyoxigraph.RdfFormat.TURTLE, base_iri=base)

    def objects(subject: object, predicate: str) -> list[object]:
        pattern = store.quads_for_pattern(subject, pyoxigraph.NamedNode(RS + predicate), None)
        return [quad.object for quad in pattern]

    rdf_type = pyoxigraph.NamedNode(str(RDF.type))
    sets = [
        q.subject
        for q in store.quads_for_pattern(None, rdf_type, None)
        if q.object.value == RS + "ResultSet"
    ]
    if not sets:
        return None
    result_set = sets[0]
    variables = frozenset(v.value for v in objects(result_set, "resultVariable"))
    booleans = objects(result_set, "boolean")
    if booleans:
        return Results(variables, boolean=booleans[0].value == "true")
    solutions = []
    for solution in objects(result_set, "solution"):
        pairs = []
        for binding in objects(solution, "binding"):
            name = objects(binding, "variable")[0].value
            pairs.append((name, term_of(objects(binding, "value")[0])))
        index = objects(solution, "index")
        solutions.append((int(index[0].value) if index else 0, _row(pairs)))
    solutions.sort(key=lambda pair: pair[0])
    return Results(variables, [row for _, row in solutions])


def read_graph_file(url: str) -> list[Row]:
    """A data file of the suite as rows of triples (blank nodes labelled anew on each read)."""
    path = path_of(url)
    format = pyoxigraph.RdfFormat.from_extension(path.suffix.removeprefix("."))
    if format is None:
        raise ValueError(f"{url}: unknown RDF format")
    triples = pyoxigraph.parse(path=path, format=format, base_iri=url, rename_blank_nodes=True)
    return [
        ((0, term_of(t.subject)), (1, term_of(t.predicate)), (2, term_of(t.object)))
        for t in triples
    ]


def ntriples(rows: Iterable[Row]) -> bytes:
    """Rows of triples as N-Triples (what the harness sends to a Graph Store)."""
    return "".join(" ".join(render_nt(t) for _, t in row[:3]) + " .\n" for row in rows).encode()


def render_nt(term: Term) -> str:
    if term[0] == "L":
        text = term[1].translate({0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x0D: "\\r"})
        suffix = f"@{term[3]}" if term[3] else f"^^<{term[2]}>"
        return f'"{text}"{suffix}'
    return render_term(term)


def expected_results(case: Case) -> Results:
    assert case.result is not None
    data = path_of(case.result).read_bytes()
    extension = case.result.rsplit(".", 1)[-1]
    parsers: dict[str, Callable[[bytes], Results]] = {
        "srx": parse_srx, "srj": parse_srj, "tsv": parse_tsv, "csv": parse_csv,
    }  # fmt: skip
    if extension in parsers:
        return parsers[extension](data)
    if extension == "ttl" and (found := parse_rdf_result_set(data, case.result)) is not None:
        return found
    format = pyoxigraph.RdfFormat.from_extension(extension)
    assert format is not None, case.result
    return parse_graph(data, format, case.result)


# --- comparison up to blank-node renaming --------------------------------------------------


def _blank_nodes(rows: Iterable[Row]) -> set[Term]:
    return {term for row in rows for _, term in row if term[0] == "B"}


def _painted(row: Row, colours: dict[Term, int], me: Term | None = None) -> str:
    return repr(tuple((key, ("C", colours[t], t == me) if t[0] == "B" else t) for key, t in row))


def _refine(left: list[Row], right: list[Row], colours: dict[Term, int]) -> dict[Term, int]:
    """Colour refinement: a blank node's colour from the rows it occurs in, until stable."""
    while True:
        signatures: dict[Term, list[str]] = {b: [] for b in colours}
        for row in left + right:
            for _, term in row:
                if term[0] == "B":
                    signatures[term].append(_painted(row, colours, term))
        table: dict[tuple[int, tuple[str, ...]], int] = {}
        refined = {
            b: table.setdefault((colours[b], tuple(sorted(signatures[b]))), len(table))
            for b in sorted(colours)
        }
        if len(set(refined.values())) == len(set(colours.values())):
            return refined
        colours = refined


def _search(left: list[Row], right: list[Row], colours: dict[Term, int]) -> bool:
    colours = _refine(left, right, colours)
    if Counter(_painted(r, colours) for r in left) != Counter(_painted(r, colours) for r in right):
        return False
    classes: dict[int, tuple[list[Term], list[Term]]] = {}
    for b, colour in sorted(colours.items()):
        classes.setdefault(colour, ([], []))[0 if b[1].startswith("l") else 1].append(b)
    if any(len(mine) != len(theirs) for mine, theirs in classes.values()):
        return False
    ties = sorted((len(m), c) for c, (m, _) in classes.items() if len(m) > 1)
    if not ties:
        mapping = {mine[0]: theirs[0] for mine, theirs in classes.values()}
        renamed = [tuple((k, mapping.get(t, t)) for k, t in row) for row in left]
        return Counter(renamed) == Counter(right)
    mine, theirs = classes[ties[0][1]]
    fresh = max(colours.values()) + 1
    for candidate in theirs:
        if _search(left, right, {**colours, mine[0]: fresh, candidate: fresh}):
            return True
    return False


def isomorphic(left: Sequence[Row], right: Sequence[Row]) -> bool:
    """Equal as multisets of rows, for some one-to-one renaming of blank nodes."""
    if len(left) != len(right):
        return False

    def tag(rows: Sequence[Row], side: str) -> list[Row]:
        return [
            tuple((k, ("B", side + t[1]) if t[0] == "B" else _by_value(t)) for k, t in row)
            for row in rows
        ]

    mine, theirs = tag(left, "l"), tag(right, "r")
    blanks = _blank_nodes(mine) | _blank_nodes(theirs)
    if not blanks:
        return Counter(mine) == Counter(theirs)
    return _search(mine, theirs, dict.fromkeys(blanks, 0))


_INTEGERS = {
    f"{XSD}{name}"
    for name in (
        "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
        "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
        "positiveInteger",
    )
}  # fmt: skip


def _by_value(term: Term) -> Term:
    """A numeric literal by its value (and datatype): engines write computed numbers in
    different canonical forms ("2.0" or "2", "3.0E4" or "30000"); the suite's expected results
    are compared by value for numbers, as other harnesses do. Other terms are left as they are."""
    if term[0] != "L" or not term[2].startswith(XSD):
        return term
    lexical, datatype = term[1].strip(), term[2]
    try:
        if datatype in _INTEGERS:
            return ("N", datatype, str(int(lexical)))
        if datatype == f"{XSD}decimal":
            value = Decimal(lexical)
            return ("N", datatype, str(value.normalize() if value else Decimal(0)))
        if datatype == f"{XSD}double":
            return ("N", datatype, repr(float(lexical)))
        if datatype == f"{XSD}float":
            return ("N", datatype, repr(struct.unpack("f", struct.pack("f", float(lexical)))[0]))
    except (ValueError, ArithmeticError, OverflowError):
        pass
    return term


def same_results(expected: Results, actual: Results, ordered: bool) -> bool:
    if expected.boolean is not None or actual.boolean is not None:
        return expected.boolean == actual.boolean
    if not expected.graph and expected.variables != actual.variables:
        return False
    if ordered:
        return isomorphic(*(_indexed(r.rows) for r in (expected, actual)))
    return isomorphic(expected.rows, actual.rows)


def difference(expected: Results, actual: Results, ordered: bool, limit: int = 30) -> str:
    """What differs, for a failure message: the rows missing and the rows not expected
    (blank nodes compared by label here, so rows with blank nodes may show on both sides)."""
    lines = [f"expected {_summary(expected)}, got {_summary(actual)}" + (" (ordered)" * ordered)]
    if expected.boolean is None and actual.boolean is None:
        if not expected.graph and expected.variables != actual.variables:
            lines.append(f"variables {sorted(expected.variables)} != {sorted(actual.variables)}")

        def key(row: Row) -> Row:
            return tuple((k, _by_value(t)) for k, t in row)

        mine, theirs = Counter(map(key, expected.rows)), Counter(map(key, actual.rows))
        originals = {key(r): r for r in expected.rows + actual.rows}
        for label, rows in (("missing", mine - theirs), ("unexpected", theirs - mine)):
            for row in list(rows.elements())[:limit]:
                lines.append(f"  {label}: {render_row(originals.get(row, row))}")
        if ordered and mine == theirs:
            lines.append("  the same rows, in another order:")
            lines += [f"    {render_row(row)}" for row in actual.rows[:limit]]
    return "\n".join(lines)


def _summary(results: Results) -> str:
    if results.boolean is not None:
        return str(results.boolean).lower()
    return f"{len(results.rows)} {'triples' if results.graph else 'rows'}"


def _indexed(rows: list[Row]) -> list[Row]:
    return [(*row, ("#", ("I", str(i)))) for i, row in enumerate(rows)]


# --- endpoints -----------------------------------------------------------------------------


@dataclass
class Endpoint:
    """A SPARQL 1.1 service over HTTP: where queries, updates and Graph Store requests go."""

    query_url: str
    update_url: str
    store_url: str
    dump: Callable[[httpx.Client], bytes]  # the whole dataset as N-Quads
    headers: dict[str, str] = field(default_factory=dict)
    # graphs the server keeps of its own (srg's history), left out of every comparison
    own_graphs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=60, headers=self.headers)

    def query(
        self, text: str, accept: str, default: Sequence[str] = (), named: Sequence[str] = ()
    ) -> httpx.Response:
        form = [("query", text)]
        form += [("default-graph-uri", iri) for iri in default]
        form += [("named-graph-uri", iri) for iri in named]
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        return self.http.post(self.query_url, content=urlencode(form), headers=headers)

    def update(self, text: str) -> httpx.Response:
        content_type = {"Content-Type": "application/sparql-update"}
        return self.http.post(self.update_url, content=text.encode(), headers=content_type)

    def put(self, graph: str | None, rows: Iterable[Row]) -> None:
        params = {"graph": graph} if graph else {"default": ""}
        answer = self.http.put(
            self.store_url,
            params=params,
            content=ntriples(rows),
            headers={"Content-Type": "application/n-triples"},
        )
        assert answer.status_code in (200, 201, 204), (graph, answer.status_code, answer.text)

    def dataset(self) -> list[Row]:
        lines = self.dump(self.http).splitlines(keepends=True)
        own = tuple(f"<{graph}> .".encode() for graph in self.own_graphs)
        kept = b"".join(line for line in lines if not own or not line.rstrip().endswith(own))
        return parse_graph(kept, pyoxigraph.RdfFormat.N_QUADS).rows

    def graphs(self) -> set[str]:
        """The named graphs, empty ones too, but the server's own."""
        answer = self.query(
            "SELECT DISTINCT ?g { GRAPH ?g { } }", "application/sparql-results+json"
        )
        assert answer.status_code == 200, answer.text
        found = {row["g"]["value"] for row in answer.json()["results"]["bindings"]}
        return found - set(self.own_graphs)

    def reset(self) -> None:
        answer = self.update("DROP ALL")
        assert answer.status_code in (200, 204), answer.text
        assert not self.dataset() and not self.graphs(), "the store is not empty after DROP ALL"

    def close(self) -> None:
        self.http.close()


# --- running one test ----------------------------------------------------------------------


@dataclass
class Outcome:
    """How a test went: `passed`, and what was seen (to tell two failures apart)."""

    passed: bool
    status: int
    message: str
    actual: Results | None = None

    def same_failure(self, other: Outcome) -> bool:
        if self.passed or other.passed or self.status != other.status:
            return False
        if self.actual is None or other.actual is None:
            return self.actual is other.actual
        return same_results(self.actual, other.actual, ordered=False)


ACCEPT = {
    "srx": "application/sparql-results+xml",
    "srj": "application/sparql-results+json",
    "tsv": "text/tab-separated-values",
    "csv": "text/csv",
}
PARSE = {
    "application/sparql-results+xml": parse_srx,
    "application/sparql-results+json": parse_srj,
    "text/tab-separated-values": parse_tsv,
    "text/csv": parse_csv,
}


def variants(case: Case) -> list[str]:
    """How a query test's dataset is given: `protocol` (default-graph-uri, named-graph-uri)
    and `from` (FROM / FROM NAMED added to the text); a query with a dataset clause of its
    own is run once, as it is (`from`)."""
    if case.kind != "query":
        return [""]
    return ["from"] if has_dataset_clause(case.text) else ["protocol", "from"]


def run(case: Case, variant: str, queries: Endpoint, updates: Endpoint) -> Outcome:
    """Run one test on an endpoint (`queries` holds the query tests' data, loaded once;
    `updates` is reset and loaded by each update test)."""
    if case.kind.startswith("syntax"):
        return _run_syntax(case, queries, updates)
    if case.kind == "query":
        return _run_query(case, variant, queries)
    return _run_update(case, updates)


def _policy(text: str) -> re.Pattern[str] | None:
    return next((POLICY[word] for word in POLICY if uses(text, word)), None)


def _run_syntax(case: Case, queries: Endpoint, updates: Endpoint) -> Outcome:
    """A query runs on the query tests' data; an update on an empty store."""
    text = case.text
    if case.is_update:
        updates.reset()
        answer = updates.update(text)
    else:
        answer = queries.query(text, "application/sparql-results+json, text/turtle;q=0.9")
    refused = answer.status_code == 400
    message = f"{answer.status_code}: {answer.text[:300]}"
    policy = _policy(text)
    if case.kind == "syntax-":
        return Outcome(refused, answer.status_code, f"expected 400, got {message}")
    if policy is not None:
        accepted = refused and bool(policy.search(answer.text))
        return Outcome(accepted, answer.status_code, f"expected the policy refusal, got {message}")
    return Outcome(not refused, answer.status_code, f"expected acceptance, got {message}")


def _run_query(case: Case, variant: str, endpoint: Endpoint) -> Outcome:
    text = with_base(case.text, case.action)
    expected = expected_results(case)
    extension = (case.result or "").rsplit(".", 1)[-1]
    form = query_form(text)
    if form in ("CONSTRUCT", "DESCRIBE"):
        accept = "application/n-triples"
    else:
        accept = ACCEPT.get(extension, "application/sparql-results+json")
    default = list(case.data)
    named = [name for name, _ in case.graph_data]
    if not default and not named:
        default = [EMPTY]
    if variant == "protocol":
        answer = endpoint.query(text, accept, default, named)
    else:
        if not has_dataset_clause(text):
            text = with_dataset(text, default, named)
        answer = endpoint.query(text, accept)
    if answer.status_code != 200:
        return Outcome(False, answer.status_code, f"{answer.status_code}: {answer.text[:500]}")
    if accept == "application/n-triples":
        actual = parse_graph(answer.content, pyoxigraph.RdfFormat.N_TRIPLES)
    else:
        actual = PARSE[accept](answer.content)
    ordered = is_ordered(text) and not expected.graph
    passed = same_results(expected, actual, ordered)
    detail = "" if passed else difference(expected, actual, ordered)
    return Outcome(passed, 200, detail, actual)


def _dataset(default: Iterable[str], named: Iterable[tuple[str, str]]) -> list[Row]:
    rows = [(*row, (3, ("D",))) for url in default for row in read_graph_file(url)]
    rows += [(*row, (3, ("I", name))) for name, url in named for row in read_graph_file(url)]
    return rows


def _run_update(case: Case, endpoint: Endpoint) -> Outcome:
    endpoint.reset()
    initial: dict[str | None, list[Row]] = {}
    for url in case.data:
        initial.setdefault(None, []).extend(read_graph_file(url))
    for name, url in case.graph_data:
        initial.setdefault(name, []).extend(read_graph_file(url))
    for graph, rows in initial.items():
        endpoint.put(graph, rows)
    text = with_base(case.text, case.action)
    answer = endpoint.update(text)
    policy = _policy(text)
    actual = Results(rows=endpoint.dataset(), graph=True)
    if policy is not None:  # LOAD is refused on purpose, and nothing may change
        unchanged = isomorphic(_dataset(case.data, case.graph_data), actual.rows)
        passed = answer.status_code == 400 and bool(policy.search(answer.text)) and unchanged
        return Outcome(passed, answer.status_code, f"expected the policy refusal: {answer.text}")
    expected = Results(rows=_dataset(case.result_data, case.result_graph_data), graph=True)
    if answer.status_code not in (200, 204):
        message = f"update refused: {answer.status_code}: {answer.text[:500]}"
        return Outcome(False, answer.status_code, message, actual)
    passed = isomorphic(expected.rows, actual.rows)
    detail = "" if passed else difference(expected, actual, ordered=False)
    return Outcome(passed, answer.status_code, detail, actual)


# --- the lists of known failures -----------------------------------------------------------


def read_list(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """A failure list: `cause KEY: text` lines, and `IRI VARIANT CAUSE-OR-REASON` lines
    (VARIANT is `protocol`, `from` or `*`); '#' starts a comment line."""
    causes: dict[str, str] = {}
    entries: dict[tuple[str, str], str] = {}
    if not path.exists():
        return causes, entries
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("cause "):
            key, _, text = line.removeprefix("cause ").partition(":")
            causes[key.strip()] = text.strip()
            continue
        iri, variant, reason = line.split(maxsplit=2)
        entries[(iri, variant)] = reason
    return causes, entries


def listed(entries: dict[tuple[str, str], str], case: Case, variant: str) -> str | None:
    return entries.get((case.iri, variant or "*")) or entries.get((case.iri, "*"))
