"""The languages of the model and its pages, and how a label is picked among them.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nl", "en")


def pick(labels: Mapping[str, str], lang: str, fallback: str = "") -> str:
    """The label in `lang`, else in the model's other languages (Dutch first), else the
    untagged one, else the fallback."""
    for key in (lang, *LANGUAGES, ""):
        if labels.get(key):
            return labels[key]
    return fallback
