"""The SPARQL guard: what it sees in a request, and what it refuses before the engine runs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from srg_graph.sparql.guard import GuardError, check, inspect, names_dataset, plainly_a_query
from srg_graph.sparql.lexer import tokenize
from srg_graph.sparql.plain import _IN_CONTEXT, _words_in_context


def nested(depth: int, opening: str = "{", closing: str = "}") -> str:
    return "SELECT * WHERE " + opening * depth + closing * depth


@pytest.mark.parametrize(
    ("text", "form", "query_type"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "query", "SELECT"),
        ("select * { }", "query", "SELECT"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "query", "CONSTRUCT"),
        ("DESCRIBE <http://x/a>", "query", "DESCRIBE"),
        ("ask {}", "query", "ASK"),
        ("PREFIX ex: <http://x/> BASE <http://b/> SELECT * {}", "query", "SELECT"),
        ("# SELECT\nINSERT DATA { <a> <b> <c> }", "update", None),
        ("DELETE WHERE { ?s ?p ?o }", "update", None),
        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update", None),
        ("LOAD <http://x/data.ttl>", "update", None),
        ("CLEAR ALL", "update", None),
        ("CREATE GRAPH <g>", "update", None),
        ("DROP SILENT GRAPH <g>", "update", None),
        ("COPY <a> TO <b>", "update", None),
        ("MOVE DEFAULT TO <b>", "update", None),
        ("ADD <a> TO DEFAULT", "update", None),
        ("PREFIX select: <http://x/> INSERT DATA { select:a select:b select:c }", "update", None),
        ("hello world", None, None),
        ("{ ?s ?p ?o }", None, None),
    ],
)
def test_form(text: str, form: str | None, query_type: str | None) -> None:
    found = inspect(text)
    assert (found.form, found.query_type) == (form, query_type)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("SELECT * {}", 1),
        ("SELECT * { { } { } }", 2),
        ("SELECT * { OPTIONAL { ?s ?p [ ?q ( 1 2 ) ] } }", 4),
        ("SELECT * { FILTER((((1)))) }", 5),
        ("SELECT * { ?s ?p '''{{{{ # }}}''' }", 1),
        ('SELECT * { ?s ?p "{{{{" }', 1),
        ("SELECT * { ?s ?p <http://x/%7B%7B> }", 1),
        ("SELECT * { ?s ?p <http://x/{{{{> }", 5),  # braces are not IRI characters
        ("SELECT * { ?s ?p ?o } # {{{{{", 1),
        ("SELECT * { } }}}} {", 1),
        ("SELECT * { FILTER(1<(((2)))&&3>2) }", 5),
        ("SELECT * { ?s ?p <http://x/(((a)))> }", 1),
        # `<` after an operand in an expression is an operator, in every place expressions go
        ("SELECT (EXISTS{?s ?p ?o} AS ?e) (1<(((2)))&&3>2 AS ?x) {}", 4),
        ("SELECT * { ?s ?p ?o } ORDER BY ?s (1<(((2)))&&3>2)", 4),
        ("SELECT ?x { ?s ?p ?x } GROUP BY ?x HAVING (1<(((2)))&&3>2)", 4),
        ("SELECT * { FILTER regex(1<(((2)))&&3>2) }", 5),
        ("SELECT * { { SELECT (1<(((2)))&&3>2 AS ?x) {} } ?s ?p (1 2) }", 6),
        ("SELECT * { BIND(1<(((2)))&&3>2 AS ?x) VALUES (?a) { (<http://x/a>) } }", 5),
        (r"SELECT * { ?s ?p ?o \u007B \u007B \u007B }", 4),
        (nested(5000), 5000),
        (nested(3000, "(", ")"), 3000),
        (nested(3000, "[", "]"), 3000),
    ],
)
def test_depth(text: str, depth: int) -> None:
    assert inspect(text).max_depth == depth


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(GuardError, match="nests groups 5000 deep; the limit is 64: flatten it"):
        check(nested(5000), expect="query")


def test_nesting_at_the_limit_is_accepted() -> None:
    assert check(nested(64), expect="query").max_depth == 64


@pytest.mark.parametrize(
    ("text", "uses_service"),
    [
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { service silent <http://x/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", True),
        ("SELECT * {SERVICE<http://x/sparql>{?s ?p ?o}}", True),
        (r"SELECT * { \u0053ERVICE <http://x/sparql> { } }", True),
        ('SELECT * { ?s ?p "\\u0022" SERVICE <http://x/> { } }', True),
        ("SELECT ?service { ?service ?p ?o }", False),
        ("SELECT * { $service ?p ?o }", False),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }", False),
        ("SELECT * { ?s :SERVICE ?o }", False),
        ('SELECT * { ?s ?p "SERVICE" }', False),
        ("SELECT * { ?s ?p 'SERVICE <http://x/> {}' }", False),
        ('SELECT * { ?s ?p """\nSERVICE\n""" }', False),
        ("SELECT * { ?s ?p <http://x/SERVICE> }", False),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }", False),
        ("# SERVICE\nSELECT * { ?s ?p ?o }", False),
        ("SELECT * { ?s ?p ?o } LIMIT 1 #SERVICE", False),
        ("SELECT * { ?s ?p 'x'@en-service }", False),
    ],
)
def test_service_is_recognised_only_as_a_keyword(text: str, uses_service: bool) -> None:
    assert inspect(text).uses_service is uses_service


def test_service_is_refused() -> None:
    with pytest.raises(GuardError, match=r"SERVICE \(federated query\) is disabled"):
        check("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", expect="query")


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://example.org/data.ttl>",
        "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <http://x/g>",
        "INSERT DATA { <a> <b> <c> } ; load <http://example.org/data.ttl>",
    ],
)
def test_load_is_refused(text: str) -> None:
    with pytest.raises(GuardError, match="LOAD is disabled: no request leaves the server"):
        check(text, expect="update")


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://x/a> <http://x/load> 'LOAD' }",
        "PREFIX ex: <http://x/> INSERT DATA { ex:LOAD ex:p ?load }",
    ],
)
def test_load_in_names_and_strings_is_allowed(text: str) -> None:
    assert check(text, expect="update").uses_load is False


@pytest.mark.parametrize(
    ("text", "base_iri", "iris"),
    [
        ("SELECT * FROM <http://x/g> { }", None, ["http://x/g"]),
        (
            "SELECT * FROM <http://x/a> FROM NAMED <http://x/b> { }",
            None,
            ["http://x/a", "http://x/b"],
        ),
        ("PREFIX g: <http://x/graph/> SELECT * FROM g:one { }", None, ["http://x/graph/one"]),
        ("PREFIX : <http://x/> SELECT * FROM NAMED :two { }", None, ["http://x/two"]),
        ("PREFIX g: <http://x/> SELECT * FROM g:a\\.b { }", None, ["http://x/a.b"]),
        (
            "BASE <http://x/dir/> SELECT * FROM <g> FROM <../h> { }",
            None,
            ["http://x/dir/g", "http://x/h"],
        ),
        ("SELECT * FROM <g> { }", "http://srv/sparql/", ["http://srv/sparql/g"]),
        ("SELECT * FROM <g> { }", None, ["g"]),
        ("BASE <http://x/> PREFIX p: <ns/> SELECT * FROM p:g { }", None, ["http://x/ns/g"]),
        ("SELECT * FROM undeclared:g { }", None, []),
        ("SELECT * { GRAPH <http://x/g> { ?s ?p ?o } }", None, []),
        (
            "WITH <http://x/w> DELETE { ?s ?p ?o } USING <http://x/u> USING NAMED <http://x/n> "
            "WHERE { ?s ?p ?o }",
            None,
            ["http://x/w", "http://x/u", "http://x/n"],
        ),
        (
            "PREFIX g: <http://x/> INSERT DATA { g:a g:b g:c } ;\n"
            "DELETE { ?s ?p ?o } USING g:one WHERE { ?s ?p ?o } ;\n"
            "BASE <http://y/> WITH <two> INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            None,
            ["http://x/one", "http://y/two"],
        ),
    ],
)
def test_dataset_iris(text: str, base_iri: str | None, iris: list[str]) -> None:
    assert inspect(text, base_iri).dataset_iris == iris


def test_a_graph_outside_the_store_is_no_reason_to_refuse() -> None:
    """In SPARQL a graph the store does not hold is an empty graph (issue 14): the guard does
    not refuse it (nothing is ever fetched: the engine answers from the store)."""
    text = "SELECT * FROM <https://w3id.org/srg/graph/data> FROM <http://elsewhere/g> { }"
    found = check(text, expect="query")
    assert found.dataset_iris == ["https://w3id.org/srg/graph/data", "http://elsewhere/g"]


def test_the_dataset_clauses_are_read_with_their_prefixes() -> None:
    text = "PREFIX g: <https://w3id.org/srg/graph/> SELECT * FROM g:data FROM NAMED g:ontology {}"
    found = check(text, expect="query")
    assert found.dataset_clauses == [
        ("FROM", "https://w3id.org/srg/graph/data"),
        ("FROM NAMED", "https://w3id.org/srg/graph/ontology"),
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("SELECT * FROM <http://x/g> { ?s ?p ?o }", True),
        ("select * from named <http://x/g> { graph ?g { ?s ?p ?o } }", True),
        ("SELECT * { ?s <http://x/from> ?o }", False),
        ('SELECT * { ?s ?p "FROM <http://x/g>" } # FROM <http://x/g>', False),
        ("DELETE { ?s ?p ?o } USING <http://x/g> WHERE { ?s ?p ?o }", False),
    ],
)
def test_a_query_that_names_its_dataset_is_told(text: str, names: bool) -> None:
    assert names_dataset(text) is names


def test_an_update_of_no_operation_is_valid() -> None:
    assert check("  # nothing but a comment\n", expect="update").form is None


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("FILTER(?a < ?b)", ["word", "punct", "var", "punct", "var", "punct"]),
        ("FILTER(?a<?b)", ["word", "punct", "var", "punct", "var", "punct"]),
        ("FILTER(?a <= ?b)", ["word", "punct", "var", "punct", "punct", "var", "punct"]),
        ("FILTER(?a<?b&&?c>?d)", ["word", "punct", "var", "punct", "var"] + ["punct"] * 2),
        ("FILTER(?a < <http://x/>)", ["word", "punct", "var", "punct", "iri", "punct"]),
        ("FILTER(?x IN (<a>, <b>))", ["word", "punct", "var", "word", "punct", "iri"]),
        ("?s <http://x/p> ?o", ["var", "iri", "var"]),
        ("?s <http://x/p#q?r=1> ?o", ["var", "iri", "var"]),
        ("?s <http://x/ p> ?o", ["var", "punct", "pname"]),
        ("?s <http://x/{p}> ?o", ["var", "punct", "pname"]),
        ("'it''s'", ["string", "string"]),
        ("'a\\'b' 'c'", ["string", "string"]),
        ('"a\\"}" .', ["string", "punct"]),
        ("'''a ' '' }''' .", ["string", "punct"]),
        ("'''a''''", ["string"]),
        ('"""x\n}\n# y""" .', ["string", "punct"]),
        ("'''unterminated }", ["string"]),
        ("'broken\n}", ["punct", "word", "punct"]),
        ("ex:a ex: :b _:b1 ?v $w @nl-BE 12 1.5 .5e1", ["pname"] * 3 + ["bnode", "var", "var"]),
        ("ex:o.", ["pname", "punct"]),
        ("select SeLeCt", ["word", "word"]),
    ],
)
def test_tokens(text: str, kinds: list[str]) -> None:
    assert [token.kind for token in tokenize(text)][: len(kinds)] == kinds


def test_less_than_in_an_expression_does_not_hide_brackets() -> None:
    text = "SELECT * { FILTER(?a<" + "(" * 100 + "?b" + ")" * 100 + "&&?c>?d) }"
    with pytest.raises(GuardError, match="nests groups 102 deep"):
        check(text, expect="query")


@pytest.mark.parametrize(
    ("text", "expect", "message"),
    [
        ("", "query", "empty query"),
        ("INSERT DATA { <a> <b> <c> }", "query", "this is a SPARQL Update; send it with POST"),
        ("PREFIX x: <y> DROP ALL", "query", "as the form field `update`"),
        ("SELECT * { }", "update", "this is a SPARQL query, not an update"),
        ("SELECT * { }" + " " * 100, "query", "query is 112 characters; the limit is 100"),
    ],
)
def test_refusals(text: str, expect: str, message: str) -> None:
    with pytest.raises(GuardError, match=message):
        check(text, expect=expect, max_length=100)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 10", "query"),
        ("SELECT (?a<?b AS ?c) WHERE { } ORDER BY (?a<?b)", "query"),
        ("INSERT DATA { <a> <b> '''x'''} ; DELETE DATA { <a> <b> 'x' }", "update"),
        ("SELECT nonsense {", "query"),
        ("not sparql at all", "update"),
    ],
)
def test_accepted(text: str, expect: str) -> None:
    assert check(text, expect=expect).max_depth <= 64  # type: ignore[arg-type]


def test_long_operator_chains_are_refused() -> None:
    chain = " || ".join(["false"] * 1_500)
    with pytest.raises(GuardError, match="chains 1499 operators"):
        check(f"ASK {{ FILTER({chain}) }}", expect="query")


def test_operators_are_counted_once_each() -> None:
    text = "ASK { FILTER(?a || ?b && ?c) ?s <p>/<q>|<r> ?o {} UNION {} }"
    assert check(text, expect="query", max_operators=5).form == "query"
    with pytest.raises(GuardError, match="chains 5 operators"):
        check(text, expect="query", max_operators=4)


# -- queries read without the lexer (`plainly_a_query`) --------------------------------------
ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(
    path
    for path in ROOT.glob("**/*.rq")
    if not {".venv", "node_modules"} & set(path.relative_to(ROOT).parts)
)


def test_a_plain_query_reads_as_the_lexer_reads_it() -> None:
    """For every query of the repository (the W3C suites', the named queries, the checks,
    the benchmark's mix), as it is and behind a comment: when the plain reading applies, the
    lexer finds the same form and type, no SERVICE, LOAD or dataset, and no more depth or
    operators than the plain reading counted."""
    plain = 0
    for path in CORPUS:
        for text in (path.read_text(encoding="utf-8"), "# request 1\n" + path.read_text()):
            quick = plainly_a_query(text, 64, 1_000)
            if quick is None:
                continue
            plain += 1
            read = inspect(text)
            assert (read.form, read.query_type) == (quick.form, quick.query_type), path
            assert not (read.uses_service or read.uses_load or read.dataset_clauses), path
            assert read.max_depth <= quick.max_depth and read.operators <= quick.operators, path
            assert not read.empty, path
    assert len(CORPUS) > 400 and plain > len(CORPUS)  # most of them, both ways


def test_the_upper_cased_search_finds_what_the_pattern_finds() -> None:
    """`_words_in_context` reads ASCII texts upper-cased, others with `_IN_CONTEXT`: on every
    query of the repository, in upper and lower case too, both find the same places."""
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        for variant in (text, text.lower(), text.upper(), "SELECT * { \\u0053ERVICE }"):
            found = sorted(_words_in_context(variant, 0))
            assert found == [match.start() for match in _IN_CONTEXT.finditer(variant)], path


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { ?s ?p 1SERVICE <http://x/> { ?a ?b ?c } }",  # the number, then the keyword
        "SELECT * { ?s ?p ?o.SERVICE <http://x/> { } }",
        "SELECT * { ?s ?p ?o . service <http://x/> { } }",
        "SELECT * { ?s ?p 'a'SERVICE <http://x/> { } }",
        "SELECT * { ?s ?p <http://x/>SERVICE <http://x/> { } }",
        "SELECT * { \\u0053ERVICE <http://x/> { } }",
        "SELECT * FROM <http://x/g> { ?s ?p ?o }",
        "select * from named <http://x/g> { graph ?g { ?s ?p ?o } }",
        "VERSION '1.2' SELECT * { }",
        "\u017felect * { }",  # a long s, which upper-cases to S
        "SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }",  # (a comment the lexer must place)
        "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
        "PREFIX select: <http://x/> INSERT DATA { select:a select:b select:c }",
        "SELECT * WHERE " + "{" * 65 + "}" * 65,
        "SELECT * { ?s ?p ?o FILTER(" + " || ".join(["?o"] * 1001) + ") }",
    ],
)
def test_what_only_the_lexer_can_tell_goes_to_it(text: str) -> None:
    assert plainly_a_query(text, 64, 1_000) is None


def test_a_keyword_behind_a_number_is_refused() -> None:
    with pytest.raises(GuardError, match=r"SERVICE \(federated query\) is disabled"):
        check("SELECT * { ?s ?p 1SERVICE <http://x/sparql> { ?a ?b ?c } }", expect="query")


@pytest.mark.parametrize(
    ("text", "expect", "refused"),
    [
        ("PREFIX : <http://x/> SELECT * { SERVICE:g { ?s ?p ?o } }", "query", "SERVICE"),
        ("PREFIX ex: <http://x/> SELECT * { SERVICEex:g { ?s ?p ?o } }", "query", "SERVICE"),
        ("SELECT * { ?s ?p trueSERVICE <http://x/> { ?a ?b ?c } }", "query", "SERVICE"),
        ("SELECT * { SERVICESILENT <http://x/> { ?s ?p ?o } }", "query", "SERVICE"),
        ("SELECT * { SERVICEsilent<http://x/>{ ?s ?p ?o } }", "query", "SERVICE"),
        ("PREFIX ex: <http://x/> LOADex:g", "update", "LOAD"),
        ("LOADSILENT <http://x/data.ttl>", "update", "LOAD"),
    ],
)
def test_a_keyword_run_into_a_word_or_prefix_is_refused(
    text: str, expect: str, refused: str
) -> None:
    """The engine reads keywords without a word boundary and backtracks: each of these
    reached the network through pyoxigraph 0.5 while the lexer read one word or prefixed name."""
    assert plainly_a_query(text, 64, 1_000) is None
    with pytest.raises(GuardError, match=rf"^{refused} .*is disabled.*runs into it"):
        check(text, expect=expect)  # type: ignore[arg-type]


RUN_IN_DATASET = [
    ("PREFIX ex: <http://x/> SELECT * FROMex:g WHERE { ?s ?p ?o }", "query", "FROMex:g"),
    ("SELECT * FROMNAMED<http://x/g> { GRAPH ?g { ?s ?p ?o } }", "query", "FROMNAMED"),
    ("PREFIX ex: <http://x/> SELECT * FROM NAMEDex:g { ?s ?p ?o }", "query", "NAMEDex:g"),
    (
        "PREFIX ex: <http://x/> WITHex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "update",
        "WITHex:g",
    ),
    (
        "PREFIX ex: <http://x/> DELETE { ?s ?p ?o } USINGex:g WHERE { ?s ?p ?o }",
        "update",
        "USINGex:g",
    ),
]


@pytest.mark.parametrize(("text", "expect", "token"), RUN_IN_DATASET)
def test_a_dataset_keyword_run_into_a_name_is_refused(text: str, expect: str, token: str) -> None:
    """SPARQL reads `FROMex:g` as one name, the engine as FROM ex:g: the dataset the server
    works out (`names_dataset`) and the engine's would differ, so the request is refused."""
    with pytest.raises(GuardError, match=rf"has `{token}` where a dataset clause.*put a space"):
        check(text, expect=expect)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("SELECT * FROM<http://x/g>{ ?s ?p ?o }", [("FROM", "http://x/g")]),
        ("SELECT * FROM NAMED<http://x/g>{ ?s ?p ?o }", [("FROM NAMED", "http://x/g")]),
        ("PREFIX fromage: <http://x/> SELECT * { ?s ?p fromage:brie }", []),
        ("PREFIX ex: <http://x/> SELECT ?from { ?from ex:named ex:withUsing }", []),
        ("SELECT (<http://x/from>(?x) AS ?y) { ?x ?p ?o }", []),
    ],
)
def test_dataset_words_inside_names_and_brackets_are_no_run_in(
    text: str, clauses: list[tuple[str, str]]
) -> None:
    assert check(text, expect="query").dataset_clauses == clauses


def test_the_engine_reads_a_run_in_from_as_a_dataset_clause() -> None:
    """Why the refusal: pyoxigraph 0.5 reads `FROMex:g` as FROM ex:g (if a later engine reads
    it as SPARQL does, the refusal can go)."""
    store = ox.Store()
    store.load(b"<http://x/a> <http://x/p> <http://x/1> <http://x/g> .\n", ox.RdfFormat.N_QUADS)
    store.load(b"<http://x/b> <http://x/p> <http://x/2> <http://x/h> .\n", ox.RdfFormat.N_QUADS)
    count = "PREFIX ex: <http://x/> SELECT (COUNT(*) AS ?n) DATASET { ?s ?p ?o }"
    spaced, run_in = (
        list(store.query(count.replace("DATASET", c))) for c in ("FROM ex:g", "FROMex:g")
    )
    assert spaced[0]["n"].value == run_in[0]["n"].value == "1"


RUN_IN_OPERATION = [
    ("ASKFROM <http://x/g> { ?s ?p ?o }", "query", "ASKFROM", "ASK"),
    (
        "PREFIXg:<http://x/> SELECT (COUNT(*) AS ?n) FROM g:g WHERE { ?s ?p ?o }",
        "query",
        "PREFIXg:",
        "PREFIX",
    ),
    ("PREFIX:<http://x/> SELECT * FROM :g WHERE { ?s ?p ?o }", "query", "PREFIX:", "PREFIX"),
    ("CONSTRUCTWHERE { ?s ?p ?o }", "query", "CONSTRUCTWHERE", "CONSTRUCT"),
    ("PREFIX ex: <http://x/> DESCRIBEex:a", "query", "DESCRIBEex:a", "DESCRIBE"),
    ("INSERTDATA { <http://x/a> <http://x/b> <http://x/c> }", "update", "INSERTDATA", "INSERT"),
    (
        "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> } ; DELETEWHERE { ?s ?p ?o }",
        "update",
        "DELETEWHERE",
        "DELETE",
    ),
    (
        "CLEAR ALL ; PREFIXex: <http://x/> INSERT DATA { ex:a ex:b ex:c }",
        "update",
        "PREFIXex:",
        "PREFIX",
    ),
]


@pytest.mark.parametrize(("text", "expect", "token", "keyword"), RUN_IN_OPERATION)
def test_a_prologue_or_form_keyword_run_into_a_name_is_refused(
    text: str, expect: str, token: str, keyword: str
) -> None:
    """Where an operation begins, the engine reads `PREFIXg:` as PREFIX g: and `CONSTRUCTWHERE`
    as CONSTRUCT WHERE; SPARQL reads one name. The guard's reading (no prefix g:, so no FROM;
    no form, so no RDF formats offered) would differ from the engine's: refused."""
    assert plainly_a_query(text, 64, 1_000) is None
    message = rf"has `{token}` where {keyword} may stand.*put a space after {keyword}$"
    with pytest.raises(GuardError, match=message):
        check(text, expect=expect)  # type: ignore[arg-type]


def test_the_engine_reads_a_run_in_prefix_as_a_declaration() -> None:
    """Why the refusal: pyoxigraph 0.5 declares g: in `PREFIXg:` and honours the FROM that
    uses it, where the guard read no declaration and would have forced the union."""
    store = ox.Store()
    store.load(b"<http://x/a> <http://x/p> <http://x/1> <http://x/g> .\n", ox.RdfFormat.N_QUADS)
    store.load(b"<http://x/b> <http://x/p> <http://x/2> <http://x/h> .\n", ox.RdfFormat.N_QUADS)
    text = RUN_IN_OPERATION[1][0]
    assert next(iter(store.query(text, use_default_graph_as_union=False)))["n"].value == "1"
    assert not inspect(text).dataset_clauses


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX fromage: <http://x/> CLEAR GRAPH fromage:g",
        "PREFIX withx: <http://x/> CREATE GRAPH withx:g",
        "PREFIX usingx: <http://x/> COPY DEFAULT TO usingx:g",
        "PREFIX from: <http://x/> INSERT DATA { GRAPH from:g { from:a from:b from:c } }",
    ],
)
def test_a_name_where_only_an_iri_may_stand_is_no_run_in(text: str) -> None:
    """After GRAPH and TO the grammar takes an IRI only: a prefix that starts with FROM, WITH
    or USING is read as a name there, by the engine too."""
    assert check(text, expect="update").run_in is None


@pytest.mark.parametrize(
    "text",
    [
        # the IRI's escape hid it from the lexer, whose `#` then swallowed the FROM
        'PREFIX p: <http://x/\\u0031#> SELECT (MIN("\\u0022") AS ?q) '
        "FROM <http://x/g> { ?s ?p ?o }",
        # decoded first, the string holds a FROM clause; read by the engine, it holds text
        'SELECT * { ?s ?p ?o FILTER(?o != "\\u0022 FROM <http://x/g> \\u0022") }',
        "\\u0043ONSTRUCT WHERE { ?s ?p ?o }",
    ],
)
def test_escapes_that_change_the_form_or_dataset_are_refused(text: str) -> None:
    """Engines differ on decoding `\\u` escapes before parsing (SPARQL 1.1 section 19.2) or
    only inside IRIs and strings (pyoxigraph): where the two readings differ in what decides
    how the server runs the query, the server cannot tell which one the engine will take."""
    with pytest.raises(GuardError, match=r"means something else once its \\u or \\U escapes"):
        check(text, expect="query")


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("SELECT * FROM <http://x/caf\\u00e9> { ?s ?p 'caf\\u00e9' }", [("FROM", "http://x/café")]),
        ("BASE <http://x/\\u0031/> SELECT * FROM <g> { ?s ?p ?o }", [("FROM", "http://x/1/g")]),
        ('SELECT * { ?s ?p "a\\u0022b" }', []),  # decoded, a string ends early: same reading
    ],
)
def test_escapes_that_change_nothing_that_matters_are_accepted(
    text: str, clauses: list[tuple[str, str]]
) -> None:
    assert check(text, expect="query").dataset_clauses == clauses


def test_service_behind_an_escaped_iri_and_quote_is_refused() -> None:
    """An escape in an IRI no longer hides the rest of its line from the lexer."""
    text = (
        "SELECT * { BIND(<http://x/\\u0031#> AS ?i) BIND('\\u0027' AS ?x) "
        "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    )
    assert inspect(text).uses_service
    with pytest.raises(GuardError, match=r"SERVICE \(federated query\) is disabled"):
        check(text, expect="query")


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        # U+200C is a name character of SPARQL (and the engine); Python's \w leaves it out,
        # so the declaration was missed and the FROM not resolved (the union was forced)
        (
            "PREFIX g\u200c: <http://x/> SELECT * FROM g\u200c:g { ?s ?p ?o }",
            [("FROM", "http://x/g")],
        ),
        # one variable for the engine, not `?zz` and a FROM clause (the union was switched off)
        ("SELECT * { ?s ?p ?o OPTIONAL { ?s ?zz\u200dFROM <http://x/none> } }", []),
        # not a WITH that swallows the FROM after it (the union was forced)
        ("SELECT ?g\ufeffWITH FROM <http://x/g> { ?s ?p ?o }", [("FROM", "http://x/g")]),
    ],
)
def test_names_have_the_characters_of_the_sparql_grammar(
    text: str, clauses: list[tuple[str, str]]
) -> None:
    assert check(text, expect="query").dataset_clauses == clauses


def test_a_form_after_a_prefix_with_a_grammar_only_character_is_seen() -> None:
    assert (
        check("PREFIX x\u2100: <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", expect="query").query_type
        == "CONSTRUCT"
    )


def test_a_local_part_never_starts_with_a_dot() -> None:
    """`ex:.SERVICE` is `ex:`, `.` and SERVICE for the engine: it reached the network."""
    text = "PREFIX ex: <http://x/> SELECT * { ?s ?p ?o . ?s ?p ex:.SERVICE <http://x/> { } }"
    assert plainly_a_query(text, 64, 1_000) is None
    with pytest.raises(GuardError, match=r"SERVICE \(federated query\) is disabled"):
        check(text, expect="query")
    tokens = [t.text for t in tokenize("SELECT * { ?s ex:p ex:o. ?s ex:q ex:a\\. }")]
    assert tokens[5:7] == ["ex:o", "."] and tokens[-2] == "ex:a\\."  # an escaped dot ends one
