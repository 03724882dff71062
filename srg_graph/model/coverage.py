"""VLOCA coverage: the matrix of services and organisations against components, and its gaps.

G3 of the seed: every Flemish government service is mapped onto VLOCA, and the consistency
between each one's role and what it takes on is monitored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..sparql import internal


class Rows(Protocol):
    def rows(self, sparql: str) -> list[dict[str, str]]: ...


@dataclass(frozen=True)
class Entry:
    iri: str
    labels: dict[str, str]
    kind: str = ""


@dataclass
class Coverage:
    subjects: list[Entry]
    components: list[Entry]
    cells: dict[tuple[str, str], str] = field(default_factory=dict)

    def level(self, subject: str, component: str) -> str | None:
        return self.cells.get((subject, component))

    @property
    def unmapped_components(self) -> list[Entry]:
        used = {component for _, component in self.cells}
        return [c for c in self.components if c.iri not in used]

    def unmapped(self, kind: str) -> list[Entry]:
        """Services (`service`) or organisations with a role (`organisation`) mapped nowhere."""
        mapped = {subject for subject, _ in self.cells}
        return [s for s in self.subjects if s.kind == kind and s.iri not in mapped]

    def mapped_first(self) -> Coverage:
        """The same matrix with the most mapped subjects and components first (the rest in
        their own order), so the mapped cells gather in the top left corner."""
        per_subject: dict[str, int] = {}
        per_component: dict[str, int] = {}
        for subject, component in self.cells:
            per_subject[subject] = per_subject.get(subject, 0) + 1
            per_component[component] = per_component.get(component, 0) + 1
        return Coverage(
            sorted(self.subjects, key=lambda s: -per_subject.get(s.iri, 0)),
            sorted(self.components, key=lambda c: -per_component.get(c.iri, 0)),
            self.cells,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "components": [
                {"iri": c.iri, "labels": c.labels, "status": c.kind} for c in self.components
            ],
            "rows": [
                {
                    "subject": s.iri,
                    "kind": s.kind,
                    "labels": s.labels,
                    "levels": {
                        c.iri: self.level(s.iri, c.iri)
                        for c in self.components
                        if self.level(s.iri, c.iri)
                    },
                }
                for s in self.subjects
            ],
            "unmappedComponents": [c.iri for c in self.unmapped_components],
            "unmappedServices": [s.iri for s in self.unmapped("service")],
            "unmappedOrganisations": [s.iri for s in self.unmapped("organisation")],
        }


def _entries(rows: list[dict[str, str]], key: str, kind: str) -> list[Entry]:
    return [
        Entry(
            row[key], {lang: row[lang] for lang in ("nl", "en") if lang in row}, row.get(kind, "")
        )
        for row in rows
    ]


def coverage(store: Rows) -> Coverage:
    """The coverage of the store's current mappings."""
    cells = {
        (r["subject"], r["component"]): r.get("level", "mapped")
        for r in store.rows(internal.query("coverage-cells"))
    }
    return Coverage(
        _entries(store.rows(internal.query("coverage-subjects")), "subject", "kind"),
        _entries(store.rows(internal.query("coverage-components")), "component", "status"),
        cells,
    )
