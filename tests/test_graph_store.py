"""The SPARQL 1.1 Graph Store HTTP Protocol on `/graph-store`, against a real `srg serve`.

The cases follow the W3C Graph Store Protocol test suite (PUT - Initial state, GET of it, PUT
- graph already in store, PUT - default graph, PUT - mismatched payload, DELETE - existing
graph, GET of it, DELETE - non-existent graph, POST - existing graph, POST - create new graph,
GET of it, HEAD on an existing / non-existing graph), with the graphs of the suite renamed to
example.org IRIs. Writes go to a server of this module's own; reads share `server`.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from conftest import TOKEN
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from server import Server

EX = Namespace("http://example.org/gsp/")
BODIES = "https://w3id.org/srg/graph/bodies"
SRO = URIRef("https://w3id.org/srg/id/body/smart-region-office")
SRG_GOVERNANCE_BODY = URIRef("https://w3id.org/srg/ns#GovernanceBody")
AUTH = {"authorization": f"Bearer {TOKEN}"}
TURTLE = {"content-type": "text/turtle", **AUTH}
PERSON = """@prefix ex: <http://example.org/gsp/> .
ex:jane a ex:Person ; ex:name "Jane Doe" ; ex:knows <friend> ."""
PERSON_REPLACED = """@prefix ex: <http://example.org/gsp/> .
ex:jane a ex:Person ; ex:name "Jane Smith" ."""
READABLE = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@pytest.fixture(scope="module")
def store(module_writable: Server) -> Iterator[httpx.Client]:
    """The module's writable server: each test writes graphs named after itself."""
    with module_writable.client() as http:
        yield http


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def get_graph(client: httpx.Client, accept: str = "text/turtle", **params: str) -> Graph:
    response = client.get("/graph-store", params=params, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert media(response) == accept
    return Graph().parse(data=response.content, format=READABLE[accept])


def turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle", publicID="https://w3id.org/srg/id/")


def graph_names(client: httpx.Client) -> set[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
    response = client.get("/sparql", params={"query": query})
    return {b["g"]["value"] for b in response.json()["results"]["bindings"]}


def quads(client: httpx.Client) -> int:
    return client.get("/health").json()["quads"]


# -- PUT -------------------------------------------------------------------------------------
def test_put_initial_state_creates_graph_201(store: httpx.Client) -> None:
    g = EX["put-initial-state-creates-graph-201"]
    response = store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    assert response.status_code == 201, response.text


def test_get_of_put_initial_state(store: httpx.Client) -> None:
    g = EX["get-of-put-initial-state"]
    store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    graph = get_graph(store, graph=g)
    # relative IRIs in the payload resolve against https://w3id.org/srg/id/
    assert isomorphic(graph, turtle(PERSON))
    assert (EX.jane, EX.knows, URIRef("https://w3id.org/srg/id/friend")) in graph
    # the graph is part of the SPARQL dataset too
    assert str(g) in graph_names(store)


def test_put_graph_already_in_store_replaces_it_204(store: httpx.Client) -> None:
    g = EX["put-graph-already-in-store-replaces-it-204"]
    store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    response = store.put(
        "/graph-store", params={"graph": g}, content=PERSON_REPLACED, headers=TURTLE
    )
    assert response.status_code == 204, response.text
    graph = get_graph(store, graph=g)
    assert isomorphic(graph, turtle(PERSON_REPLACED))
    assert (EX.jane, EX.name, Literal("Jane Doe")) not in graph


def test_put_default_graph(store: httpx.Client) -> None:
    response = store.put("/graph-store", params={"default": ""}, content=PERSON, headers=TURTLE)
    assert response.status_code in (201, 204), response.text
    assert isomorphic(get_graph(store, default=""), turtle(PERSON))


def test_put_mismatched_payload_is_400(client: httpx.Client) -> None:
    before = quads(client)
    rdfxml = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:ex="http://example.org/gsp/"><rdf:Description rdf:about="http://example.org/x">'
        "<ex:p>1</ex:p></rdf:Description></rdf:RDF>"
    )
    response = client.put(
        "/graph-store", params={"graph": EX.mismatched}, content=rdfxml, headers=TURTLE
    )
    assert response.status_code == 400
    assert media(response) == "text/plain"
    assert client.get("/graph-store", params={"graph": EX.mismatched}).status_code == 404
    assert quads(client) == before


def test_put_unsupported_media_type_is_415(client: httpx.Client) -> None:
    response = client.put(
        "/graph-store",
        params={"graph": EX.unsupported},
        content=b"a,b",
        headers={"content-type": "text/csv", **AUTH},
    )
    assert response.status_code == 415


def test_put_empty_graph_creates_an_empty_graph(store: httpx.Client) -> None:
    """GSP 5.3: PUT stores the (empty) RDF payload as the graph; it then exists, empty."""
    response = store.put("/graph-store", params={"graph": EX.empty}, content=b"", headers=TURTLE)
    assert response.status_code == 201
    got = store.get("/graph-store", params={"graph": EX.empty})
    assert got.status_code == 200, "PUT answered 201 Created, but the graph does not exist"
    assert len(Graph().parse(data=got.text, format="turtle")) == 0


# -- DELETE ----------------------------------------------------------------------------------
def test_delete_existing_graph_204(store: httpx.Client) -> None:
    g = EX["delete-existing-graph-204"]
    store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    response = store.delete("/graph-store", params={"graph": g}, headers=AUTH)
    assert response.status_code == 204


def test_get_of_delete_existing_graph_is_404(store: httpx.Client) -> None:
    g = EX["get-of-delete-existing-graph-is-404"]
    store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    store.delete("/graph-store", params={"graph": g}, headers=AUTH)
    response = store.get("/graph-store", params={"graph": g})
    assert response.status_code == 404
    assert media(response) == "text/plain"


def test_deleted_graph_is_gone_from_sparql_too(store: httpx.Client) -> None:
    """The Graph Store and the SPARQL endpoint show one dataset: a dropped graph is not listed."""
    g = EX["deleted-graph-is-gone-from-sparql-too"]
    store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    store.delete("/graph-store", params={"graph": g}, headers=AUTH)
    ask = f"ASK {{ GRAPH <{g}> {{ }} }}"
    assert store.get("/sparql", params={"query": ask}).json()["boolean"] is False
    assert str(g) not in graph_names(store)


def test_delete_non_existent_graph_is_404(client: httpx.Client) -> None:
    response = client.delete("/graph-store", params={"graph": EX.nothing}, headers=AUTH)
    assert response.status_code == 404
    assert media(response) == "text/plain"


def test_delete_without_token_is_401(client: httpx.Client) -> None:
    response = client.delete("/graph-store", params={"graph": BODIES})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert client.get("/graph-store", params={"graph": BODIES}).status_code == 200


# -- POST ------------------------------------------------------------------------------------
def test_post_existing_graph_merges(store: httpx.Client) -> None:
    g = EX["post-existing-graph-merges"]
    store.put("/graph-store", params={"graph": g}, content=PERSON, headers=TURTLE)
    more = "@prefix ex: <http://example.org/gsp/> . ex:jane ex:age 42 ."
    response = store.post("/graph-store", params={"graph": g}, content=more, headers=TURTLE)
    assert response.status_code in (200, 204), response.text
    graph = get_graph(store, graph=g)
    expected = turtle(PERSON)
    expected.add((EX.jane, EX.age, Literal(42)))
    assert isomorphic(graph, expected)


def test_post_create_new_graph_201_with_location(store: httpx.Client) -> None:
    response = store.post("/graph-store", content=PERSON, headers=TURTLE)
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    got = store.get(location, headers={"accept": "application/n-triples"})
    assert got.status_code == 200
    assert isomorphic(Graph().parse(data=got.text, format="nt"), turtle(PERSON))


def test_post_to_new_named_graph_creates_it_201(store: httpx.Client) -> None:
    response = store.post(
        "/graph-store", params={"graph": EX.fresh}, content=PERSON, headers=TURTLE
    )
    assert response.status_code == 201
    assert isomorphic(get_graph(store, graph=EX.fresh), turtle(PERSON))


def test_write_to_shapes_graph_is_403(client: httpx.Client) -> None:
    before = quads(client)
    shapes = "https://w3id.org/srg/graph/shapes/leads"
    response = client.put("/graph-store", params={"graph": shapes}, content=PERSON, headers=TURTLE)
    assert response.status_code == 403
    assert quads(client) == before


# -- GET and HEAD ----------------------------------------------------------------------------
def test_head_on_existing_graph_200(client: httpx.Client) -> None:
    response = client.head("/graph-store", params={"graph": BODIES})
    assert response.status_code == 200
    assert media(response) == "text/turtle"
    assert response.content == b""


def test_head_on_non_existing_graph_404(client: httpx.Client) -> None:
    assert client.head("/graph-store", params={"graph": EX.nothing}).status_code == 404


def test_get_non_existing_graph_404(client: httpx.Client) -> None:
    response = client.get("/graph-store", params={"graph": EX.nothing})
    assert response.status_code == 404


@pytest.mark.parametrize("accept", sorted(READABLE))
def test_get_content_negotiation(client: httpx.Client, accept: str) -> None:
    graph = get_graph(client, accept, graph=BODIES)
    assert (SRO, RDF.type, SRG_GOVERNANCE_BODY) in graph
    assert isomorphic(graph, get_graph(client, "application/n-triples", graph=BODIES))


def test_a_generic_json_client_gets_json_ld(client: httpx.Client) -> None:
    """`Accept: application/json` was 406 here while `/doc` and `/sparql` answer JSON-LD: the
    graph as JSON-LD, labelled as such, with the tag of `application/ld+json`."""
    response = client.get(
        "/graph-store", params={"graph": BODIES}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert media(response) == "application/ld+json"
    graph = Graph().parse(data=response.text, format="json-ld")
    assert isomorphic(graph, get_graph(client, "application/n-triples", graph=BODIES))
    asked = {"accept": "application/ld+json"}
    same = client.get("/graph-store", params={"graph": BODIES}, headers=asked)
    assert response.headers["etag"] == same.headers["etag"]


def test_get_default_negotiation_is_turtle(client: httpx.Client) -> None:
    response = client.get("/graph-store", params={"graph": BODIES})
    assert media(response) == "text/turtle"
    assert "accept" in response.headers["vary"].lower()


def test_get_unacceptable_type_is_406(client: httpx.Client) -> None:
    response = client.get("/graph-store", params={"graph": BODIES}, headers={"accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    "params",
    [{}, {"graph": "not-absolute"}, {"graph": BODIES, "default": ""}],
    ids=["no-graph", "relative-graph", "graph-and-default"],
)
def test_get_without_one_clear_graph_is_400(client: httpx.Client, params: dict) -> None:
    assert client.get("/graph-store", params=params).status_code == 400


# -- found by a side-by-side run with oxigraph serve -------------------------------------------
def test_a_graph_named_by_any_absolute_iri_is_served(store: httpx.Client) -> None:
    """tag:, mailto: and other schemes name graphs as http: does (an update could make one
    that the Graph Store then refused to read)."""
    for iri in ("tag:example.org,2026:gsp", "mailto:gsp@example.org"):
        put = store.put("/graph-store", params={"graph": iri}, content=PERSON, headers=TURTLE)
        assert put.status_code == 201, put.text
        assert isomorphic(get_graph(store, graph=iri), turtle(PERSON))
        assert store.delete("/graph-store", params={"graph": iri}, headers=AUTH).status_code == 204


def test_a_method_not_allowed_names_every_method_of_the_graph_store(store: httpx.Client) -> None:
    answer = store.request("PATCH", "/graph-store", params={"graph": str(EX.g)}, headers=AUTH)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, POST, PUT, DELETE, OPTIONS"


def test_if_match_makes_a_write_conditional(store: httpx.Client) -> None:
    """RFC 9110 13.1.1-2: a write whose condition fails changes nothing and is answered 412;
    the tag of any representation a GET gave (whatever its Accept) is the graph's as it is."""
    graph = {"graph": str(EX["conditional"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    read = store.get("/graph-store", params=graph, headers={"accept": "application/n-triples"})
    tag = read.headers["etag"]
    # another client replaces the graph: the tag read before no longer holds
    fresh = store.put("/graph-store", params=graph, content=PERSON_REPLACED, headers=TURTLE)
    assert fresh.status_code == 204
    for method in ("PUT", "DELETE"):
        stale = store.request(
            method,
            "/graph-store",
            params=graph,
            content=PERSON,
            headers={**TURTLE, "if-match": tag},
        )
        assert stale.status_code == 412, stale.text
    assert isomorphic(get_graph(store, **graph), turtle(PERSON_REPLACED))
    current = store.get("/graph-store", params=graph, headers={"accept": "text/turtle"})
    headers = {**TURTLE, "if-match": f'"other", {current.headers["etag"]}'}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=headers).status_code == 204
    )
    # If-None-Match: * writes only a graph that does not exist yet
    create_only = {**TURTLE, "if-none-match": "*"}
    again = store.put("/graph-store", params=graph, content=PERSON, headers=create_only)
    assert again.status_code == 412
    new = {"graph": str(EX["conditional-new"])}
    assert (
        store.put("/graph-store", params=new, content=PERSON, headers=create_only).status_code
        == 201
    )
    missing = store.put(
        "/graph-store",
        params={"graph": str(EX["nowhere"])},
        content=PERSON,
        headers={**TURTLE, "if-match": "*"},
    )
    assert missing.status_code == 412


PAST, FUTURE = "Sat, 01 Jan 2000 00:00:00 GMT", "Fri, 31 Dec 2100 00:00:00 GMT"


def test_if_unmodified_since_makes_a_write_conditional(store: httpx.Client) -> None:
    """RFC 9110 13.1.4: a write after a change later than its If-Unmodified-Since (the
    Last-Modified of the GET the client edited) is 412 and changes nothing; it was ignored,
    and the write replaced the other client's graph. If-Match, when sent, decides instead."""
    graph = {"graph": str(EX["unmodified-since"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    seen = store.get("/graph-store", params=graph).headers["last-modified"]
    fresh = store.put("/graph-store", params=graph, content=PERSON_REPLACED, headers=TURTLE)
    assert fresh.status_code == 204
    for method in ("PUT", "POST", "DELETE"):
        stale = store.request(
            method,
            "/graph-store",
            params=graph,
            content=PERSON,
            headers={**TURTLE, "if-unmodified-since": seen},
        )
        assert stale.status_code == 412 and "If-Unmodified-Since" in stale.text, method
    assert isomorphic(get_graph(store, **graph), turtle(PERSON_REPLACED))
    for condition in (
        {"if-unmodified-since": FUTURE},
        {"if-unmodified-since": "not a date"},  # ignored (13.1.4)
        {"if-unmodified-since": PAST, "if-match": "*"},  # If-Match decides
    ):
        headers = {**TURTLE, **condition}
        written = store.put("/graph-store", params=graph, content=PERSON, headers=headers)
        assert written.status_code == 204, (condition, written.text)


def test_if_match_and_if_unmodified_since_make_a_read_conditional(store: httpx.Client) -> None:
    """RFC 9110 13.1.1, 13.1.4: a GET or HEAD whose If-Match or If-Unmodified-Since does not
    hold is 412, not the representation (which the client did not ask for unless unchanged)."""
    graph = {"graph": str(EX["read-conditions"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    tag = store.get("/graph-store", params=graph).headers["etag"]
    for method in ("GET", "HEAD"):
        for condition in ({"if-match": '"other"'}, {"if-unmodified-since": PAST}):
            failed = store.request(method, "/graph-store", params=graph, headers=condition)
            assert failed.status_code == 412, (method, condition)
            assert failed.headers["etag"] == tag
        for condition in (
            {"if-match": f'"other", {tag}'},
            {"if-match": "*"},
            {"if-unmodified-since": FUTURE},
        ):
            held = store.request(method, "/graph-store", params=graph, headers=condition)
            assert held.status_code == 200, (method, condition)


def test_a_body_in_another_charset_or_coding_is_refused(store: httpx.Client) -> None:
    """The parsers read UTF-8 only. A body declared ISO-8859-1 was read as UTF-8 anyway: "Ã©"
    sent in Latin-1 (bytes C3 A9) was stored as "é". A gzip body gave a parser's error about
    a character. Both are 415 (with `Accept-Encoding: identity` for the coding, RFC 9110
    15.5.16), and the graph is as it was."""
    graph = {"graph": str(EX["charset-and-coding"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    latin = '<http://example.org/gsp/jane> <http://example.org/gsp/name> "Ã©" .'.encode("latin-1")
    zipped = gzip.compress(PERSON_REPLACED.encode())
    for method in ("PUT", "POST"):
        declared = store.request(
            method,
            "/graph-store",
            params=graph,
            content=latin,
            headers={**TURTLE, "content-type": "text/turtle; charset=ISO-8859-1"},
        )
        assert declared.status_code == 415 and "UTF-8" in declared.text, method
        coded = store.request(
            method,
            "/graph-store",
            params=graph,
            content=zipped,
            headers={**TURTLE, "content-encoding": "gzip"},
        )
        assert coded.status_code == 415 and "gzip" in coded.text, method
        assert coded.headers["accept-encoding"] == "identity"
    assert isomorphic(get_graph(store, **graph), turtle(PERSON))
    utf8 = {**TURTLE, "content-type": "text/turtle; charset=UTF-8", "content-encoding": "identity"}
    put = store.put("/graph-store", params=graph, content=PERSON_REPLACED, headers=utf8)
    assert put.status_code == 204


def test_a_content_type_sent_twice_is_refused(store: httpx.Client) -> None:
    """Content-Type is one field (RFC 9110 5.3): sent twice, the first was taken and the body
    written as that; which one the sender meant is unknown. 400, and the graph is as it was."""
    graph = {"graph": str(EX["content-type-twice"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    twice = [*AUTH.items(), ("content-type", "text/turtle"), ("content-type", "text/plain")]
    for method in ("PUT", "POST"):
        answer = store.request(
            method, "/graph-store", params=graph, content=PERSON_REPLACED, headers=twice
        )
        assert answer.status_code == 400 and "Content-Type" in answer.text, method
    assert isomorphic(get_graph(store, **graph), turtle(PERSON))


def test_a_json_ld_body_with_a_context_by_url_is_refused_by_name(store: httpx.Client) -> None:
    """The server loads no URL, so a context by URL cannot be read; the 400 said only "No
    LoadDocumentCallback has been set to load remote contexts". It names the URL and what to
    send instead; the graph is as it was. An inline context is read as before."""
    graph = {"graph": str(EX["json-ld-context"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    headers = {**AUTH, "content-type": "application/ld+json"}
    remote = '{"@context": "https://schema.org/", "@id": "urn:x:a", "name": "x"}'
    answer = store.put("/graph-store", params=graph, content=remote, headers=headers)
    assert answer.status_code == 400
    assert "https://schema.org/" in answer.text and "put the context itself" in answer.text
    assert isomorphic(get_graph(store, **graph), turtle(PERSON))
    inline = '{"@context": {"@vocab": "http://example.org/gsp/"}, "@id": "urn:x:a", "name": "x"}'
    assert store.put("/graph-store", params=graph, content=inline, headers=headers).is_success


def test_a_json_ld_body_that_is_no_document_is_refused(store: httpx.Client) -> None:
    """A bare JSON string (what a generated client sent for Turtle) has no triples for the
    engine: it emptied the graph, answered 204. JSON-LD 1.1 section 9: a map or an array."""
    graph = {"graph": str(EX["json-ld"])}
    assert (
        store.put("/graph-store", params=graph, content=PERSON, headers=TURTLE).status_code == 201
    )
    for body in ('"<urn:x:s> <urn:x:p> \\"x\\" ."', "42", "null", "true"):
        headers = {**AUTH, "content-type": "application/ld+json"}
        for method in ("PUT", "POST"):
            answer = store.request(
                method, "/graph-store", params=graph, content=body, headers=headers
            )
            assert answer.status_code == 400 and "map or an array" in answer.text
    assert isomorphic(get_graph(store, **graph), turtle(PERSON))


NOT_CANONICAL = """@prefix ex: <http://example.org/gsp/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:offer ex:amount 1500.00 ; ex:code "007"^^xsd:integer ; ex:open "1"^^xsd:boolean ;
    ex:label "x" ."""


def test_a_literal_not_in_its_canonical_form_is_kept_by_every_put(store: httpx.Client) -> None:
    """The engine keeps a typed literal by its value (`1500.00` as `"1500"^^xsd:decimal`): a
    change worked out on the body as written found the amount in the store and lost it
    on every other PUT of the same body (204, the value gone, the change logged a removal)."""
    graph = {"graph": str(EX["not-canonical"])}
    for _ in range(3):
        answer = store.put("/graph-store", params=graph, content=NOT_CANONICAL, headers=TURTLE)
        assert answer.status_code in (201, 204), answer.text
        held = get_graph(store, "application/n-triples", **graph)
        assert {str(o) for o in held.objects()} == {"1500", "7", "true", "x"}
    both = "<http://example.org/gsp/a> <http://example.org/gsp/n> 1.5, 1.50 ."
    merged = {"graph": str(EX["not-canonical-merged"])}
    assert store.post("/graph-store", params=merged, content=both, headers=TURTLE).is_success
    change = store.get("/changes", params={"limit": 1}).json()["changes"][0]
    assert change["addedCount"] == 1


def test_rdf_xml_of_a_predicate_with_no_xml_name_is_not_acceptable(store: httpx.Client) -> None:
    """The engine wrote such a predicate as `<oxprefix: xmlns:oxprefix="…/p/123">`, a 200 that
    no XML parser reads, from the Graph Store and a CONSTRUCT: 406 naming the formats that
    work."""
    graph = {"graph": str(EX["no-xml-name"])}
    body = '<http://example.org/gsp/s> <https://example.org/p/123> "x" .'
    assert store.put("/graph-store", params=graph, content=body, headers=TURTLE).is_success
    xml = {"accept": "application/rdf+xml"}
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX['no-xml-name']}> {{ ?s ?p ?o }} }}"
    for answer in (
        store.get("/graph-store", params=graph, headers=xml),
        store.get("/sparql", params={"query": construct}, headers=xml),
    ):
        assert answer.status_code == 406, answer.text
        assert "https://example.org/p/123" in answer.text and "Turtle" in answer.text
    assert len(get_graph(store, "text/turtle", **graph)) == 1


def test_a_put_replaces_blank_node_statements_whatever_their_object(store: httpx.Client) -> None:
    """On Virtuoso a statement about a blank node whose object is a boolean stayed behind a
    PUT (the check that it is there read the boolean back as an integer, so it was left out
    of the change): "replace and merge exactly, blank nodes included, on both engines"."""
    graph = {"graph": str(EX["blank-booleans"])}
    first = "_:b <http://example.org/gsp/p> true, false ; <http://example.org/gsp/q> 1.5 ."
    assert store.put("/graph-store", params=graph, content=first, headers=TURTLE).is_success
    second = '<http://example.org/gsp/s> <http://example.org/gsp/r> "new" .'
    assert store.put("/graph-store", params=graph, content=second, headers=TURTLE).is_success
    assert isomorphic(get_graph(store, **graph), turtle(second))
