"""What a resource's HTML page shows, in one language: values by label, sections by kind.

The kind of page follows `rdf:type` (with subclasses): a VLOCA component, a werkbank, a
governance body, another organisation, or anything else (a properties table). Every page also
has the full statements table and the links to the resource.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..languages import LANGUAGES, Label, pick
from ..namespaces import DCTERMS, ORG, OWL, RDF, RDFS, SKOS, SRG, curie
from ..sparql import internal
from ..store import GraphStore
from ..validation.report import Report
from . import documents, standard_terms
from .documents import local_href

RDF_TYPE = RDF + "type"
DESCRIPTION = DCTERMS + "description"
SOURCE = DCTERMS + "source"
PREF_LABEL, RDFS_LABEL = SKOS + "prefLabel", RDFS + "label"
DEFINITION = SKOS + "definition"
KINDS = (  # the first class the resource is an instance of decides the page
    ("component", SRG + "VlocaComponent"),
    ("werkbank", SRG + "Werkbank"),
    ("body", SRG + "GovernanceBody"),
    ("organisation", ORG + "Organization"),
)
LINES = (ORG + "reportsTo", SRG + "reportsAt")
LINES += tuple(SRG + p for p in ("advises", "oversees", "steers", "convenes", "validatesResultsOf"))


@dataclass
class Value:
    """One value as shown: text, where it links to, and notes (description, status)."""

    text: str
    href: str | None = None
    external: bool = False
    note: str = ""
    status: str = ""
    iri: str = ""
    lang: str = ""


@dataclass
class Row:
    """One property of a resource and its values."""

    property: Value
    values: list[Value] = field(default_factory=list)


class View:
    """Turns query rows into `Value`s in the page language."""

    def __init__(self, lang: str, keep_lang: bool):
        self.lang, self.suffix = lang, f"?lang={lang}" if keep_lang else ""

    def text(self, labels: dict[str, str], fallback: str) -> Label:
        return pick({k: v for k, v in labels.items() if v}, self.lang, fallback)

    def iri(self, iri: str, nl: str | None = None, en: str | None = None, **notes: str) -> Value:
        href = local_href(iri)
        if href is not None and href.startswith("/doc/"):
            href += self.suffix
        labels = {"nl": nl or "", "en": en or ""} if nl or en else standard_terms.labels(iri)
        text = self.text(labels, curie(iri))
        return Value(text, href or iri, href is None, iri=iri, **notes)

    def cell(self, row: dict[str, str], key: str, prefix: str = "") -> Value | None:
        """The IRI in `row[key]`, labelled by `row[prefix+'Nl']`/`row[prefix+'En']`."""
        if key not in row:
            return None
        names = (prefix + "Nl", prefix + "En") if prefix else ("nl", "en")
        return self.iri(row[key], row.get(names[0]), row.get(names[1]))

    def subject(self, row: dict[str, str]) -> Value:
        """The subject of a statement pointing at the resource (`describe-in`): a blank node
        is shown as text, like a literal, since its id is no address (as a link it resolved
        against the page's path to a 404)."""
        if row.get("isIri", "true") in ("true", "1"):  # a boolean as some stores write it
            return self.iri(row["value"], row.get("nl"), row.get("en"))
        return Value(self.text({"nl": row.get("nl", ""), "en": row.get("en", "")}, row["value"]))

    def property(self, row: dict[str, str]) -> Value:
        return self.iri(row["property"], row.get("propertyNl"), row.get("propertyEn"))

    def rows(self, rows: list[dict[str, str]], notes: dict[str, dict[str, str]]) -> list[Row]:
        """Statements grouped by property; of tagged literals, the page language's first."""
        grouped: dict[str, Row] = {}
        for row in rows:
            entry = grouped.setdefault(row["property"], Row(self.property(row)))
            if row.get("isIri", "true") == "true":
                extra = notes.get(row["value"], {})
                entry.values.append(self.noted(row, extra))
            else:
                entry.values.append(Value(row["value"], lang=row.get("lang", "")))
        for entry in grouped.values():
            entry.values = self.in_language(entry.values)
        return list(grouped.values())

    def noted(self, row: dict[str, str], extra: dict[str, str]) -> Value:
        value = self.iri(row["value"], row.get("nl"), row.get("en"))
        value.note = self.text({"nl": extra.get("nl", ""), "en": extra.get("en", "")}, "")
        if "status" in extra:
            value.status = self.iri(
                extra["status"], extra.get("statusNl"), extra.get("statusEn")
            ).text
        return value

    def in_language(self, values: list[Value]) -> list[Value]:
        """Literals tagged nl/en are shown in one language: the page's, else the other."""
        tagged = [v for v in values if v.lang in ("nl", "en")]
        if not tagged:
            return values
        wanted = self.lang if any(v.lang == self.lang for v in tagged) else tagged[0].lang
        return [v for v in values if v.lang not in ("nl", "en") or v.lang == wanted]


def _of(rows: Iterable[Row], prop: str) -> list[Value]:
    return next((r.values for r in rows if r.property.iri == prop), [])


def _literal(rows: Iterable[Row], prop: str) -> Label:
    """The literals of `prop` as one text, in the language they share ("" when they do not)."""
    values = [v for v in _of(rows, prop) if not v.iri]
    languages = {v.lang for v in values}
    return Label(" ".join(v.text for v in values), languages.pop() if len(languages) == 1 else "")


def kind_of(store: GraphStore, iri: str) -> str:
    return next((kind for kind, cls in KINDS if store.is_a(iri, (cls,))), "resource")


def build(
    store: GraphStore, iri: str, lang: str, keep_lang: bool, report: Callable[[], Report]
) -> dict[str, Any] | None:
    """The context of the resource's page, or None when the graph does not know it."""
    out, incoming = (
        documents.rows(store, "describe-out", iri),
        documents.rows(store, "describe-in", iri),
    )
    if not out and not incoming:
        return None
    view = View(lang, keep_lang)
    notes = {r["value"]: r for r in documents.rows(store, "describe-linked", iri)}
    rows = view.rows(out, notes)
    labels = {r["lang"]: r["value"] for r in out if r["property"] in (RDFS_LABEL, PREF_LABEL)}
    labels.update({r["lang"]: r["value"] for r in out if r["property"] == PREF_LABEL})
    kind = kind_of(store, iri)
    context: dict[str, Any] = {
        "iri": iri,
        "kind": kind,
        "title": view.text(labels, curie(iri)),
        "types": _of(rows, RDF_TYPE),
        "description": _literal(rows, DESCRIPTION)
        or (_literal(rows, DEFINITION) if kind != "component" else ""),
        "properties": rows,
        "incoming": [(view.subject(r), view.property(r)) for r in incoming],
    }
    if kind != "resource":
        context |= SECTIONS[kind](store, iri, view, rows, incoming)
    return context | _warnings(report(), iri, lang)


def _lines(view: View, rows: list[Row], incoming: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Reporting, advice, oversight, steering, convening, validation: out and in."""
    labels = {r.property.iri: r.property for r in rows}
    labels.update({r["property"]: view.property(r) for r in incoming if r["property"] in LINES})
    lines = []
    for prop in LINES:
        coming = [view.subject(r) for r in incoming if r["property"] == prop]
        going = _of(rows, prop)
        if coming or going:
            lines.append({"property": labels[prop], "out": going, "in": coming})
    return lines


def _open_points(store: GraphStore, iri: str, view: View) -> list[dict[str, Any]]:
    points = []
    for row in documents.rows(store, "describe-open-points", iri):
        point = view.cell(row, "point")
        point.note = view.text({"nl": row.get("descNl", ""), "en": row.get("descEn", "")}, "")
        points.append({"point": point, "about": row.get("about", "")})
    return points


def _composition(store: GraphStore, iri: str, view: View) -> list[dict[str, Any]]:
    """Memberships and posts; what a post represents, or is only proposed to represent."""
    return [
        {
            "seat": view.cell(row, "shown"),
            "via": view.cell(row, "seat"),
            "role": view.cell(row, "role", "roleLabel"),
            "represents": view.cell(row, "represents", "representsLabel")
            or view.cell(row, "proposedRepresents", "proposedLabel"),
            "proposed": "represents" not in row and "proposedRepresents" in row,
            "unit": view.cell(row, "unit", "unitLabel"),
            "optional": row.get("optional") in ("true", "1"),
        }
        for row in documents.rows(store, "describe-composition", iri)
    ]


def _governed(store: GraphStore, iri: str, view: View, rows: list[Row], incoming: list) -> dict:
    """What bodies and werkbanken share: lead, composition, lines, mandate, open points."""
    points = _open_points(store, iri, view)
    return {
        "lead": _of(rows, SRG + "lead"),
        "proposed_lead": _of(rows, SRG + "proposedLead"),
        "lead_open": [p["point"] for p in points if p["about"] == SRG + "lead"],
        "composition": _composition(store, iri, view),
        "lines": _lines(view, rows, incoming),
        "mandates": _of(rows, SRG + "mandate"),
        "state": _of(rows, SRG + "status"),
        "open_points": [p["point"] for p in points],
    }


def _body(store: GraphStore, iri: str, view: View, rows: list[Row], incoming: list) -> dict:
    return _governed(store, iri, view, rows, incoming) | {
        "purpose": _of(rows, ORG + "purpose"),
        "classification": _of(rows, ORG + "classification"),
        "responsibilities": _of(rows, SRG + "responsibility"),
    }


def _werkbank(store: GraphStore, iri: str, view: View, rows: list[Row], incoming: list) -> dict:
    sheets = []
    for sheet in _of(rows, SRG + "projectSheet"):
        sheet_rows = view.rows(documents.rows(store, "describe-out", sheet.iri), {})
        skip = (RDF_TYPE, PREF_LABEL, RDFS_LABEL, SOURCE)
        sheets.append((sheet, [r for r in sheet_rows if r.property.iri not in skip]))
    leaders = [
        {
            "post": view.cell(row, "post"),
            "from": view.cell(row, "represents", "representsLabel")
            or view.cell(row, "proposedRepresents", "proposedLabel"),
            "proposed": "represents" not in row and "proposedRepresents" in row,
        }
        for row in documents.rows(store, "describe-leaders", iri)
    ]
    return _governed(store, iri, view, rows, incoming) | {
        "leaders": leaders,
        "sheets": sheets,
        "channels": _of(rows, SRG + "channel"),
    }


def _organisation(store: GraphStore, iri: str, view: View, rows: list[Row], incoming: list) -> dict:
    roles = [
        {
            "kind": row["kind"],
            "body": view.cell(row, "body"),
            "role": view.cell(row, "role", "roleLabel"),
            "via": view.cell(row, "via", "viaLabel"),
            "optional": row.get("optional") in ("true", "1"),
        }
        for row in documents.rows(store, "describe-roles", iri)
    ]
    return {
        "roles": roles,
        "classification": _of(rows, ORG + "classification"),
        "same_as": _of(rows, OWL + "sameAs"),
        "aligns": _of(rows, SRG + "alignsWith"),
    }


def _component(store: GraphStore, iri: str, view: View, rows: list[Row], incoming: list) -> dict:
    return {
        "definition": _literal(rows, DEFINITION),
        "state": _of(rows, SRG + "status"),
        "aligned": [view.subject(r) for r in incoming if r["property"] == SRG + "alignsWith"],
        "sources": _of(rows, SOURCE),
    }


SECTIONS = {
    "body": _body,
    "werkbank": _werkbank,
    "organisation": _organisation,
    "component": _component,
}


def _warnings(report: Report, iri: str, lang: str) -> dict[str, Any]:
    found = [
        {"severity": r.severity, "message": pick(r.message, lang), "path": curie(r.path or "")}
        for r in report.results
        if r.focus == iri
    ]
    return {"warnings": found}


def search(store: GraphStore, named: Any, text: str, lang: str) -> list[dict[str, Any]]:
    """Resources whose labels contain `text`, with their types, labelled in the page
    language, else in the other (asked in each: the query gives labels in one language),
    in the order of their labels.

    `named` is the named query `search` when installed (queries/search.rq), else None.
    """
    query = named.text if named is not None else internal.query("search-labels")
    labels: dict[str, dict[str, str]] = {}  # of results and their types, by language
    types: dict[str, list[str]] = {}
    for language in LANGUAGES:
        bindings = {"text": ("literal", text, None), "lang": ("literal", language, None)}
        for row in store.rows(query, bindings):
            found = types.setdefault(row["resource"], [])
            labels.setdefault(row["resource"], {}).setdefault(language, row.get("label", ""))
            if "type" in row:
                if row["type"] not in found:
                    found.append(row["type"])
                labels.setdefault(row["type"], {})[language] = row.get("typeLabel", "")
    view = View(lang, False)
    shown = [view.iri(r, **labels[r]) for r in types]
    return [
        {"resource": value, "types": [view.iri(t, **labels[t]) for t in types[value.iri]]}
        for value in sorted(shown, key=lambda value: (value.text.lower(), value.iri))
    ]
