"""HTML pages: one Jinja2 environment (autoescaping every value), the page language, the CSP.

Every page extends `templates/layout.html`, is in Dutch or English (`?lang=` first, then
`Accept-Language`, else Dutch), sets `<html lang>`, and is sent with a Content-Security-Policy
that allows only this server's own scripts, styles and images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import negotiation

LANGUAGES = ("nl", "en")
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# The words of the pages themselves; the data brings its own labels in both languages.
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "home": "Start",
        "sparql": "SPARQL",
        "queries": "Vragen",
        "ontology": "Ontologie",
        "orgchart": "Organogram",
        "validation": "Validatie",
        "dataset": "Dataset",
        "search": "Zoeken",
        "search_placeholder": "Zoek een orgaan, organisatie, werkbank ...",
        "language": "Taal",
        "not_found": "Niet gevonden",
        "not_found_text": "Er is geen bron met dit adres in de graaf.",
        "title": "Smart Region Governance-graaf",
        "tagline": "Wie doet wat in het Vlaamse Smart City-programma, als linked data.",
        "coverage_title": "Dekking van VLOCA",
        "coverage_intro": "Welke dienstverlening, werkbank en organisatie met een rol past op "
        "welke VLOCA-component, volgens de geïmporteerde mappings (CSV via /api/mappings).",
        "coverage_json": "als JSON",
        "coverage_subject": "Dienst, werkbank of organisatie",
        "coverage_gaps": "Wat nog niet gemapt is",
        "unmapped_components": "Componenten waarop niets gemapt is",
        "unmapped_services": "Dienstverlening zonder mapping",
        "unmapped_organisations": "Organisaties met een rol maar zonder mapping",
        "working_proposal": "werkvoorstel, nog geen officiële bouwlaag",
        "kind_service": "dienst",
        "kind_werkbank": "werkbank",
        "kind_organisation": "organisatie",
        "level_full": "volledig",
        "level_partial": "gedeeltelijk",
        "level_planned": "gepland",
        "level_mapped": "gemapt",
        "home_about": "Over deze dataset",
        "home_entries": "Ingangen",
        "home_bodies": "Overlegorganen",
        "home_werkbanken": "Werkbanken",
        "home_services": "Eindpunten en downloads",
        "home_sparql": "SPARQL-eindpunt",
        "home_queries": "Benoemde vragen (web-API)",
        "home_ontology": "Ontologie (srg:)",
        "home_void": "Beschrijving van de dataset (VoID, DCAT)",
        "home_orgchart": "Organigram",
        "home_validate": "Validatierapport (SHACL)",
        "home_dump": "Volledige download (N-Quads, gzip)",
        "editor_title": "SPARQL-editor",
        "editor_example": "Voorbeeldvraag",
        "editor_choose": "— kies een voorbeeld —",
        "editor_query": "SPARQL-vraag",
        "editor_run": "Uitvoeren",
        "editor_csv": "CSV downloaden",
        "editor_json": "JSON downloaden",
        "editor_permalink": "Permalink",
        "editor_running": "Bezig …",
        "editor_rows": "rij(en)",
        "editor_no_rows": "Geen resultaten.",
        "editor_error": "Fout",
        "editor_true": "waar",
        "editor_false": "onwaar",
        "dashboard_title": "Dashboard",
        "open_points": "Open punten",
        "open_points_intro": "Wat het model nog openlaat (srg:OpenPoint).",
        "open_point": "Open punt",
        "concerns": "Betreft",
        "property": "Eigenschap",
        "description": "Beschrijving",
        "rule_warnings": "Meldingen van de regels",
        "rule": "Regel",
        "severity": "Ernst",
        "count": "Aantal",
        "focus_node": "Knoop",
        "message": "Melding",
        "value": "Waarde",
        "show_list": "Toon de lijst",
        "validate_intro": "Het SHACL-validatierapport van de huidige graaf. Dezelfde gegevens als "
        "JSON of Turtle via de Accept-header; POST RDF naar /validate om gegevens te toetsen "
        "zonder iets te wijzigen.",
        "orgchart_intro": "Gegenereerd uit de graaf: rapporteringslijnen (org:reportsTo), "
        "advies (srg:advises) en toezicht (srg:oversees). Klik op een vak voor de pagina.",
        "orgchart_svg": "Als SVG-afbeelding",
    },
    "en": {
        "home": "Home",
        "sparql": "SPARQL",
        "queries": "Queries",
        "ontology": "Ontology",
        "orgchart": "Org chart",
        "validation": "Validation",
        "dataset": "Dataset",
        "search": "Search",
        "search_placeholder": "Search a body, organisation, werkbank ...",
        "language": "Language",
        "not_found": "Not found",
        "not_found_text": "There is no resource at this address in the graph.",
        "title": "Smart Region Governance graph",
        "tagline": "Who does what in the Flemish Smart City programme, as linked data.",
        "coverage_title": "VLOCA coverage",
        "coverage_intro": "Which service, werkbank and organisation with a role fits which "
        "VLOCA component, from the imported mappings (CSV through /api/mappings).",
        "coverage_json": "as JSON",
        "coverage_subject": "Service, werkbank or organisation",
        "coverage_gaps": "What is not mapped yet",
        "unmapped_components": "Components nothing maps onto",
        "unmapped_services": "Services without a mapping",
        "unmapped_organisations": "Organisations with a role but no mapping",
        "working_proposal": "working proposal, not yet an official layer",
        "kind_service": "service",
        "kind_werkbank": "werkbank",
        "kind_organisation": "organisation",
        "level_full": "full",
        "level_partial": "partial",
        "level_planned": "planned",
        "level_mapped": "mapped",
        "home_about": "About this dataset",
        "home_entries": "Entry points",
        "home_bodies": "Governance bodies",
        "home_werkbanken": "Werkbanken",
        "home_services": "Endpoints and downloads",
        "home_sparql": "SPARQL endpoint",
        "home_queries": "Named queries (web API)",
        "home_ontology": "Ontology (srg:)",
        "home_void": "Dataset description (VoID, DCAT)",
        "home_orgchart": "Org chart",
        "home_validate": "Validation report (SHACL)",
        "home_dump": "Full download (N-Quads, gzip)",
        "editor_title": "SPARQL editor",
        "editor_example": "Example query",
        "editor_choose": "— choose an example —",
        "editor_query": "SPARQL query",
        "editor_run": "Run",
        "editor_csv": "Download CSV",
        "editor_json": "Download JSON",
        "editor_permalink": "Permalink",
        "editor_running": "Running …",
        "editor_rows": "row(s)",
        "editor_no_rows": "No results.",
        "editor_error": "Error",
        "editor_true": "true",
        "editor_false": "false",
        "dashboard_title": "Dashboard",
        "open_points": "Open points",
        "open_points_intro": "What the model still leaves open (srg:OpenPoint).",
        "open_point": "Open point",
        "concerns": "Concerns",
        "property": "Property",
        "description": "Description",
        "rule_warnings": "Rule warnings",
        "rule": "Rule",
        "severity": "Severity",
        "count": "Count",
        "focus_node": "Node",
        "message": "Message",
        "value": "Value",
        "show_list": "Show the list",
        "validate_intro": "The SHACL validation report of the current graph. The same as JSON or "
        "Turtle through the Accept header; POST RDF to /validate to check data without changing "
        "anything.",
        "orgchart_intro": "Generated from the graph: reporting lines (org:reportsTo), advice "
        "(srg:advises) and oversight (srg:oversees). Click a box for its page.",
        "orgchart_svg": "As an SVG image",
    },
}


def language(request: Request) -> str:
    """`?lang=nl|en`, else the best of `Accept-Language`, else Dutch."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return negotiation.choose_language(request.headers.get("accept-language"), LANGUAGES, "nl")


def pick(labels: dict[str, str], lang: str, fallback: str = "") -> str:
    """The label in `lang`, else in the other language, else untagged, else the fallback."""
    for key in (lang, *LANGUAGES, ""):
        if labels.get(key):
            return labels[key]
    return fallback


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language: the same path and parameters, `lang` replaced."""
    params = {**dict(request.query_params.multi_items()), "lang": lang}
    return f"{request.url.path}?{urlencode(params)}"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the CSP and `Vary` headers set."""
    lang = language(request)
    page = ENVIRONMENT.get_template(template).render(
        lang=lang,
        words=WORDS[lang],
        pick=lambda labels, fallback="": pick(labels, lang, fallback),
        switch={other: switch_url(request, other) for other in LANGUAGES},
        path=request.url.path,
        **context,
    )
    headers = {"Content-Security-Policy": CSP, "Vary": "Accept, Accept-Language"}
    return HTMLResponse(page, status, headers=headers)
