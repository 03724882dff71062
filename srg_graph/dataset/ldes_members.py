"""The members of the event stream, and the pages they are written into.

A member is a version of a resource: the state of one resource (its subject-centred
description, `store.resource_versions`) just after a change that touched it. The members of
change `n` are the resources it touched, sorted by IRI; the `k`-th is
`https://w3id.org/srg/id/change/{n}/member/{k}`. Its triples are the description with the
member's IRI as subject, and the envelope:

- `dcterms:isVersionOf` the resource (the stream's `ldes:versionOfPath`);
- `prov:generatedAtTime` the change's time (`ldes:timestampPath`; absent for a change logged
  before changes had times);
- `prov:wasGeneratedBy` the change, `https://w3id.org/srg/id/change/{n}`: the members of one
  change are one transaction (`ldes:transactionPath`), and the last of them says
  `srg:completesChange true` (`ldes:transactionFinalizedPath`);
- a change that leaves no statement about a resource makes a member of type `srg:Deletion`
  (`ldes:versionDeletePath rdf:type`, `ldes:versionDeleteObject srg:Deletion`) with the
  envelope only.

A change that touches no resource (a purge record, an empty graph created) has no members.
The history graph is no source of members: it describes the changes, which `/changes` serves.
The members are appended to the newest page until it holds a page's worth, then to a new one,
a page at a time (`ldes_files.append`).
"""

from __future__ import annotations

from pathlib import Path

from ..namespaces import DCTERMS, PROV, RDF, SRG, XSD
from ..sparql.named import Binding
from ..store import Delta
from ..store.history_graph import change_iri
from ..store.resource_versions import Replica
from . import faults, ldes_files
from .history import Change
from .ldes_files import Page, State

VERSION_OF = DCTERMS + "isVersionOf"
TIMESTAMP = PROV + "generatedAtTime"
TRANSACTION = PROV + "wasGeneratedBy"
FINALIZED = SRG + "completesChange"
DELETION = SRG + "Deletion"
TYPE = RDF + "type"


def member_iri(change: int, index: int) -> str:
    return f"{change_iri(change)}/member/{index}"


def _iri(value: str) -> Binding:
    return ("iri", value, None)


class Members:
    """The members of changes, written into the pages of `state` (files in `folder`),
    `page_size` a page; held until a page fills up or `flush`."""

    def __init__(self, folder: Path, state: State, page_size: int):
        self.folder, self.state, self.page_size = folder, state, page_size
        self._pending: dict[int, list[bytes]] = {}  # by page: members not yet written

    def write(self, replica: Replica, change: Change, delta: Delta) -> None:
        """The members of `change` (its `delta` moves `replica` on)."""
        faults.reach("replica-read")
        touched = replica.advance(delta)
        for index, resource in enumerate(touched, 1):
            version = replica.version(resource)
            envelope: list[tuple[str, Binding]] = []
            if version.deleted:
                envelope.append((TYPE, _iri(DELETION)))
            envelope.append((VERSION_OF, _iri(version.resource)))
            if change.time is not None:
                envelope.append((TIMESTAMP, ("literal", change.time, XSD + "dateTime")))
            envelope.append((TRANSACTION, _iri(change_iri(change.number))))
            if index == len(touched):
                envelope.append((FINALIZED, ("literal", "true", XSD + "boolean")))
            self._add(version.member(member_iri(change.number, index), envelope), change)

    def _add(self, data: bytes, change: Change) -> None:
        state = self.state
        if not state.pages or state.pages[-1].count >= self.page_size:
            if state.pages:
                self.flush()
            state.pages.append(Page(len(state.pages) + 1))
        page = state.pages[-1]
        page.count += 1
        if page.first_change is None:
            page.first_change = change.number
        page.last_change = change.number
        if change.time is not None:
            page.first_time = page.first_time or change.time
            page.last_time = change.time
            state.first_time = state.first_time or change.time
        self._pending.setdefault(page.number, []).append(data)

    def flush(self) -> None:
        """Append the members held to their pages (recording each page's size and digest)."""
        for number, chunks in self._pending.items():
            ldes_files.append(self.folder, self.state.pages[number - 1], b"".join(chunks))
        self._pending.clear()
