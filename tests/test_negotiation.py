"""Accept and Accept-Language headers -> the representation the server answers with."""

from __future__ import annotations

import pytest

from srg_graph.web.negotiation import MediaRange, choose, choose_language, parse_accept

RESULTS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
]
RDF = [
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/ld+json",
    "text/html",
]
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
JENA_RESULTS = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, */*;q=0.1"
)

SPARQL_RESULTS_CASES = [
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("   ", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+xml;q=0.9, text/csv", "text/csv"),
    ("application/sparql-results+xml;q=0.9,text/csv;q=0.9", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("text/*, text/tab-separated-values", "text/tab-separated-values"),
    ("text/*;q=0.5, application/*;q=0.4", "text/csv"),
    ("application/json", "application/json"),
    ("application/ld+json", None),
    ("application/xml", None),
    ("text/html", None),
    (FIREFOX, "application/sparql-results+json"),
    (CHROME, "application/sparql-results+json"),
    (JENA_RESULTS, "application/sparql-results+json"),
    ("*/*, application/sparql-results+json;q=0", "application/sparql-results+xml"),
    ("*/*;q=0", None),
    ("text/csv;q=0, text/*", "text/tab-separated-values"),
    ("APPLICATION/SPARQL-RESULTS+XML", "application/sparql-results+xml"),
    ("  text/csv  ;  q=0.8 ,  application/json ; q=0.9  ", "application/json"),
    ("application/sparql-results+json;charset=utf-8", "application/sparql-results+json"),
    ('text/csv; header="present"; q=0.5, application/json;q=0.4', "text/csv"),
    ("text/csv;q=2", "text/csv"),
    ("text/csv;q=-1, */*", "application/sparql-results+json"),
    ("text/csv;q=abc, application/json;q=0.1", "application/json"),
    ("garbage", "application/sparql-results+json"),
    ("garbage, text/csv;q=0.2", "text/csv"),
    (",,;;,", "application/sparql-results+json"),
    ("*/json", "application/sparql-results+json"),
    ("text/csv;q=0.001", "text/csv"),
    ("application/sparql-results+xml, application/sparql-results+json", RESULTS[0]),
]

RDF_CASES = [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("text/turtle;charset=utf-8", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", None),
    ("application/json, application/ld+json;q=0.5", "application/ld+json"),
    (FIREFOX, "text/html"),
    (CHROME, "text/html"),
    ("text/html;q=0.9, text/turtle", "text/turtle"),
    ("text/*", "text/turtle"),
    ("text/*;q=0.5, text/html", "text/html"),
    ("application/*", "application/n-triples"),
    ("application/*;q=0.5, text/turtle;q=0.4", "application/n-triples"),
    ("text/turtle;q=0, */*", "application/n-triples"),
    ("text/turtle, application/rdf+xml", "text/turtle"),
    ("application/rdf+xml, text/turtle", "text/turtle"),
    ("application/rdf+xml;q=1.0, text/turtle;q=0.9", "application/rdf+xml"),
    ("Text/Turtle", "text/turtle"),
    ("image/png", None),
    ("application/sparql-results+json", None),
    ("text/plain", None),
    ("text/plain, */*;q=0.01", "text/turtle"),
]


@pytest.mark.parametrize(("accept", "expected"), SPARQL_RESULTS_CASES)
def test_choose_for_sparql_results(accept: str | None, expected: str | None) -> None:
    assert choose(accept, RESULTS) == expected


@pytest.mark.parametrize(("accept", "expected"), RDF_CASES)
def test_choose_for_rdf(accept: str | None, expected: str | None) -> None:
    assert choose(accept, RDF) == expected


@pytest.mark.parametrize(
    ("accept", "default", "expected"),
    [
        (None, "application/sparql-results+xml", "application/sparql-results+xml"),
        ("", "text/csv", "text/csv"),
        ("nonsense", "text/csv", "text/csv"),
        ("application/json", "text/csv", "application/json"),
    ],
)
def test_choose_falls_back_to_the_default_only_without_a_usable_header(
    accept: str | None, default: str, expected: str
) -> None:
    assert choose(accept, RESULTS, default=default) == expected


def test_choose_with_nothing_offered() -> None:
    assert choose("*/*", []) is None
    assert choose(None, []) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, []),
        ("text/csv", [MediaRange("text", "csv")]),
        ("TEXT/CSV;Q=0.5", [MediaRange("text", "csv", q=0.5)]),
        ("text/csv;charset=utf-8;q=0.3", [MediaRange("text", "csv", {"charset": "utf-8"}, 0.3)]),
        ("text/csv;q=0.3;ext=1", [MediaRange("text", "csv", q=0.3)]),
        ("*/*;q=7", [MediaRange("*", "*", q=1.0)]),
        ("*/*;q=-0.5", [MediaRange("*", "*", q=0.0)]),
        ("text/csv;q=nan, text/*", [MediaRange("text", "*")]),
        ("text, /csv, text/, */csv, te xt/csv, text/csv", [MediaRange("text", "csv")]),
    ],
)
def test_parse_accept(header: str | None, expected: list[MediaRange]) -> None:
    assert parse_accept(header) == expected


LANGUAGES = ["nl", "en"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "nl"),
        ("", "nl"),
        ("en", "en"),
        ("nl", "nl"),
        ("en-US,en;q=0.9", "en"),
        ("nl-BE", "nl"),
        ("nl-BE,nl;q=0.9,en-US;q=0.8,en;q=0.7", "nl"),
        ("fr-BE,fr;q=0.9,en;q=0.5", "en"),
        ("fr", "nl"),
        ("*", "nl"),
        ("fr, *;q=0.1", "nl"),
        ("en;q=0.5, nl;q=0.4", "en"),
        ("nl;q=0, *", "en"),
        ("nl;q=0, en;q=0", "nl"),
        ("EN-gb", "en"),
        ("en;q=abc, nl;q=0.2", "nl"),
        ("de, en;q=0.5, nl;q=0.5", "nl"),
        ("x!y, en", "en"),
    ],
)
def test_choose_language(header: str | None, expected: str) -> None:
    assert choose_language(header, LANGUAGES, default="nl") == expected


def test_choose_language_prefers_a_regional_match() -> None:
    assert choose_language("nl", ["en", "nl-BE"], default="en") == "nl-BE"
