"""The org chart: generated from the graph, laid out by Graphviz `dot`, one box per node and
every relation drawn (one line each, or one line to or from the werkbanken's frame for a line
to or from each werkbank)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from srg_graph.model import graphviz, orgchart
from srg_graph.store import GraphStore, parse_payload
from srg_graph.web import pages

SVG = "{http://www.w3.org/2000/svg}"
ORG = "http://www.w3.org/ns/org#"
SRG = "https://w3id.org/srg/ns#"
ID = "https://w3id.org/srg/id/"
KIND = {
    f"{ORG}reportsTo": "reports",
    f"{SRG}reportsAt": "reports-at",
    f"{SRG}advises": "advises",
    f"{SRG}oversees": "oversees",
}
WHERE = f"""PREFIX srg: <{SRG}> PREFIX org: <{ORG}>
WHERE {{
  VALUES ?line {{ org:reportsTo srg:reportsAt srg:advises srg:oversees }}
  ?from ?line ?to .
  FILTER(EXISTS {{ {{ ?from a srg:GovernanceBody }} UNION {{ ?from a srg:Werkbank }} }}
      || EXISTS {{ {{ ?to a srg:GovernanceBody }} UNION {{ ?to a srg:Werkbank }} }})
}}"""
LINES = WHERE.replace("WHERE", "SELECT DISTINCT ?from ?line ?to WHERE", 1)
COUNT = WHERE.replace("WHERE", "SELECT (COUNT(*) AS ?n) WHERE", 1)
WORDS = pages.WORDS
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


def lines_of(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}path") if "line" in (p.get("class") or "").split()]


def test_every_relation_triple_is_drawn_once(svg, server):
    with server.client() as client:
        total = int(sparql(client, COUNT)[0]["n"]["value"])
        triples = {
            (r["from"]["value"], KIND[r["line"]["value"]], r["to"]["value"])
            for r in sparql(client, LINES)
        }
    assert total == len(triples) == 20
    drawn = [
        (source, p.get("data-kind"), target)
        for p in lines_of(svg)
        for source in (p.get("data-from") or "").split()
        for target in (p.get("data-to") or "").split()
    ]
    assert sorted(drawn) == sorted(triples)  # each triple by exactly one line
    assert {end for f, _, t in drawn for end in (f, t)} <= set(boxes(svg))
    # the lines to or from every werkbank (oversight, reporting to the SRO and at the werkbank
    # meeting) are three lines to or from their frame
    werkbanken = {
        f"{ID}werkbank/{w}" for w in ("vloca", "matchmaking", "financiering", "use-cases")
    }
    framed = [p for p in lines_of(svg) if " " in p.get("data-from", "") + p.get("data-to", "")]
    assert len(framed) == 3
    for line in framed:
        ends = set(line.get("data-from", "").split()) | set(line.get("data-to", "").split())
        assert werkbanken < ends
    assert len(lines_of(svg)) == 20 - 3 * 3


def test_line_styles_and_the_legend(svg):
    dashes = {}
    for path in lines_of(svg):
        dashes.setdefault(path.get("data-kind"), set()).add(path.get("stroke-dasharray"))
        assert path.get("marker-end", "").startswith("url(#orgchart-arrow-")
        assert path.get("d", "").startswith("M")
    assert dashes == {
        "reports": {"none"},
        "reports-at": {"10 3 2 3"},
        "advises": {"8 4"},
        "oversees": {"2 4"},
    }
    legend = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "orgchart-legend")
    texts = [t.text for t in legend.iter(f"{SVG}text")]
    assert texts == [
        "rapporteert aan",
        "rapporteert op (een overleg)",
        "adviseert",
        "houdt toezicht op",
        "voorstel (srg:status voorgesteld)",
        WORDS["nl"]["orgchart_frame_note"],
    ]
    legend_dashes = {
        p.get("data-legend"): p.get("stroke-dasharray") for p in legend.iter(f"{SVG}path")
    }
    assert legend_dashes == {kind: style.pop() for kind, style in dashes.items()}


def rect(root: ET.Element, slug: str) -> tuple[float, float, float, float]:
    found = boxes(root)[ID + slug].find(f"{SVG}rect")
    assert found is not None
    return tuple(float(found.get(a, "0")) for a in ("x", "y", "width", "height"))  # type: ignore[return-value]


def frame(root: ET.Element, kind: str) -> tuple[float, float, float, float]:
    found = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == f"frame {kind}")
    return tuple(float(found.get(a, "0")) for a in ("x", "y", "width", "height"))  # type: ignore[return-value]


def inside(inner: tuple, outer: tuple) -> bool:
    x, y, w, h = inner
    X, Y, W, H = outer
    return x >= X and x + w <= X + W and y >= Y and y + h <= Y + H


def test_layout_follows_the_reporting_hierarchy(svg):
    def top(slug: str) -> float:
        return rect(svg, slug)[1]

    pbc = top("body/politiek-begeleidingscomite")
    assert top("organisation/stuurorgaan-vlaams-informatie-en-ict-beleid") == pbc
    assert pbc < top("body/ambtelijke-stuurgroep") < top("body/smart-region-office")
    assert top("body/smart-region-office") == top("unit/kerngroep")
    # the Werkbankoverleg between the SRO that oversees it and the werkbanken reporting at it
    assert top("body/smart-region-office") < top("body/werkbankoverleg") < top("werkbank/vloca")
    assert top("body/klankbordgroep") < top("body/smart-region-office")  # above what it advises
    # the kerngroep inside the SRO's frame, the werkbanken inside theirs
    sro = frame(svg, "unit")
    assert inside(rect(svg, "unit/kerngroep"), sro) and inside(
        rect(svg, "body/smart-region-office"), sro
    )
    for slug in ("vloca", "matchmaking", "financiering", "use-cases"):
        assert inside(rect(svg, f"werkbank/{slug}"), frame(svg, "group"))
        assert not inside(rect(svg, f"werkbank/{slug}"), sro)


def test_boxes_do_not_overlap_and_fit_the_image(svg):
    found = {iri: rect(svg, iri.removeprefix(ID)) for iri in boxes(svg)}
    width, height = float(svg.get("width", "0")), float(svg.get("height", "0"))
    for x, y, w, h in found.values():
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
    placed = list(found.items())
    for i, (a, (ax, ay, aw, ah)) in enumerate(placed):
        for b, (bx, by, bw, bh) in placed[i + 1 :]:
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)


def test_proposals_are_drawn_as_proposals(svg, server):
    def text(slug: str) -> str:
        lead = next(
            t
            for t in boxes(svg)[ID + slug].iter(f"{SVG}text")
            if t.get("class", "").startswith("lead")
        )
        return lead.text or ""

    vloca = boxes(svg)[f"{ID}werkbank/vloca"]
    assert "proposed" not in vloca.get("class", "")
    assert vloca.find(f"{SVG}rect").get("stroke-dasharray") == "none"  # type: ignore[union-attr]
    assert text("werkbank/vloca") == "Trekker: ABB"
    for slug, lead in (
        ("matchmaking", "VVSG"),
        ("financiering", "VLAIO"),
        ("use-cases", "KPMG/CGR"),
    ):
        box = boxes(svg)[f"{ID}werkbank/{slug}"]
        assert "proposed" in box.get("class", "").split()
        assert box.find(f"{SVG}rect").get("stroke-dasharray") == "6 3"  # type: ignore[union-attr]
        assert text(f"werkbank/{slug}") == f"Voorgestelde trekker: {lead}"
        assert "voorstel" in (box.findtext(f"{SVG}title") or "")
    with server.client() as client:
        english = ET.fromstring(client.get("/orgchart.svg?lang=en").content)
    lead = next(
        t for t in boxes(english)[f"{ID}werkbank/matchmaking"].iter(f"{SVG}text")
        if t.get("class") == "lead proposed"
    )  # fmt: skip
    assert lead.text == "Proposed lead: VVSG" and lead.get("font-style") == "italic"


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


@pytest.mark.parametrize(
    ("query", "accept_language", "language"),
    [("?lang=en", "", "en"), ("?lang=nl", "en", "nl"), ("", "en", "en"), ("", "", "nl")],
)
def test_the_svg_says_its_language(server, query, accept_language, language):
    """As the pages do (`Content-Language`, and `Vary` since Accept-Language may choose it):
    the image's titles and texts are in that language."""
    with server.client() as client:
        answer = client.get(f"/orgchart.svg{query}", headers={"accept-language": accept_language})
    assert answer.headers["content-language"] == language
    assert "Accept-Language" in answer.headers["vary"]


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
    markup = 'A </text><script>x</script> & co" ] ; b -> c [label="x'
    literal = markup.replace('"', '\\"')
    turtle = f"""
    @prefix srg: <{SRG}> . @prefix org: <{ORG}> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <{ID}body/a> a srg:GovernanceBody ; skos:prefLabel "{literal}"@nl ;
        org:reportsTo <{ID}body/b> .
    <{ID}body/b> a srg:GovernanceBody ; skos:prefLabel "B"@nl ; org:reportsTo <{ID}body/a> .
    """.encode()
    store = GraphStore()
    store.merge_graph(graph, parse_payload(turtle, "text/turtle", ID, graph))
    chart = orgchart.build(store, "nl")
    assert not chart.missing
    root = ET.fromstring(pages.svg("orgchart.svg", "nl", chart=chart))
    found = boxes(root)
    assert found[f"{ID}body/a"].findtext(f"{SVG}title") == markup
    assert not list(root.iter(f"{SVG}script"))
    assert len(lines_of(root)) == 2


def test_no_data_reaches_dot_unquoted():
    """Only generated names, numbers and quoted strings are written; a string cannot end early
    (dot reads the hostile caption as one label of one cluster)."""
    hostile = 'Werk"banken } n9 -> n8; subgraph { \\'
    assert graphviz.quote('a "b"\n c') == '"a \\"b\\" c"'
    digraph = graphviz.Digraph({"compound": True})
    digraph.nodes["n0"] = (200.0, 58.0)
    digraph.nodes["n1"] = (200.0, 58.0)
    digraph.clusters["c0"] = (["n0"], hostile)
    digraph.edges.append(("n0", "n1", {"dir": "back"}))
    laid = graphviz.layout(digraph)
    assert sorted(laid.centres) == ["n0", "n1"] and list(laid.frames) == [0]
    assert len(laid.curves) == 1


def test_layouts_are_kept_per_chart_and_language(server, monkeypatch):
    store = GraphStore()
    turtle = f"""@prefix srg: <{SRG}> . @prefix org: <{ORG}> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <{ID}body/x> a srg:GovernanceBody ; skos:prefLabel "X"@nl, "X en"@en ;
        org:reportsTo <{ID}body/y> .
    <{ID}body/y> a srg:GovernanceBody ; skos:prefLabel "Y"@nl .
    """.encode()
    graph = "https://w3id.org/srg/graph/cache-test"
    store.merge_graph(graph, parse_payload(turtle, "text/turtle", ID, graph))
    runs = []
    real = graphviz.subprocess.run

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(graphviz.subprocess, "run", counted)
    first = orgchart.build(store, "nl")
    again = orgchart.build(store, "nl")
    english = orgchart.build(store, "en")
    assert first == again and english.boxes[0].label == "X en"
    assert len(runs) == 1  # the same boxes and lines: the same DOT text, laid out once


def test_without_dot_the_chart_says_how_to_install_it(monkeypatch):
    store = GraphStore()
    monkeypatch.setattr(graphviz, "DOT", "dot-that-is-not-installed")
    graphviz._layout.cache_clear()
    turtle = f"""@prefix srg: <{SRG}> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <{ID}body/z> a srg:GovernanceBody ; skos:prefLabel "Z"@nl ."""
    graph = "https://w3id.org/srg/graph/missing-dot"
    store.merge_graph(graph, parse_payload(turtle.encode(), "text/turtle", ID, graph))
    chart = orgchart.build(store, "nl")
    assert "install-system-packages.sh" in chart.missing and not chart.boxes
    page = pages.ENVIRONMENT.get_template("orgchart-figure.html").render(
        chart=chart, words=WORDS["en"]
    )
    assert "Graphviz" in page and "<svg" not in page
    graphviz._layout.cache_clear()


def test_rows_are_longest_reporting_distances():
    edges = [("c", "reports", "b"), ("b", "reports", "a"), ("c", "reports", "a"),
             ("d", "reports", "x"), ("k", "advises", "b"), ("w", "reports-at", "m")]  # fmt: skip
    rows = orgchart.rows(["a", "b", "c", "d", "k", "m", "w", "x"], edges)
    assert rows["a"] == 0 and rows["b"] == 1 and rows["c"] == 2
    assert rows["x"] == 0 and rows["d"] == 1
    assert {"k", "m", "w"}.isdisjoint(rows)  # outside the hierarchy: dot ranks them


def test_lines_to_every_member_of_the_group_are_bundled():
    group = ["w1", "w2", "w3"]
    edges = [("s", "oversees", w) for w in group] + [(w, "reports", "s") for w in group]
    edges += [("k", "advises", "w1"), ("k", "advises", "w2")]  # not to every werkbank
    lines = orgchart.bundle(edges, group)
    assert (("s",), "oversees", tuple(group)) in lines
    assert (tuple(group), "reports", ("s",)) in lines
    assert (("k",), "advises", ("w1",)) in lines and (("k",), "advises", ("w2",)) in lines
    assert len(lines) == 4
    assert orgchart.bundle(edges, ["w1"]) == [((f,), k, (t,)) for f, k, t in edges]
