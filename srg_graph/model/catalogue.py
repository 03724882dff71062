"""The dataset's VoID and DCAT description and its full downloads (dumps), per dataset version.

The dataset is `https://w3id.org/srg/id/dataset/smart-region-governance`: one IRI on every
host, in the dataset's own URI space, so harvesters and citations agree on it. The `/void`
document describes it (`void:DatasetDescription`, `foaf:primaryTopic`); its endpoint,
dumps and distributions are this server's URLs, resolved against the request.

Triple counts follow the SPARQL endpoint's union default graph: a triple held by two named
graphs counts twice, so `void:triples` equals `SELECT (COUNT(*) AS ?n) { ?s ?p ?o }`, the
property partitions add up to it, and so do the named-graph subsets.

Dumps are served as the gzip files they are (`Content-Type: application/gzip`), not as RDF
with `Content-Encoding: gzip`: a client that decodes content encodings (browsers, httpx,
requests, `curl --compressed`) would otherwise save uncompressed bytes under a `.gz` name,
and the file would no longer match its `spdx:checksum`. The distribution says what is inside
with `dcat:mediaType` and how it is packed with `dcat:compressFormat` (DCAT 3).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from ..dataset.embedded import Dataset
from ..namespaces import ID, PREFIXES
from ..sparql import internal
from ..store import GraphStore
from .vocabulary import Ref, ref

HERE = Path(__file__).parent
DATASET = URIRef(ID + "dataset/smart-region-governance")
SD, SPDX = Namespace(PREFIXES["sd"]), Namespace(PREFIXES["spdx"])


@dataclass(frozen=True)
class DumpKind:
    name: str  # file name under /dumps/
    fmt: str  # an RDF name of `formats`
    media_type: str  # of the decompressed content
    anchor: str  # the distribution is <void#anchor>


DUMPS = {
    kind.name: kind
    for kind in (
        DumpKind("dataset.nq.gz", "nquads", "application/n-quads", "nquads"),
        DumpKind("dataset.trig.gz", "trig", "application/trig", "trig"),
        DumpKind("dataset.ttl.gz", "turtle", "text/turtle", "turtle"),
    )
}


@dataclass(frozen=True)
class DumpFile:
    kind: DumpKind
    body: bytes  # gzip-compressed

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    subjects: int
    properties: int
    objects: int
    classes: dict[str, int]  # class -> distinct instances
    predicates: dict[str, int]  # property -> triples
    graphs: dict[str, int]  # named graph -> triples


def _query(name: str) -> str:
    return internal.query(f"void-{name}")


def statistics(store: GraphStore) -> Statistics:
    """The VoID statistics of the store, counted by SPARQL over the union default graph."""
    totals = store.rows(_query("totals"))[0]
    entities = store.rows(_query("entities"))[0]
    return Statistics(
        triples=int(totals["triples"]),
        entities=int(entities["entities"]),
        subjects=int(totals["subjects"]),
        properties=int(totals["properties"]),
        objects=int(totals["objects"]),
        classes={r["class"]: int(r["entities"]) for r in store.rows(_query("classes"))},
        predicates={r["property"]: int(r["triples"]) for r in store.rows(_query("properties"))},
        graphs={r["graph"]: int(r["triples"]) for r in store.rows(_query("graphs"))},
    )


def dump_file(store: GraphStore, kind: DumpKind) -> DumpFile:
    """A dump, compressed reproducibly (no timestamp or name in the gzip header)."""
    body = store.dump(kind.fmt, prefixes=PREFIXES)
    return DumpFile(kind, gzip.compress(body, compresslevel=6, mtime=0))


class Catalogue:
    """The statistics and dumps of the current dataset version, made once per version."""

    def __init__(self, data: Dataset):
        self.data = data
        self.lock = threading.Lock()
        self.version = ""
        self.stats: Statistics | None = None
        self.files: dict[str, DumpFile] = {}
        self.rendered: dict[tuple[str, str], bytes] = {}

    def _current(self) -> GraphStore:
        """The store of the current version; forgets what was made for an older one."""
        with self.data.lock:  # a write swaps store and version together under this lock
            store, version = self.data.store, self.data.version
        if version != self.version:
            self.version, self.stats, self.files, self.rendered = version, None, {}, {}
        return store

    def _made(self, store: GraphStore, names: tuple[str, ...]) -> tuple[Statistics, list[DumpFile]]:
        if self.stats is None:
            self.stats = statistics(store)
        for name in names:
            if name not in self.files:
                self.files[name] = dump_file(store, DUMPS[name])
        return self.stats, [self.files[name] for name in names]

    def snapshot(self) -> tuple[str, GraphStore, Statistics]:
        """(version, its store, its statistics); blocking, call from a thread."""
        with self.lock:
            store = self._current()
            return self.version, store, self._made(store, ())[0]

    def described(self) -> tuple[str, Statistics, list[DumpFile]]:
        """(version, statistics, every dump) of one version; blocking, call from a thread."""
        with self.lock:
            stats, files = self._made(self._current(), tuple(DUMPS))
            return self.version, stats, files

    def void(self, base: str, media: str) -> tuple[str, bytes]:
        """(version, the VoID description as `media`) for a server at `base`; blocking."""
        with self.lock:
            store = self._current()
            if (base, media) not in self.rendered:
                if len(self.rendered) >= 32:  # one entry per Host and type; keep it bounded
                    self.rendered.clear()
                stats, files = self._made(store, tuple(DUMPS))
                graph = void_graph(base, stats, files, self.data.modified)
                self.rendered[base, media] = render(graph, media)
            return self.version, self.rendered[base, media]

    def dump(self, name: str) -> tuple[str, DumpFile]:
        """(version, the dump called `name`); blocking, call from a thread."""
        with self.lock:
            return self.version, self._made(self._current(), (name,))[1][0]


def _add_statistics(graph: Graph, stats: Statistics) -> None:
    for prop, value in (
        (VOID.triples, stats.triples),
        (VOID.entities, stats.entities),
        (VOID.classes, len(stats.classes)),
        (VOID.properties, stats.properties),
        (VOID.distinctSubjects, stats.subjects),
        (VOID.distinctObjects, stats.objects),
    ):
        graph.add((DATASET, prop, Literal(value, datatype=XSD.integer)))
    for iri, count in stats.classes.items():
        part = BNode()
        graph.add((DATASET, VOID.classPartition, part))
        graph.add((part, VOID["class"], URIRef(iri)))
        graph.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for iri, count in stats.predicates.items():
        part = BNode()
        graph.add((DATASET, VOID.propertyPartition, part))
        graph.add((part, VOID.property, URIRef(iri)))
        graph.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))
    for iri, count in stats.graphs.items():
        part = BNode()
        graph.add((DATASET, VOID.subset, part))
        graph.add((part, RDF.type, VOID.Dataset))
        graph.add((part, SD.name, URIRef(iri)))
        graph.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))


def _add_distribution(graph: Graph, document: str, file: DumpFile) -> None:
    distribution = URIRef(f"{document}#{file.kind.anchor}")
    checksum = BNode()
    graph.add(
        (distribution, DCAT.byteSize, Literal(len(file.body), datatype=XSD.nonNegativeInteger))
    )
    graph.add((distribution, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))


def void_graph(base: str, stats: Statistics, files: list[DumpFile], modified: float) -> Graph:
    """The VoID/DCAT description; relative IRIs of `resources/void.ttl` resolve against the
    `/void` document under `base` (the server's root URL, e.g. `http://localhost:8000/`)."""
    document = base + "void"
    graph = Graph(bind_namespaces="core").parse(HERE / "resources" / "void.ttl", publicID=document)
    when = datetime.fromtimestamp(modified, UTC).replace(microsecond=0)
    graph.add((DATASET, DCTERMS.modified, Literal(when.isoformat(), datatype=XSD.dateTime)))
    _add_statistics(graph, stats)
    for file in files:
        _add_distribution(graph, document, file)
    for prefix, namespace in (*PREFIXES.items(), ("void", str(VOID)), ("spdx", str(SPDX))):
        graph.bind(prefix, namespace)
    graph.bind("sd", SD)
    return graph


def render(graph: Graph, media_type: str) -> bytes:
    return graph.serialize(format=media_type, encoding="utf-8")  # rdflib knows media types


def page(base: str, stats: Statistics, files: list[DumpFile]) -> dict[str, Any]:
    """What the HTML view of `/void` shows."""
    return {
        "dataset": str(DATASET),
        "endpoint": base + "sparql",
        "stats": stats,
        "files": [
            {
                "name": f.kind.name,
                "media_type": f.kind.media_type,
                "size": len(f.body),
                "sha256": f.sha256,
            }
            for f in files
        ],
        "classes": _refs(stats.classes),
        "predicates": _refs(stats.predicates),
        "graphs": list(stats.graphs.items()),
    }


def _refs(counts: dict[str, int]) -> list[tuple[Ref, int]]:
    return [(ref(iri), count) for iri, count in counts.items()]
