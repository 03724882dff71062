"""The SPARQL Service Description of the endpoint, in RDF formats and as a page."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef

from ..namespaces import PREFIXES

SD = Namespace(PREFIXES["sd"])
HERE = Path(__file__).parent


def service_description(endpoint: str, named_graphs: list[str]) -> Graph:
    """The description for an endpoint URL, listing the store's named graphs."""
    graph = Graph().parse(HERE / "resources" / "service-description.ttl", publicID=endpoint)
    dataset = URIRef(endpoint + "#dataset")
    for name in named_graphs:
        # a node of its own, not an IRI made from the graph's: `<g#frag>` + `#sd` is no IRI
        entry = BNode()
        graph.add((dataset, SD.namedGraph, entry))
        graph.add((entry, RDF.type, SD.NamedGraph))
        graph.add((entry, SD.name, URIRef(name)))
    graph.add((URIRef(endpoint), RDFS.seeAlso, URIRef("/void", base=endpoint)))  # VoID, DCAT
    graph.bind("sd", SD)
    return graph


def render(graph: Graph, media_type: str) -> bytes:
    return graph.serialize(format=media_type, encoding="utf-8")  # rdflib knows media types
