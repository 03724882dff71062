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

from srg_graph.config import Settings
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
        (2, "level", "'complete' is not one of full, partial, planned"),
        (3, "level", "'Full' is not one of full, partial, planned"),
        (4, "level", "'' is not one of full, partial, planned"),
    ],
    "bad-date.csv": [
        (2, "assessed_on", "'2026-02-30' is not YYYY-MM-DD"),
        (3, "assessed_on", "'26-1-1' is not YYYY-MM-DD"),
        (4, "assessed_on", "'15/01/2026' is not YYYY-MM-DD"),
    ],
    "assessor-not-organisation.csv": [
        (2, "assessed_by", "service/incubatie-vloca is not an organisation of the graph"),
        (3, "assessed_by", "vloca/broker is not an organisation of the graph"),
    ],
    "not-iri.csv": [
        (2, "subject", "'incubatie-vloca' is not an IRI"),
        (2, "component", "'broker' is not an IRI"),
        (2, "assessed_by", "'ABB' is not an IRI"),
        (3, "subject", "'https://w3id.org/srg/id/organisation/a b' is not an IRI"),
    ],
    "field-count.csv": [(2, None, "5 fields; expected 6"), (3, None, "7 fields; expected 6")],
    "duplicate.csv": [(4, "component", "repeats the subject and component of line 2")],
    "wrong-header.csv": [(1, None, "the header must be exactly " + ",".join(COLUMNS))],
    "empty.csv": [(1, None, "the file is empty")],
    "latin1.csv": [(3, None, "is not UTF-8")],
    "bad-quoting.csv": [(3, None, "not valid CSV")],
    "partial.csv": [(3, "level", "'maybe' is not one of")],
    # the quoted notes span lines 2-3 and 5-7, so the bad rows are on lines 4 and 8
    "multiline.csv": [
        (4, "assessed_on", "'2026-13-01' is not YYYY-MM-DD"),
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
    for name in ("multiline.csv", "not-iri.csv", "field-count.csv", "latin1.csv"):
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


def test_cli_and_http_see_the_same_mappings(cli_store: Path) -> None:
    srg(cli_store, "import", str(FILES / "valid.csv"))
    running = Server(cli_store, TOKEN).start()
    try:
        with running.client() as http:
            assert http.get("/api/mappings").content == cli_export_bytes(cli_store)
    finally:
        running.stop()
