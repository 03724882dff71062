"""The home page `/`: intro, entry points, editor examples, dashboard, CSP, languages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

SRG = "https://w3id.org/srg/ns#"
ID = "https://w3id.org/srg/id/"
PREFIXES = f"PREFIX srg: <{SRG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "


class Page(HTMLParser):
    """The parts of a page the tests look at: links, elements by class, the examples block."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []
        self.classes: dict[str, int] = {}
        self.lang = ""
        self.styles = 0
        self.inline_scripts = 0
        self._in: str | None = None
        self.blocks: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "form":
            self.forms.append((found.get("action") or "", found.get("method") or ""))
        for name in (found.get("class") or "").split():
            self.classes[name] = self.classes.get(name, 0) + 1
        self.styles += "style" in found or tag == "style"
        if tag == "script":
            if found.get("type") == "application/json":
                self._in = found.get("id") or ""
                self.blocks[self._in] = ""
            elif not found.get("src"):
                self.inline_scripts += 1
        elif found.get("id") in ("open-point-count", "query"):
            self._in = found["id"]
            self.texts[self._in or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "span", "textarea"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in in self.blocks:
            self.blocks[self._in] += data
        elif self._in in self.texts:
            self.texts[self._in] += data


def count(client, where: str) -> int:
    query = PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"
    answer = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def home(server):
    with server.client() as client:
        answer = client.get("/?lang=nl")
    assert answer.status_code == 200, answer.text
    return answer


def test_home_is_html_with_the_csp_and_no_inline_code(home):
    assert home.headers["content-type"].startswith("text/html")
    csp = home.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    page = Page(home.text)
    assert page.styles == 0 and page.inline_scripts == 0
    assert '<script src="/static/editor.js" defer></script>' in home.text


def test_pages_name_an_icon_of_the_servers_own(home, server):
    """Browsers ask for an icon: named by the page, not a 404 on /favicon.ico at each visit."""
    (href,) = re.findall(r'<link rel="icon" href="([^"]+)"', home.text)
    with server.client() as client:
        icon = client.get(href)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_home_language_follows_lang_and_accept_language(server):
    with server.client() as client:
        assert Page(client.get("/?lang=en").text).lang == "en"
        assert Page(client.get("/?lang=nl").text).lang == "nl"
        english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
        dutch = client.get("/", headers={"Accept-Language": "nl-BE"})
    assert Page(english.text).lang == "en" and "Civil-service Steering Group" in english.text
    assert Page(dutch.text).lang == "nl" and "Ambtelijke Stuurgroep" in dutch.text


def test_intro_is_the_governance_model_description(home, server):
    with server.client() as client:
        english = client.get("/?lang=en").text
    assert "Voorstel van “Smart Region Governance”-model" in home.text
    assert "Proposal of a “Smart Region Governance” model" in english


def test_entry_points_link_every_body_and_werkbank_and_the_services(home, server):
    page = Page(home.text)
    with server.client() as client:
        bodies = count(client, "?x a srg:GovernanceBody")
        werkbanken = count(client, "?x a srg:Werkbank")
    documents = {link for link in page.links if link.startswith(("/doc/body/", "/doc/werkbank/"))}
    assert len({d for d in documents if d.startswith("/doc/body/")}) == bodies == 5
    assert len({d for d in documents if d.startswith("/doc/werkbank/")}) == werkbanken == 4
    wanted = ["/sparql", "/api/queries", "/ns", "/void", "/orgchart", "/validate"]
    for link in [*wanted, "/dumps/dataset.nq.gz", "/doc/model/smart-region-governance"]:
        assert link in page.links


def test_examples_are_the_named_queries_with_their_text(home, server):
    examples = json.loads(Page(home.text).blocks["examples"])
    with server.client() as client:
        listing = client.get("/api/queries", headers={"Accept": "application/json"}).json()
    assert {e["name"] for e in examples} == {q["name"] for q in listing}
    titles = {q["name"]: q["title"]["nl"] for q in listing}
    for example in examples:
        assert example["title"] == titles[example["name"]]
        assert re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", example["text"])
        assert f'<option value="{example["name"]}">' in home.text


def test_dashboard_lists_every_open_point(home, server):
    page = Page(home.text)
    with server.client() as client:
        points = count(client, "?x a srg:OpenPoint")
    assert points > 0
    assert page.classes.get("open-point") == points
    assert int(page.texts["open-point-count"]) == points


def test_dashboard_counts_rule_results_per_shape(home, server):
    with server.client() as client:
        report = client.get("/validate", headers={"Accept": "application/json"}).json()
    page = Page(home.text)
    shapes = {r["shape"] for r in report["results"]}
    assert page.classes.get("rule-count") == len(shapes)
    assert page.classes.get("rule-result") == len(report["results"])


def test_query_parameter_prefills_the_editor_escaped(server):
    text = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    with server.client() as client:
        answer = client.get("/", params={"query": text})
    assert answer.status_code == 200
    assert "<script>alert(1)" not in answer.text
    assert Page(answer.text).texts["query"] == text


def test_the_form_without_script_comes_back_with_the_answer(server):
    """The editor's form, sent by a browser that runs no script, went to `/sparql`, which
    answers a browser with SPARQL XML; it comes back to this page (`run=1`), which shows
    the answer under the editor, or the error with its status."""
    werkbanken = f"SELECT ?w WHERE {{ ?w a <{SRG}Werkbank> }} ORDER BY ?w"
    with server.client() as client:
        form = Page(client.get("/?lang=en").text)
        rows = client.get("/", params={"lang": "en", "query": werkbanken, "run": "1"})
        ask = client.get("/", params={"query": f"ASK {{ ?w a <{SRG}Werkbank> }}", "run": "1"})
        graph = client.get("/", params={"query": "CONSTRUCT WHERE { ?s a ?t } LIMIT 1", "run": "1"})
        failed = client.get("/", params={"lang": "en", "query": "SELECT nonsense {", "run": "1"})
        kept = client.get("/", params={"query": werkbanken})  # a permalink: the script runs it
    assert ("/#run", "get") in form.forms and not [f for f in form.forms if "sparql" in f[0]]
    assert rows.status_code == 200 and rows.headers["content-type"].startswith("text/html")
    assert Page(rows.text).classes.get("result-table") == 1
    shown = rows.text.split('<div id="results" class="results">')[1].split("</div>")[0]
    assert shown.count('<a href="/doc/werkbank/') == 4 and "4 row(s)" in rows.text
    assert Page(rows.text).texts["query"] == werkbanken
    assert ask.status_code == 200 and '<span class="boolean">waar</span>' in ask.text
    assert graph.status_code == 200 and Page(graph.text).classes.get("graph-result") == 1
    assert failed.status_code == 400 and "Error: 400" in failed.text and "syntax" in failed.text
    assert "result-table" not in kept.text


def test_home_has_the_org_chart_inline(home):
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in home.text
    assert 'href="/doc/body/smart-region-office"' in home.text


def test_home_revalidates_with_its_etag(server):
    with server.client() as client:
        first = client.get("/?lang=en")
        again = client.get("/?lang=en", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert first.headers["last-modified"]


def test_examples_are_links_that_fill_the_editor(home, server):
    """Without script the list box of examples did nothing: each example is also a link to
    this page with `example=NAME`, which fills the editor with the named query's text."""
    examples = json.loads(Page(home.text).blocks["examples"])
    links = [link for link in Page(home.text).links if "example=" in link]
    assert len(links) == len(examples) > 0
    with server.client() as client:
        for example in examples[:3]:
            link = f"/?lang=nl&example={example['name']}#query"
            assert link in links
            opened = client.get(link.split("#")[0])
            assert opened.status_code == 200 and Page(opened.text).texts["query"] == example["text"]
        missing = client.get("/", params={"example": "no-such-query"})
    assert missing.status_code == 404
    assert "no example query is named 'no-such-query'" in missing.text


def test_the_permalink_and_downloads_work_without_script(server):
    """Without script the permalink was `/` and the download buttons did nothing: the
    permalink is drawn by the server (running the query, `run=1`), and the buttons send the
    form to `/sparql` with a `format`."""
    query = f"ASK {{ ?w a <{SRG}Werkbank> }}"
    with server.client() as client:
        empty = client.get("/?lang=en").text
        filled = client.get("/", params={"lang": "en", "query": query}).text
    assert '<a id="permalink" href="/?lang=en">' in empty
    (href,) = re.findall(r'<a id="permalink" href="([^"]+)"', filled)
    expected = "/?" + urlencode({"lang": "en", "query": query, "run": 1}) + "#run"
    assert href.replace("&amp;", "&") == expected
    for chosen in ("csv", "json"):
        button = f'formaction="/sparql" name="format" value="{chosen}"'
        assert button in empty and 'type="submit" id="download-' + chosen in empty


@pytest.mark.parametrize(
    "path", ["/static/site.css", "/static/swagger-ui/swagger-ui.css", "/health", "/sparql"]
)
def test_a_method_not_allowed_names_the_methods_the_path_has(client, path: str) -> None:
    """RFC 9110 15.5.6: a 405 lists the target's methods in `Allow`. Under the static
    mounts the list was empty (the routes were probed from inside the mount), which says
    the files cannot even be read."""
    answer = client.request("DELETE", path)
    assert answer.status_code == 405
    allowed = answer.headers["allow"].split(", ")
    assert "GET" in allowed and "HEAD" in allowed and "DELETE" not in allowed
    for method in allowed:
        assert client.request(method, path).status_code != 405, method


PAGES = [
    "/",
    "/search?text=office",
    "/coverage",
    "/orgchart",
    "/doc/body/smart-region-office",
    "/api/queries",
    "/void",
    "/ns",
    "/shapes",
    "/changes",
    "/validate",
    "/docs",
    "/sparql",
]
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _with(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}{'&' if '?' in path else '?'}{urlencode(params)}"


@pytest.mark.parametrize("path", PAGES)
def test_a_page_refuses_a_language_it_has_not_or_one_given_twice(client, path: str) -> None:
    """`lang=xx` answered the page in the Accept-Language's language, `lang=en&lang=nl` in
    the last one, saying nothing; 400 naming the languages, or the repetition, as `/doc`'s
    `version` and the named queries' options are. A parameter no page reads is still left
    alone, and `lang=en` still chooses."""
    unknown = client.get(_with(path, [("lang", "xx")]), headers=BROWSER)
    assert unknown.status_code == 400 and "'lang' takes one of nl, en, not 'xx'" in unknown.text
    twice = client.get(_with(path, [("lang", "en"), ("lang", "nl")]), headers=BROWSER)
    assert twice.status_code == 400 and "2 'lang' parameters" in twice.text
    chosen = client.get(_with(path, [("lang", "en"), ("utm_source", "x")]), headers=BROWSER)
    assert chosen.status_code == 200 and Page(chosen.text).lang == "en"


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/search", [("text", "office"), ("text", "abb")], "2 'text' parameters"),
        ("/", [("query", "ASK {}"), ("query", "SELECT * {}")], "2 'query' parameters"),
        ("/", [("example", "members"), ("example", "x")], "2 'example' parameters"),
        ("/", [("query", "ASK {}"), ("run", "yes")], "'run' takes one of 1, not 'yes'"),
        ("/", [("run", "1"), ("run", "1")], "2 'run' parameters"),
        ("/coverage", [("sort", "name")], "'sort' takes one of mapped, not 'name'"),
        ("/sparql", [("format", "html"), ("format", "turtle")], "2 'format' parameters"),
    ],
)
def test_a_page_refuses_its_other_parameters_given_twice_or_unknown(
    client, path: str, params: list[tuple[str, str]], message: str
) -> None:
    """The search text, the editor's query and example, `run`, the coverage's order and the
    Service Description's format were read as the last value given, or as "no" for a value
    they do not take; 400 saying which."""
    answer = client.get(_with(path, params), headers=BROWSER)
    assert answer.status_code == 400 and message in answer.text, answer.text


@pytest.mark.parametrize("path", [*PAGES, "/doc/no-such-thing"])
def test_a_page_says_its_language_and_varies_on_accept_language(client, path: str) -> None:
    """RFC 9110 8.5: Content-Language names the audience's language; pages sent none. It is
    the page's (`<html lang>`), chosen by `lang` or Accept-Language, which `Vary` names."""
    for asked, headers in (
        ("en", {**BROWSER, "Accept-Language": "en-GB,en;q=0.9"}),
        ("nl", {**BROWSER, "Accept-Language": "nl-BE"}),
        ("en", {**BROWSER, "Accept-Language": "nl"}),
    ):
        url = _with(path, [("lang", "en")]) if headers["Accept-Language"] == "nl" else path
        answer = client.get(url, headers=headers)
        assert answer.headers["content-type"].startswith("text/html"), answer.text
        assert answer.headers["content-language"] == asked == Page(answer.text).lang
        vary = {name.strip().lower() for name in answer.headers["vary"].split(",")}
        assert "accept-language" in vary
