"""What the home page shows from the data: the model, its entry points, its open points, the
rule warnings, the org chart, the coverage and the named queries as examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..languages import pick
from ..namespaces import ID
from ..sparql import internal
from ..sparql.named import NamedQuery
from ..store import Queries
from ..validation import render as reports
from ..validation.report import Report
from . import orgchart
from .coverage import coverage
from .documents import doc_href
from .report_view import rule_groups

MODEL = f"{ID}model/smart-region-governance"


def _label(row: dict[str, str], key: str, lang: str, fallback: str = "") -> str:
    """`keyNl` / `keyEn` of a row, in `lang` first."""
    labels = {"nl": row.get(f"{key}Nl", ""), "en": row.get(f"{key}En", "")}
    return pick(labels, lang, fallback)


def _slug(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def introduction(store: Queries, lang: str) -> dict[str, str]:
    found = store.rows(internal.query("dashboard-model"), {"model": ("iri", MODEL, None)})
    row = found[0] if found else {}
    return {
        "label": _label(row, "label", lang, "Smart Region Governance"),
        "description": _label(row, "description", lang),
        "href": doc_href(MODEL),
    }


def entry_points(store: Queries, lang: str) -> dict[str, list[dict[str, str]]]:
    """The governance bodies and the werkbanken, each with its label and page."""
    kinds: dict[str, list[dict[str, str]]] = {"body": [], "werkbank": []}
    for row in store.rows(internal.query("dashboard-entry-points")):
        link = {"href": doc_href(row["node"]), "label": _label(row, "label", lang, row["node"])}
        kinds.setdefault(row["kind"], []).append(link)
    return kinds


def open_points(store: Queries, lang: str) -> list[dict[str, Any]]:
    """Every srg:OpenPoint with what it concerns and the property that is open."""
    points: dict[str, dict[str, Any]] = {}
    for row in store.rows(internal.query("dashboard-open-points")):
        point = points.setdefault(
            row["point"],
            {
                "href": doc_href(row["point"]),
                "label": _label(row, "label", lang, _slug(row["point"])),
                "description": _label(row, "description", lang),
                "concerns": {},
                "properties": {},
            },
        )
        if "concerns" in row:
            label = _label(row, "concerns", lang, _slug(row["concerns"]))
            point["concerns"][row["concerns"]] = {"href": doc_href(row["concerns"]), "label": label}
        if "property" in row:
            label = _label(row, "property", lang, _slug(row["property"]))
            point["properties"][row["property"]] = {"href": row["property"], "label": label}
    return sorted(points.values(), key=lambda p: p["label"].casefold())


def examples(queries: Iterable[NamedQuery], lang: str) -> list[dict[str, str]]:
    """The named queries as the editor's examples: name, title in `lang`, text."""
    found = [
        {"name": q.name, "title": pick(q.title, lang, q.name), "text": q.text} for q in queries
    ]
    return sorted(found, key=lambda q: q["title"].casefold())


def dashboard(
    store: Queries, report: Report, queries: Iterable[NamedQuery], lang: str
) -> dict[str, Any]:
    """Everything the home page shows from the data (blocking: call from a thread)."""
    return {
        "intro": introduction(store, lang),
        "entries": entry_points(store, lang),
        "open_points": open_points(store, lang),
        "rules": rule_groups(report, lang),
        "severities": Counter(r.severity for r in report.results),
        "severity_words": reports.WORDS[lang],
        "examples": examples(queries, lang),
        "chart": orgchart.build(store, lang),
        "coverage": coverage(store),
    }
