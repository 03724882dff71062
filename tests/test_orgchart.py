"""The org chart: generated from the graph, one box per node, one line per relation."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from srg_graph.model import orgchart
from srg_graph.store import GraphStore, parse_payload
from srg_graph.web import pages

SVG = "{http://www.w3.org/2000/svg}"
ORG = "http://www.w3.org/ns/org#"
SRG = "https://w3id.org/srg/ns#"
ID = "https://w3id.org/srg/id/"
KIND = {f"{ORG}reportsTo": "reports", f"{SRG}advises": "advises", f"{SRG}oversees": "oversees"}
LINES = f"""PREFIX srg: <{SRG}> PREFIX org: <{ORG}>
SELECT DISTINCT ?from ?line ?to WHERE {{
  VALUES ?line {{ org:reportsTo srg:advises srg:oversees }}
  ?from ?line ?to .
  FILTER(EXISTS {{ {{ ?from a srg:GovernanceBody }} UNION {{ ?from a srg:Werkbank }} }}
      || EXISTS {{ {{ ?to a srg:GovernanceBody }} UNION {{ ?to a srg:Werkbank }} }})
}}"""
COUNT = f"""PREFIX srg: <{SRG}> PREFIX org: <{ORG}>
SELECT (COUNT(*) AS ?n) WHERE {{
  VALUES ?line {{ org:reportsTo srg:advises srg:oversees }}
  ?from ?line ?to .
  FILTER(EXISTS {{ {{ ?from a srg:GovernanceBody }} UNION {{ ?from a srg:Werkbank }} }}
      || EXISTS {{ {{ ?to a srg:GovernanceBody }} UNION {{ ?to a srg:Werkbank }} }})
}}"""
STUURORGAAN = f"{ID}organisation/stuurorgaan-vlaams-informatie-en-ict-beleid"


def sparql(client, query: str) -> list[dict]:
    answer = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


@pytest.fixture(scope="module")
def svg(server) -> ET.Element:
    with server.client() as client:
        answer = client.get("/orgchart.svg?lang=nl")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    return ET.fromstring(answer.content)


def boxes(root: ET.Element) -> dict[str, ET.Element]:
    return {a.get("data-iri"): a for a in root.iter(f"{SVG}a")}


def test_a_box_links_each_body_werkbank_and_the_stuurorgaan(svg, server):
    with server.client() as client:
        rows = sparql(
            client,
            f"PREFIX srg: <{SRG}> SELECT ?x WHERE "
            "{ { ?x a srg:GovernanceBody } UNION { ?x a srg:Werkbank } }",
        )
    wanted = {r["x"]["value"] for r in rows} | {STUURORGAAN}
    assert len(wanted) == 10
    found = boxes(svg)
    assert wanted <= set(found)
    for iri in wanted:
        assert found[iri].get("href") == "/doc/" + iri.removeprefix(ID)
        assert found[iri].find(f"{SVG}rect") is not None


def test_one_line_per_relation_triple_counted_against_sparql(svg, server):
    with server.client() as client:
        total = int(sparql(client, COUNT)[0]["n"]["value"])
        triples = {
            (r["from"]["value"], KIND[r["line"]["value"]], r["to"]["value"])
            for r in sparql(client, LINES)
        }
    lines = [p for p in svg.iter(f"{SVG}path") if "line" in (p.get("class") or "").split()]
    drawn = [(p.get("data-from"), p.get("data-kind"), p.get("data-to")) for p in lines]
    assert len(drawn) == total == len(triples)
    assert set(drawn) == triples
    # every line joins two boxes of the chart
    assert {end for f, _, t in drawn for end in (f, t)} <= set(boxes(svg))


def test_line_styles_and_the_legend(svg):
    dashes = {}
    for path in svg.iter(f"{SVG}path"):
        if path.get("data-kind"):
            dashes.setdefault(path.get("data-kind"), set()).add(path.get("stroke-dasharray"))
            assert path.get("marker-end", "").startswith("url(#orgchart-arrow-")
    assert dashes == {"reports": {"none"}, "advises": {"8 4"}, "oversees": {"2 4"}}
    legend = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "orgchart-legend")
    texts = [t.text for t in legend.iter(f"{SVG}text")]
    assert texts == ["rapporteert aan", "adviseert", "houdt toezicht op"]


def test_layout_follows_the_reporting_hierarchy(svg):
    def place(slug: str) -> tuple[float, float]:
        rect = boxes(svg)[ID + slug].find(f"{SVG}rect")
        assert rect is not None
        return float(rect.get("x", "0")), float(rect.get("y", "0"))

    top = place("body/politiek-begeleidingscomite")[1]
    assert place("organisation/stuurorgaan-vlaams-informatie-en-ict-beleid")[1] == top
    assert place("body/ambtelijke-stuurgroep")[1] > top
    sro_x, sro_y = place("body/smart-region-office")
    assert sro_y > place("body/ambtelijke-stuurgroep")[1]
    assert place("werkbank/vloca")[1] > sro_y
    # the Klankbordgroep beside the SRO: same row, no box between them
    kbg_x, kbg_y = place("body/klankbordgroep")
    assert kbg_y == sro_y
    between = [x for x, y in map(place, ["body/werkbankoverleg", "unit/kerngroep"]) if y == sro_y]
    assert not [x for x in between if min(kbg_x, sro_x) < x < max(kbg_x, sro_x)]


def test_no_style_attributes_or_elements(server):
    with server.client() as client:
        text = client.get("/orgchart.svg").text
    root = ET.fromstring(text)
    assert not [e for e in root.iter() if "style" in e.attrib]
    assert not list(root.iter(f"{SVG}style")) and not list(root.iter(f"{SVG}script"))


def test_labels_in_the_page_language(server):
    with server.client() as client:
        english = ET.fromstring(client.get("/orgchart.svg?lang=en").content)
        dutch = ET.fromstring(client.get("/orgchart.svg?lang=nl").content)
    iri = f"{ID}body/ambtelijke-stuurgroep"
    assert boxes(english)[iri].findtext(f"{SVG}title") == "Civil-service Steering Group"
    assert boxes(dutch)[iri].findtext(f"{SVG}title") == "Ambtelijke Stuurgroep"


def test_svg_and_page_revalidate(server):
    with server.client() as client:
        first = client.get("/orgchart.svg?lang=en")
        tag = {"If-None-Match": first.headers["etag"]}
        again = client.get("/orgchart.svg?lang=en", headers=tag)
        page = client.get("/orgchart?lang=en")
    assert again.status_code == 304 and first.headers["last-modified"]
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "content-security-policy" in page.headers
    assert 'href="/doc/body/smart-region-office"' in page.text


def test_labels_are_escaped_and_cycles_do_not_hang():
    graph = "https://w3id.org/srg/graph/test"
    turtle = f"""
    @prefix srg: <{SRG}> . @prefix org: <{ORG}> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <{ID}body/a> a srg:GovernanceBody ; skos:prefLabel "A </text><script>x</script> & co"@nl ;
        org:reportsTo <{ID}body/b> .
    <{ID}body/b> a srg:GovernanceBody ; skos:prefLabel "B"@nl ; org:reportsTo <{ID}body/a> .
    """.encode()
    store = GraphStore()
    store.merge_graph(graph, parse_payload(turtle, "text/turtle", ID, graph))
    root = ET.fromstring(pages.svg("orgchart.svg", chart=orgchart.build(store, "nl")))
    found = boxes(root)
    assert found[f"{ID}body/a"].findtext(f"{SVG}title") == "A </text><script>x</script> & co"
    assert not list(root.iter(f"{SVG}script"))
    assert len([p for p in root.iter(f"{SVG}path") if p.get("data-kind")]) == 2


def test_rows_are_longest_reporting_distances():
    edges = [("c", "reports", "b"), ("b", "reports", "a"), ("c", "reports", "a"),
             ("d", "reports", "x"), ("k", "advises", "b")]  # fmt: skip
    rows = orgchart.rows(["a", "b", "c", "d", "k", "x"], edges)
    assert rows["a"] == 0 and rows["b"] == 1 and rows["c"] == 2
    assert rows["x"] == 0 and rows["d"] == 1
    assert rows["k"] == rows["b"]  # outside the hierarchy: in the row of what it advises
