"""HTML pages: one Jinja2 environment (autoescaping every value), the page language, the CSP.

Every page extends `templates/layout.html`, is in Dutch or English (`?lang=` first, then
`Accept-Language`, else Dutch), sets `<html lang>` and `Content-Language`, and is sent with a
Content-Security-Policy that allows only this server's own scripts, styles and images. A label
the model could only give in the other language (`languages.Label`) is marked with its own
`lang` by the templates (`lang_attribute` on the element that shows it, or `marked`), so a
screen reader reads it in that language (WCAG 3.1.2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..languages import LANGUAGES, language_of, pick
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


def lang_attribute(text: str, page: str) -> Markup:
    """` lang="nl"` for a label in another language than the page's, else nothing."""
    lang = language_of(text)
    return Markup(' lang="{}"').format(lang) if lang and lang != page else Markup()


def marked(text: str, page: str) -> Markup:
    """The text, escaped; in a `<span lang>` when it is a label in another language."""
    attribute = lang_attribute(text, page)
    return Markup("<span{}>{}</span>").format(attribute, text) if attribute else escape(text)


def in_language(lang: str) -> dict[str, Any]:
    """What every template of a page in `lang` is given: the words, the picking of labels
    and the marking of those in another language."""
    return {
        "lang": lang,
        "words": WORDS[lang],
        "pick": lambda labels, fallback="": pick(labels, lang, fallback),
        "lang_attribute": lambda text: lang_attribute(text, lang),
        "marked": lambda text: marked(text, lang),
    }


def svg(template: str, lang: str, **context: Any) -> str:
    """An SVG image in `lang` from its template (`orgchart.svg`), escaped like the pages."""
    return ENVIRONMENT.get_template(template).render(**in_language(lang), **context)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the CSP, `Content-Language` and `Vary` headers
    set (the language may come from Accept-Language: a cache must key on it)."""
    lang = language(request)
    page = ENVIRONMENT.get_template(template).render(
        **in_language(lang),
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
