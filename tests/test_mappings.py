"""The VLOCA mapping workflow: CSV import and export over HTTP and through `srg mappings`.

Real servers on private copies of the built store; every answer is parsed (JSON, CSV, RDF)
and its content checked. A refused import must leave the store exactly as it was: the whole
quad dump is compared before and after.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN, fresh_store
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS
from server import Server, run_srg
from test_coverage import without_accept

from srg_graph.config import Settings
from srg_graph.sparql import internal
from srg_graph.validation.report import Report

FILES = Path(__file__).resolve().parent / "fixtures" / "mappings"
ID = "https://w3id.org/srg/id/"
SRG = Namespace("https://w3id.org/srg/ns#")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
MAPPINGS_GRAPH = "https://w3id.org/srg/graph/mappings"
COLUMNS = ["subject", "component", "level", "assessed_by", "assessed_on", "note"]
SERVICE, AIV, SRO = (
    f"{ID}service/incubatie-vloca",
    f"{ID}organisation/aiv",
    f"{ID}body/smart-region-office",
)
ABB, WERKBANK = f"{ID}organisation/abb", f"{ID}werkbank/vloca"
BROKER, CDM = f"{ID}concept/vloca/broker", f"{ID}concept/vloca/context-data-management"
APIS = f"{ID}concept/vloca/applications-apis"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CSV_TYPE = {"Content-Type": "text/csv; charset=utf-8"}
NOTE = 'Routes events, for "VLOCA" pilots\nand één more line'
VALID = [
    {
        "subject": SERVICE,
        "component": BROKER,
        "level": "full",
        "assessed_by": ABB,
        "assessed_on": "2026-01-15",
        "note": NOTE,
    },
    {
        "subject": AIV,
        "component": CDM,
        "level": "partial",
        "assessed_by": f"{ID}organisation/digitaal-vlaanderen",
        "assessed_on": "2026-02-01",
        "note": "Runs the OSLO standards",
    },
    {
        "subject": SRO,
        "component": APIS,
        "level": "planned",
        "assessed_by": ABB,
        "assessed_on": "2026-03-31",
        "note": "",
    },
]
BY_PAIR = {(r["subject"], r["component"]): r for r in VALID}


# -- helpers --------------------------------------------------------------------------------
def post(http: httpx.Client, name: str | bytes, **params: str) -> httpx.Response:
    body = name if isinstance(name, bytes) else (FILES / name).read_bytes()
    return http.post("/api/mappings", content=body, params=params, headers={**AUTH, **CSV_TYPE})


def rows_of(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def export_csv(http: httpx.Client) -> list[dict[str, str]]:
    answer = http.get("/api/mappings")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    return rows_of(answer.text)


def export_json(http: httpx.Client) -> list[dict[str, str]]:
    answer = http.get("/api/mappings", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()


def key(row: dict[str, str]) -> tuple[str, str]:
    return row["subject"], row["component"]


def select(http: httpx.Client, query: str) -> list[dict[str, dict[str, str]]]:
    answer = http.post(
        "/sparql",
        content=query,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def ask(http: httpx.Client, query: str) -> bool:
    answer = http.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


def dump(http: httpx.Client) -> set[tuple[str, ...]]:
    """Every quad of every named graph, with term kinds, datatypes and languages."""
    found = set()
    for b in select(http, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"):
        o = b["o"]
        found.add(
            (
                b["g"]["value"],
                b["s"]["value"],
                b["p"]["value"],
                o["type"],
                o["value"],
                o.get("datatype", ""),
                o.get("xml:lang", ""),
            )
        )
    return found


def count(http: httpx.Client) -> int:
    (row,) = select(http, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(row["n"]["value"])


def mappings_graph(http: httpx.Client) -> Graph:
    answer = http.get(
        "/graph-store", params={"graph": MAPPINGS_GRAPH}, headers={"Accept": "text/turtle"}
    )
    assert answer.status_code == 200, answer.text
    return Graph().parse(data=answer.text, format="turtle")


def coverage(http: httpx.Client) -> dict[str, tuple[int, set[str]]]:
    answer = http.get("/api/queries/vloca-coverage", params={"format": "rows", "lang": "en"})
    assert answer.status_code == 200, answer.text
    return {
        r["component"]: (int(r["count"]), set(r.get("mappedResources", "").split()))
        for r in answer.json()
    }


def unmapped(http: httpx.Client) -> set[str]:
    answer = http.get("/api/queries/unmapped-organisations", params={"format": "rows"})
    assert answer.status_code == 200, answer.text
    return {r["organisation"] for r in answer.json()}


def assert_counts(answer: httpx.Response, **expected: int) -> dict:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["counts"] == expected
    for name, n in expected.items():
        assert len(body[name]) == n
    return body


# -- valid imports ---------------------------------------------------------------------------
def test_valid_file_is_imported_and_exported_as_the_same_rows(writable: Server) -> None:
    with writable.client() as http:
        assert export_csv(http) == []
        body = assert_counts(post(http, "valid.csv"), added=3, changed=0, unchanged=0)
        assert body["imported"] is True and body["dry_run"] is False
        assert sorted(body["added"], key=key) == sorted(VALID, key=key)
        exported = export_csv(http)
        assert sorted(exported, key=key) == sorted(VALID, key=key)
        assert exported == sorted(exported, key=key)  # sorted by subject, component
        assert sorted(export_json(http), key=key) == sorted(VALID, key=key)
        assert http.get("/api/mappings?format=json").json() == export_json(http)
        raw = http.get("/api/mappings").text
        assert raw.startswith(",".join(COLUMNS) + "\r\n")
        assert '"Routes events, for ""VLOCA"" pilots\nand één more line"' in raw


def test_same_file_twice_changes_nothing_the_second_time(writable: Server) -> None:
    with writable.client() as http:
        assert_counts(post(http, "valid.csv"), added=3, changed=0, unchanged=0)
        before = dump(http)
        body = assert_counts(post(http, "valid.csv"), added=0, changed=0, unchanged=3)
        assert sorted(body["unchanged"], key=key) == sorted(VALID, key=key)
        assert dump(http) == before


def test_changed_level_is_reported_with_what_it_was(writable: Server) -> None:
    with writable.client() as http:
        post(http, "valid.csv")
        body = assert_counts(post(http, "changed.csv"), added=0, changed=1, unchanged=2)
        (changed,) = body["changed"]
        assert changed["was"] == BY_PAIR[(AIV, CDM)]
        assert {k: v for k, v in changed.items() if k != "was"} == BY_PAIR[(AIV, CDM)] | {
            "level": "full"
        }
        exported = {key(r): r for r in export_csv(http)}
        assert exported[(AIV, CDM)]["level"] == "full"
        graph = mappings_graph(http)
        (record,) = graph.subjects(SRG.mappingOf, URIRef(AIV))
        assert set(graph.objects(record, SRG.level)) == {URIRef(f"{ID}concept/mapping-level/full")}


def test_dry_run_previews_and_changes_nothing(writable: Server) -> None:
    with writable.client() as http:
        before, triples = dump(http), count(http)
        body = assert_counts(
            post(http, "valid.csv", dry_run="true"), added=3, changed=0, unchanged=0
        )
        assert body["imported"] is False and body["dry_run"] is True
        assert dump(http) == before and count(http) == triples
        assert export_csv(http) == []
        post(http, "valid.csv")
        before = dump(http)
        body = assert_counts(
            post(http, "changed.csv", dry_run="true"), added=0, changed=1, unchanged=2
        )
        assert body["changed"][0]["was"]["level"] == "partial"
        assert dump(http) == before


def test_header_only_file_imports_nothing(writable: Server) -> None:
    with writable.client() as http:
        before = dump(http)
        body = assert_counts(post(http, "header-only.csv"), added=0, changed=0, unchanged=0)
        assert body["imported"] is True
        assert dump(http) == before


def test_export_then_import_is_a_no_op(writable: Server) -> None:
    with writable.client() as http:
        post(http, "valid.csv")
        before = dump(http)
        exported = http.get("/api/mappings").content
        assert_counts(post(http, exported), added=0, changed=0, unchanged=3)
        assert dump(http) == before
        assert http.get("/api/mappings").content == exported


def test_utf8_bom_and_crlf_are_accepted(writable: Server) -> None:
    with writable.client() as http:
        text = (FILES / "valid.csv").read_text(encoding="utf-8")
        body = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
        result = assert_counts(post(http, body), added=3, changed=0, unchanged=0)
        # the newline inside the quoted note is kept as the file wrote it
        notes = {r["note"] for r in result["added"]}
        assert NOTE.replace("\n", "\r\n") in notes


# -- what spreadsheets write ------------------------------------------------------------------
TEMPLATE_COLUMNS = ["subject", "subject_label", *COLUMNS[1:]]
# VALID as an architect types it: names (labels, abbreviations, type/slug), any case, days first
TYPED = [
    ["Incubatie van VLOCA", "broker", "FULL", "ABB", "15/01/2026", NOTE],
    [
        "organisation/aiv",
        "Context- en databeheer",
        "Partial",
        "organisation/digitaal-vlaanderen",
        "1/2/2026",
        "Runs the OSLO standards",
    ],
    [
        SRO,
        "concept/vloca/applications-apis",
        "gepland",
        " agentschap binnenlands  bestuur ",
        "31.03.2026",
        "",
    ],
]


def spreadsheet(rows: list[list[str]], separator: str, encoding: str, bom: bytes = b"") -> bytes:
    """A CSV as Excel saves it: the separator of the locale, CRLF, quotes where needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([c.capitalize() for c in COLUMNS])
    writer.writerows(rows)
    return bom + out.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("separator", "encoding", "bom", "read_as"),
    [
        (";", "cp1252", b"", {"encoding": "Windows-1252", "separator": ";"}),  # Excel, Belgium
        (";", "utf-8", b"\xef\xbb\xbf", {"encoding": "UTF-8", "separator": ";"}),  # CSV UTF-8
        ("\t", "utf-16", b"", {"encoding": "UTF-16", "separator": "tab"}),  # Unicode text
        (",", "utf-8", b"", {"encoding": "UTF-8", "separator": ","}),
    ],
)
def test_spreadsheet_files_name_the_same_mappings(
    imported: httpx.Client, separator: str, encoding: str, bom: bytes, read_as: dict
) -> None:
    """Every form a spreadsheet gives resolves to the IRIs, levels and dates of valid.csv."""
    before = dump(imported)
    body = spreadsheet(TYPED, separator, encoding, bom)
    answer = post(imported, body, dry_run="true")
    result = assert_counts(answer, added=0, changed=0, unchanged=3)
    assert result["read_as"] == read_as
    assert sorted(result["unchanged"], key=key) == sorted(VALID, key=key)
    assert dump(imported) == before


def test_spreadsheet_file_is_imported_as_the_iris_it_names(writable: Server) -> None:
    with writable.client() as http:
        body = spreadsheet(TYPED, ";", "cp1252")
        assert_counts(post(http, body), added=3, changed=0, unchanged=0)
        assert sorted(export_csv(http), key=key) == sorted(VALID, key=key)
        graph = mappings_graph(http)
        (record,) = graph.subjects(SRG.mappingOf, URIRef(AIV))
        assert str(graph.value(record, DCTERMS.date)) == "2026-02-01"


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(imported: httpx.Client) -> None:
    """What Excel's plain "CSV" writes in Belgium: é is one byte (0xE9), kept as é."""
    answer = post(imported, "latin1.csv", dry_run="true")
    body = assert_counts(answer, added=0, changed=1, unchanged=1)
    assert body["read_as"]["encoding"] == "Windows-1252"
    assert body["changed"][0]["note"] == "Café note"


def test_empty_export_points_to_the_template_which_imports_as_is(writable: Server) -> None:
    with writable.client() as http:
        answer = http.get("/api/mappings")
        assert rows_of(answer.text) == []
        assert answer.headers["link"].startswith("</api/mappings?template=true>")
        template = http.get("/api/mappings", params={"template": "true", "lang": "nl"})
        assert template.status_code == 200
        assert template.headers["content-type"].startswith("text/csv")
        assert "template" in template.headers["content-disposition"]
        reader = csv.DictReader(io.StringIO(template.text, newline=""))
        assert reader.fieldnames == TEMPLATE_COLUMNS
        rows = list(reader)
        subjects = select(http, internal.query("coverage-subjects"))
        assert [r["subject"] for r in rows] == [b["subject"]["value"] for b in subjects]
        assert {"service", "werkbank", "organisation"} == {b["kind"]["value"] for b in subjects}
        labels = {r["subject"]: r["subject_label"] for r in rows}
        assert (
            labels[SERVICE] == "Incubatie van VLOCA"
            and labels[ABB] == "Agentschap Binnenlands Bestuur"
        )
        assert all(r["subject_label"] for r in rows)
        assert all(not r[c] for r in rows for c in COLUMNS[1:])
        english = http.get("/api/mappings", params={"template": "true", "lang": "en"}).text
        assert "Incubation of VLOCA" in english
        # imported untouched it maps nothing; filled in (a row copied for a second component)
        # it imports as is, the label column ignored
        assert_counts(post(http, template.content), added=0, changed=0, unchanged=0)
        by_subject = {r["subject"]: r for r in rows}
        filled = [
            by_subject[SERVICE]
            | {
                "component": "Broker",
                "level": "Full",
                "assessed_by": "ABB",
                "assessed_on": "15/01/2026",
            },
            by_subject[SERVICE]
            | {
                "component": "Connectiviteit",
                "level": "planned",
                "assessed_by": "ABB",
                "assessed_on": "2026-02-01",
            },
            by_subject[WERKBANK]
            | {
                "component": APIS,
                "level": "partial",
                "assessed_by": "organisation/aiv",
                "assessed_on": "2026-03-01",
                "note": "API's",
            },
        ]
        out = io.StringIO()
        writer = csv.DictWriter(out, TEMPLATE_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows([by_subject[s] for s in by_subject if s not in (SERVICE, WERKBANK)])
        writer.writerows(filled)
        body = assert_counts(post(http, out.getvalue().encode()), added=3, changed=0, unchanged=0)
        assert {(r["subject"], r["level"]) for r in body["added"]} == {
            (SERVICE, "full"),
            (SERVICE, "planned"),
            (WERKBANK, "partial"),
        }
        assert len(export_csv(http)) == 3
        assert "link" not in http.get("/api/mappings").headers


@pytest.mark.parametrize(
    "params", [{"template": "yes"}, {"format": "xlsx"}, {"lang": "fr", "template": "true"}]
)
def test_export_parameters_are_checked(imported: httpx.Client, params: dict[str, str]) -> None:
    """A value the export does not take is a 400 naming the parameter, not a default answer."""
    (name,) = (k for k, v in params.items() if v not in ("true",))
    answer = imported.get("/api/mappings", params=params)
    assert answer.status_code == 400 and f"'{name}' takes one of" in answer.text


def test_template_in_json(imported: httpx.Client) -> None:
    rows = imported.get("/api/mappings", params={"template": "true", "format": "json"}).json()
    assert rows and set(rows[0]) == set(TEMPLATE_COLUMNS)


def test_replace_mode_removes_rows_missing_from_the_file(writable: Server) -> None:
    with writable.client() as http:
        post(http, "valid.csv")
        body = assert_counts(
            post(http, "replace.csv", mode="replace"), added=0, changed=0, unchanged=2, removed=1
        )
        assert body["removed"] == [BY_PAIR[(SRO, APIS)]]
        assert {key(r) for r in export_csv(http)} == {(SERVICE, BROKER), (AIV, CDM)}
        assert not ask(http, f"ASK {{ <{SRO}> <{SRG.alignsWith}> <{APIS}> }}")
        assert ask(http, f"ASK {{ <{AIV}> <{SRG.alignsWith}> <{CDM}> }}")
        graph = mappings_graph(http)
        assert (URIRef(SRO), SRG.alignsWith, URIRef(APIS)) not in graph
        assert not list(graph.subjects(SRG.mappingOf, URIRef(SRO)))


def test_upsert_keeps_rows_missing_from_the_file(writable: Server) -> None:
    with writable.client() as http:
        post(http, "valid.csv")
        body = assert_counts(post(http, "replace.csv"), added=0, changed=0, unchanged=2)
        assert "removed" not in body
        assert len(export_csv(http)) == 3


def test_import_writes_the_record_and_the_direct_triple(writable: Server) -> None:
    with writable.client() as http:
        post(http, "valid.csv")
        graph = mappings_graph(http)
        records = set(graph.subjects(RDF.type, SRG.Mapping))
        assert len(records) == 3
        (record,) = graph.subjects(SRG.mappingOf, URIRef(SERVICE))
        assert str(record).startswith(f"{ID}mapping/")
        assert graph.value(record, SRG.component) == URIRef(BROKER)
        assert graph.value(record, SRG.level) == URIRef(f"{ID}concept/mapping-level/full")
        assert graph.value(record, PROV.wasAttributedTo) == URIRef(ABB)
        date = graph.value(record, DCTERMS.date)
        assert isinstance(date, Literal) and date.datatype == XSD_DATE
        assert str(date) == "2026-01-15"
        assert str(graph.value(record, SKOS.note)) == NOTE
        for row in VALID:
            assert (URIRef(row["subject"]), SRG.alignsWith, URIRef(row["component"])) in graph
        found = select(
            http,
            f"SELECT ?component WHERE {{ <{SERVICE}> <{SRG.alignsWith}> ?component }}",
        )
        assert [b["component"]["value"] for b in found] == [BROKER]
        found = select(
            http,
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>"
            f" SELECT ?by ?on WHERE {{ GRAPH <{MAPPINGS_GRAPH}> {{ ?m <{SRG.mappingOf}> <{AIV}> ;"
            " prov:wasAttributedTo ?by ; dcterms:date ?on } }",
        )
        assert found[0]["by"]["value"] == f"{ID}organisation/digitaal-vlaanderen"
        assert found[0]["on"]["datatype"] == str(XSD_DATE)


def test_coverage_answers_change_as_mappings_are_imported(writable: Server) -> None:
    with writable.client() as http:
        start = coverage(http)
        assert start[BROKER][0] == 0 and start[CDM][0] == 0
        assert AIV in unmapped(http)
        post(http, "valid.csv")
        after = coverage(http)
        assert after[BROKER] == (1, {SERVICE})
        assert after[CDM] == (1, {AIV})
        assert after[APIS] == (1, {SRO})
        untouched = set(start) - {BROKER, CDM, APIS}
        assert {c: after[c] for c in untouched} == {c: start[c] for c in untouched}
        assert AIV not in unmapped(http)
        assert ABB in unmapped(http)  # the assessor is not mapped by assessing
        post(http, "replace.csv", mode="replace")
        assert coverage(http)[APIS][0] == 0


def test_werkbank_subject_is_accepted(writable: Server) -> None:
    with writable.client() as http:
        assert_counts(post(http, "werkbank.csv"), added=1, changed=0, unchanged=0)
        assert coverage(http)[BROKER] == (1, {WERKBANK})


def test_mappings_survive_a_restart(writable: Server) -> None:
    with writable.client() as http:
        post(http, "valid.csv")
        exported = http.get("/api/mappings").content
    writable.stop()
    again = Server(writable.store, TOKEN).start()
    try:
        with again.client() as http:
            assert http.get("/api/mappings").content == exported
            assert sorted(export_json(http), key=key) == sorted(VALID, key=key)
            assert coverage(http)[BROKER] == (1, {SERVICE})
    finally:
        again.stop()


# -- refused imports -------------------------------------------------------------------------
SUBJECT_KIND = "is not a public service, organisation or werkbank of the graph"
SUBJECT_FORMS = (
    f"give its IRI ({SERVICE}), its type/slug (service/incubatie-vloca) "
    "or its label in Dutch or English (Incubatie van VLOCA)"
)
REFUSED = {  # file: [(line, column, words of the message)], in the order they are reported
    "unknown-subject.csv": [(2, "subject", f"organisation/does-not-exist {SUBJECT_KIND}")],
    "wrong-kind-subject.csv": [
        (2, "subject", f"mapping-level/full {SUBJECT_KIND}"),
        (3, "subject", f"vloca/broker {SUBJECT_KIND}"),
    ],
    "unknown-component.csv": [
        (2, "component", "vloca/teleporter is not a VLOCA component"),
        (3, "component", "vloca-principle/api-first is not a VLOCA component"),
    ],
    "bad-level.csv": [
        (2, "level", "'complete' is not one of full, partial, planned (in any case"),
        (3, "level", "'fully' is not one of full, partial, planned"),
        (4, "level", "'' is not one of full, partial, planned"),
    ],
    "bad-date.csv": [
        (2, "assessed_on", "'2026-02-30' is not a date; write it as 2026-01-15 (YYYY-MM-DD)"),
        (3, "assessed_on", "'26-1-1' is not a date"),
        (4, "assessed_on", "'31/02/2026' is not a date; write it as 2026-01-15 (YYYY-MM-DD) or"),
    ],
    "assessor-not-organisation.csv": [
        (2, "assessed_by", "service/incubatie-vloca is not an organisation of the graph"),
        (3, "assessed_by", "vloca/broker is not an organisation of the graph"),
    ],
    # `broker` and `ABB` are names of the graph (a label, an abbreviation): only the others fail
    "not-iri.csv": [
        (2, "subject", f"'incubatie-vloca' {SUBJECT_KIND}; {SUBJECT_FORMS}"),
        (3, "subject", "'https://w3id.org/srg/id/organisation/a b' is not an IRI"),
    ],
    "ambiguous.csv": [
        (
            2,
            "subject",
            "'Smart Region Office' is the name of 2 things (body/smart-region-office, "
            "organisation/smart-region-office-2021); give the type/slug or IRI",
        ),
        (3, "component", "'Brokr' is not a VLOCA component (see /doc/scheme/vloca); give its IRI"),
        (3, "assessed_by", "'Flemish government' is the name of 2 things"),
        (4, "assessed_by", f"{ID}organisation/nobody is not an organisation of the graph; give"),
    ],
    "field-count.csv": [(2, None, "5 fields; expected 6"), (3, None, "7 fields; expected 6")],
    "duplicate.csv": [(4, "component", "repeats the subject and component of line 2")],
    "wrong-header.csv": [
        (1, None, "the header must name the columns " + ",".join(COLUMNS) + " (in any order")
    ],
    "empty.csv": [(1, None, "the file is empty")],
    "not-text.csv": [(3, None, "is neither UTF-8 nor Windows-1252: save the file as CSV UTF-8")],
    "bad-quoting.csv": [(3, None, "not valid CSV")],
    "partial.csv": [(3, "level", "'maybe' is not one of")],
    # the quoted notes span lines 2-3 and 5-7, so the bad rows are on lines 4 and 8
    "multiline.csv": [
        (4, "assessed_on", "'2026-13-01' is not a date"),
        (8, "subject", f"organisation/nobody {SUBJECT_KIND}"),
    ],
}


@pytest.fixture(scope="module")
def imported(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """A server of this module's own that already holds the valid mappings."""
    store = fresh_store(settings, seed_report, tmp_path_factory.mktemp("mappings") / "store")
    running = Server(store, TOKEN).start()
    with running.client() as http:
        assert_counts(post(http, "valid.csv"), added=3, changed=0, unchanged=0)
        yield http
    running.stop()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_file_is_refused_with_every_error_and_changes_nothing(
    imported: httpx.Client, name: str
) -> None:
    before, triples, exported = dump(imported), count(imported), export_csv(imported)
    for params in ({}, {"dry_run": "true"}, {"mode": "replace"}):
        answer = post(imported, name, **params)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        body = answer.json()
        assert body["imported"] is False
        found = [(e["line"], e["column"]) for e in body["errors"]]
        assert found == [(line, column) for line, column, _ in REFUSED[name]]
        for error, (_, _, words) in zip(body["errors"], REFUSED[name], strict=True):
            assert words in error["message"]
    if name == "ambiguous.csv":  # a name close to one of the graph's is suggested
        assert body["errors"][1]["message"].endswith("(Broker); did you mean 'Broker'?")
    assert dump(imported) == before and count(imported) == triples
    assert export_csv(imported) == exported


def test_unterminated_quote_is_refused(imported: httpx.Client) -> None:
    before = dump(imported)
    text = (FILES / "valid.csv").read_text(encoding="utf-8") + f"{AIV},{APIS},full,{ABB},"
    answer = post(imported, (text + '2026-01-01,"never closed\nmore\n').encode())
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert "not valid CSV" in error["message"]
    assert error["line"] == 6  # the line where the record with the open quote starts
    assert dump(imported) == before


def test_write_needs_a_token_and_csv(imported: httpx.Client) -> None:
    before = dump(imported)
    body = (FILES / "changed.csv").read_bytes()
    answer = imported.post("/api/mappings", content=body, headers=CSV_TYPE)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    wrong = {"Authorization": "Bearer not-the-token", **CSV_TYPE}
    assert imported.post("/api/mappings", content=body, headers=wrong).status_code == 401
    json_type = {**AUTH, "Content-Type": "application/json"}
    answer = imported.post("/api/mappings", content=b'{"rows": []}', headers=json_type)
    assert answer.status_code == 415
    assert "text/csv" in answer.text
    assert imported.post("/api/mappings", content=body, headers=AUTH).status_code == 415
    for params in ({"dry_run": "yes"}, {"mode": "merge"}):
        assert post(imported, "changed.csv", **params).status_code == 400
    assert dump(imported) == before


def huge_file(size: int) -> bytes:
    row = (FILES / "valid.csv").read_text(encoding="utf-8").splitlines(keepends=True)[3]
    lines = [",".join(COLUMNS) + "\n"]
    while sum(len(line) for line in lines) <= size:
        lines.append(row)
    return "".join(lines).encode()


def test_file_over_the_body_limit_is_refused_with_413(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    store = fresh_store(settings, seed_report, tmp_path / "store")
    running = Server(store, TOKEN, SRG_MAX_BODY_BYTES="2000").start()
    try:
        with running.client() as http:
            before = dump(http)
            answer = post(http, huge_file(2000))
            assert answer.status_code == 413
            assert "2000" in answer.text

            def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
                data = huge_file(5000)
                yield from (data[i : i + 500] for i in range(0, len(data), 500))

            answer = http.post("/api/mappings", content=chunks(), headers={**AUTH, **CSV_TYPE})
            assert answer.status_code == 413
            assert dump(http) == before
            assert export_csv(http) == []
            small = (FILES / "replace.csv").read_bytes()
            assert len(small) < 2000
            assert_counts(post(http, small), added=2, changed=0, unchanged=0)
    finally:
        running.stop()


# -- the command line ------------------------------------------------------------------------
@pytest.fixture
def cli_store(private_store: Path) -> Path:
    return private_store


def srg(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_srg("mappings", *args, store=store)


def cli_export_bytes(store: Path) -> bytes:
    """The CSV export exactly as written (text mode would fold its CRLF line ends)."""
    done = run_srg("mappings", "export", store=store, text=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_export(store: Path) -> list[dict[str, str]]:
    done = srg(store, "export")
    assert done.returncode == 0, done.stderr
    return rows_of(done.stdout)


def test_cli_import_export_and_reimport(cli_store: Path) -> None:
    assert cli_export(cli_store) == []
    done = srg(cli_store, "import", str(FILES / "valid.csv"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Imported: 3 added, 0 changed, 0 unchanged"
    assert sorted(cli_export(cli_store), key=key) == sorted(VALID, key=key)
    done = srg(cli_store, "export", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout), key=key) == sorted(VALID, key=key)
    done = srg(cli_store, "import", str(FILES / "valid.csv"))
    assert done.stdout.strip() == "Imported: 0 added, 0 changed, 3 unchanged"
    round_trip = cli_store.parent / "exported.csv"
    round_trip.write_bytes(cli_export_bytes(cli_store))
    done = srg(cli_store, "import", str(round_trip))
    assert done.stdout.strip() == "Imported: 0 added, 0 changed, 3 unchanged"


def test_cli_replace_removes_rows_missing_from_the_file(cli_store: Path) -> None:
    srg(cli_store, "import", str(FILES / "valid.csv"))
    done = srg(cli_store, "import", str(FILES / "replace.csv"), "--replace")
    assert done.returncode == 0, done.stderr
    assert {key(r) for r in cli_export(cli_store)} == {(SERVICE, BROKER), (AIV, CDM)}


def test_cli_replace_reports_the_removed_rows(cli_store: Path) -> None:
    srg(cli_store, "import", str(FILES / "valid.csv"))
    done = srg(cli_store, "import", str(FILES / "replace.csv"), "--replace", "--dry-run")
    assert done.stdout.strip() == "Would import: 0 added, 0 changed, 2 unchanged, 1 removed"
    done = srg(cli_store, "import", str(FILES / "replace.csv"), "--replace")
    assert done.stdout.strip() == "Imported: 0 added, 0 changed, 2 unchanged, 1 removed"


def test_cli_dry_run_changes_nothing(cli_store: Path) -> None:
    srg(cli_store, "import", str(FILES / "valid.csv"))
    done = srg(cli_store, "import", str(FILES / "changed.csv"), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Would import: 0 added, 1 changed, 2 unchanged"
    assert sorted(cli_export(cli_store), key=key) == sorted(VALID, key=key)


def test_cli_refuses_a_bad_file_with_its_lines(cli_store: Path) -> None:
    srg(cli_store, "import", str(FILES / "valid.csv"))
    for name in ("multiline.csv", "not-iri.csv", "field-count.csv", "not-text.csv"):
        path = FILES / name
        done = srg(cli_store, "import", str(path))
        assert done.returncode == 1, done.stderr
        lines = done.stderr.splitlines()
        assert len(lines) == len(REFUSED[name])
        for line, (number, column, words) in zip(lines, REFUSED[name], strict=True):
            where = f"{path}:{number}" + (f" [{column}]" if column else "")
            assert line.startswith(where + ": ")
            assert words in line
        assert done.stdout == ""
    assert sorted(cli_export(cli_store), key=key) == sorted(VALID, key=key)


def test_cli_missing_file_is_unusable_input(cli_store: Path) -> None:
    done = srg(cli_store, "import", str(cli_store.parent / "no-such-file.csv"))
    assert done.returncode == 2
    assert "no-such-file.csv" in done.stderr
    done = srg(cli_store, "import")
    assert done.returncode == 2
    assert cli_export(cli_store) == []


def test_cli_export_of_nothing_points_to_the_template(cli_store: Path) -> None:
    done = srg(cli_store, "export")
    assert done.returncode == 0 and rows_of(done.stdout) == []
    assert "srg mappings template" in done.stderr
    template = run_srg("mappings", "template", "--lang", "nl", store=cli_store, text=False)
    assert template.returncode == 0
    path = cli_store.parent / "template.csv"
    path.write_bytes(template.stdout)
    done = srg(cli_store, "import", str(path))
    assert done.stdout.strip() == "Imported: 0 added, 0 changed, 0 unchanged"
    done = srg(cli_store, "import", str(FILES / "ambiguous.csv"))
    assert done.returncode == 1
    assert (
        f"{FILES / 'ambiguous.csv'}:2 [subject]: 'Smart Region Office' is the name of 2"
        in done.stderr
    )


def test_cli_and_http_see_the_same_mappings(cli_store: Path) -> None:
    srg(cli_store, "import", str(FILES / "valid.csv"))
    template = run_srg("mappings", "template", "--lang", "nl", store=cli_store, text=False)
    running = Server(cli_store, TOKEN).start()
    try:
        with running.client() as http:
            assert http.get("/api/mappings").content == cli_export_bytes(cli_store)
            asked = http.get("/api/mappings", params={"template": "true", "lang": "nl"})
            assert asked.content == template.stdout
    finally:
        running.stop()


def test_a_note_that_a_spreadsheet_would_run_is_exported_as_text(writable: Server) -> None:
    """CSV injection: a cell starting with = + - @ is a formula to Excel. The export puts an
    apostrophe before it (OWASP), the import takes one off: the file goes round unchanged."""
    components = (BROKER, CDM, APIS)
    sent = ['=HYPERLINK("http://example.org/x","klik")', "''=a note that starts with '=", "-5"]
    stored = ['=HYPERLINK("http://example.org/x","klik")', "'=a note that starts with '=", "-5"]
    lines = [",".join(COLUMNS)] + [
        f'{WERKBANK},{component},full,{ABB},2026-01-15,"{note.replace(chr(34), chr(34) * 2)}"'
        for component, note in zip(components, sent, strict=True)
    ]
    with writable.client() as http:
        assert_counts(post(http, "\r\n".join(lines).encode()), added=3, changed=0, unchanged=0)
        assert {row["component"]: row["note"] for row in export_json(http)} == dict(
            zip(components, stored, strict=True)
        )
        exported = {row["component"]: row["note"] for row in export_csv(http)}
        assert exported == {c: "'" + note for c, note in zip(components, stored, strict=True)}
        again = post(http, http.get("/api/mappings").content)
        assert_counts(again, added=0, changed=0, unchanged=3)


def test_an_export_for_excel_in_belgium_goes_round_unchanged(writable: Server) -> None:
    """Excel where `;` is the list separator puts a `,` file in one column, and reads UTF-8
    without a BOM as Windows-1252 (`é` becomes `Ã©`): `?excel=true` writes `;` after a BOM,
    which the import reads back as it was."""
    notes = ["één; twee", "€ 5, ß", "naïef"]
    lines = [";".join(COLUMNS)] + [
        f'{WERKBANK};{component};full;{ABB};2026-01-15;"{note}"'
        for component, note in zip((BROKER, CDM, APIS), notes, strict=True)
    ]
    with writable.client() as http:
        assert_counts(post(http, "\r\n".join(lines).encode()), added=3, changed=0, unchanged=0)
        for params in ({"excel": "true"}, {"excel": "true", "template": "true"}):
            answer = http.get("/api/mappings", params=params)
            assert answer.status_code == 200 and answer.content.startswith(b"\xef\xbb\xbf")
            header = answer.content.decode("utf-8-sig").split("\r\n", 1)[0]
            assert header.startswith("subject;") and "," not in header
        exported = http.get("/api/mappings", params={"excel": "true"}).content
        assert {row["note"] for row in export_json(http)} == set(notes)
        again = post(http, exported)
        assert_counts(again, added=0, changed=0, unchanged=3)
        assert again.json()["read_as"] == {"encoding": "UTF-8", "separator": ";"}
        assert http.get("/api/mappings").content.startswith(b"subject,")  # RFC 4180 by default


def test_a_note_longer_than_an_excel_cell_is_not_exported_for_excel(writable: Server) -> None:
    """Excel cuts a cell at 32,767 characters: a file for Excel with a longer note would come
    back shortened, so the export for Excel says so (406) and the others keep it whole."""
    note = "lang " * 7_000  # 35,000 characters
    line = f'{WERKBANK},{BROKER},full,{ABB},2026-01-15,"{note}"'
    with writable.client() as http:
        post(http, f"{','.join(COLUMNS)}\r\n{line}".encode())
        refused = http.get("/api/mappings", params={"excel": "true"})
        assert refused.status_code == 406
        assert "35,000 characters" in refused.text and "32,767" in refused.text
        assert note in {row["note"] for row in export_json(http)}
        assert note in http.get("/api/mappings").text


def test_a_column_without_a_name_is_left_out(writable: Server) -> None:
    """Excel writes a separator after the last column when the sheet's used range is wider
    (`…;note;`): such a file imports; a value under that nameless column is an error."""
    header = ";".join(COLUMNS) + ";"
    row = f"{WERKBANK};{BROKER};full;{ABB};2026-01-15;een noot;"
    with writable.client() as http:
        assert_counts(
            post(http, f"{header}\r\n{row}\r\n".encode(), dry_run="true"),
            added=1,
            changed=0,
            unchanged=0,
        )
        answer = post(http, f"{header}\r\n{row}x\r\n".encode(), dry_run="true")
        assert answer.status_code == 422
        (error,) = answer.json()["errors"]
        assert (error["line"], error["message"]) == (2, "a value in column 7, which has no name")


def test_a_cell_over_the_csv_readers_limit_is_named_as_such(client: httpx.Client) -> None:
    """Not "is a quote left open?": the quotes are fine, the cell is too long to read."""
    row = f'{WERKBANK},{BROKER},full,{ABB},2026-01-15,"{"x" * 140_000}"'
    answer = post(client, f"{','.join(COLUMNS)}\r\n{row}\r\n".encode(), dry_run="true")
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["message"] == "a cell of this line is longer than 131,072 characters"


def test_an_export_option_given_twice_is_refused(client: httpx.Client) -> None:
    """`?format=csv&format=json` answered JSON, the last value taken unsaid; 400 naming it."""
    answer = client.get("/api/mappings", params={"format": ["csv", "json"]})
    assert answer.status_code == 400 and "2 'format' parameters" in answer.text


def test_an_accept_of_neither_format_is_406_listing_both(client: httpx.Client) -> None:
    """Every other route answers an Accept it cannot meet with 406 and what it offers; the
    export sent CSV instead, unasked. `*/*`, no Accept and a browser's get the CSV, `?format=`
    wins over Accept as before."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    params: dict[str, str]
    for params in ({}, {"template": "true"}):
        refused = client.get("/api/mappings", params=params, headers={"Accept": "text/turtle"})
        assert refused.status_code == 406
        assert "text/csv" in refused.text and "application/json" in refused.text
        for accept in ("*/*", browser, None):
            answer = client.send(without_accept(client, "/api/mappings", params, accept))
            assert answer.status_code == 200, accept
            assert answer.headers["content-type"].startswith("text/csv"), accept
        asked = {**params, "format": "json"}
        chosen = client.get("/api/mappings", params=asked, headers={"Accept": "text/turtle"})
        assert chosen.headers["content-type"].startswith("application/json")
