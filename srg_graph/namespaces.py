"""The IRIs the code refers to by name: the contract's bases and the vocabularies reused."""

BASE = "https://w3id.org/srg/"
ID = BASE + "id/"
DOC = BASE + "doc/"
GRAPH = BASE + "graph/"
SRG = BASE + "ns#"
ONTOLOGY = BASE + "ns"

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SHAPES = BASE + "shapes#"
# the named graphs of the shapes (`graph/shapes/<file>`) and of the ontology
SHAPES_GRAPHS = GRAPH + "shapes/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
# Linked Data Event Streams and TREE (the `/ldes` stream)
LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"

# The prefixes the server writes RDF with and shows prefixed names in, one table for all.
PREFIXES = {
    "srg": SRG,
    "srgsh": SHAPES,
    "id": ID,
    "org": "http://www.w3.org/ns/org#",
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
    "cv": "http://data.europa.eu/m8g/",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": RDFS,
    "rdf": RDF,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": SH,
    "vann": "http://purl.org/vocab/vann/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "spdx": "http://spdx.org/rdf/terms#",
}
ORG, PROV, DCTERMS = PREFIXES["org"], PREFIXES["prov"], PREFIXES["dcterms"]
OWL, XSD, CPSV, SD = PREFIXES["owl"], PREFIXES["xsd"], PREFIXES["cpsv"], PREFIXES["sd"]


def curie(iri: str) -> str:
    """A prefixed name for an IRI where a known prefix fits (a plain local name), else the IRI."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri
