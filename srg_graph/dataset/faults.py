"""Fault injection for the tests: named points of the write path (and of the event stream's
reads) where a test makes the process crash or an I/O call fail.

Off unless the environment variable `SRG_FAULTS` is set when the process starts; nothing
sets it but the fault-injection tests (`tests/test_faults.py`, `tests/test_ldes_*.py`), which
start real servers and commands with it. Its value is a comma-separated list of
`ACTION@POINT`, optionally `ACTION@POINT#N` (the N-th time the point is reached; default the
first) or `#N+` (from the N-th time on); a point may be named more than once
(`EIO@log-read#1,EIO@log-read#2`: the first two times):

- `crash`: the process ends at once (`os._exit(86)`: no clean-up, no buffers flushed, what
  `kill -9` leaves); at `log-write` half the record is written first (a torn record), at
  `stream-page` half the members;
- an errno name (`EIO`, `ENOSPC`, `EDQUOT`, ...): the I/O call at the point raises `OSError`
  with it; at `log-write` and `stream-page` half is written first, as a real short write
  leaves;
- `corrupt`: the engine's read at the point finds a block whose checksum does not match
  (`RuntimeError("Corruption: ...")`, what pyoxigraph raises for it), as a disk that returns
  other bytes than it was given leaves.

For example `SRG_FAULTS=EIO@log-fsync#3` fails the third fsync of the log, and
`SRG_FAULTS=crash@swap-retired` ends `srg compact` with the old snapshot moved aside and the
new one not yet in its place. The points at which the event stream reads (`log-read`,
`stream-read-state`, `stream-read-page`, `replica-read`) make its failed reads.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

CRASH_STATUS = 86
# The points, in the order a write or a snapshot replacement reaches them.
POINTS = {
    "log-open": "opening the write-ahead log to append a record",
    "log-write": "writing a record to the write-ahead log (half of it is written first)",
    "log-fsync": "the fsync that makes a record durable",
    "log-truncate": "the truncation that rolls a failed append back",
    "commit-before-append": "a validated write, before its record is appended",
    "commit-appended": "the record is durable; the write is not applied nor acknowledged",
    "commit-applied": "the write is applied and sent to the query worker, not yet acknowledged",
    "snapshot-dumped": "the new snapshot's dump files are written, not yet its index",
    "swap-staged": "the new snapshot is complete beside the old one",
    "swap-retired": "the old snapshot is moved aside, the new one not yet in its place",
    "swap-replaced": "the new snapshot is in place; the old one and the log not yet removed",
    "base-write": "the record of what a build read from the sources, after its change",
    "lock-note": "the owner's process id written into the store's lock file",
    "stream-write": "the event stream's state written beside its pages",
    "stream-page": "members appended to a page of the event stream (half of them written first)",
    # the event stream's reads
    "log-read": "the write-ahead log read for its changes (the history: the event stream)",
    "stream-read-state": "the event stream's state read from beside its pages",
    "stream-read-page": "a page of the event stream read to be served",
    "replica-read": "the event stream's replica read to make the members of a change",
}
ENGINE_DAMAGE = "Corruption: block checksum mismatch (injected by SRG_FAULTS)"


@dataclass
class _Rule:
    action: str
    nth: int
    onwards: bool

    def due(self, reached: int) -> bool:
        return reached >= self.nth if self.onwards else reached == self.nth


_rules: dict[str, list[_Rule]] = {}
_reached: dict[str, int] = {}  # by point: the times it was reached


def configure(spec: str) -> None:
    """Arm the faults of `spec` (the syntax of `SRG_FAULTS`); an empty spec disarms them."""
    rules: dict[str, list[_Rule]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        action, _, where = item.partition("@")
        point, _, count = where.partition("#")
        if point not in POINTS:
            raise ValueError(f"SRG_FAULTS: no such point {point!r}; the points: {sorted(POINTS)}")
        if action not in ("crash", "corrupt") and not isinstance(getattr(errno, action, None), int):
            raise ValueError(
                f"SRG_FAULTS: {action!r} is neither `crash`, `corrupt` nor an errno name"
            )
        onwards = count.endswith("+")
        rules.setdefault(point, []).append(_Rule(action, int(count.rstrip("+") or 1), onwards))
    _rules.clear()
    _rules.update(rules)
    _reached.clear()


def armed(point: str) -> str | None:
    """The action due at this arrival at `point` (counted), or None (always, in production)."""
    if not _rules:
        return None
    rules = _rules.get(point)
    if rules is None:
        return None
    reached = _reached[point] = _reached.get(point, 0) + 1
    return next((rule.action for rule in rules if rule.due(reached)), None)


def fire(action: str) -> None:
    """Do what an armed fault says: crash, raise the engine's damage, or raise the errno."""
    if action == "crash":
        os._exit(CRASH_STATUS)
    if action == "corrupt":
        raise RuntimeError(ENGINE_DAMAGE)
    code = getattr(errno, action)
    raise OSError(code, f"{os.strerror(code)} (injected by SRG_FAULTS)")


def reach(point: str) -> None:
    """Crash or fail here if a fault is armed for this arrival at `point`."""
    action = armed(point)
    if action is not None:
        fire(action)


configure(os.environ.get("SRG_FAULTS", ""))
