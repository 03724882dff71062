"""A label shown in another language than the page's is marked with its own `lang`.

The model requires Dutch labels, English ones are optional: a term with only a Dutch label is
shown in Dutch on an English page, and a screen reader read it with English pronunciation
(WCAG 3.1.2, language of parts). The element that shows such a label carries `lang="nl"`;
one whose label is in the page's language carries nothing. In a real browser (Debian's
Chromium, as tests/test_browser.py drives it), with axe-core finding nothing on those pages.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TOKEN, running_server
from server import Server
from test_browser import AXE_RUN, _opened, axe, browser  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = FIXTURES.parent.parent
ID = "https://w3id.org/srg/id/"
SVG = "{http://www.w3.org/2000/svg}"
WERKBANK, VVSG = "werkbank/matchmaking", "organisation/vvsg"
BROKER, POINT = "concept/vloca/gegevensknooppunt", "open-point/lead-werkbankoverleg"
TERMS = (WERKBANK, VVSG, BROKER, POINT)
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
# The terms' texts in a language (labels, descriptions) as the store has them
TEXTS = f"""SELECT ?term ?property ?text WHERE {{
  VALUES ?term {{ {" ".join(f"<{ID}{t}>" for t in TERMS)} }}
  ?term ?property ?text FILTER(LANG(?text) != "")
}}"""
# an element's language as the browser works it out
LANGUAGE_OF = "e => e.closest('[lang]').getAttribute('lang')"
# Elements of the content with a `lang` of their own, but the values shown with their tag
# after them (a literal's `@nl`): [language, text]
MARKED = """() => [...document.querySelectorAll('main [lang]')]
  .filter(e => !(e.nextElementSibling && e.nextElementSibling.matches('span.lang')))
  .map(e => [e.getAttribute('lang'), e.textContent.trim()])"""
# Where each page shows a term: (path, CSS selector, term whose label it shows)
SHOWN = [
    (f"/doc/{WERKBANK}", "main h1", WERKBANK),
    (f"/doc/{VVSG}", "main h1", VVSG),
    (f"/doc/{BROKER}", "main h1", BROKER),
    (f"/doc/{POINT}", "main h1", POINT),
    ("/doc/body/smart-region-office", f"main table.lines a[href^='/doc/{WERKBANK}']", WERKBANK),
    (f"/doc/{WERKBANK}", f"main .proposed-lead a[href^='/doc/{VVSG}']", VVSG),
    ("/orgchart", f"svg.orgchart a.box[data-iri='{ID}{WERKBANK}']", WERKBANK),
    ("/orgchart", f"details.orgchart-text a[href^='/doc/{WERKBANK}']", WERKBANK),
    ("/", f"#entries a[href^='/doc/{WERKBANK}']", WERKBANK),
    ("/", f"tr.open-point a[href^='/doc/{POINT}']", POINT),
    ("/coverage", f"#coverage-matrix thead a[href^='/doc/{BROKER}']", BROKER),
    ("/coverage", f"#coverage-matrix tbody a[href^='/doc/{WERKBANK}']", WERKBANK),
    ("/coverage", f"#coverage-matrix tbody a[href^='/doc/{VVSG}']", VVSG),
    ("/validate", f"li.result a[href^='/doc/{WERKBANK}']", WERKBANK),
    ("/", f"li.rule-result a[href^='/doc/{WERKBANK}']", WERKBANK),
    ("/search?text=matchmaking", f"table.search-results a[href^='/doc/{WERKBANK}']", WERKBANK),
]
PATHS = sorted({path for path, _, _ in SHOWN})


@pytest.fixture(scope="module")
def dutch_only(module_writable: Server) -> Server:
    """The module's writable server with four terms' English labels and descriptions taken
    away (`fixtures/dutch-only-labels.ru`)."""
    update = (FIXTURES / "dutch-only-labels.ru").read_text("utf-8")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    with module_writable.client(headers=headers) as http:
        answer = http.post("/sparql", content=update)
    assert answer.status_code == 204, answer.text
    return module_writable


@pytest.fixture(scope="module")
def texts(dutch_only: Server) -> list[dict[str, str]]:
    """The terms' texts in a language: all Dutch, the English ones were taken away."""
    with dutch_only.client() as http:
        answer = http.post(
            "/sparql", data={"query": TEXTS}, headers={"Accept": "application/sparql-results+json"}
        )
    rows = answer.json()["results"]["bindings"]
    assert rows and {r["text"]["xml:lang"] for r in rows} == {"nl"}, rows
    return [{name: term["value"] for name, term in row.items()} for row in rows]


@pytest.fixture(scope="module")
def dutch(texts: list[dict[str, str]]) -> dict[str, str]:
    """Each term's preferred label (Dutch), by `type/slug`."""
    labels = {r["term"].removeprefix(ID): r["text"] for r in texts if r["property"] == PREF_LABEL}
    assert set(labels) == set(TERMS), labels
    return labels


@pytest.fixture
def audit(browser, dutch_only) -> Iterator[object]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A page whose CSP lets axe be injected."""
    yield from _opened(browser, dutch_only, bypass_csp=True)


@pytest.mark.parametrize("path", PATHS)
def test_a_dutch_label_on_an_english_page_is_marked(audit, axe, dutch, texts, path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Each place the page shows one of the terms is in Dutch for the browser, and nothing
    else in its content is marked Dutch; axe-core finds nothing."""
    audit.goto(f"{path}{'&' if '?' in path else '?'}lang=en")
    for _, selector, term in [s for s in SHOWN if s[0] == path]:
        shown = audit.locator(selector)
        assert shown.count() > 0, selector
        for element in shown.all():
            assert dutch[term] in (element.text_content() or ""), (selector, dutch[term])
            assert element.evaluate(LANGUAGE_OF) == "nl", selector
    dutch_texts = {r["text"] for r in texts}
    others = [text for lang, text in audit.evaluate(MARKED) if lang != "en"]
    assert others and all(any(t in text for t in dutch_texts) for text in others), others
    audit.add_script_tag(path=str(axe))
    violations = audit.evaluate(AXE_RUN)
    assert not violations, f"{path} (en): {violations}"


@pytest.mark.parametrize("path", PATHS)
def test_a_label_in_the_pages_language_is_not_marked(audit, dutch, path) -> None:  # type: ignore[no-untyped-def]
    """The same places on the Dutch page: the labels are the page's language, no mark."""
    audit.goto(f"{path}{'&' if '?' in path else '?'}lang=nl")
    for _, selector, term in [s for s in SHOWN if s[0] == path]:
        for element in audit.locator(selector).all():
            assert dutch[term] in (element.text_content() or "")
            assert element.evaluate(LANGUAGE_OF) == "nl" and not element.get_attribute("lang")
    assert [text for lang, text in audit.evaluate(MARKED) if lang != "nl"] == []


def test_the_description_and_the_lead_are_marked(audit, dutch_only) -> None:  # type: ignore[no-untyped-def]
    """A resource's description given only in Dutch, and a lead known by its Dutch
    abbreviation only: in the chart, the lead's line stays English, its name Dutch."""
    audit.goto(f"/doc/{WERKBANK}?lang=en")
    assert audit.locator("main p.description").evaluate(LANGUAGE_OF) == "nl"
    audit.goto("/orgchart?lang=en")
    lead = audit.locator(f"svg.orgchart a.box[data-iri='{ID}{WERKBANK}'] text.lead")
    assert lead.evaluate(LANGUAGE_OF) == "en"
    name = lead.locator("tspan")
    assert name.text_content() == "VVSG" and name.evaluate(LANGUAGE_OF) == "nl"
    assert lead.text_content() == "Proposed lead: VVSG"


def test_the_org_chart_image_marks_it_too(dutch_only, dutch) -> None:  # type: ignore[no-untyped-def]
    """`/orgchart.svg` on its own says its language, and the box's."""
    with dutch_only.client() as http:
        root = ET.fromstring(http.get("/orgchart.svg?lang=en").content)
    assert root.get("lang") == "en"
    box = next(a for a in root.iter(f"{SVG}a") if a.get("data-iri") == ID + WERKBANK)
    assert box.get("lang") == "nl" and box.findtext(f"{SVG}title", "").startswith(dutch[WERKBANK])


ENGLISH_ONLY = """# title: Bodies
# title@nl: Organen
# description: The governance bodies, described in English only.
# tags: bodies
SELECT ?body WHERE { ?body a <https://w3id.org/srg/ns#GovernanceBody> }
"""


@pytest.fixture
def english_query(settings, seed_report, tmp_path) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """A server whose one named query has no Dutch description (only `# title@nl:` and
    `# description:` are required), on a root like the project's."""
    root = tmp_path / "root"
    (root / "queries").mkdir(parents=True)
    for name in ("ontology", "shapes", "data"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    (root / "queries" / "bodies.rq").write_text(ENGLISH_ONLY, "utf-8")
    with running_server(settings, seed_report, tmp_path, SRG_ROOT=str(root)) as running:
        yield running


def test_the_dutch_catalogue_marks_an_english_description(browser, axe, english_query) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """`/api/queries` in Dutch: the Dutch title unmarked, the English description `lang="en"`."""
    for page in _opened(browser, english_query, bypass_csp=True):
        page.goto("/api/queries?lang=nl")
        row = page.locator("#query-list tbody tr", has_text="bodies")
        assert row.locator("strong").text_content() == "Organen"
        assert row.locator("strong").evaluate(LANGUAGE_OF) == "nl"
        description = row.locator("span.muted").first
        assert "in English only" in (description.text_content() or "")
        assert description.get_attribute("lang") == "en"
        page.add_script_tag(path=str(axe))
        assert not page.evaluate(AXE_RUN)
        page.goto("/api/queries?lang=en")
        assert page.evaluate(MARKED) == []
