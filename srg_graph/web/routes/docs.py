"""`/docs`: the API documentation, Swagger UI 5 on `/openapi.json`, all from this server.

Swagger UI's files (`swagger-ui-bundle.js`, `swagger-ui.css`) are those the fastapi-offline
package ships (pinned in pyproject.toml), served at `/static/swagger-ui/` (`ASSETS`) with
the ETags and dates of `/static/`. The page is a template of ours and `static/docs.js` starts
Swagger UI: no inline script, no request to another host, so the page works offline. It has
the CSP of every page (`pages.CSP`): Swagger UI sets its inline styles through the DOM, which
a CSP does not restrict, so not even `style-src 'unsafe-inline'` is needed. `static/docs.css`
and `docs.js` mend what axe-core finds serious in Swagger UI (colours under AA contrast,
unnamed controls, links inside buttons).

Swagger UI needs script: without it the page showed only its heading. Its `<noscript>` links
to `/docs/operations`, every operation (method, path, summary, parameters, request body,
responses) of the same OpenAPI description, drawn by the server (`model.api_operations`).

FastAPI's own `/docs` (Swagger UI from a CDN, an inline script) is off, and so are `/redoc`
(from a CDN too) and `/docs/oauth2-redirect` (the API's one scheme is a bearer token, no
OAuth2 flow): see `app.create_app`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.staticfiles import StaticFiles

from ...model.api_operations import groups
from .. import pages

router = APIRouter(tags=["Pages"])

ASSETS = StaticFiles(packages=[("fastapi_offline", "static")])  # found with importlib


@router.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
async def docs(request: Request) -> Response:
    return pages.render(request, "docs.html")


@router.api_route("/docs/operations", methods=["GET", "HEAD"], include_in_schema=False)
async def docs_operations(request: Request) -> Response:
    """The operations of `/openapi.json` as a page, for a reader without script."""
    return pages.render(request, "docs-operations.html", api=groups(request.app.openapi()))
