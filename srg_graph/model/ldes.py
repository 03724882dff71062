"""The documents of the Linked Data Event Stream (`/ldes`): the stream, its root node, its pages.

- `/ldes` is the `ldes:EventStream`: how to read its members (`ldes:versionOfPath`,
  `ldes:timestampPath`, the delete and transaction paths of `dataset.ldes_members`) and
  `tree:view` its root node;
- `/ldes/root`, the root node (a `tree:Node`), says the same about the stream, states the
  retention policy (`ldes:retentionPolicy`: every version is kept) and has two relations to
  each page, on `prov:generatedAtTime` (the stream's timestamp path): a
  `tree:GreaterThanOrEqualToRelation` to the time of its first member and, for a full page, a
  `tree:LessThanOrEqualToRelation` to the time of its last (the newest page is open-ended), so
  a client looking for the members of a time window prunes the other pages;
- `/ldes/{token}/{n}`, a page (a `tree:Node`), lists its members (`tree:member`) and holds
  their triples, in the order of the history; a full page says `ldes:immutable true`.

The stream and the nodes are addresses of this server (resolved against the request, as the
dump links of `/void` are): a client reads a node where the relation says it is. Members and
the resources they are versions of keep their `https://w3id.org/srg/id/` IRIs.
"""

from __future__ import annotations

from ..dataset.ldes import Page, View
from ..dataset.ldes_members import DELETION, FINALIZED, TIMESTAMP, TRANSACTION, TYPE, VERSION_OF
from ..namespaces import DCTERMS, LDES, PREFIXES, RDFS, TREE, XSD
from ..sparql.named import Binding
from ..store.resource_versions import Statement, members_of, render, statements_ntriples

# The media types the stream is served in (the LDES server primer's formats), Turtle first.
OFFERED = (
    "text/turtle",
    "application/trig",
    "application/n-quads",
    "application/n-triples",
    "application/ld+json",
)
# (not `id:`: a member's IRI, `.../id/change/{n}/member/{k}`, is no plain local name)
WRITTEN_WITH = {k: v for k, v in PREFIXES.items() if k != "id"} | {"ldes": LDES, "tree": TREE}
STREAM_PREFIXES = {k: WRITTEN_WITH[k] for k in ("rdf", "rdfs", "xsd", "dcterms", "prov", "srg")}
STREAM_PREFIXES |= {"ldes": LDES, "tree": TREE}
DATETIME = XSD + "dateTime"
RETENTION = (
    "Every version is kept: the history of the dataset is never dropped, so the stream holds "
    "every member from the first change of the history on. Only `srg purge` erases statements "
    "from past versions (where the law requires it); it is recorded as a change of kind purge "
    "(see /changes), and the pages are then made anew under new addresses."
)
RETENTION_NL = (
    "Elke versie blijft bewaard: de geschiedenis van de dataset wordt nooit weggegooid. Enkel "
    "`srg purge` wist uitspraken uit vroegere versies (waar de wet het vereist); dat staat als "
    "wijziging van de soort purge in de geschiedenis (zie /changes), en de pagina's worden dan "
    "opnieuw gemaakt onder nieuwe adressen."
)


def stream_iri(base: str) -> str:
    return base + "ldes"


def root_iri(base: str) -> str:
    return base + "ldes/root"


def page_iri(base: str, token: str, number: int) -> str:
    return f"{base}ldes/{token}/{number}"


def _iri(value: str) -> Binding:
    return ("iri", value, None)


def _time(value: str) -> Binding:
    return ("literal", value, DATETIME)


def _stream(base: str) -> list[Statement]:
    """The stream: how its members are read, and its view."""
    stream = _iri(stream_iri(base))
    return [
        (stream, TYPE, _iri(LDES + "EventStream")),
        (stream, DCTERMS + "title", ("literal", "Smart Region Governance: versions", "@en")),
        (stream, DCTERMS + "title", ("literal", "Smart Region Governance: versies", "@nl")),
        (stream, LDES + "timestampPath", _iri(TIMESTAMP)),
        (stream, LDES + "versionOfPath", _iri(VERSION_OF)),
        (stream, LDES + "versionDeletePath", _iri(TYPE)),
        (stream, LDES + "versionDeleteObject", _iri(DELETION)),
        (stream, LDES + "transactionPath", _iri(TRANSACTION)),
        (stream, LDES + "transactionFinalizedPath", _iri(FINALIZED)),
        (stream, LDES + "transactionFinalizedObject", ("literal", "true", XSD + "boolean")),
        (stream, TREE + "view", _iri(root_iri(base))),
        (_iri(root_iri(base)), TYPE, _iri(TREE + "Node")),
    ]


def _retention(base: str, view: View | None) -> list[Statement]:
    root, policy = _iri(root_iri(base)), _iri(root_iri(base) + "#retention")
    statements = [
        (root, LDES + "retentionPolicy", policy),
        (policy, TYPE, _iri(LDES + "RetentionPolicy")),
        (policy, RDFS + "comment", ("literal", RETENTION, "@en")),
        (policy, RDFS + "comment", ("literal", RETENTION_NL, "@nl")),
    ]
    if view is not None and view.first_time is not None:
        statements.append((policy, LDES + "startingFrom", _time(view.first_time)))
    return statements


def _relations(base: str, view: View) -> list[Statement]:
    """Two relations to each page (one for the newest, which is still open)."""
    root, path = _iri(root_iri(base)), _iri(TIMESTAMP)
    statements: list[Statement] = []
    for page in view.pages:
        node = _iri(page_iri(base, view.token, page.number))
        bounds: list[tuple[str, str | None]] = [("GreaterThanOrEqualTo", page.first_time)]
        if view.full(page):
            bounds.append(("LessThanOrEqualTo", page.last_time))
        for kind, value in bounds:
            relation: Binding = ("bnode", f"r{page.number}{kind[0]}", None)
            statements.append((root, TREE + "relation", relation))
            if value is None:  # members of changes logged before changes had times
                statements.append((relation, TYPE, _iri(TREE + "Relation")))
            else:
                statements.append((relation, TYPE, _iri(f"{TREE}{kind}Relation")))
                statements.append((relation, TREE + "path", path))
                statements.append((relation, TREE + "value", _time(value)))
            statements.append((relation, TREE + "node", node))
            remaining = ("literal", str(page.count), XSD + "integer")
            statements.append((relation, TREE + "remainingItems", remaining))
    return statements


def stream_document(base: str, fmt: str) -> bytes:
    """`/ldes` in `fmt` (a name of `formats`)."""
    return render([statements_ntriples(_stream(base))], fmt, STREAM_PREFIXES)


def root_document(base: str, view: View, fmt: str) -> bytes:
    """`/ldes/root`: the stream, the retention policy and the relations to every page."""
    statements = _stream(base) + _retention(base, view) + _relations(base, view)
    return render([statements_ntriples(statements)], fmt, STREAM_PREFIXES)


def page_document(base: str, view: View, page: Page, members: bytes, fmt: str) -> bytes:
    """A page: its members, listed on the stream, and their triples."""
    stream, node = _iri(stream_iri(base)), _iri(page_iri(base, view.token, page.number))
    statements: list[Statement] = [(stream, TYPE, _iri(LDES + "EventStream"))]
    statements.append((node, TYPE, _iri(TREE + "Node")))
    if view.full(page):
        statements.append((node, LDES + "immutable", ("literal", "true", XSD + "boolean")))
    statements += [
        (stream, TREE + "member", _iri(member)) for member in members_of(members, VERSION_OF)
    ]
    return render([statements_ntriples(statements), members], fmt, WRITTEN_WITH)
