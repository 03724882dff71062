"""The folders stay honest: every file parses, every term and concept is documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT
from rdflib import Graph

from srg_graph.dataset.sources import discover
from srg_graph.namespaces import SRG
from srg_graph.store import GraphStore

SOURCES = discover(ROOT)
PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX srg: <https://w3id.org/srg/ns#>
"""


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.display(ROOT))
def test_every_source_parses_with_rdflib_too(source) -> None:
    assert len(Graph().parse(source.path, format="turtle")) > 0


def test_every_folder_has_sources() -> None:
    kinds = {source.kind.value for source in SOURCES}
    assert kinds == {"ontology", "shapes", "data"}
    assert (ROOT / "ontology" / "srg.ttl") in {s.path for s in SOURCES}


def missing(seed: GraphStore, where: str, check: str) -> list[str]:
    rows = seed.rows(
        f"{PREFIXES} SELECT DISTINCT ?x WHERE {{ {where} FILTER NOT EXISTS {{ {check} }} }}"
    )
    return sorted(row["x"] for row in rows)


SRG_TERMS = """GRAPH <https://w3id.org/srg/graph/ontology> {
    ?x a ?kind . FILTER(STRSTARTS(STR(?x), STR(srg:)))
    VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty } }"""


@pytest.mark.parametrize(
    "check",
    [
        '?x rdfs:label ?l . FILTER(LANG(?l) = "nl")',
        '?x rdfs:label ?l . FILTER(LANG(?l) = "en")',
        '?x skos:definition ?d . FILTER(LANG(?d) = "nl")',
        '?x skos:definition ?d . FILTER(LANG(?d) = "en")',
        "?x rdfs:isDefinedBy <https://w3id.org/srg/ns>",
    ],
)
def test_every_ontology_term_is_documented(seed: GraphStore, check: str) -> None:
    assert missing(seed, SRG_TERMS, check) == []


# OWL's top terms: true of every class or property, so they say nothing about what a term is.
TOP_TERMS = {
    "http://www.w3.org/2002/07/owl#Thing",
    "http://www.w3.org/2002/07/owl#topObjectProperty",
    "http://www.w3.org/2002/07/owl#topDataProperty",
    "http://www.w3.org/2000/01/rdf-schema#Resource",
}
# The terms no reused vocabulary has a super-term for (docs/modelling.md, "Super-terms"):
# their only super-term is owl:topDataProperty, said explicitly. Add a term here only with its
# reason in that section.
ONLY_TOP_TERMS = {"addedCount", "removedCount", "completesChange", "optional"}
SUPER_TERMS = """SELECT ?x ?super WHERE { GRAPH <https://w3id.org/srg/graph/ontology> {
    { ?x a owl:Class .
      OPTIONAL { ?x rdfs:subClassOf+ ?super . FILTER(!STRSTARTS(STR(?super), STR(srg:))) } }
    UNION
    { VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty } ?x a ?kind .
      OPTIONAL { ?x rdfs:subPropertyOf+ ?super . FILTER(!STRSTARTS(STR(?super), STR(srg:))) } }
    FILTER(STRSTARTS(STR(?x), STR(srg:))) } }"""


def standard_super_terms(seed: GraphStore) -> dict[str, set[str]]:
    """Each srg term and the standard terms its subClassOf or subPropertyOf chain reaches
    (directly or through srg terms)."""
    found: dict[str, set[str]] = {}
    for row in seed.rows(PREFIXES + SUPER_TERMS):
        terms = found.setdefault(row["x"].removeprefix(SRG), set())
        if "super" in row:
            terms.add(row["super"])
    return found


def test_every_ontology_term_has_a_standard_super_term(seed: GraphStore) -> None:
    """As in W3C ORG and OSLO: a class is a subclass, a property a subproperty, of a standard
    term (rdfs:seeAlso or skos:closeMatch alone is not a super-term)."""
    supers = standard_super_terms(seed)
    assert len(supers) > 50
    assert sorted(term for term, found in supers.items() if not found) == []


def test_only_the_listed_terms_stop_at_an_owl_top_term(seed: GraphStore) -> None:
    supers = standard_super_terms(seed)
    only_top = {term for term, found in supers.items() if found and found <= TOP_TERMS}
    assert only_top == ONLY_TOP_TERMS


def test_contract_terms_exist(seed: GraphStore) -> None:
    contract = [
        *("GovernanceBody", "Werkbank", "Responsibility", "OpenPoint", "Mandate"),
        *("BudgetAllocation", "ProjectSheet", "VlocaComponent", "lead", "advises", "oversees"),
        *("responsibility", "optional", "concerns", "aboutProperty", "mandate", "status"),
        "alignsWith",
    ]
    defined = {row["x"] for row in seed.rows(f"{PREFIXES} SELECT ?x WHERE {{ {SRG_TERMS} }}")}
    assert {f"https://w3id.org/srg/ns#{term}" for term in contract} <= defined


@pytest.mark.parametrize(
    "check",
    [
        '?x skos:prefLabel ?l . FILTER(LANG(?l) = "nl")',
        '?x skos:prefLabel ?l . FILTER(LANG(?l) = "en")',
        '?x skos:definition ?d . FILTER(LANG(?d) = "nl")',
        '?x skos:definition ?d . FILTER(LANG(?d) = "en")',
        "?x skos:inScheme ?scheme . ?scheme a skos:ConceptScheme",
    ],
)
def test_every_concept_is_documented(seed: GraphStore, check: str) -> None:
    concepts = "?x a skos:Concept . FILTER(STRSTARTS(STR(?x), 'https://w3id.org/srg/id/concept/'))"
    assert missing(seed, concepts, check) == []


def test_ontology_header(seed: GraphStore) -> None:
    assert seed.ask(
        f"""{PREFIXES} ASK {{ <https://w3id.org/srg/ns> a owl:Ontology ;
            owl:versionInfo ?v ; dcterms:license ?l ; dcterms:creator ?c }}"""
    )


def test_no_stray_ttl_outside_the_source_folders() -> None:
    stray = [
        p
        for p in ROOT.glob("*/*.ttl")
        if p.parent.name not in {"ontology", "shapes", "data"} and ".venv" not in p.parts
    ]
    assert stray == [], "Turtle belongs in ontology/, shapes/ or data/"


def test_source_paths_are_relative_in_messages() -> None:
    assert all(not Path(s.display(ROOT)).is_absolute() for s in SOURCES)


def test_page_words_exist_in_both_languages() -> None:
    words = json.loads((ROOT / "srg_graph" / "web" / "words.json").read_text("utf-8"))
    assert set(words) == {"nl", "en"}
    assert set(words["nl"]) == set(words["en"])
    assert all(words["nl"].values()) and all(words["en"].values())
