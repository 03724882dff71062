"""Which generation of the log the event stream's pages belong to, and whether they are whole.

The pages are made from one log file: `state.json` records its identity (device and inode)
and a fingerprint of the last change written. `srg purge` and `srg repair` rewrite the log's
past by replacing the file, so pages recorded for another file, or whose last change the log
no longer holds as it was, belong to a past generation and are made anew under a new token.
An advance cut short is taken back only on the log it was made from, and only when it
recorded how far it went. Pages whose files hold fewer bytes than recorded are not whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import history
from .history import Change
from .ldes_files import State


def fingerprint(change: Change) -> str:
    """What tells a change of the log from another with its number (after a rewrite)."""
    digest = hashlib.sha256(f"{change.number}\n{change.time}\n".encode())
    digest.update(change.delta.removed)
    digest.update(b"\n--\n")
    digest.update(change.delta.added)
    return digest.hexdigest()[:32]


def identity(path: Path) -> list[int] | None:
    """The file's device and inode (None: there is no file)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return [found.st_dev, found.st_ino]


def belongs(state: State, log: Path) -> bool:
    """Whether the pages were made from this log file (a rewritten log is a new file), and
    an advance cut short can be taken back."""
    if state.dirty and state.pending is None:
        return False  # cut short by a version that did not record how far it went
    if state.version == 0 and (not state.dirty or state.base is None):
        return True  # nothing made from the log yet that is kept
    return state.log == identity(log)


def whole(state: State, directory: Path, log: Path) -> bool:
    """The page files (in `directory`) hold (at least) as many bytes as the state says, and
    the log's change `version` is the one the pages were made from."""
    for page in state.pages:
        path = directory / state.token / f"{page.number}.nt"
        try:
            if path.stat().st_size < page.size:
                return False
        except FileNotFoundError:
            return False
    if state.version == 0:
        return True
    found = next(history.changes(log, state.version - 1), None)
    return (
        found is not None
        and found.number == state.version
        and (fingerprint(found) == state.fingerprint)
    )
