"""VLOCA mappings as CSV: parse and check an import, preview it, and write the export.

Standard library only. The columns are exactly `subject,component,level,assessed_by,
assessed_on,note` (UTF-8, RFC 4180 quoting). Every problem is reported at once, one error per
bad cell with its line and column, so an architect can fix a spreadsheet in one pass.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Protocol

from ..namespaces import CPSV, DCTERMS, GRAPH, ID, ORG, PROV, RDF, SKOS, SRG, XSD
from ..sparql import internal
from ..sparql.named import IRI, Binding

COLUMNS = ("subject", "component", "level", "assessed_by", "assessed_on", "note")
LEVELS = ("full", "partial", "planned")
MAPPINGS_GRAPH = f"{GRAPH}mappings"
SUBJECT_CLASSES = (
    CPSV + "PublicService",
    ORG + "Organization",
    SRG + "Werkbank",
)
COMPONENT_CLASSES = (SRG + "VlocaComponent",)
ASSESSOR_CLASSES = (ORG + "Organization",)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RDF_TYPE = RDF + "type"
IsA = Callable[[str, tuple[str, ...]], bool]


class GraphStoreLike(Protocol):
    def rows(self, sparql: str) -> list[dict[str, str]]: ...
    def drop_graph(self, graph: str | None) -> None: ...
    def remove_subjects(self, graph: str, subjects: list[str]) -> None: ...
    def add_triples(self, graph: str, triples: list[tuple[Binding, Binding, Binding]]) -> None: ...


@dataclass(frozen=True)
class Mapping:
    """One row: a subject aligns with a VLOCA component at a level, as assessed."""

    subject: str
    component: str
    level: str
    assessed_by: str
    assessed_on: str
    note: str

    @property
    def iri(self) -> str:
        """One record per subject and component, so re-importing a row updates it."""
        digest = hashlib.sha256(f"{self.subject}\n{self.component}".encode()).hexdigest()
        return f"{ID}mapping/{digest[:20]}"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str


class ImportRefused(Exception):
    """The file has errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported")

    def as_dicts(self) -> list[dict[str, object]]:
        return [asdict(e) for e in self.errors]


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"byte {error.start} is not UTF-8: save the file as CSV UTF-8"
        raise ImportRefused([RowError(line, None, message)]) from error


def _records(text: str) -> Iterable[tuple[int, list[str]]]:
    """(first line number, fields) of each CSV record; a quoted field may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as error:
        message = f"not valid CSV from this line on ({error}): is a quote left open?"
        raise ImportRefused([RowError(start, None, message)]) from error


def _cell_errors(line: int, row: dict[str, str], is_a: IsA) -> list[RowError]:
    errors = []

    def check(column: str, ok: bool, message: str) -> None:
        if not ok:
            errors.append(RowError(line, column, message))

    for column, classes, kind in (
        ("subject", SUBJECT_CLASSES, "a public service, organisation or werkbank of the graph"),
        ("component", COMPONENT_CLASSES, "a VLOCA component (see /doc/scheme/vloca)"),
        ("assessed_by", ASSESSOR_CLASSES, "an organisation of the graph"),
    ):
        value = row[column]
        check(column, bool(IRI.match(value)), f"{value!r} is not an IRI; give {kind}")
        if IRI.match(value):
            check(column, is_a(value, classes), f"{value} is not {kind}")
    check("level", row["level"] in LEVELS, f"{row['level']!r} is not one of {', '.join(LEVELS)}")
    check("assessed_on", _is_date(row["assessed_on"]), f"{row['assessed_on']!r} is not YYYY-MM-DD")
    return sorted(errors, key=lambda e: COLUMNS.index(e.column or "subject"))


def _is_date(value: str) -> bool:
    try:
        return bool(DATE.match(value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def parse(data: bytes, is_a: IsA) -> list[Mapping]:
    """The mappings of a CSV file, or `ImportRefused` with every error found."""
    text = _text(data)
    if not text.strip():
        raise ImportRefused(
            [RowError(1, None, f"the file is empty; line 1 must be: {','.join(COLUMNS)}")]
        )
    records = iter(_records(text))
    _, header = next(records)
    if tuple(h.strip() for h in header) != COLUMNS:
        message = f"the header must be exactly {','.join(COLUMNS)}; found {','.join(header)}"
        raise ImportRefused([RowError(1, None, message)])
    mappings, errors, seen = [], [], {}
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue  # blank line, as spreadsheets write at the end
        if len(fields) != len(COLUMNS):
            errors.append(RowError(line, None, f"{len(fields)} fields; expected {len(COLUMNS)}"))
            continue
        row = dict(zip(COLUMNS, (f.strip() for f in fields[:-1]), strict=False)) | {
            "note": fields[-1]
        }
        found = _cell_errors(line, row, is_a)
        pair = (row["subject"], row["component"])
        if pair in seen:
            found.append(
                RowError(
                    line, "component", f"repeats the subject and component of line {seen[pair]}"
                )
            )
        seen.setdefault(pair, line)
        errors += found
        if not found:
            mappings.append(Mapping(**row))
    if errors:
        raise ImportRefused(errors)
    return mappings


def triples(mapping: Mapping) -> list[tuple[Binding, Binding, Binding]]:
    """The record with its provenance, and the direct `srg:alignsWith` triple."""

    def iri(value: str) -> Binding:
        return ("iri", value, None)

    record = iri(mapping.iri)
    level = iri(f"{ID}concept/mapping-level/{mapping.level}")
    return [
        (record, iri(RDF_TYPE), iri(SRG + "Mapping")),
        (record, iri(SRG + "mappingOf"), iri(mapping.subject)),
        (record, iri(SRG + "component"), iri(mapping.component)),
        (record, iri(SRG + "level"), level),
        (record, iri(PROV + "wasAttributedTo"), iri(mapping.assessed_by)),
        (record, iri(DCTERMS + "date"), ("literal", mapping.assessed_on, XSD + "date")),
        (record, iri(SKOS + "note"), ("literal", mapping.note, XSD + "string")),
        (iri(mapping.subject), iri(SRG + "alignsWith"), iri(mapping.component)),
    ]


def preview(
    incoming: list[Mapping], existing: list[Mapping], replace: bool = False
) -> dict[str, list[dict[str, str]]]:
    """What an import would do: each row added, changed (with what it was) or unchanged, and
    with `replace` the existing mappings the file leaves out (removed)."""
    current = {m.iri: m for m in existing}
    result: dict[str, list[dict[str, str]]] = {"added": [], "changed": [], "unchanged": []}
    if replace:
        kept = {m.iri for m in incoming}
        result["removed"] = [asdict(m) for m in existing if m.iri not in kept]
    for mapping in incoming:
        before = current.get(mapping.iri)
        if before is None:
            result["added"].append(asdict(mapping))
        elif before != mapping:
            result["changed"].append(asdict(mapping) | {"was": asdict(before)})
        else:
            result["unchanged"].append(asdict(mapping))
    return result


def to_csv(mappings: Iterable[Mapping]) -> str:
    """The export: the same columns, sorted, RFC 4180 (CRLF line ends, quotes where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for m in sorted(mappings, key=lambda m: (m.subject, m.component)):
        writer.writerow([m.subject, m.component, m.level, m.assessed_by, m.assessed_on, m.note])
    return out.getvalue()


def current(store: GraphStoreLike) -> list[Mapping]:
    """The store's mappings, as rows of the export (`sparql/rq/mappings.rq`)."""
    return [
        Mapping(**{c: row.get(c, "") for c in COLUMNS})
        for row in store.rows(internal.query("mappings"))
    ]


def apply(store: GraphStoreLike, mappings: list[Mapping], replace: bool) -> None:
    """Write mappings into the store: each record replaced whole; `replace` drops the rest."""
    if replace:
        store.drop_graph(MAPPINGS_GRAPH)
    store.remove_subjects(MAPPINGS_GRAPH, [m.iri for m in mappings])
    store.add_triples(MAPPINGS_GRAPH, [t for m in mappings for t in triples(m)])
