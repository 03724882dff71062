"""What the cells of a mapping import name, in the forms spreadsheets produce.

A subject, component or assessor is given by its full IRI, by its `type/slug` under
`https://w3id.org/srg/id/` (`organisation/abb`), or by one of its names in Dutch or English
(preferred label, `rdfs:label` or abbreviation: `ABB`, `Broker`), ignoring case and repeated
spaces, when no other candidate of the column carries that name. A level is its notation or
its label in either language, in any case (`Partial`, `gedeeltelijk`); a date is ISO
(`2026-01-15`) or day first (`15/01/2026`, `5/1/2026`, `15-01-2026`, `15.01.2026`).

The candidates of each column and their names are read from the store once per import, by
the internal queries `mapping-names` (the class bound as a typed term) and `mapping-levels`:
no cell's text is ever put in a query.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from typing import Protocol

from ..namespaces import CPSV, ID, ORG, SRG
from ..sparql import internal
from ..sparql.named import IRI, Binding

SUBJECT_CLASSES = (CPSV + "PublicService", ORG + "Organization", SRG + "Werkbank")
COMPONENT_CLASSES = (SRG + "VlocaComponent",)
ASSESSOR_CLASSES = (ORG + "Organization",)
SLUG_PATH = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DAY_FIRST = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")


class Rows(Protocol):
    def rows(
        self, sparql: str, bindings: dict[str, Binding] | None = None
    ) -> list[dict[str, str]]: ...


class CellError(Exception):
    """A cell that names nothing usable; the message says what it may be instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """What a column names: instances of `classes`, described as `kind`, with examples."""

    classes: tuple[str, ...]
    kind: str
    path: str
    label: str

    def forms(self) -> str:
        return (
            f"give its IRI ({ID}{self.path}), its type/slug ({self.path}) "
            f"or its label in Dutch or English ({self.label})"
        )


NAMED = {
    "subject": Column(
        SUBJECT_CLASSES,
        "a public service, organisation or werkbank of the graph",
        "service/incubatie-vloca",
        "Incubatie van VLOCA",
    ),
    "component": Column(
        COMPONENT_CLASSES,
        "a VLOCA component (see /doc/scheme/vloca)",
        "concept/vloca/broker",
        "Broker",
    ),
    "assessed_by": Column(
        ASSESSOR_CLASSES, "an organisation of the graph", "organisation/abb", "ABB"
    ),
}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class Candidates:
    """The instances a column may name, and who carries each name (by its `_key`)."""

    iris: set[str]
    named: dict[str, set[str]]
    spelled: dict[str, str]  # key -> a spelling, for suggestions


class Names:
    """Resolves the cells of one import against the store (each column read once)."""

    def __init__(self, store: Rows):
        self.store = store
        self._candidates: dict[str, Candidates] = {}
        self._levels: dict[str, str] | None = None

    def candidates(self, column: str) -> Candidates:
        if column not in self._candidates:
            found = Candidates(set(), defaultdict(set), {})
            for cls in NAMED[column].classes:
                bound = {"class": ("iri", cls, None)}
                for row in self.store.rows(internal.query("mapping-names"), bound):
                    found.iris.add(row["resource"])
                    if row.get("name"):
                        found.named[_key(row["name"])].add(row["resource"])
                        found.spelled.setdefault(_key(row["name"]), row["name"])
            self._candidates[column] = found
        return self._candidates[column]

    def resource(self, column: str, value: str) -> str:
        """The IRI a cell of `column` names, or `CellError` saying which forms are accepted."""
        named, found = NAMED[column], self.candidates(column)
        if not value:
            raise CellError(f"is empty; {named.forms()}")
        if IRI.match(value) and value in found.iris:
            return value
        if SLUG_PATH.match(value) and ID + value in found.iris:
            return ID + value
        holders = found.named.get(_key(value), set())
        if len(holders) == 1:
            return next(iter(holders))
        if holders:
            listed = ", ".join(iri.removeprefix(ID) for iri in sorted(holders))
            raise CellError(
                f"{value!r} is the name of {len(holders)} things ({listed}); "
                "give the type/slug or IRI of the one you mean"
            )
        raise CellError(self._unknown(column, value))

    def _unknown(self, column: str, value: str) -> str:
        named, found = NAMED[column], self.candidates(column)
        if IRI.match(value):
            return f"{value} is not {named.kind}; {named.forms()}"
        if "://" in value:
            return f'{value!r} is not an IRI (no spaces or <>"{{}}|\\^` in an IRI); {named.forms()}'
        if SLUG_PATH.match(value):
            return f"{ID}{value} is not {named.kind}; {named.forms()}"
        close = get_close_matches(_key(value), list(found.spelled), n=3, cutoff=0.75)
        hint = f"; did you mean {' or '.join(repr(found.spelled[k]) for k in close)}?"
        return f"{value!r} is not {named.kind}; {named.forms()}" + (hint if close else "")

    def level(self, value: str) -> str:
        """The notation of a level given by its notation or label, in any case."""
        if self._levels is None:
            self._levels = {}
            for row in self.store.rows(internal.query("mapping-levels")):
                self._levels[_key(row["notation"])] = row["notation"]
                if row.get("name"):
                    self._levels.setdefault(_key(row["name"]), row["notation"])
        found = self._levels.get(_key(value))
        if found is None:
            notations = sorted(set(self._levels.values()))
            labels = sorted(self._levels.keys() - set(notations))
            raise CellError(
                f"{value!r} is not one of {', '.join(notations)} "
                f"(in any case, or their labels: {', '.join(labels)})"
            )
        return found


def iso_date(value: str) -> str:
    """The ISO form of a date written as `2026-01-15` or day first (`15/01/2026`)."""
    try:
        if match := ISO_DATE.match(value):
            return date(*map(int, match.groups())).isoformat()
        if match := DAY_FIRST.match(value):
            day, _, month, year = match.groups()
            return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        pass
    raise CellError(
        f"{value!r} is not a date; write it as 2026-01-15 (YYYY-MM-DD) "
        "or 15/01/2026 (day/month/year)"
    )
