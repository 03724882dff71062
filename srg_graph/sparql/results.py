"""SPARQL SELECT results in the four standard formats, written row by row.

pyoxigraph serialises a whole result at once; writing rows ourselves lets a row cap stop a
result early and say so, instead of cutting it off silently. Terms arrive as plain tuples
(`kind`, `value`, `language`, `datatype`) so this module needs no RDF library.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..namespaces import RDF, XSD

XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"

# kind is "uri", "bnode", "literal" or "triple"; value is the IRI, label, lexical form, or the
# N-Triples text of a triple term; ntriples is the term in N-Triples syntax (for TSV).
Term = tuple[str, str, str | None, str | None, str]
Row = Sequence[Term | None]


def _json_term(term: Term) -> dict[str, str]:
    kind, value, language, datatype, _ = term
    out = {"type": kind, "value": value}
    if language:
        out["xml:lang"] = language
    elif datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
        out["datatype"] = datatype
    return out


def select_json(names: Sequence[str], rows: Iterable[Row]) -> Iterable[str]:
    yield json.dumps({"head": {"vars": list(names)}})[:-1] + ', "results": {"bindings": ['
    for i, row in enumerate(rows):
        binding = {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
        yield ("," if i else "") + json.dumps(binding, ensure_ascii=False)
    yield "]}}\n"


def _xml_term(term: Term) -> str:
    kind, value, language, datatype, _ = term
    if kind == "uri":
        return f"<uri>{escape(value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(value)}</bnode>"
    if kind == "triple":
        return f"<literal>{escape(value)}</literal>"
    if language:
        return f"<literal xml:lang={quoteattr(language)}>{escape(value)}</literal>"
    if datatype and datatype != XSD_STRING:
        return f"<literal datatype={quoteattr(datatype)}>{escape(value)}</literal>"
    return f"<literal>{escape(value)}</literal>"


def select_xml(names: Sequence[str], rows: Iterable[Row]) -> Iterable[str]:
    head = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
    yield (
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head>{head}</head><results>\n"
    )
    for row in rows:
        cells = "".join(
            f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
            for n, t in zip(names, row, strict=True)
            if t is not None
        )
        yield f"<result>{cells}</result>\n"
    yield "</results></sparql>\n"


def _csv_line(values: Sequence[str], delimiter: str) -> str:
    buffer = io.StringIO()
    if delimiter == ",":
        csv.writer(buffer, lineterminator="\r\n").writerow(values)
    else:
        buffer.write("\t".join(values) + "\n")
    return buffer.getvalue()


def select_csv(names: Sequence[str], rows: Iterable[Row]) -> Iterable[str]:
    """SPARQL CSV: plain values (blank nodes as `_:label`), RFC 4180 quoting."""
    yield _csv_line(names, ",")
    for row in rows:
        values = ["" if t is None else ("_:" + t[1] if t[0] == "bnode" else t[1]) for t in row]
        yield _csv_line(values, ",")


def select_tsv(names: Sequence[str], rows: Iterable[Row]) -> Iterable[str]:
    """SPARQL TSV: `?var` headers, terms in N-Triples syntax (so tabs are escaped)."""
    yield _csv_line([f"?{n}" for n in names], "\t")
    for row in rows:
        yield _csv_line(["" if t is None else t[4] for t in row], "\t")


def boolean(value: bool, fmt: str) -> str:
    if fmt == "rows":
        return json.dumps(value) + "\n"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n"
        )
    header = "_askResult" if fmt == "csv" else "?_askResult"
    return f"{header}\n{str(value).lower()}\n"


_NUMBERS = {f"{XSD}{t}" for t in ("integer", "decimal", "double")}
_BOOLEAN = XSD + "boolean"


def _plain(term: Term) -> str | int | float | bool:
    kind, value, _, datatype, _ = term
    if kind == "literal" and datatype in _NUMBERS:
        try:
            number = float(value)
            return int(number) if datatype.endswith("integer") else number
        except ValueError:
            return value
    if kind == "literal" and datatype == _BOOLEAN:
        return value in ("true", "1")
    return "_:" + value if kind == "bnode" else value


def select_rows(names: Sequence[str], rows: Iterable[Row]) -> Iterable[str]:
    """A plain JSON array of objects, one per row: IRIs and texts as strings, numbers as numbers."""
    yield "["
    for i, row in enumerate(rows):
        record = {n: _plain(t) for n, t in zip(names, row, strict=True) if t is not None}
        yield ("," if i else "") + json.dumps(record, ensure_ascii=False)
    yield "]\n"


SELECT_WRITERS = {
    "json": select_json,
    "rows": select_rows,
    "xml": select_xml,
    "csv": select_csv,
    "tsv": select_tsv,
}
