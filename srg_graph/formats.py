"""Every format the product reads or writes, in one table: short name, media type, suffixes.

The short name is what the store, the command line and the query worker pass around
(`turtle`, `json`, ...); the media types are what HTTP negotiates; the suffixes are those of
files (`srg load`) and of documents (`/doc/x.ttl`, `/void.ttl`). Which formats an endpoint
offers, and in which order, is the endpoint's choice: the lists below are views of the table.
Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RESULTS, GRAPH, DATASET, PAGE = "results", "graph", "dataset", "page"
PATCH, LINKS = "patch", "links"  # a change of the history (RDF Patch); a Memento TimeMap


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    kind: str  # RESULTS (SELECT/ASK), GRAPH (triples), DATASET (quads), PAGE, PATCH or LINKS
    suffixes: tuple[str, ...] = ()  # the first is the one the server writes
    aliases: tuple[str, ...] = ()  # other media types that ask for this format

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


FORMATS = (
    Format("json", "application/sparql-results+json", RESULTS, (".srj",), ("application/json",)),
    Format(
        "xml", "application/sparql-results+xml", RESULTS, (".srx",), ("application/xml", "text/xml")
    ),
    Format("csv", "text/csv", RESULTS, (".csv",)),
    Format("tsv", "text/tab-separated-values", RESULTS, (".tsv",)),
    Format("turtle", "text/turtle", GRAPH, (".ttl",)),
    Format("ntriples", "application/n-triples", GRAPH, (".nt",), ("text/plain",)),
    Format("nquads", "application/n-quads", DATASET, (".nq",)),
    Format("trig", "application/trig", DATASET, (".trig",)),
    Format("rdfxml", "application/rdf+xml", GRAPH, (".rdf", ".owl")),
    Format("jsonld", "application/ld+json", DATASET, (".jsonld",)),
    Format("html", "text/html", PAGE, (".html",)),
    Format("rdfpatch", "application/rdf-patch", PATCH, (".rdfp",)),
    Format("linkformat", "application/link-format", LINKS, (".lf",)),
)
BY_NAME = {f.name: f for f in FORMATS}
RDF_NAMES = tuple(f.name for f in FORMATS if f.kind in (GRAPH, DATASET))


def _offered(*kinds: str) -> dict[str, str]:
    """Media type -> short name for the formats of `kinds`: main types first, then aliases
    (the order breaks ties in negotiation)."""
    chosen = [f for f in FORMATS if f.kind in kinds]
    main = {f.media_type: f.name for f in chosen}
    return main | {alias: f.name for f in chosen for alias in f.aliases}


SOLUTIONS = _offered(RESULTS)  # SELECT and ASK
GRAPHS = _offered(GRAPH, DATASET)  # CONSTRUCT and DESCRIBE, graph store, documents
# request bodies of triples (Graph Store, /validate): not the dataset syntaxes N-Quads, TriG
BODIES = {m: n for m, n in GRAPHS.items() if n not in ("nquads", "trig")}
# a generic JSON client asking for a graph gets JSON-LD, labelled as such (as Oxigraph's server,
# whose RDF formats read `application/json` as JSON-LD); not a body type: no alias in the table
GRAPH_AS_JSON = {"application/json": "application/ld+json"}
CHARSET_TYPES = ("text/", "application/sparql-results+json", "application/json")


def media_type(name: str) -> str:
    """The media type of a short name (`turtle` -> `text/turtle`)."""
    return BY_NAME[name].media_type


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (UTF-8 declared for text types)."""
    if media_type.startswith(CHARSET_TYPES):
        return f"{media_type}; charset=utf-8"
    return media_type


def by_suffix(suffix: str, names: tuple[str, ...] = RDF_NAMES) -> Format | None:
    """The format one of `names` writes with this suffix (`.ttl`), or None."""
    return next((BY_NAME[n] for n in names if suffix in BY_NAME[n].suffixes), None)


def suffix(media: str) -> str:
    """The suffix the server gives a document in this media type (`text/turtle` -> `ttl`)."""
    return next(f.suffixes[0][1:] for f in FORMATS if media in f.media_types)


def of_file(path: Path) -> Format | None:
    """The RDF format of a file by its extension (`.gz` looked through), or None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return by_suffix(suffixes[-1]) if suffixes else None


def rdf_suffixes() -> list[str]:
    """Every suffix of an RDF file the product reads, sorted (for messages)."""
    return sorted(s for name in RDF_NAMES for s in BY_NAME[name].suffixes)
