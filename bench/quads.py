"""Writing N-Quads by hand: typed terms, escaped literals, one named graph per concern."""

from __future__ import annotations

from typing import TextIO

from bench.vocab import DCAT, DCT, GRAPH, ID, RDF_TYPE, RDFS_LABEL, SKOS, SOURCE, XSD

CONCERNS = (
    "organisations",
    "bodies",
    "compositions",
    "reporting",
    "services",
    "mappings",
    "budgets",
    "open-points",
)
ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    body = '"' + text.translate(ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    return f"{body}^^<{datatype}>" if datatype else body


class Quads:
    """Counts what it writes; every subject of `typed` gets labels nl/en and a source."""

    TYPE = RDF_TYPE

    def __init__(self, out: TextIO):
        self.out, self.count = out, 0

    def term(self, graph: str, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> {o} <{GRAPH}{graph}> .\n")
        self.count += 1

    def iri(self, graph: str, s: str, p: str, o: str) -> None:
        self.term(graph, s, p, f"<{o}>")

    def text(self, graph: str, s: str, p: str, nl: str, en: str) -> None:
        self.term(graph, s, p, literal(nl, "nl"))
        self.term(graph, s, p, literal(en, "en"))

    def plain(self, graph: str, s: str, p: str, value: str) -> None:
        self.term(graph, s, p, literal(value))

    def date(self, graph: str, s: str, p: str, value: str) -> None:
        self.term(graph, s, p, literal(value, datatype=XSD + "date"))

    def number(self, graph: str, s: str, p: str, value: str) -> None:
        self.term(graph, s, p, literal(value, datatype=XSD + "decimal"))

    def boolean(self, graph: str, s: str, p: str, value: bool) -> None:
        self.term(graph, s, p, literal(str(value).lower(), datatype=XSD + "boolean"))

    def typed(self, graph: str, s: str, types: tuple[str, ...], alt: str, nl: str, en: str) -> None:
        for kind in types:
            self.iri(graph, s, RDF_TYPE, kind)
        self.text(graph, s, SKOS + "prefLabel", nl, en)
        self.text(graph, s, RDFS_LABEL, nl, en)
        if alt:
            self.plain(graph, s, SKOS + "altLabel", alt)
        self.iri(graph, s, DCT + "source", SOURCE)

    def datasets(self) -> None:
        """The source of the generated data, and each named graph described as a dataset."""
        self.iri("organisations", SOURCE, RDF_TYPE, DCT + "BibliographicResource")
        self.text(
            "organisations", SOURCE, SKOS + "prefLabel", "Benchmarkgenerator", "Benchmark generator"
        )
        for concern in CONCERNS:
            graph = f"{GRAPH}{concern}"
            self.iri(concern, graph, RDF_TYPE, DCAT + "Dataset")
            self.text(
                concern,
                graph,
                DCT + "title",
                f"Benchmarkdata: {concern}",
                f"Benchmark data: {concern}",
            )
            self.iri(concern, graph, DCT + "source", SOURCE)


__all__ = ["ID", "Quads", "literal"]
