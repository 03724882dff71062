"""What the history's pages and APIs show: the list of changes, one change (as JSON, RDF Patch
and a page of labelled statements), and a resource's own history.

The changes come from the history's index (`dataset.changelog`); labels are the store's, as
it is now (a statement about a resource that is gone shows its IRI).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from ..dataset.changelog import ChangeLog, Entry
from ..dataset.history import Change
from ..languages import pick
from ..namespaces import GRAPH, curie
from ..sparql import internal
from ..store import Queries
from ..store.change_documents import Term, statements
from ..store.history_graph import agent_iri, change_iri
from ..validation.report import Report
from .resource_view import Value, View

DEFAULT_LIMIT, MAX_LIMIT = 50, 1000  # changes on a page of /changes
SHOWN = 250  # statements of each kind (removed, added) listed on a change's page
LABELLED = 400  # distinct IRIs looked up for labels on one page, at most
RECENT = 10  # changes listed on a resource's page


def summary(entry: Entry) -> dict[str, Any]:
    """A change as the JSON of `/changes` gives it."""
    return {
        "number": entry.number,
        "iri": change_iri(entry.number),
        "href": f"/changes/{entry.number}",
        "time": entry.time,
        "agent": entry.agent,
        "agentIri": agent_iri(entry.agent),
        "note": entry.note,
        "kind": entry.kind,
        "reverts": entry.reverts,
        "removedCount": entry.removed,
        "addedCount": entry.added,
        "graphs": list(entry.graphs),
        "created": list(entry.created),
        "dropped": list(entry.dropped),
    }


@dataclass(frozen=True)
class Page:
    """A page of `/changes`, newest first: the changes above `since`, at most `limit`, either
    the newest ones numbered below `before` (None: all) or the oldest ones numbered above
    `after`. `older`: the `before` of the next page (None: no older changes); `newer`: the
    parameters of the previous page (`{}`: the first page; None: no newer changes)."""

    entries: list[Entry]
    since: int
    limit: int
    older: int | None
    newer: dict[str, int] | None


def page(
    changes: ChangeLog, since: int, before: int | None, limit: int, after: int | None = None
) -> Page:
    last = changes.last
    if after is not None:
        low = max(since, after)
        top = min(low + limit, last)
    else:
        top = last if before is None else min(before - 1, last)
        low = max(since, top - limit)
    chosen = changes.entries(since=low, until=top)
    chosen.reverse()
    lowest = chosen[-1].number if chosen else None
    older = lowest if lowest is not None and lowest > max(since + 1, changes.first or 1) else None
    return Page(chosen, since, limit, older, _newer(top, limit, last))


def _newer(top: int, limit: int, last: int) -> dict[str, int] | None:
    """The page just above change `top`: the next `limit` changes, which start right after
    it. Pages are counted from the newest change, so a `before` that is not on that count
    leaves fewer than `limit` newer changes at the top: those are a page of their own
    (`after`); the first page would show some of this page's changes again."""
    if top >= last:
        return None
    if top + limit < last:
        return {"before": top + limit + 1}
    return {} if top + limit == last else {"after": top}


def listing(found: Page, current: int) -> dict[str, Any]:
    return {
        "version": current,
        "since": found.since,
        "limit": found.limit,
        "changes": [summary(entry) for entry in found.entries],
    }


def detail(change: Change, entry: Entry, last: int) -> dict[str, Any]:
    """One change as JSON: its summary, the changes before and after it, its statements as
    N-Quads lines."""
    return summary(entry) | {
        "previous": change.number - 1 if change.number > 1 else None,
        "next": change.number + 1 if change.number < last else None,
        "removed": change.delta.removed.decode().splitlines(),
        "added": change.delta.added.decode().splitlines(),
    }


def patch_id(entry: Entry | None) -> str | None:
    """The RDF Patch id of a change: a name-based UUID of its IRI and time, the same each time."""
    if entry is None:
        return None
    return f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{change_iri(entry.number)}@{entry.time}')}"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _literal(text: str) -> str:
    """A string as N-Triples writes it: the four characters its quotes cannot hold escaped."""
    return '"' + text.translate(_ESCAPES) + '"'


def patch(change: Change, entry: Entry, previous: Entry | None) -> bytes:
    """Change `n` as RDF Patch (as Apache Jena RDF Delta replicates): its id and the previous
    change's as headers, one transaction of D and A rows (quads). Creating and dropping a
    named graph has no row of its own in RDF Patch: noted as comments."""
    lines = [f"H id <{patch_id(entry)}> ."]
    if previous is not None:
        lines.append(f"H prev <{patch_id(previous)}> .")
    lines.append(f"H change <{change_iri(change.number)}> .")
    if entry.time:
        lines.append(f'H time "{entry.time}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .')
    lines.append(f"H agent <{agent_iri(entry.agent)}> .")
    if entry.note:
        lines.append(f"H note {_literal(entry.note)} .")
    lines.append("TX .")
    lines += [f"# drop graph <{graph}>" for graph in change.delta.dropped]
    lines += [f"D {quad}" for quad in change.delta.removed.decode().splitlines()]
    lines += [f"# create graph <{graph}>" for graph in change.delta.created]
    lines += [f"A {quad}" for quad in change.delta.added.decode().splitlines()]
    lines.append("TC .")
    return ("\n".join(lines) + "\n").encode()


# -- pages -----------------------------------------------------------------------------------
def _labels(store: Queries, iris: list[str]) -> dict[str, dict[str, str]]:
    """The labels of each IRI by language: preferred labels, else rdfs:labels."""
    found: dict[str, dict[str, str]] = {}
    for iri in iris[:LABELLED]:
        rows = store.rows(internal.query("labels-of"), {"resource": ("iri", iri, None)})
        rows.sort(key=lambda row: row.get("preferred") != "true")
        labels: dict[str, str] = {}
        for row in rows:
            labels.setdefault(row.get("lang", ""), row["label"])
        found[iri] = labels
    return found


def _value(view: View, term: Term, labels: dict[str, dict[str, str]]) -> Value:
    kind, value, extra = term
    if kind == "iri":
        names = labels.get(value, {})
        return view.iri(value, names.get("nl") or names.get(""), names.get("en") or names.get(""))
    if kind == "bnode":
        return Value(f"_:{value}")
    lang = extra[1:] if extra and extra.startswith("@") else ""
    return Value(value, lang=lang)


def _rows(view: View, nquads: bytes, labels: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    rows = []
    for subject, predicate, obj, graph in statements(nquads, SHOWN):
        rows.append(
            {
                "subject": _value(view, subject, labels),
                "predicate": _value(view, predicate, labels),
                "object": _value(view, obj, labels),
                "graph": None if graph is None else view.iri(graph, graph.removeprefix(GRAPH)),
            }
        )
    return rows


def change_page(
    store: Queries, change: Change, entry: Entry, last: int, lang: str, keep_lang: bool
) -> dict[str, Any]:
    """The context of a change's page: what it is, and its statements by label."""
    view = View(lang, keep_lang)
    shown = [
        *statements(change.delta.removed, SHOWN),
        *statements(change.delta.added, SHOWN),
    ]
    iris = list(dict.fromkeys(t[1] for s in shown for t in s[:3] if t[0] == "iri"))
    labels = _labels(store, iris)
    return {
        "change": summary(entry),
        "title": pick({"nl": f"Wijziging {entry.number}", "en": f"Change {entry.number}"}, lang),
        "previous": change.number - 1 if change.number > 1 else None,
        "next": change.number + 1 if change.number < last else None,
        "removed": _rows(view, change.delta.removed, labels),
        "added": _rows(view, change.delta.added, labels),
        "more_removed": max(0, entry.removed - SHOWN),
        "more_added": max(0, entry.added - SHOWN),
        "graphs": [view.iri(g, g.removeprefix(GRAPH)) for g in entry.graphs],
    }


def resource_history(
    changes: ChangeLog, iri: str, until: int | None = None
) -> dict[str, Any] | None:
    """A resource's own history for its page (up to version `until`): how many changes
    touched its statements, the last one (when, by whom, why) and the most recent few; None
    when none did."""
    numbers = [n for n in changes.touching(iri) if until is None or n <= until]
    if not numbers:
        return None
    recent = [changes.entry(n) for n in reversed(numbers[-RECENT:])]
    shown = [summary(entry) for entry in recent if entry is not None]
    return {"count": len(numbers), "last": shown[0], "recent": shown, "curie": curie(iri)}


def memento_note(changes: ChangeLog, version: int) -> dict[str, Any]:
    """What a page of a past version says about it: the change it is just after."""
    entry = changes.entry(version)
    return {"version": version, "change": None if entry is None else summary(entry)}


def no_report() -> Report:
    """The validation report of a past version is not made: its page shows no warnings."""
    return Report([], Graph())
