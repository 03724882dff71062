"""The fast validator (SPARQL twins of the shapes on pyoxigraph) against pySHACL, the reference.

Both must give the same results, result by result, on the seed, on every shape fixture and on
generated bench data with violations planted in it. Results are compared on (severity, shape,
focus, path, value, constraint), blank nodes as "blank", and also on their labels and messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, validate_with_vocabulary, vocabulary_store
from rdflib import RDF, SH, Graph

from srg_graph.dataset.build import shapes_store
from srg_graph.store import GraphStore
from srg_graph.validation.engines import validate_store
from srg_graph.validation.fast import (
    load_checks,
    missing_twins,
    producing_shapes,
    validate_fast,
)
from srg_graph.validation.report import Report, Result

SRGSH = "https://w3id.org/srg/shapes#"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))

# Shapes that give no result of their own: node shapes that only group property shapes, and
# the parts that sh:or, sh:not and sh:qualifiedValueShape combine (reported by their users).
PARTS = {
    "MembershipShape", "PostShape", "LeadHolderShape", "GovernanceBodyShape", "MandateShape",
    "PublicServiceShape", "BudgetAllocationShape", "OpenPointShape",
    "WerkbankShape", "HasLead", "HasLeadOpenPoint", "NoLeadOpenPoint", "LeadOpenPoint",
    "HasManager", "NoManagerOpenPoint", "ManagerOpenPoint",
    "NotFlemishAdministration", "FlemishAdministration", "FlemishAdministrationKind",
    "FormalStatus", "NotStarted", "StartedStatus", "HasFormalMandate",
    "CompleteProjectSheet", "ProjectSheetObjective", "ProjectSheetScope",
    "ProjectSheetActivity", "ProjectSheetTiming", "ProjectSheetMilestone", "ProjectSheetDeadline",
    "WerkbankoverlegSeat", "AlignedWithVloca", "IsOrganization", "IsPost",
    "OutsideIdNamespace", "InIdNamespace", "HasDutchPrefLabel", "DutchText",
}  # fmt: skip


def _blank(text: str | None) -> str:
    """Blank node labels differ between the reports; None sorts as ""."""
    return "blank" if text is not None and text.startswith("_:") else text or ""


def key(result: Result) -> tuple:
    return (
        result.severity,
        result.shape,
        _blank(result.focus),
        _blank(result.path),
        _blank(result.value),
        result.constraint,
        tuple(sorted(result.message.items())),
        tuple(sorted(result.shape_label.items())),
        tuple(sorted(result.focus_label.items())),
    )


def assert_same(reference: Report, fast: Report) -> None:
    expected, found = sorted(map(key, reference.results)), sorted(map(key, fast.results))
    missing = [k for k in expected if k not in found]
    extra = [k for k in found if k not in expected]
    assert (missing, extra) == ([], []) and expected == found
    assert fast.conforms == reference.conforms


# --- twins ----------------------------------------------------------------------------------
def test_every_shape_with_results_of_its_own_has_a_twin() -> None:
    assert missing_twins(shapes_store(ROOT)) == []


def test_the_shapes_without_a_twin_are_exactly_the_parts() -> None:
    store = shapes_store(ROOT)
    every = {
        row["shape"]
        for row in store.rows(
            "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT DISTINCT ?shape "
            "WHERE { ?shape a ?type VALUES ?type { sh:NodeShape sh:PropertyShape } }"
        )
    }
    assert {s.removeprefix(SRGSH) for s in every - producing_shapes(store)} == PARTS


def test_each_twin_names_a_shape_and_its_file_is_named_after_it() -> None:
    checks = load_checks()
    assert len({c.shape for c in checks}) == len(checks)
    assert {c.shape for c in checks} <= producing_shapes(shapes_store(ROOT))
    for check in checks:
        assert check.shape == SRGSH + check.path.stem
        assert check.text.startswith(f"# shape: {check.shape}\n")


# --- the same results as pySHACL ------------------------------------------------------------
def test_seed_gives_pyshacls_results(seed: GraphStore, seed_report: Report) -> None:
    fast = validate_fast(seed)
    assert_same(seed_report, fast)
    assert fast.warnings and not fast.violations


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: p.stem)
def test_shape_fixture_gives_pyshacls_results(fixture: Path) -> None:
    assert_same(validate_with_vocabulary([fixture]), validate_fast(vocabulary_store([fixture])))


def test_generated_data_gives_pyshacls_results(generated: GraphStore) -> None:
    reference = validate_store(generated)
    assert len(reference.violations) >= 10 and reference.warnings
    assert SRGSH + "ReportingAcyclic" in {r.shape for r in reference.violations}
    assert_same(reference, validate_fast(generated))


def test_report_graph_is_a_standard_validation_report(generated: GraphStore) -> None:
    fast = validate_fast(generated)
    graph = Graph().parse(data=fast.graph.serialize(format="turtle"), format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport)
    assert report is not None and graph.value(report, SH.conforms).toPython() is fast.conforms
    results = list(graph.objects(report, SH.result))
    assert len(results) == len(fast.results)
    reference = validate_store(generated).graph
    paths = {
        (str(graph.value(r, SH.sourceShape)), graph.value(r, SH.resultPath) is not None)
        for r in results
    }
    expected = {
        (str(reference.value(r, SH.sourceShape)), reference.value(r, SH.resultPath) is not None)
        for r in reference.objects(None, SH.result)
    }
    assert paths == expected
