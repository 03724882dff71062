"""`/ns` and `/shapes` over HTTP: the documentation page, the RDF by Accept, caching."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
SRG = Namespace("https://w3id.org/srg/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = "https://w3id.org/srg/shapes#"
ONTOLOGY = URIRef("https://w3id.org/srg/ns")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)


@pytest.fixture(scope="module")
def source() -> Graph:
    return Graph().parse(ROOT / "ontology" / "srg.ttl")


def srg_terms(source: Graph) -> list[URIRef]:
    terms = {s for t in TERM_TYPES for s in source.subjects(RDF.type, t)}
    return sorted(t for t in terms if str(t).startswith(str(SRG)))


def local(term: URIRef) -> str:
    return str(term)[len(str(SRG)) :]


def section(page: str, anchor: str) -> str:
    """The (unescaped) text of the `<section id=anchor>` up to the next term section."""
    match = re.search(
        rf'<section class="term" id="{re.escape(anchor)}">(.*?)</section>', page, re.S
    )
    assert match, f"no section {anchor}"
    return html.unescape(match.group(1))


def page(client: httpx.Client, lang: str) -> str:
    answer = client.get("/ns", params={"lang": lang}, headers={"accept": FIREFOX})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_every_srg_term_has_its_anchor_in_both_languages(client, source):
    terms = srg_terms(source)
    assert len(terms) > 50
    for lang in ("nl", "en"):
        text = page(client, lang)
        assert f'<html lang="{lang}">' in text
        ids = set(re.findall(r'\bid="([^"]+)"', text))
        missing = [local(t) for t in terms if local(t) not in ids]
        assert not missing, f"no anchor for {missing} ({lang})"
        index = set(re.findall(r'href="#([^"]+)"', text))
        assert {local(t) for t in terms} <= index


def test_definitions_come_in_the_page_language_first(client, source):
    werkbank = SRG.Werkbank
    definitions = {d.language: str(d) for d in source.objects(werkbank, SKOS.definition)}
    dutch, english = definitions["nl"], definitions["en"]
    nl = section(page(client, "nl"), "Werkbank")
    en = section(page(client, "en"), "Werkbank")
    assert dutch in nl and english in nl
    assert nl.index(dutch) < nl.index(english)
    assert en.index(english) < en.index(dutch)
    labels = {label.language: str(label) for label in source.objects(werkbank, RDFS.label)}
    assert labels["en"] in re.search(r"<h3>(.*?)<small>", en).group(1)
    assert labels["nl"] in re.search(r"<h3>(.*?)<small>", nl).group(1)


def test_the_ontology_is_described_in_the_page_language(client, source):
    described = {d.language: str(d) for d in source.objects(ONTOLOGY, DCTERMS.description)}
    for lang, other in (("en", "nl"), ("nl", "en")):
        text = page(client, lang).split('<header class="ontology-header">', 1)[1]
        header = html.unescape(text.split("</header>", 1)[0])
        assert described[lang] in header and described[other] not in header


def test_accept_language_picks_the_page_language(client):
    answer = client.get("/ns", headers={"accept": FIREFOX, "accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in answer.text
    assert "Accept-Language" in answer.headers["vary"]


def test_usage_counts_come_from_the_data(client):
    text = page(client, "en")
    assert 'data-usage="5"' in section(text, "GovernanceBody")
    query = "SELECT (COUNT(*) AS ?n) { ?s <https://w3id.org/srg/ns#lead> ?o }"
    answer = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    count = answer.text.split()[1]
    assert f'data-usage="{count}"' in section(text, "lead")


def test_super_terms_domain_range_and_links(client, source):
    text = page(client, "en")
    body = section(text, "GovernanceBody")
    assert 'href="http://www.w3.org/ns/org#Organization"' in body
    assert "org:Organization" in body
    internal = [
        (s, o) for s, o in source.subject_objects(RDFS.subPropertyOf) if str(o).startswith(str(SRG))
    ]
    for term, parent in internal[:3]:
        assert f'href="/ns#{local(parent)}"' in section(text, local(term))
    for term, domain in list(source.subject_objects(RDFS.domain))[:5]:
        if isinstance(domain, URIRef):
            target = f"/ns#{local(domain)}" if str(domain).startswith(str(SRG)) else str(domain)
            assert f'href="{target}"' in section(text, local(term))
    for term, seen in list(source.subject_objects(RDFS.seeAlso))[:5]:
        if str(term).startswith(str(SRG)) and not str(seen).startswith(str(SRG)):
            assert f'href="{seen}"' in section(text, local(term))


def test_ontology_header_and_concept_schemes(client, source):
    text = html.unescape(page(client, "en"))
    for title in source.objects(ONTOLOGY, URIRef("http://purl.org/dc/terms/title")):
        if title.language == "en":
            assert f"<h1>{title}</h1>" in text
    assert str(source.value(ONTOLOGY, OWL.versionInfo)) in text
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/"' in text
    assert "Smart Region Governance graph project team" in text
    assert 'id="scheme-role"' in text
    assert 'href="/doc/concept/role/lid"' in text
    assert 'href="/doc/scheme/role"' in text


@pytest.mark.parametrize("accept", [*RDF_TYPES, "*/*"])
def test_ontology_as_rdf_by_accept(client, accept):
    answer = client.get("/ns", headers={"accept": accept})
    assert answer.status_code == 200
    media = "text/turtle" if accept == "*/*" else accept
    assert answer.headers["content-type"].split(";")[0] == media
    assert "Accept" in answer.headers["vary"]
    graph = Graph().parse(data=answer.content, format=RDF_TYPES[media])
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert (SRG.Werkbank, RDF.type, OWL.Class) in graph
    assert (SRG.Werkbank, RDFS.label, Literal("Werkbank", lang="nl")) in graph
    role = URIRef("https://w3id.org/srg/id/scheme/role")
    assert (role, RDF.type, SKOS.ConceptScheme) in graph  # the concept schemes come along
    assert not list(graph.subjects(RDF.type, SRG.GovernanceBody))  # but not the data


@pytest.mark.parametrize(
    "extension, media",
    [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml")],
)
def test_ontology_files_by_extension(client, extension, media):
    answer = client.get(f"/ns.{extension}", headers={"accept": "text/html"})
    assert answer.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=answer.content, format=RDF_TYPES[media])
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert client.get("/ns.html").headers["content-type"].startswith("text/html")
    assert client.get("/ns.xyz").status_code == 404


def test_unacceptable_type_is_406(client):
    assert client.get("/ns", headers={"accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("path", ["/ns", "/ns.ttl", "/shapes"])
@pytest.mark.parametrize("accept", ["text/turtle", FIREFOX])
def test_conditional_requests(client, path, accept):
    first = client.get(path, headers={"accept": accept})
    assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
    again = client.get(path, headers={"accept": accept, "if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = client.get(path, headers={"accept": accept, "if-none-match": '"something-else"'})
    assert other.status_code == 200


def named_shapes() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


def test_shapes_page_lists_every_named_shape(client):
    shapes = named_shapes()
    named = {
        s
        for t in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, t)
        if str(s).startswith(SHAPES)
    }
    assert named
    for lang in ("nl", "en"):
        answer = client.get("/shapes", params={"lang": lang}, headers={"accept": FIREFOX})
        text = html.unescape(answer.text)
        assert f'<html lang="{lang}">' in text
        for shape in named:
            assert f'id="{str(shape)[len(SHAPES) :]}"' in text
        body = SHAPES + "GovernanceBodyShape"
        row = re.search(r'<tr id="GovernanceBodyShape".*?</tr>', text, re.S).group(0)
        for message in shapes.objects(URIRef(body), SH.message):
            assert str(message) in row
        assert "Violation" in row and 'href="/ns#GovernanceBody"' in row


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_shapes_as_rdf(client, accept):
    answer = client.get("/shapes", headers={"accept": accept})
    graph = Graph().parse(data=answer.content, format=RDF_TYPES[accept])
    shape = URIRef(SHAPES + "GovernanceBodyShape")
    assert (shape, RDF.type, SH.NodeShape) in graph
    assert (shape, SH.targetClass, SRG.GovernanceBody) in graph
    assert len(graph) == len(named_shapes())  # every shapes graph, nothing else
