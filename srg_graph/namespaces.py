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
