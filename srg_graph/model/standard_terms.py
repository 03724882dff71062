"""Labels of the standard terms the data reuses (ORG, DCTERMS, SKOS, CPOV, CPSV, ...).

The store holds the labels of the `srg:` terms (the ontology) but not of the standard
vocabularies, so without these a page would show `org:reportsTo` where it shows "advises"
for `srg:advises`. Dutch and English, in `resources/standard-terms.json`; the graph's own
labels win where it has them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

FILE = Path(__file__).resolve().parent / "resources" / "standard-terms.json"


@cache
def _terms() -> dict[str, dict[str, str]]:
    return json.loads(FILE.read_text("utf-8"))["terms"]


def labels(iri: str) -> dict[str, str]:
    """The term's labels by language (`{}` for a term the table does not know)."""
    return _terms().get(iri, {})
