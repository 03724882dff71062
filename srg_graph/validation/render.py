"""Validation reports for people (text), programs (JSON) and SHACL tools (Turtle)."""

from __future__ import annotations

import json
from itertools import groupby

from ..languages import pick
from .report import Report, Result

WORDS = {
    "nl": {
        "title": "Validatierapport",
        "Violation": "Overtreding",
        "Warning": "Waarschuwing",
        "Info": "Info",
        "summary": "{v} overtreding(en), {w} waarschuwing(en), {i} info",
        "conforms": "Het model voldoet aan alle regels.",
        "whole": "het hele rapport",
    },
    "en": {
        "title": "Validation report",
        "Violation": "Violation",
        "Warning": "Warning",
        "Info": "Info",
        "summary": "{v} violation(s), {w} warning(s), {i} info",
        "conforms": "The model satisfies every rule.",
        "whole": "the whole report",
    },
}


def summary(report: Report, lang: str) -> str:
    v, w, i = len(report.violations), len(report.warnings), len(report.infos)
    return WORDS[lang]["summary"].format(v=v, w=w, i=i)


def _rule_key(result: Result) -> tuple[str, str]:
    return (result.severity, result.shape)


def as_text(report: Report, lang: str = "en") -> str:
    """Results grouped by rule, with labels and messages in `lang`."""
    words = WORDS[lang]
    lines = [f"{words['title']}: {summary(report, lang)}"]
    if not report.results:
        lines.append(words["conforms"])
    for (severity, shape), group in groupby(report.results, key=_rule_key):
        results = list(group)
        name = pick(results[0].shape_label, lang, shape)
        lines += ["", f"{words[severity]}: {name} <{shape}> ({len(results)})"]
        for result in results:
            focus = pick(result.focus_label, lang, result.focus)
            lines.append(f"  - {focus} <{result.focus}>")
            message = pick(result.message, lang)
            if message:
                lines.append(f"      {message}")
            if result.value and result.value != result.focus:
                lines.append(f"      value: {result.value}")
    return "\n".join(lines) + "\n"


def as_summary(report: Report, lang: str = "en") -> str:
    """One line of counts and where the whole report is; the violations, which stop a build
    and every write, in full (what `make run` prints before serving)."""
    words = WORDS[lang]
    line = f"{words['title']}: {summary(report, lang)} ({words['whole']}: srg validate)\n"
    if report.conforms:
        return line
    violations = as_text(Report(report.violations, report.graph), lang)
    return line + violations.split("\n", 1)[1]


def as_json(report: Report, lang: str = "en") -> str:
    """Every result with its labels and messages in all languages (`lang` is not needed)."""
    results = [
        {
            "severity": r.severity,
            "shape": r.shape,
            "shapeLabel": r.shape_label,
            "focusNode": r.focus,
            "focusLabel": r.focus_label,
            "path": r.path,
            "value": r.value,
            "message": r.message,
            "constraint": r.constraint,
        }
        for r in report.results
    ]
    body = {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "infos": len(report.infos),
        "results": results,
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def as_turtle(report: Report, lang: str = "en") -> str:
    """The standard `sh:ValidationReport` graph (messages in all languages)."""
    return report.graph.serialize(format="turtle")


RENDERERS = {"text": as_text, "summary": as_summary, "json": as_json, "turtle": as_turtle}
