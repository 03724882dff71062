"""The languages of the model and its pages, and how a label is picked among them.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nl", "en")


class Label(str):
    """A label as picked: its text, with `lang`, the language it is in ("" when unknown: an
    untagged label or a fallback such as an IRI). A str, so whatever used the text (sorting,
    wrapping, JSON) is unchanged; a page marks the label with `lang` when it is not in the
    page's language (WCAG 3.1.2), which only the picking knows."""

    lang: str

    def __new__(cls, text: str, lang: str = "") -> Label:
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    def __reduce__(self) -> tuple[type[Label], tuple[str, str]]:
        return Label, (str(self), self.lang)


def pick(labels: Mapping[str, str], lang: str, fallback: str = "") -> Label:
    """The label in `lang`, else in the model's other languages (Dutch first), else the
    untagged one, else the fallback (of no known language)."""
    for key in (lang, *LANGUAGES, ""):
        if labels.get(key):
            return Label(labels[key], key)
    return Label(fallback)


def language_of(text: str) -> str:
    """The language a picked label is in; "" for any other text."""
    return getattr(text, "lang", "")
