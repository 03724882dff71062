"""The pages in a real browser: headless Chromium from Debian (`scripts/install-browser.sh`).

Driven with Playwright's Python API on `/usr/bin/chromium` (never `playwright install`).
Screenshots go to `test-output/screenshots/`. Every kind of page is checked for horizontal
overflow on a desktop and a phone, and with axe-core (npm, `package-lock.json`, installed by
`npm ci` on first use) for accessibility.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import TOKEN
from server import REMOTE

from srg_graph.web.pages import CSP

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium; "
            "run scripts/install-browser.sh (as root) or `make test`, which runs it"
        )
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _opened(browser, server, **options):  # type: ignore[no-untyped-def]
    """A page at 1280 px in Dutch (Belgium), failing the test on any JavaScript error."""
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=server.url, viewport={"width": 1280, "height": 900}, locale="nl-BE", **options
    )
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    yield from _opened(browser, server, accept_downloads=True)


def shot(page, name: str, full: bool = False) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_home_page_looks_complete(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?lang=nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("svg.orgchart a.box").count() >= 10
    assert page.locator("tr.open-point").count() > 0
    shot(page, "home-nl", full=True)


def test_pick_an_example_run_it_and_see_rows(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?lang=en")
    page.select_option("#example", "werkbank-leads")
    text = page.input_value("#query")
    assert "srg:lead" in text
    assert page.locator("#highlight .tok-keyword").count() > 0  # highlighted as it was set
    assert page.locator("#highlight .tok-var").count() > 0
    page.click("#run")
    rows = page.locator("table.result-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 4
    assert page.locator("table.result-table a[href^='/doc/werkbank/']").count() == 4
    page.locator("#editor").scroll_into_view_if_needed()
    shot(page, "editor-results")


def test_the_examples_can_be_browsed_with_the_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    """The list box of examples moved the focus to the text area on each change, and a
    keyboard's arrow changes it at once: the second arrow moved the caret, not to the next
    example (WCAG 3.2.2, on input)."""
    page.goto("/?lang=en")
    examples = json.loads(page.locator("#examples").text_content() or "[]")
    page.focus("#example")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#query") == examples[0]["text"]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.id") == "example"
    assert page.input_value("#query") == examples[1]["text"]


def test_typing_keeps_the_highlighting_in_sync(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.fill("#query", "# a comment\nSELECT ?s WHERE { ?s a <https://w3id.org/srg/ns#Werkbank> ; "
              'skos:prefLabel "x" }')  # fmt: skip
    classes = {
        name: page.locator(f"#highlight .{name}").all_inner_texts()
        for name in ("tok-comment", "tok-keyword", "tok-var", "tok-iri", "tok-pname", "tok-string")
    }
    assert classes["tok-comment"] == ["# a comment"]
    assert classes["tok-keyword"] == ["SELECT", "WHERE", "a"]
    assert classes["tok-var"] == ["?s", "?s"]
    assert classes["tok-iri"] == ["<https://w3id.org/srg/ns#Werkbank>"]
    assert classes["tok-pname"] == ["skos:prefLabel"]
    assert classes["tok-string"] == ['"x"']
    assert page.inner_text("#highlight").rstrip("\n") == page.input_value("#query")


def test_permalink_runs_the_query(page) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> } ORDER BY ?w"
    page.goto(f"/?lang=en&query={quote(query)}#run")
    rows = page.locator("table.result-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 4
    assert page.input_value("#query") == query
    href = page.get_attribute("#permalink", "href") or ""
    assert href.startswith("/?") and "query=" in href and href.endswith("#run")


def test_an_answer_drawn_by_the_server_is_not_run_again(page) -> None:  # type: ignore[no-untyped-def]
    """A URL of the form sent without script (`run=1`) comes with its answer: the script
    does not send the query a second time."""
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> } ORDER BY ?w"
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(f"/?lang=en&run=1&query={quote(query)}#run", wait_until="networkidle")
    assert page.locator("table.result-table tbody tr").count() == 4
    assert not [url for url in sent if "/sparql" in url]


def test_server_errors_are_shown(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?lang=en")
    page.fill("#query", "SELECT nonsense WHERE {")
    page.click("#run")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "400" in error.inner_text() and "syntax" in error.inner_text().lower()
    shot(page, "editor-error")


@pytest.fixture
def scriptless(browser, server):  # type: ignore[no-untyped-def]
    yield from _opened(browser, server, java_script_enabled=False, accept_downloads=True)


def test_the_editor_without_script_shows_rows(scriptless) -> None:  # type: ignore[no-untyped-def]
    """Without script the form was sent to `/sparql`, and the browser showed SPARQL XML; it
    comes back to the home page, which shows the rows under the editor, or the error."""
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> } ORDER BY ?w"
    scriptless.goto("/?lang=en")
    scriptless.fill("#query", query)
    with scriptless.expect_navigation():
        scriptless.click("#run")
    rows = scriptless.locator("table.result-table tbody tr")
    assert rows.count() == 4, scriptless.content()[:300]
    assert scriptless.locator("table.result-table a[href^='/doc/werkbank/']").count() == 4
    assert scriptless.input_value("#query") == query and "lang=en" in scriptless.url
    shot(scriptless, "editor-results-without-script")
    scriptless.fill("#query", "SELECT nonsense WHERE {")
    with scriptless.expect_navigation():
        scriptless.click("#run")
    error = scriptless.locator("#error")
    assert error.is_visible() and "400" in error.inner_text()
    assert "syntax" in error.inner_text().lower()


def _transparent(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the text of the element is drawn in a transparent colour."""
    color = page.locator(selector).evaluate("e => getComputedStyle(e).color")
    return color in ("transparent", "rgba(0, 0, 0, 0)")


def test_the_query_can_be_read_without_script(scriptless, page) -> None:  # type: ignore[no-untyped-def]
    """The text area's text is transparent, for the highlighting drawn under it; without
    script nothing was drawn, and the query could not be seen (nor what one typed)."""
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> }"
    for opened in (scriptless, page):
        opened.goto(f"/?lang=en&query={quote(query)}")
    assert not _transparent(scriptless, "#query")
    assert not scriptless.locator("#highlight").is_visible()
    scriptless.locator("#editor").scroll_into_view_if_needed()
    shot(scriptless, "editor-without-script")
    # with script, as before: the highlighting shows the text
    assert _transparent(page, "#query") and page.locator("#highlight").is_visible()
    assert page.inner_text("#highlight").rstrip("\n") == query


def test_examples_without_script_are_links(scriptless, page) -> None:  # type: ignore[no-untyped-def]
    """Without script the list box of examples did nothing: a list of links opens the page
    with the editor filled in; with script the list box is shown in its place."""
    scriptless.goto("/?lang=en")
    assert not scriptless.locator("#example").is_visible()
    scriptless.click("#example-links summary")
    link = scriptless.locator("#example-links a", has_text="Werkbank leads")
    with scriptless.expect_navigation():
        link.click()
    assert "srg:lead" in scriptless.input_value("#query")
    with scriptless.expect_navigation():
        scriptless.click("#run")
    assert scriptless.locator("table.result-table tbody tr").count() == 4
    page.goto("/?lang=en")
    assert page.locator("#example").is_visible()
    assert not page.locator("#example-links").is_visible()


def test_permalink_without_script(scriptless, browser, server) -> None:  # type: ignore[no-untyped-def]
    """Without script the permalink was `/`: it is the query run, from the server."""
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> } ORDER BY ?w"
    scriptless.goto("/?lang=en")
    scriptless.fill("#query", query)
    with scriptless.expect_navigation():
        scriptless.click("#run")
    href = scriptless.get_attribute("#permalink", "href") or ""
    for other in _opened(browser, server, java_script_enabled=False):
        other.goto(href)
        assert other.input_value("#query") == query
        assert other.locator("table.result-table tbody tr").count() == 4


def test_downloads_without_script(scriptless) -> None:  # type: ignore[no-untyped-def]
    """Without script the download buttons did nothing: they send the form to `/sparql`,
    which answers with a file to save."""
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> } ORDER BY ?w"
    scriptless.goto("/?lang=en")
    scriptless.fill("#query", query)
    with scriptless.expect_download() as csv_download:
        scriptless.click("#download-csv")
    assert csv_download.value.suggested_filename == "results.csv"
    lines = Path(csv_download.value.path()).read_text().splitlines()
    assert lines[0] == "w" and len(lines) == 5
    with scriptless.expect_download() as json_download:
        scriptless.click("#download-json")
    assert json_download.value.suggested_filename == "results.json"
    assert len(json.loads(Path(json_download.value.path()).read_text())["results"]["bindings"]) == 4
    assert scriptless.input_value("#query") == query  # the page stays


def _contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two CSS colours `rgb(r, g, b)`."""

    def luminance(colour: str) -> float:
        red, green, blue = (int(part) / 255 for part in colour[4:-1].split(",")[:3])
        linear = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_highlighting_has_enough_contrast(page) -> None:  # type: ignore[no-untyped-def]
    """axe cannot tell the colours of text drawn under the transparent text area: each kind
    of token is measured here (WCAG 1.4.3: 4.5:1; comments were #80868b, 3.7:1)."""
    page.goto("/")
    page.fill("#query", '# a comment\nSELECT ?s WHERE { ?s a <urn:x> ; skos:prefLabel "x" }')
    background = page.locator(".code-editor").evaluate("e => getComputedStyle(e).backgroundColor")
    measured = page.evaluate(
        "() => [...document.querySelectorAll('#highlight span')]"
        ".map(e => [e.className, getComputedStyle(e).color])"
    )
    assert {kind for kind, _ in measured} >= {"tok-comment", "tok-keyword", "tok-var", "tok-iri"}
    low = {kind: round(_contrast(c, background), 2) for kind, c in measured}
    assert all(ratio >= 4.5 for ratio in low.values()), low


def _languages_marked(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Each `@xx` shown after a value, with the `lang` of the value before it."""
    return page.evaluate(
        "() => [...document.querySelectorAll('main span.lang')].map(e => [e.textContent,"
        " '@' + ((e.previousElementSibling && e.previousElementSibling.lang) || '')])"
    )


def test_values_in_another_language_are_marked(page, scriptless) -> None:  # type: ignore[no-untyped-def]
    """WCAG 3.1.2: a Dutch value on an English page (a label, a description) said only
    `@nl` after it; a screen reader read it as English. Its text carries `lang`: on a
    resource's page, a change's page and the editor's answer (drawn by the script, and by
    the server for a browser without script)."""
    paths = ["/doc/body/ambtelijke-stuurgroep?lang=en"] + (
        [] if REMOTE else ["/changes/1.html?lang=en"]
    )
    for path in paths:
        page.goto(path)
        marked = _languages_marked(page)
        assert marked and all(shown == lang for shown, lang in marked), (path, marked)
    body = "https://w3id.org/srg/id/body/ambtelijke-stuurgroep"
    label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    query = f"SELECT ?label WHERE {{ <{body}> <{label}> ?label }}"
    page.goto(f"/?lang=en&query={quote(query)}#run")
    page.locator("table.result-table tbody tr").first.wait_for()
    scriptless.goto(f"/?lang=en&run=1&query={quote(query)}")
    for opened in (page, scriptless):
        dutch = opened.locator("table.result-table td span[lang='nl']")
        assert dutch.inner_text() == "Ambtelijke Stuurgroep"
        assert (
            opened.locator("table.result-table td span[lang='en']").inner_text()
            == "Civil-service Steering Group"
        )
        assert all(shown == lang for shown, lang in _languages_marked(opened))


def test_a_failed_query_is_announced(page, scriptless) -> None:  # type: ignore[no-untyped-def]
    """Without script, a failed query's page said so only in a box a screen reader does not
    read on arrival: the title says so first, and the text area is invalid, described by the
    error. With script, the text area is invalid until a query runs well."""
    scriptless.goto(f"/?lang=en&run=1&query={quote('SELECT nonsense {')}")
    assert scriptless.title().startswith("Error \u2014 ")
    assert scriptless.get_attribute("#query", "aria-invalid") == "true"
    assert scriptless.get_attribute("#query", "aria-describedby") == "error"
    assert "400" in scriptless.inner_text("#error")
    scriptless.goto("/?lang=en")
    assert not scriptless.title().startswith("Error") and not scriptless.get_attribute(
        "#query", "aria-invalid"
    )
    page.goto("/?lang=en")
    page.fill("#query", "SELECT nonsense WHERE {")
    page.click("#run")
    page.locator("#error").wait_for(state="visible")
    assert page.get_attribute("#query", "aria-invalid") == "true"
    page.fill("#query", "ASK {}")
    page.click("#run")
    page.locator("#results .boolean").wait_for()
    assert page.get_attribute("#query", "aria-invalid") is None


@pytest.mark.parametrize("script", [True, False])
def test_the_endpoint_page_runs_its_query_as_a_table(browser, server, script) -> None:  # type: ignore[no-untyped-def]
    """The form of `/sparql`'s page went to `/sparql`, which gave the browser SPARQL XML
    as text: it goes to the home page's editor, which shows the answer as a table; and its
    "Turtle" link gave the page again."""
    for opened in _opened(browser, server, java_script_enabled=script):
        opened.goto("/sparql?lang=en")
        with opened.expect_navigation():
            opened.click("main form button[type=submit]")
        opened.locator("table.result-table tbody tr").first.wait_for()
        assert opened.locator("table.result-table tbody tr").count() == 10  # nl, en labels
        assert "GovernanceBody" in opened.input_value("#query") and "lang=en" in opened.url
        opened.goto("/sparql?lang=en")
        turtle = opened.get_attribute("main a[type='text/turtle']", "href") or ""
        answer = opened.request.get(turtle, headers={"Accept": "text/html,*/*;q=0.8"})
        assert answer.headers["content-type"].startswith("text/turtle")


def test_download_csv_and_json(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?w WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> } ORDER BY ?w"
    page.goto(f"/?query={quote(query)}")
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    csv = csv_download.value
    assert csv.suggested_filename == "results.csv"
    lines = Path(csv.path()).read_text().splitlines()
    assert lines[0] == "w" and len(lines) == 5
    with page.expect_download() as json_download:
        page.click("#download-json")
    assert json_download.value.suggested_filename == "results.json"
    assert '"bindings"' in Path(json_download.value.path()).read_text()


def test_org_chart_to_a_body_and_on_to_an_organisation(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?lang=nl")
    sro = "https://w3id.org/srg/id/body/smart-region-office"
    box = page.locator(f"svg.orgchart a.box[data-iri='{sro}']")
    box.scroll_into_view_if_needed()
    shot(page, "orgchart-nl")
    box.click()
    page.wait_for_url("**/doc/body/smart-region-office**")
    response = page.request.get(page.url, headers={"Accept": "text/html"})
    if response.status == 404:
        pytest.xfail("the /doc pages are not there yet (navigation reached /doc/body/...)")
    shot(page, "body-sro", full=True)
    assert page.locator("h1").count() == 1
    member = page.locator("main a[href^='/doc/organisation/']").first
    member.click()
    page.wait_for_url("**/doc/organisation/**")
    assert page.locator("h1").count() == 1
    shot(page, "organisation-from-composition", full=True)


def test_switch_language_in_the_header(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/orgchart?lang=nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.click("header .languages a[hreflang='en']")
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"
    title = page.locator("svg.orgchart a.box[data-iri$='/ambtelijke-stuurgroep'] title")
    assert title.text_content() == "Civil-service Steering Group"
    shot(page, "orgchart-en")
    page.click("header .languages a[hreflang='nl']")
    page.wait_for_url("**lang=nl**")
    assert page.locator("html").get_attribute("lang") == "nl"


def test_validation_page(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/validate?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("section.rule").count() > 0
    shot(page, "validate-en", full=True)


def _polylines(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Each line of the chart as points along its path, in screen coordinates."""
    return page.evaluate(
        """() => [...document.querySelectorAll('svg.orgchart path.line')].map(p => {
          const n = 60, length = p.getTotalLength(), m = p.getScreenCTM();
          const points = [];
          for (let i = 0; i <= n; i++) {
            const q = p.getPointAtLength(length * i / n).matrixTransform(m);
            points.push([q.x, q.y]);
          }
          return {kind: p.dataset.kind, from: p.dataset.from, to: p.dataset.to, points};
        })"""
    )


def _crosses(a: list, b: list, ends: float = 14.0) -> bool:
    """Whether two polylines cross away from their ends (lines may meet at a shared box)."""

    def side(p, q, r) -> float:  # type: ignore[no-untyped-def]
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def near_end(p, line) -> bool:  # type: ignore[no-untyped-def]
        return any(abs(p[0] - e[0]) + abs(p[1] - e[1]) < ends for e in (line[0], line[-1]))

    for p1, p2 in pairwise(a):
        for q1, q2 in pairwise(b):
            crossing = side(p1, p2, q1) * side(p1, p2, q2) < 0
            crossing = crossing and side(q1, q2, p1) * side(q1, q2, p2) < 0
            if crossing and not (near_end(p1, a) or near_end(q1, b)):
                return True
    return False


def test_org_chart_lines_do_not_cross(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/orgchart?lang=nl")
    lines = _polylines(page)
    assert len(lines) >= 10
    crossings = [
        (a["from"], a["kind"], b["from"], b["kind"])
        for i, a in enumerate(lines)
        for b in lines[i + 1 :]
        if _crosses(a["points"], b["points"])
    ]
    assert not crossings
    page.locator("svg.orgchart").scroll_into_view_if_needed()
    shot(page, "orgchart-page-nl", full=True)


def test_org_chart_draws_proposals_as_proposals(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/orgchart?lang=nl")
    werkbank = "https://w3id.org/srg/id/werkbank/"

    def box(slug: str):  # type: ignore[no-untyped-def]
        return page.locator(f"svg.orgchart a.box[data-iri='{werkbank}{slug}']")

    def dashes(slug: str) -> str:
        return box(slug).locator("rect").evaluate("r => getComputedStyle(r).strokeDasharray")

    assert dashes("vloca") == "none"
    assert box("vloca").locator("text.lead").text_content() == "Trekker: ABB"
    for slug, lead in (
        ("matchmaking", "VVSG"),
        ("financiering", "VLAIO"),
        ("use-cases", "KPMG/CGR"),
    ):
        assert dashes(slug) not in ("none", ""), slug
        text = box(slug).locator("text.lead")
        assert text.text_content() == f"Voorgestelde trekker: {lead}"
        assert text.evaluate("t => getComputedStyle(t).fontStyle") == "italic"
    # the legend says what a dashed box is, and a reporting-at line is there
    legend = page.locator("svg.orgchart g.orgchart-legend").text_content() or ""
    assert "voorstel" in legend and "rapporteert op" in legend
    assert page.locator("svg.orgchart path.line[data-kind='reports-at']").count() >= 1

    def inside(inner, outer) -> bool:  # type: ignore[no-untyped-def]
        a, b = inner.bounding_box(), outer.bounding_box()
        assert a is not None and b is not None
        return (b["x"] <= a["x"] and a["x"] + a["width"] <= b["x"] + b["width"]
                and b["y"] <= a["y"] and a["y"] + a["height"] <= b["y"] + b["height"])  # fmt: skip

    kerngroep = page.locator("svg.orgchart a.box[data-iri$='/unit/kerngroep'] rect")
    sro_frame = page.locator("svg.orgchart rect.frame.unit[data-iri$='/body/smart-region-office']")
    assert inside(kerngroep, sro_frame)
    group = page.locator("svg.orgchart rect.frame.group")
    for slug in ("vloca", "matchmaking", "financiering", "use-cases"):
        assert inside(box(slug).locator("rect"), group)
    box("matchmaking").scroll_into_view_if_needed()
    shot(page, "orgchart-proposals")


@pytest.mark.parametrize("path", ["/orgchart?lang=en", "/?lang=en"])
def test_org_chart_lines_are_said_in_words(page, path) -> None:  # type: ignore[no-untyped-def]
    """Who reports to, advises or oversees whom was drawn only as lines, which a screen
    reader does not read (WCAG 1.1.1): under the chart each line is said in words, from its
    boxes to its boxes, linking their pages."""
    page.goto(path)
    drawn = page.evaluate(
        """() => { const href = Object.fromEntries([...document.querySelectorAll(
          'svg.orgchart a.box')].map(a => [a.dataset.iri, a.getAttribute('href')]));
          return [...document.querySelectorAll('svg.orgchart path.line')].map(p => [
            p.dataset.kind, p.dataset.from.split(' ').map(i => href[i]),
            p.dataset.to.split(' ').map(i => href[i])]); }"""
    )
    said = page.evaluate(
        """() => [...document.querySelectorAll('details.orgchart-text li')].map(li => [
          li.dataset.kind, [...li.querySelectorAll('a')].map(a => a.getAttribute('href')),
          li.textContent])"""
    )
    assert len(drawn) >= 10 and len(said) == len(drawn)
    words = {"reports": " reports to ", "reports-at": " reports at ", "advises": " advises ",
             "oversees": " oversees "}  # fmt: skip
    for (kind, sources, targets), (said_kind, links, text) in zip(drawn, said, strict=True):
        assert said_kind == kind and links == sources + targets and words[kind] in text
    page.click("details.orgchart-text summary")
    assert page.locator("details.orgchart-text li").first.is_visible()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_navigation_stays_on_one_line_at_1280(page, lang) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/coverage?lang={lang}")
    tops = page.evaluate(
        "() => [...document.querySelectorAll('header.site > *, header.site nav a')]"
        ".map(e => e.getBoundingClientRect()).map(b => Math.round(b.top + b.height / 2))"
    )
    assert max(tops) - min(tops) <= 4, tops


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_coverage_matrix_shows_every_column_at_1280(page, lang) -> None:  # type: ignore[no-untyped-def]
    """The whole matrix fits a 1280 px window: its box has nothing to scroll to."""
    page.goto(f"/coverage?lang={lang}")
    box = page.evaluate(
        "() => { const m = document.querySelector('.matrix');"
        " return [m.scrollWidth, m.clientWidth, document.querySelectorAll("
        "'#coverage-matrix thead th').length]; }"
    )
    assert box[0] <= box[1] and box[2] == 10, box
    last = page.locator("#coverage-matrix thead th").last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= 1280


def test_coverage_json_link_and_mapped_first(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/coverage?lang=en")
    shot(page, "coverage-en", full=True)
    href = page.get_attribute("#coverage-json", "href") or ""
    answer = page.request.get(href, headers={"Accept": "text/html,application/xhtml+xml,*/*"})
    assert answer.headers["content-type"].startswith("application/json")
    assert "components" in answer.json()
    page.click("#mapped-first")
    page.wait_for_url("**sort=mapped**")
    assert page.locator("#coverage-matrix").count() == 1
    assert page.locator("#coverage-sorting strong").text_content() == "mapped cells first"


# One page of every kind, for the layout and accessibility checks.
WERKBANKEN = (
    "SELECT ?w ?label WHERE { ?w a <https://w3id.org/srg/ns#Werkbank> ;"
    " <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
)
PAGES = {
    "home": "/",
    "body": "/doc/body/smart-region-office",
    "werkbank": "/doc/werkbank/matchmaking",
    "organisation": "/doc/organisation/vvsg",
    "component": "/doc/concept/vloca/broker",
    "other": "/doc/open-point/trekker-werkbanken-formeel-aanduiden",
    "ontology": "/ns",
    "shapes": "/shapes",
    "void": "/void",
    "validate": "/validate",
    "coverage": "/coverage",
    "orgchart": "/orgchart",
    "queries": "/api/queries",
    "search": "/search?text=werkbank",
    "sparql": "/sparql",
    "change": "/changes/1.html",
    "not-found": "/doc/body/does-not-exist",
    "changes": "/changes",
    "home-answer": f"/?run=1&query={quote(WERKBANKEN)}",
    "home-error": f"/?run=1&query={quote('SELECT nonsense {')}",
    "api-operations": "/docs/operations",
}
if REMOTE:  # a remote-store server's history starts with its own first write: no change 1
    del PAGES["change"]
WIDTHS = {"desktop": 1280, "phone": 390}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const past = [...document.body.querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    if (box.right <= width + 1) return false;
    for (let up = e.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return false;  // scrolls in its box
    }
    return true;
  });
  return {scroll: root.scrollWidth, client: width,
          past: past.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (typeof e.className === 'string' && e.className ? '.' + e.className : ''))};
}"""
# The violations, and what axe could not decide ("incomplete") but for colour contrast, which
# it cannot work out for text drawn over SVG shapes (the org chart; checked by hand).
AXE_RUN = """async () => {
  const found = await axe.run(document);
  const undecided = found.incomplete.filter(v => v.id !== 'color-contrast');
  return [...found.violations, ...undecided].map(v => ({id: v.id, impact: v.impact,
    help: v.help, nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def axe() -> Path:
    """axe-core from npm, as pinned by package-lock.json (`npm ci` when it is missing)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: run scripts/install-browser.sh (as root) or `make test`")
        command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not AXE.exists():
            pytest.fail(f"npm ci failed: {done.stderr[-2000:]}")
    return AXE


@pytest.fixture
def audit(browser, server):  # type: ignore[no-untyped-def]
    """A page whose CSP lets axe be injected (`bypass_csp`: the CSP allows only our scripts)."""
    yield from _opened(browser, server, bypass_csp=True)


def _overflows(page, path: str, shots: str = "") -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Where the page at `path` scrolls sideways, by language and device (none: empty);
    with `shots`, screenshots of the Dutch page named after it."""
    found = {}
    for lang in ("nl", "en"):
        for device, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            measured = page.evaluate(OVERFLOW)
            if measured["scroll"] > measured["client"]:
                found[f"{lang} {device}"] = measured
            if lang == "nl" and shots:
                shot(page, f"{shots}-{device}", full=True)
    return found


@pytest.mark.parametrize("kind", PAGES)
def test_no_horizontal_overflow_on_desktop_and_phone(audit, kind) -> None:  # type: ignore[no-untyped-def]
    """The page never scrolls sideways; a wide table or chart scrolls inside its own box."""
    shots = kind if kind in ("home", "coverage", "orgchart", "werkbank") else ""
    found = _overflows(audit, PAGES[kind], shots)
    assert not found, f"{kind} overflows: {found}"


@pytest.fixture
def audit_writable(browser, module_writable):  # type: ignore[no-untyped-def]
    """Like `audit`, on the module's writable server."""
    yield from _opened(browser, module_writable, bypass_csp=True)


def test_change_with_a_long_unbroken_label_fits(audit_writable, module_writable) -> None:  # type: ignore[no-untyped-def]
    """A label of 1,500 characters without a space (as a careless import writes one), on a new
    resource: the change's page shows it as the subject's label and as the value, the
    resource's page as its title and a value, and both still fit (the tables were about
    14,000 px wide at 1280 px)."""
    label = "Samenwerkingsverband" * 75
    iri, graph = "https://w3id.org/srg/id/note/long-label", "https://w3id.org/srg/graph/long-label"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{iri}> <{RDFS_LABEL}> "{label}"@nl }} }}'
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    with module_writable.client(headers=headers) as http:
        assert http.post("/sparql", content=update).status_code == 204
        number = http.get("/health").json()["version_number"]
    found = _overflows(audit_writable, f"/changes/{number}.html", "change-long-label")
    assert not found, f"the change page overflows: {found}"
    found = _overflows(audit_writable, "/doc/note/long-label", "resource-long-label")
    assert not found, f"the resource's page overflows: {found}"


@pytest.mark.parametrize(
    ("kind", "lang", "text"),
    [
        ("home", "nl", "Naar de inhoud"),
        ("werkbank", "en", "Skip to the content"),
        ("ontology", "nl", "Naar de inhoud"),
        ("change", "en", "Skip to the content")
        if not REMOTE
        else ("sparql", "en", "Skip to the content"),
        ("not-found", "nl", "Naar de inhoud"),
    ],
)
def test_the_first_tab_reaches_a_skip_link_to_the_content(page, kind, lang, text) -> None:  # type: ignore[no-untyped-def]
    """WCAG 2.4.1 (technique G1): a keyboard user skips the header's dozen links with Tab,
    Enter; the link is hidden until it has focus, and works without a script (the CSP)."""
    path = PAGES[kind]
    page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    link = page.locator("body > a.skip-link")
    assert link.count() == 1, "no skip link"
    hidden = link.bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    page.keyboard.press("Tab")
    focused = "() => [document.activeElement.className, document.activeElement.textContent]"
    assert page.evaluate(focused) == ["skip-link", text]
    shown = link.bounding_box()
    assert shown is not None and shown["width"] > 50 and 0 <= shown["y"] < 900
    shot(page, f"skip-link-{kind}")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
    assert page.url.endswith("#content")
    page.keyboard.press("Tab")  # on from the content, not from the header
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("kind", PAGES)
def test_no_accessibility_violations(audit, axe, kind, lang) -> None:  # type: ignore[no-untyped-def]
    """axe-core (WCAG 2.x A/AA and best practices) finds nothing, of any impact, and leaves
    nothing undecided but the colour of text over the editor's highlighting and the chart."""
    path = PAGES[kind]
    audit.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    audit.add_script_tag(path=str(axe))
    violations = audit.evaluate(AXE_RUN)
    assert not violations, f"{kind} ({lang}): {violations}"


# a table's name as a screen reader gives it on entering it (caption, aria-label(ledby))
TABLE_NAMES = """() => [...document.querySelectorAll('main table')].map(t => {
  const by = (t.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
    .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(' ');
  return [t.id || t.className, (by || t.getAttribute('aria-label')
    || (t.caption && t.caption.textContent) || '').trim()];
})"""


@pytest.mark.parametrize("kind", [k for k in PAGES if k not in ("not-found", "home-error")])
def test_every_table_has_a_name(page, kind) -> None:  # type: ignore[no-untyped-def]
    """A screen reader's list of tables, or a table entered, gave no name but the coverage
    matrix's: each is named by the heading it stands under (the editor's answer: "Answer")."""
    page.goto(PAGES[kind])
    if kind == "home":  # the editor's answer, drawn by the script
        page.fill("#query", WERKBANKEN)
        page.click("#run")
        page.locator("table.result-table tbody tr").first.wait_for()
    names = page.evaluate(TABLE_NAMES)
    assert names or kind in ("ontology", "validate", "orgchart", "sparql"), kind
    assert all(name for _, name in names), f"{kind}: {names}"


@pytest.mark.parametrize("kind", ["home", "home-answer", "home-error"])
def test_no_accessibility_violations_without_the_editor_script(audit, axe, kind) -> None:  # type: ignore[no-untyped-def]
    """The home page as a browser without script shows it (the editor's script refused;
    axe itself needs script), in both languages."""
    audit.route("**/static/editor.js", lambda route: route.abort())
    for lang in ("nl", "en"):
        audit.goto(f"{PAGES[kind]}{'&' if '?' in PAGES[kind] else '?'}lang={lang}")
        assert audit.locator("#example-links").is_visible()  # the script did not run
        audit.add_script_tag(path=str(axe))
        violations = audit.evaluate(AXE_RUN)
        assert not violations, f"{kind} ({lang}) without script: {violations}"


# /docs: Swagger UI as the server sends it, from the server itself (offline, under a CSP)
OPERATIONS = "#swagger-ui .opblock-tag-section .opblock"


def _only_this_server(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Requests to any host but the server's are refused, and listed."""
    elsewhere: list[str] = []

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.context.route("**/*", guard)
    return elsewhere


# a refusal by the CSP, as the page's `securitypolicyviolation` event reports it
REFUSALS = """document.addEventListener('securitypolicyviolation', e =>
  console.error(`CSP refused: ${e.effectiveDirective} ${e.blockedURI} ${e.sample}`))"""


def test_api_docs_are_served_offline_under_the_csp(page) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI is the server's own: no request leaves 127.0.0.1, it draws the operations
    of `/openapi.json` and runs one, and the CSP of the pages refuses nothing it does."""
    elsewhere = _only_this_server(page)
    refused: list[str] = []
    page.add_init_script(REFUSALS)

    def heard(message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text or "CSP refused" in message.text:
            refused.append(message.text)

    page.on("console", heard)
    answer = page.goto("/docs?lang=en")
    assert answer is not None and answer.ok
    assert answer.headers.get("content-security-policy") == CSP
    assert not elsewhere, f"requests that left the server: {elsewhere}"
    page.locator(OPERATIONS).first.wait_for(timeout=15_000)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title().startswith("API documentation")
    tags = page.locator("#swagger-ui .opblock-tag").all_inner_texts()
    assert any("SPARQL 1.1 Protocol" in tag for tag in tags), tags
    sparql = page.locator(f"{OPERATIONS}.opblock-get:has([data-path='/sparql'])")
    sparql.locator(".opblock-summary-control").click()
    sparql.locator(".try-out__btn").click()
    sparql.locator("tr[data-param-name='query'] input").fill("ASK {}")
    sparql.locator(".execute").click()
    body = sparql.locator(".live-responses-table .response-col_description pre")
    body.first.wait_for()
    assert '"boolean": true' in body.first.inner_text()
    shot(page, "api-docs-en")
    assert not elsewhere, f"requests that left the server: {elsewhere}"
    assert not refused, f"refused by the CSP: {refused}"


def test_api_docs_have_no_serious_accessibility_violations(audit, axe) -> None:  # type: ignore[no-untyped-def]
    """axe-core on `/docs` once Swagger UI has drawn the operations, one of them open to try."""
    elsewhere = _only_this_server(audit)
    audit.goto("/docs")
    assert not elsewhere, f"requests that left the server: {elsewhere}"
    audit.locator(OPERATIONS).first.wait_for(timeout=15_000)
    sparql = audit.locator(f"{OPERATIONS}.opblock-get:has([data-path='/sparql'])")
    sparql.locator(".opblock-summary-control").click()
    sparql.locator(".try-out__btn").click()
    graphs = sparql.locator("tr[data-param-name='default-graph-uri']")
    graphs.locator(".json-schema-form-item-add").click()  # an item of an array: its input
    graphs.locator("input").first.wait_for()
    audit.add_script_tag(path=str(axe))
    violations = audit.evaluate(AXE_RUN)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"docs: {serious}"
