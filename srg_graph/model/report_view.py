"""A validation report as pages show it: the results grouped by rule, in one language."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from ..languages import pick
from ..validation.report import Report
from .documents import doc_href


def rule_groups(report: Report, lang: str) -> list[dict[str, Any]]:
    """The results grouped by rule (severity and shape), with labels in `lang`."""
    groups = []
    for (severity, shape), group in groupby(report.results, key=lambda r: (r.severity, r.shape)):
        results = list(group)
        items = [
            {
                "focus": r.focus,
                "href": doc_href(r.focus),
                "label": pick(r.focus_label, lang, r.focus),
                "message": pick(r.message, lang),
                "path": r.path if r.path and not r.path.startswith("_:") else None,
                "value": r.value if r.value != r.focus else None,
            }
            for r in results
        ]
        shape_label = pick(results[0].shape_label, lang, shape.rsplit("#", 1)[-1])
        groups.append(
            {"severity": severity, "shape": shape, "label": shape_label, "results": items}
        )
    return groups
