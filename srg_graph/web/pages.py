"""HTML pages: one Jinja2 environment (autoescaping every value), the page language, the CSP.

Every page extends `templates/layout.html`, is in Dutch or English (`?lang=` first, then
`Accept-Language`, else Dutch), sets `<html lang>` and `Content-Language`, and is sent with a
Content-Security-Policy that allows only this server's own scripts, styles and images.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..languages import LANGUAGES, pick
from . import negotiation
from .parameters import choice

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# The words of the pages themselves (resources/words.json, the same keys in Dutch and
# English); the data brings its own labels in both languages.
WORDS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).resolve().parent / "words.json").read_text("utf-8")
)


def language(request: Request) -> str:
    """`?lang=nl|en`, else the best of `Accept-Language`, else Dutch; 400 for another `lang`
    or one given twice (a page in a language not asked for said nothing of the typo)."""
    asked = choice(request, "lang", LANGUAGES)
    if asked is not None:
        return asked
    return negotiation.choose_language(request.headers.get("accept-language"), LANGUAGES, "nl")


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language: the same path and parameters, `lang` replaced."""
    params = {**dict(request.query_params.multi_items()), "lang": lang}
    return f"{request.url.path}?{urlencode(params)}"


def svg(template: str, **context: Any) -> str:
    """An SVG image from its template (`orgchart.svg`), escaped like the pages."""
    return ENVIRONMENT.get_template(template).render(**context)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the CSP, `Content-Language` and `Vary` headers
    set (the language may come from Accept-Language: a cache must key on it)."""
    lang = language(request)
    page = ENVIRONMENT.get_template(template).render(
        lang=lang,
        words=WORDS[lang],
        pick=lambda labels, fallback="": pick(labels, lang, fallback),
        switch={other: switch_url(request, other) for other in LANGUAGES},
        path=request.url.path,
        **context,
    )
    headers = {
        "Content-Security-Policy": CSP,
        "Content-Language": lang,
        "Vary": "Accept, Accept-Language",
    }
    return HTMLResponse(page, status, headers=headers)
