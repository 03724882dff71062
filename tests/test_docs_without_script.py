"""`/docs` for a reader without script: Swagger UI needs JavaScript, so the page's `<noscript>`
links to `/docs/operations`, every operation of `/openapi.json` (method, path, summary,
parameters, responses) drawn by the server. Checked in
Debian's Chromium with script disabled (tests/test_browser.py's way) against the OpenAPI
description itself, and with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from server import Server
from test_browser import AXE_RUN, _opened, axe, browser, shot  # noqa: F401 (fixtures)

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATION = "section.api-operation"
# each operation as the page lists it: method, path, summary, parameter names, statuses
LISTED = """() => [...document.querySelectorAll('section.api-operation')].map(s => [
  s.querySelector('h3 .method').textContent, s.querySelector('h3 .path').textContent,
  (s.querySelector('h3 .summary') || {textContent: ''}).textContent,
  [...s.querySelectorAll('tr.parameter th code')].map(c => c.textContent),
  [...s.querySelectorAll('ul.responses > li > code')].map(c => c.textContent)])"""


@pytest.fixture(scope="module")
def described(server: Server) -> list[list[Any]]:
    """The operations of `/openapi.json`, as the page should list them."""
    with server.client() as http:
        spec = http.get("/openapi.json").json()
    return [
        [
            method.upper(),
            path,
            op.get("summary", ""),
            [p["name"] for p in op.get("parameters", [])],
            list(op["responses"]),
        ]
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


@pytest.fixture
def scriptless(browser, server) -> Iterator[Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    yield from _opened(browser, server, java_script_enabled=False)


def _same(listed: list[list[Any]], described: list[list[Any]]) -> None:
    assert sorted(listed) == sorted(described)
    assert len(listed) == len(described) > 50


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_docs_without_script_lists_every_operation(scriptless, described, lang) -> None:  # type: ignore[no-untyped-def]
    """Without script `/docs` showed its heading and an empty box: its `<noscript>` links to
    the operations of `/openapi.json` as the server lists them, on a page of their own."""
    scriptless.goto(f"/docs?lang={lang}")
    assert scriptless.locator("#swagger-ui").inner_html() == ""  # Swagger UI did not run
    assert scriptless.locator("main a[href='/openapi.json']").count() >= 1
    shot(scriptless, f"api-docs-without-script-{lang}")
    with scriptless.expect_navigation():
        scriptless.click("main p.without-script a[href='/docs/operations']")
    assert scriptless.url.endswith("/docs/operations")
    operations = scriptless.locator(OPERATION)
    assert operations.first.is_visible()
    _same(scriptless.evaluate(LISTED), described)
    sparql = operations.filter(has=scriptless.locator("h3 .path", has_text="/sparql")).first
    assert sparql.locator("tr.parameter th code", has_text="query").count() == 1
    assert scriptless.locator("main a[href='/openapi.json']").count() == 1


def test_a_write_says_it_needs_the_token(scriptless) -> None:  # type: ignore[no-untyped-def]
    scriptless.goto("/docs/operations?lang=en")
    post = scriptless.locator(OPERATION, has=scriptless.locator("h3 .method", has_text="POST"))
    update = post.filter(has=scriptless.locator("h3 .path", has_text="/sparql")).first
    assert "write token" in update.locator("p.write").inner_text()
    get = scriptless.locator(OPERATION, has=scriptless.locator("h3 .method", has_text="GET"))
    assert (
        get.filter(has=scriptless.locator("h3 .path", has_text="/sparql"))
        .first.locator("p.write")
        .count()
        == 0
    )


def test_the_english_texts_are_marked_on_the_dutch_page(scriptless) -> None:  # type: ignore[no-untyped-def]
    """The OpenAPI description is English: on the Dutch page its texts carry `lang="en"`, the
    page's own words none."""
    scriptless.goto("/docs/operations?lang=nl")
    summary = scriptless.locator(f"{OPERATION} h3 .summary").first
    assert summary.get_attribute("lang") == "en"
    assert scriptless.locator("main h1").get_attribute("lang") is None
    scriptless.goto("/docs/operations?lang=en")
    assert scriptless.locator("main [lang]").count() == 0


# What a browser without script draws of `<noscript>`: its markup, in its place
UNWRAPPED = """() => document.querySelectorAll('noscript').forEach(n => {
  n.insertAdjacentHTML('afterend', n.textContent); n.remove(); })"""


@pytest.fixture
def audit(browser, server) -> Iterator[Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A page with script (axe needs it) whose CSP lets axe be injected, without Swagger UI."""
    for page in _opened(browser, server, bypass_csp=True):
        page.route("**/static/swagger-ui/*.js", lambda route: route.abort())
        page.route("**/static/docs.js", lambda route: route.abort())
        yield page


@pytest.mark.parametrize("path", ["/docs", "/docs/operations"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_accessibility_violations_without_script(audit, axe, path, lang) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """axe-core (which needs script) on what a browser without script shows: `/docs` with its
    `<noscript>` drawn in place and Swagger UI's scripts refused, and `/docs/operations`."""
    audit.goto(f"{path}?lang={lang}")
    audit.evaluate(UNWRAPPED)
    shown = "p.without-script" if path == "/docs" else OPERATION
    assert audit.locator(shown).first.is_visible()
    assert audit.locator("#swagger-ui .opblock").count() == 0  # Swagger UI did not run
    audit.add_script_tag(path=str(axe))
    violations = audit.evaluate(AXE_RUN)
    assert not violations, f"{path} ({lang}) without script: {violations}"
