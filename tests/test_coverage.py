"""The VLOCA coverage page: the matrix and its gaps follow the imported mappings."""

from __future__ import annotations

import httpx
from conftest import TOKEN
from server import Server

ID = "https://w3id.org/srg/id/"
SERVICES = {
    f"{ID}service/{slug}"
    for slug in (
        "eerste-aanspreekpunt-smart-city-beleid",
        "adviescentrum-smart-city",
        "netwerkorganisatie-smart-city",
        "incubatie-vloca",
        "dagelijkse-opvolging-vloca",
    )
}
HEADER = "subject,component,level,assessed_by,assessed_on,note\r\n"


def coverage(server: Server) -> dict:
    with server.client() as client:
        response = client.get("/coverage", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.json()


def test_seed_maps_nothing(server: Server) -> None:
    body = coverage(server)
    assert len(body["components"]) == 9
    assert len(body["unmappedComponents"]) == 9
    assert set(body["unmappedServices"]) == SERVICES
    assert f"{ID}organisation/abb" in body["unmappedOrganisations"]
    # an organisation whose only roles are proposals is a subject too (KPMG/CGR)
    assert f"{ID}organisation/kpmg-cgr" in body["unmappedOrganisations"]
    subjects = {row["subject"]: row["kind"] for row in body["rows"]}
    assert subjects[f"{ID}werkbank/vloca"] == "werkbank"
    assert subjects[f"{ID}organisation/vlaio"] == "organisation"
    assert all(not row["levels"] for row in body["rows"])


def test_import_fills_the_matrix_and_closes_gaps(writable: Server) -> None:
    csv = HEADER + (
        f"{ID}service/incubatie-vloca,{ID}concept/vloca/broker,full,{ID}organisation/abb,"
        "2026-11-20,first assessment\r\n"
        f"{ID}organisation/vlaio,{ID}concept/vloca/marketplace,planned,{ID}organisation/abb,"
        "2026-11-21,\r\n"
    )
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/csv"}
    with writable.client() as client:
        assert client.post("/api/mappings", content=csv, headers=headers).status_code == 200
    body = coverage(writable)
    levels = {row["subject"]: row["levels"] for row in body["rows"]}
    assert levels[f"{ID}service/incubatie-vloca"] == {f"{ID}concept/vloca/broker": "full"}
    assert levels[f"{ID}organisation/vlaio"] == {f"{ID}concept/vloca/marketplace": "planned"}
    assert len(body["unmappedComponents"]) == 7
    assert f"{ID}service/incubatie-vloca" not in body["unmappedServices"]
    assert f"{ID}organisation/vlaio" not in body["unmappedOrganisations"]
    # mapped cells first: the two mapped subjects and components lead, as JSON and as a page
    with writable.client() as client:
        first = client.get("/coverage?format=json&sort=mapped").json()
        page = client.get("/coverage?sort=mapped&lang=en", headers={"Accept": "text/html"}).text
    mapped = {f"{ID}service/incubatie-vloca", f"{ID}organisation/vlaio"}
    assert {row["subject"] for row in first["rows"][:2]} == mapped
    components = {f"{ID}concept/vloca/broker", f"{ID}concept/vloca/marketplace"}
    assert {c["iri"] for c in first["components"][:2]} == components
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "Incubation of VLOCA" in rows[0] + rows[1] and "full" in rows[0] + rows[1]
    assert "Flanders Innovation" in rows[0] + rows[1]


def test_page_in_both_languages(server: Server) -> None:
    with server.client() as client:
        dutch = client.get("/coverage", headers={"Accept": "text/html", "Accept-Language": "nl"})
        english = client.get("/coverage?lang=en", headers={"Accept": "text/html"})
    assert '<html lang="nl">' in dutch.text and "Dekking van VLOCA" in dutch.text
    assert '<html lang="en">' in english.text and "VLOCA coverage" in english.text
    assert 'id="coverage-matrix"' in english.text
    assert "Incubation of VLOCA" in english.text
    assert "Content-Security-Policy" in english.headers


def test_as_json_link_returns_json(server: Server) -> None:
    """The page's "as JSON" link answers JSON to a browser, whose Accept prefers HTML."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with server.client() as client:
        page = client.get("/coverage", headers={"Accept": browser}).text
        href = page.split('id="coverage-json" href="', 1)[1].split('"', 1)[0]
        linked = client.get(href.replace("&amp;", "&"), headers={"Accept": browser})
        plain = client.get("/coverage", headers={"Accept": browser})
    assert linked.headers["content-type"].startswith("application/json")
    assert linked.json()["components"]
    assert plain.headers["content-type"].startswith("text/html")
    assert linked.headers["etag"] != plain.headers["etag"]
    assert 'href="/coverage?lang=nl&amp;sort=mapped"' in page
    with server.client() as client:  # a format it does not have is no page instead
        asked = client.get(
            "/coverage", params={"format": "html"}, headers={"Accept": "application/json"}
        )
        wrong = client.get("/coverage", params={"format": "xml"})
    assert asked.headers["content-type"].startswith("text/html")
    assert wrong.status_code == 400 and "'format' takes one of html, json, not 'xml'" in wrong.text


def test_not_modified_until_the_data_changes(server: Server) -> None:
    with server.client() as client:
        first = client.get("/coverage", headers={"Accept": "application/json"})
        again = client.get(
            "/coverage",
            headers={"Accept": "application/json", "If-None-Match": first.headers["ETag"]},
        )
    assert again.status_code == 304


def test_home_dashboard_shows_the_coverage_gaps(server: Server) -> None:
    with server.client() as client:
        page = client.get("/?lang=en", headers={"Accept": "text/html"}).text
        body = coverage(server)
    assert 'id="coverage-summary"' in page
    unmapped = len(body["unmappedComponents"])
    assert f'<span id="unmapped-component-count">{unmapped}</span>' in page
    services = len(body["unmappedServices"])
    assert f'<span id="unmapped-service-count">{services}</span>' in page


def test_an_accept_of_neither_format_is_406_listing_both(server: Server) -> None:
    """Every other route answers an Accept it cannot meet with 406 and what it offers; the
    coverage sent its page instead, unasked. `*/*`, no Accept and a browser's get the page,
    `?format=` wins over Accept as before."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with server.client() as client:
        refused = client.get("/coverage", headers={"Accept": "text/csv"})
        assert refused.status_code == 406
        assert "text/html" in refused.text and "application/json" in refused.text
        for accept in ("*/*", browser, None):
            page = client.send(without_accept(client, "/coverage", {}, accept))
            assert page.status_code == 200, accept
            assert page.headers["content-type"].startswith("text/html"), accept
        linked = client.get("/coverage?format=json", headers={"Accept": "text/csv"})
        assert linked.headers["content-type"].startswith("application/json")


def without_accept(
    client: httpx.Client, path: str, params: dict, accept: str | None
) -> httpx.Request:
    """A GET with this Accept, or with none at all (the client's own `*/*` taken out)."""
    request = client.build_request("GET", path, params=params)
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return request
