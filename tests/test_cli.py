"""The `srg` command run as a real subprocess: exit statuses, formats, languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from rdflib import RDF, SH, Graph
from server import run_srg

srg = run_srg


def test_validate_seed_exits_zero_with_a_readable_report() -> None:
    run = srg("validate")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Validation report: 0 violation(s)")
    assert "Warning: " in run.stdout


def test_validate_in_dutch() -> None:
    run = srg("validate", "--lang", "nl")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Validatierapport: 0 overtreding(en)")
    assert "Waarschuwing: " in run.stdout


def test_validate_turtle_is_a_standard_report() -> None:
    run = srg("validate", "--format", "turtle")
    assert run.returncode == 0, run.stderr
    graph = Graph().parse(data=run.stdout, format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report is not None
    assert graph.value(None, RDF.type, SH.ValidationReport) is not None
    assert any(graph.subjects(SH.resultSeverity, SH.Warning))
    assert not any(graph.subjects(SH.resultSeverity, SH.Violation))


def test_validate_json_counts_match_results() -> None:
    run = srg("validate", "--format", "json")
    body = json.loads(run.stdout)
    assert body["conforms"] is True
    assert body["violations"] == 0
    warnings = [r for r in body["results"] if r["severity"] == "Warning"]
    assert body["warnings"] == len(warnings) > 0
    assert {r["severity"] for r in body["results"]} == {"Warning", "Info"}
    assert all({"nl", "en"} <= set(r["message"]) for r in body["results"])


@pytest.mark.parametrize(
    ("fixture", "focus"),
    [
        ("second-lead.ttl", "https://w3id.org/srg/id/werkbank/vloca"),
        ("reporting-cycle.ttl", "https://w3id.org/srg/id/body/politiek-begeleidingscomite"),
    ],
)
def test_validate_bad_data_exits_one_with_violation_on_the_node(fixture: str, focus: str) -> None:
    run = srg("validate", str(FIXTURES / "bad" / fixture), "--format", "json")
    assert run.returncode == 1, run.stderr
    violations = [r for r in json.loads(run.stdout)["results"] if r["severity"] == "Violation"]
    assert focus in {r["focusNode"] for r in violations}


def test_validate_broken_file_exits_two_with_position() -> None:
    path = FIXTURES / "bad" / "broken-syntax.ttl"
    run = srg("validate", str(path))
    assert run.returncode == 2
    assert "fixtures/bad/broken-syntax.ttl:5:14: . is not a valid RDF object" in run.stderr


def test_validate_missing_file_exits_two() -> None:
    run = srg("validate", "no-such-file.ttl")
    assert run.returncode == 2
    assert "no-such-file.ttl" in run.stderr


def test_build_then_query_a_file(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = srg("build", store=store)
    assert run.returncode == 0, run.stderr
    query = tmp_path / "bodies.rq"
    query.write_text(
        "PREFIX srg: <https://w3id.org/srg/ns#>\n"
        "SELECT ?body WHERE { ?body a srg:GovernanceBody } ORDER BY ?body\n"
    )
    run = srg("query", str(query), "--format", "csv", store=store)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "body"
    assert "https://w3id.org/srg/id/body/smart-region-office" in lines
    assert len(lines) == 1 + 5


def test_query_construct_defaults_to_turtle(tmp_path: Path) -> None:
    query = tmp_path / "construct.rq"
    query.write_text(
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "CONSTRUCT { ?a org:reportsTo ?b } WHERE { ?a org:reportsTo ?b }\n"
    )
    run = srg("query", str(query), store=tmp_path / "s")
    assert run.returncode == 0, run.stderr
    graph = Graph().parse(data=run.stdout, format="turtle")
    assert len(graph) >= 5


def test_query_unknown_name_exits_two() -> None:
    run = srg("query", "no-such-query")
    assert run.returncode == 2
    assert "no-such-query" in run.stderr


def test_query_syntax_error_exits_two(tmp_path: Path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("SELECT ?x WHERE { ?x ")
    run = srg("query", str(query), store=tmp_path / "s")
    assert run.returncode == 2
    assert "broken.rq" in run.stderr


def test_both_engines_report_the_same_results() -> None:
    def results(engine: str) -> set[tuple[str, str, str]]:
        run = srg("validate", "--format", "json", "--engine", engine)
        assert run.returncode == 0, run.stderr
        return {
            (r["severity"], r["shape"], r["focusNode"]) for r in json.loads(run.stdout)["results"]
        }

    assert results("fast") == results("pyshacl")
