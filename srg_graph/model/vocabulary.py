"""The ontology and the shapes as documentation: terms, concept schemes and shapes from the store.

Everything is read from the named graphs of the store (`graph/ontology`, `graph/ontology/...`,
`graph/shapes/...`), so the pages show what the server holds, including accepted writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..namespaces import (
    DCTERMS,
    DOC,
    ID,
    ONTOLOGY,
    ONTOLOGY_GRAPH,
    OWL,
    RDF,
    RDFS,
    SH,
    SHAPES,
    SHAPES_GRAPHS,
    SKOS,
    SRG,
    curie,
)
from ..sparql import internal
from ..store import GraphStore

KINDS = {  # rdf:type of a term -> its section on the page
    OWL + "Class": "class",
    RDFS + "Class": "class",
    OWL + "ObjectProperty": "object",
    OWL + "DatatypeProperty": "datatype",
    OWL + "AnnotationProperty": "annotation",
    RDF + "Property": "property",
}
SECTIONS = ("class", "object", "datatype", "annotation", "property")
P = {  # the properties the pages show, by a short name the templates use
    "type": RDF + "type",
    "label": RDFS + "label",
    "comment": RDFS + "comment",
    "see_also": RDFS + "seeAlso",
    "sub_class_of": RDFS + "subClassOf",
    "sub_property_of": RDFS + "subPropertyOf",
    "domain": RDFS + "domain",
    "range": RDFS + "range",
    "defined_by": RDFS + "isDefinedBy",
    "inverse_of": OWL + "inverseOf",
    "equivalent_class": OWL + "equivalentClass",
    "equivalent_property": OWL + "equivalentProperty",
    "deprecated": OWL + "deprecated",
    "version_info": OWL + "versionInfo",
    "version_iri": OWL + "versionIRI",
    "pref_label": SKOS + "prefLabel",
    "alt_label": SKOS + "altLabel",
    "definition": SKOS + "definition",
    "notation": SKOS + "notation",
    "close_match": SKOS + "closeMatch",
    "exact_match": SKOS + "exactMatch",
    "title": DCTERMS + "title",
    "description": DCTERMS + "description",
    "license": DCTERMS + "license",
    "creator": DCTERMS + "creator",
    "created": DCTERMS + "created",
    "modified": DCTERMS + "modified",
    "message": SH + "message",
    "severity": SH + "severity",
}


@dataclass
class Resource:
    """The statements about one IRI: literals by property and language, IRIs by property."""

    iri: str
    texts: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    graphs: set[str] = field(default_factory=set)

    def text(self, prop: str) -> dict[str, str]:
        return self.texts.get(prop, {})

    def values(self, prop: str) -> list[str]:
        return sorted(set(self.links.get(prop, [])))


@dataclass(frozen=True)
class Ref:
    """A link to show: where it goes and what it says."""

    href: str
    text: str
    internal: bool


def statements(store: GraphStore, prefix: str) -> dict[str, Resource]:
    """The resources described in the graphs whose IRI starts with `prefix`."""
    found: dict[str, Resource] = {}
    for row in store.rows(internal.query("ns-statements"), {"prefix": ("literal", prefix, None)}):
        resource = found.setdefault(row["s"], Resource(row["s"]))
        resource.graphs.add(row["graph"])
        if row.get("iri") == "true":
            resource.links[row["p"]].append(row["o"])
        elif "o" in row:
            resource.texts[row["p"]][row.get("lang", "")] = row["o"]
    return found


def ref(iri: str) -> Ref:
    """Terms of srg: link to their anchor, our things to their /doc page, the rest out."""
    if iri.startswith(SRG):
        return Ref("/ns#" + iri[len(SRG) :], curie(iri), True)
    if iri.startswith(SHAPES):
        return Ref("/shapes#" + iri[len(SHAPES) :], curie(iri), True)
    if iri.startswith(ID):
        return Ref("/doc/" + iri[len(ID) :], iri[len(ID) :], True)
    if iri.startswith(DOC):
        return Ref("/doc/" + iri[len(DOC) :], iri, True)
    if iri == ONTOLOGY:
        return Ref("/ns", "srg:", True)
    return Ref(iri, curie(iri), False)


def ontology_graphs(store: GraphStore) -> list[str]:
    """The ontology graph and the graphs of its concept schemes (`graph/ontology/...`)."""
    names = store.graph_names()
    return [g for g in names if g == ONTOLOGY_GRAPH or g.startswith(ONTOLOGY_GRAPH + "/")]


def shapes_graphs(store: GraphStore) -> list[str]:
    return [g for g in store.graph_names() if g.startswith(SHAPES_GRAPHS)]


@dataclass
class Term:
    resource: Resource
    kind: str
    usage: int

    @property
    def local(self) -> str:
        return self.resource.iri[len(SRG) :]


@dataclass
class Scheme:
    resource: Resource
    concepts: list[Resource]

    @property
    def anchor(self) -> str:
        return "scheme-" + self.resource.iri.rsplit("/", 1)[-1]


@dataclass
class Ontology:
    header: Resource
    sections: dict[str, list[Term]]
    schemes: list[Scheme]
    resources: dict[str, Resource]

    def labels(self, iri: str) -> dict[str, str]:
        """The labels of a resource of the ontology graphs (none for outside terms)."""
        found = self.resources.get(iri)
        return {**found.text(P["label"]), **found.text(P["pref_label"])} if found else {}


def _kind(resource: Resource) -> str | None:
    kinds = [KINDS[t] for t in resource.values(RDF + "type") if t in KINDS]
    return min(kinds, key=SECTIONS.index) if kinds else None


def ontology(store: GraphStore, usage: dict[str, int]) -> Ontology:
    """The ontology header, its terms by kind (with `usage` counts), and the concept schemes."""
    found = statements(store, ONTOLOGY_GRAPH)
    sections: dict[str, list[Term]] = {kind: [] for kind in SECTIONS}
    for iri in sorted(found, key=str.lower):
        kind = _kind(found[iri])
        if iri.startswith(SRG) and kind is not None:
            sections[kind].append(Term(found[iri], kind, usage.get(iri, 0)))
    schemes = [
        Scheme(r, _concepts(found, r.iri))
        for r in found.values()
        if SKOS + "ConceptScheme" in r.values(RDF + "type")
    ]
    schemes.sort(key=lambda s: s.resource.iri)
    header = found.get(ONTOLOGY, Resource(ONTOLOGY))
    return Ontology(header, {k: v for k, v in sections.items() if v}, schemes, found)


def _concepts(found: dict[str, Resource], scheme: str) -> list[Resource]:
    members = [r for r in found.values() if scheme in r.values(SKOS + "inScheme")]
    return sorted(members, key=lambda r: (r.text(SKOS + "notation").get("", ""), r.iri))


@dataclass
class Shape:
    resource: Resource
    graph: str

    @property
    def local(self) -> str:
        return self.resource.iri.rsplit("#", 1)[-1]

    @property
    def targets(self) -> list[tuple[str, str]]:
        """(SHACL target property, value) pairs, e.g. ("targetClass", srg:GovernanceBody)."""
        names = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "path")
        return [(n, v) for n in names for v in self.resource.values(SH + n)]


def shapes(store: GraphStore) -> dict[str, list[Shape]]:
    """The named shapes of every shapes graph, by graph."""
    graphs: dict[str, list[Shape]] = defaultdict(list)
    for _, resource in sorted(statements(store, SHAPES_GRAPHS).items()):
        types = resource.values(RDF + "type")
        if SH + "NodeShape" in types or SH + "PropertyShape" in types:
            graph = min(resource.graphs)
            graphs[graph].append(Shape(resource, graph))
    return dict(sorted(graphs.items()))
