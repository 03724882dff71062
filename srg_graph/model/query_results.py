"""A query's answer as the home page shows it when the browser runs no script: the rows of a
SPARQL JSON result as cells, drawn as `static/editor.js` draws them (our things link to their
pages and go by their type/slug, other IRIs by a prefixed name), a boolean, or a graph's text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import ID, curie
from .documents import doc_href


@dataclass(frozen=True)
class Cell:
    """One value of a row: its text, where it links (an IRI), its language, whether blank."""

    text: str = ""
    href: str | None = None
    title: str = ""
    lang: str = ""
    blank: bool = False


@dataclass(frozen=True)
class Shown:
    """A SELECT's names and rows, an ASK's `boolean`, or a CONSTRUCT's `graph` text."""

    names: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    graph: str | None = None


def _short(iri: str) -> str:
    return iri.removeprefix(ID) if iri.startswith(ID) and iri != ID else curie(iri)


def cell(term: dict[str, Any] | None) -> Cell:
    """A term of SPARQL JSON results (None: unbound) as a cell."""
    if term is None:
        return Cell()
    value = term["value"]
    if term["type"] == "uri":
        return Cell(_short(value), doc_href(value), value)
    if term["type"] == "bnode":
        return Cell(value, blank=True)
    return Cell(value, lang=term.get("xml:lang", ""))


def solutions(body: bytes) -> Shown:
    """SPARQL JSON results (SELECT or ASK) as names and rows of cells."""
    answer = json.loads(body)
    if "boolean" in answer:
        return Shown(boolean=bool(answer["boolean"]))
    names = answer["head"].get("vars", [])
    rows = [[cell(b.get(n)) for n in names] for b in answer["results"]["bindings"]]
    return Shown(names, rows)


def graph(body: bytes) -> Shown:
    """A CONSTRUCT or DESCRIBE answer, shown as the text it was written in (Turtle)."""
    return Shown(graph=body.decode())
