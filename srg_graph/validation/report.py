"""A SHACL validation report: its results with the labels a reader needs (of the shape, the
focus node and the value, in Dutch and English), and the standard `sh:ValidationReport`."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import SH, Graph

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with labels resolved."""

    severity: str
    shape: str
    shape_label: dict[str, str]
    focus: str
    focus_label: dict[str, str]
    path: str | None
    value: str | None
    message: dict[str, str]
    constraint: str


@dataclass(frozen=True)
class Report:
    """A validation report: the results and the standard `sh:ValidationReport` graph."""

    results: list[Result]
    graph: Graph = field(repr=False)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def infos(self) -> list[Result]:
        """The results of severity Info: what is still open (the open-point report)."""
        return [r for r in self.results if r.severity == "Info"]

    @property
    def conforms(self) -> bool:
        """True when nothing of severity Violation was found (warnings are allowed)."""
        return not self.violations


class ShapesError(ValueError):
    """The shapes graph is not usable SHACL."""
