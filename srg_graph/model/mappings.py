"""VLOCA mappings as CSV: parse and check an import, preview it, write the export and the
template.

Standard library only. The columns are `subject,component,level,assessed_by,assessed_on,
note` (the template adds `subject_label`, which an import ignores), in any order and case.
An import takes what spreadsheets write: `,`, `;` or tab as the separator (read from the
header), UTF-8 with or without a BOM, UTF-16 with a BOM, else Windows-1252 (Excel's "CSV"
in Belgium), CRLF or LF; the names, levels and dates of `mapping_names`. Every problem is
reported at once, one error per bad cell with its line and column, so an architect can fix
a spreadsheet in one pass; a row that gives only a subject (a template row not filled in)
is skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from ..errors import NotRepresentable
from ..languages import pick
from ..namespaces import DCTERMS, GRAPH, ID, PROV, RDF, SKOS, SRG, XSD
from ..sparql import internal
from ..sparql.named import Binding
from .mapping_names import (
    ASSESSOR_CLASSES,
    COMPONENT_CLASSES,
    SUBJECT_CLASSES,
    CellError,
    Names,
    iso_date,
)

__all__ = ["ASSESSOR_CLASSES", "COMPONENT_CLASSES", "SUBJECT_CLASSES", "Names"]

COLUMNS = ("subject", "component", "level", "assessed_by", "assessed_on", "note")
LABEL_COLUMN = "subject_label"  # in the template, for people; an import ignores it
TEMPLATE_COLUMNS = ("subject", LABEL_COLUMN, *COLUMNS[1:])
MAPPINGS_GRAPH = f"{GRAPH}mappings"
RDF_TYPE = RDF + "type"
SEPARATORS = (",", ";", "\t")
ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))
EXCEL_CELL = 32_767  # characters an Excel cell holds


class GraphStoreLike(Protocol):
    def rows(
        self, sparql: str, bindings: dict[str, Binding] | None = None
    ) -> list[dict[str, str]]: ...
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


@dataclass(frozen=True)
class Parsed:
    """The mappings of a file, and how it was read (encoding, separator)."""

    mappings: list[Mapping]
    encoding: str
    separator: str

    def read_as(self) -> dict[str, str]:
        return {"encoding": self.encoding, "separator": self.separator}


def _text(data: bytes) -> tuple[str, str]:
    """The text of the file and the name of its encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    for codec, name in ENCODINGS:
        try:
            return data.decode(codec), name
        except UnicodeDecodeError as error:
            start = error.start
    line = data[:start].count(b"\n") + 1
    message = f"byte {start} is neither UTF-8 nor Windows-1252: save the file as CSV UTF-8"
    raise ImportRefused([RowError(line, None, message)])


def _column_name(header: str) -> str:
    return "_".join(header.strip().lstrip("\ufeff").lower().split())


def _separator(text: str) -> str:
    """The separator that splits the header into the most columns, the subject among them."""
    first = text.splitlines()[0] if text.strip() else ""
    best, most = ",", 0
    for separator in SEPARATORS:
        fields = next(csv.reader([first], delimiter=separator), [])
        if "subject" in map(_column_name, fields) and len(fields) > most:
            best, most = separator, len(fields)
    return best


def _records(text: str, separator: str) -> Iterable[tuple[int, list[str]]]:
    """(first line number, fields) of each CSV record; a quoted field may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as error:
        message = f"not valid CSV from this line on ({error}): is a quote left open?"
        if "field limit" in str(error):  # the csv module's own cap on one cell
            message = f"a cell of this line is longer than {csv.field_size_limit():,} characters"
        raise ImportRefused([RowError(start, None, message)]) from error


def _positions(header: list[str]) -> dict[str, int]:
    """Where each column is; `ImportRefused` for a missing, unknown or repeated column. A
    column without a name is left out: Excel writes a separator after the last column of a
    sheet whose used range is wider (`…,note,`)."""
    names = [_column_name(h) for h in header]
    known = (*COLUMNS, LABEL_COLUMN, "")
    wrong = [n for n in names if n not in known] + [c for c in COLUMNS if c not in names]
    named = [n for n in names if n]
    if wrong or len(set(named)) != len(named):
        message = (
            f"the header must name the columns {','.join(COLUMNS)} (in any order; "
            f"{LABEL_COLUMN} may be there too); found {','.join(header)}"
        )
        raise ImportRefused([RowError(1, None, message)])
    return {name: i for i, name in enumerate(names) if name}


def _unfilled(row: dict[str, str]) -> bool:
    """A template row nobody filled in: a subject and nothing else."""
    return not any(row[c].strip() for c in COLUMNS[1:])


def _mapping(line: int, row: dict[str, str], names: Names) -> tuple[Mapping | None, list]:
    """The row's mapping with every name resolved, or its errors (one per bad cell)."""
    values, errors = {"note": _from_text(row["note"])}, []
    checks = (
        ("subject", lambda v: names.resource("subject", v)),
        ("component", lambda v: names.resource("component", v)),
        ("level", names.level),
        ("assessed_by", lambda v: names.resource("assessed_by", v)),
        ("assessed_on", iso_date),
    )
    for column, resolve in checks:
        try:
            values[column] = resolve(row[column].strip())
        except CellError as bad:
            errors.append(RowError(line, column, bad.message))
    return (None, errors) if errors else (Mapping(**values), [])


def parse(data: bytes, names: Names) -> Parsed:
    """The mappings of a CSV file, or `ImportRefused` with every error found."""
    text, encoding = _text(data)
    if not text.strip():
        raise ImportRefused(
            [RowError(1, None, f"the file is empty; line 1 must be: {','.join(COLUMNS)}")]
        )
    separator = _separator(text)
    records = iter(_records(text, separator))
    _, header = next(records)
    positions = _positions(header)
    named_at = set(positions.values())
    mappings, errors, seen = [], [], {}
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue  # blank line, as spreadsheets write at the end
        if len(fields) != len(header):
            errors.append(RowError(line, None, f"{len(fields)} fields; expected {len(header)}"))
            continue
        row = {name: fields[i] for name, i in positions.items()}
        stray = [i + 1 for i, f in enumerate(fields) if i not in named_at and f.strip()]
        if stray:
            errors.append(RowError(line, None, f"a value in column {stray[0]}, which has no name"))
            continue
        if _unfilled(row):
            continue
        mapping, found = _mapping(line, row, names)
        if mapping is not None:
            pair = (mapping.subject, mapping.component)
            if pair in seen:
                message = f"repeats the subject and component of line {seen[pair]}"
                found.append(RowError(line, "component", message))
            seen.setdefault(pair, line)
        errors += found
        if not found and mapping is not None:
            mappings.append(mapping)
    if errors:
        raise ImportRefused(errors)
    return Parsed(mappings, encoding, "tab" if separator == "\t" else separator)


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


# A cell a spreadsheet reads as a formula (CSV injection: `=HYPERLINK(...)` in a note opened in
# Excel) starts with one of these; the export puts an apostrophe before it, the import takes
# the apostrophe off again, so that a file goes round unchanged.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: str, spreadsheet: bool = True) -> str:
    """A cell as a spreadsheet shows it as text (leading apostrophes count: `'=x` stays);
    without `spreadsheet`, as it is."""
    protect = spreadsheet and value.lstrip("'").startswith(_FORMULA)
    return "'" + value if protect else value


def _from_text(value: str) -> str:
    """What `_as_text` wrote, as it was."""
    protected = value.startswith("'") and value.lstrip("'").startswith(_FORMULA)
    return value[1:] if protected else value


def _csv(rows: Iterable[Sequence[str]], excel: bool) -> str:
    """RFC 4180 (`,`, CRLF line ends, quotes where needed); with `excel`, as Excel opens it
    where `;` is the list separator (Belgium, most of Europe), after a BOM, without which
    Excel reads UTF-8 as Windows-1252 (`é` as `Ã©`). NotRepresentable for a cell longer than
    an Excel cell holds: Excel would cut it, and the file imported again would too."""
    rows = list(rows)
    if excel:
        _fits_excel(rows)
    out = io.StringIO()
    out.write("\ufeff" if excel else "")
    csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _fits_excel(rows: list[Sequence[str]]) -> None:
    for number, row in enumerate(rows[1:], 2):
        longest = max((len(cell) for cell in row), default=0)
        if longest > EXCEL_CELL:
            raise NotRepresentable(
                f"line {number} has a cell of {longest:,} characters, more than an Excel cell "
                f"holds ({EXCEL_CELL:,}): Excel would cut it, and importing the file again "
                "would shorten it; export without excel=true (RFC 4180 CSV, or JSON)"
            )


def to_csv(mappings: Iterable[Mapping], spreadsheet: bool = True, excel: bool = False) -> str:
    """The export: the same columns, sorted (`_csv`); `spreadsheet`: a cell that would be a
    formula is written as text (see `_FORMULA`)."""
    rows: list[Sequence[str]] = [COLUMNS]
    for m in sorted(mappings, key=lambda m: (m.subject, m.component)):
        cells = [m.subject, m.component, m.level, m.assessed_by, m.assessed_on, m.note]
        rows.append([_as_text(cell, spreadsheet) for cell in cells])
    return _csv(rows, excel)


def template(
    store: GraphStoreLike, lang: str, spreadsheet: bool = True, excel: bool = False
) -> str:
    """Every subject that should be mapped (services, werkbanken, organisations with a role:
    `sparql/rq/coverage-subjects.rq`), one row each with its label and the other columns
    empty: copy a row for each component; rows left as they are import nothing."""
    rows: list[Sequence[str]] = [TEMPLATE_COLUMNS]
    for row in store.rows(internal.query("coverage-subjects")):
        labels = {key: row[key] for key in ("nl", "en") if key in row}
        rows.append([row["subject"], _as_text(pick(labels, lang), spreadsheet), *[""] * 5])
    return _csv(rows, excel)


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
