"""The `srg` commands of the history: `history`, `revert`, `purge`, `export`, and who a command
says made its change (`--agent`, `--note`). See `cli` for the others."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from .config import Settings
from .dataset import history
from .dataset.amend import purge, revert
from .dataset.embedded import Dataset, log_path
from .dataset.export import export
from .dataset.history import Meta
from .dataset.merge import BuildConflict
from .errors import SourceError
from .store import nquad_lines, unnamed

OK, CONFLICT = 0, 1


def agent_options(command: argparse.ArgumentParser) -> None:
    """`--agent` and `--note` of a command that makes a change."""
    command.add_argument("--agent", help="who makes the change (default: the login name)")
    command.add_argument("--note", help="why: kept with the change in the history")


def meta_of(args: argparse.Namespace, kind: str) -> Meta:
    agent = args.agent or _login() or "cli"
    return Meta(agent, args.note, kind)


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def store_of(args: argparse.Namespace) -> Path:
    store = Path(args.store).resolve() if args.store else Settings().store
    if not store.exists():
        raise SourceError(str(store), "no store here; run `srg build` first")
    return store


def cmd_history(args: argparse.Namespace) -> int:
    """`srg history [--since N]`: the changes, oldest first."""
    changes = list(history.changes(log_path(store_of(args)), args.since))
    if args.format == "json":
        rows = [_summary(change) for change in changes]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return OK
    for change in changes:
        row = _summary(change)
        note = f"  {_printable(row['note'])}" if row["note"] else ""
        counts = f"-{row['removed']} +{row['added']}"
        sys.stdout.write(
            f"{row['number']:>6}  {row['time'] or '(no time)':<27}  {_printable(row['agent']):<16} "
            f"{row['kind']:<7} {counts:<14}{note}\n"
        )
    return OK


def _printable(text: str) -> str:
    """A note or agent on one line of the listing: a line break would forge a change of its
    own, a terminal escape would reach the operator's terminal; both shown escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _summary(change: history.Change) -> dict[str, object]:
    delta = change.delta
    return {
        "number": change.number,
        "time": change.time,
        "agent": change.meta.agent,
        "kind": change.meta.kind,
        "note": change.meta.note,
        "removed": delta.removed.count(b"\n"),
        "added": delta.added.count(b"\n"),
        "reverts": change.meta.reverts,
    }


def cmd_revert(args: argparse.Namespace) -> int:
    """`srg revert N`: a new change that undoes change N, validated like any write."""
    data = Dataset.recovered(store_of(args))
    delta = revert(data, args.number, meta_of(args, "revert"))
    if not delta:
        print(f"Nothing to revert: what change {args.number} did is no longer in the data")
        return OK
    added, removed = delta.added.count(b"\n"), delta.removed.count(b"\n")
    print(f"Change {data.change_number} reverts change {args.number}: +{added} -{removed}")
    return OK


def cmd_purge(args: argparse.Namespace) -> int:
    """`srg purge --statements FILE --note WHY`: erase statements from the history."""
    try:
        statements = nquad_lines(args.statements.read_bytes())
    except (OSError, SyntaxError) as error:
        raise SourceError(str(args.statements), str(error)) from error
    data = Dataset.recovered(store_of(args))
    done = purge(data, statements, meta_of(args, "purge"))
    if done.number is None:
        print("Nothing purged: no change of the history holds these statements")
        if count := unnamed(statements):
            print(
                f"{count} of them name no graph, so only the default graph's "
                "statements match them: give them as N-Quads, each with the named graph it is "
                "in (`srg history`, `/changes/{n}` show it)"
            )
        return OK
    print(
        f"Purged {done.statements} statement(s) from change(s) {done.changes}; change "
        f"{done.number} records the purge"
    )
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    """`srg export`: write the store's graphs back to the source files."""
    settings = Settings(store=store_of(args)) if args.store else Settings()
    done = export(settings)
    for path in done.written:
        print(f"wrote {path}")
    for graph in done.left_out:
        print(f"left out (no source file): {graph}")
    if not done.written:
        print("The source files say what the store holds: nothing to write")
    return OK


def report_conflict(conflict: BuildConflict) -> int:
    sys.stderr.write(f"srg: {conflict}:\n")
    for found in conflict.conflicts[:50]:
        what = "add again" if found.sources == "add" else "remove"
        sys.stderr.write(f"  the sources {what} {found.statement}\n")
    if len(conflict.conflicts) > 50:
        sys.stderr.write(f"  ... and {len(conflict.conflicts) - 50} more\n")
    sys.stderr.write(
        "Decide: `srg build --prefer-sources` (the files win on these statements), "
        "`--prefer-writes` (the writes win), or `--discard-writes` (the source graphs become "
        "the files exactly); `srg export` first writes the store back to the files.\n"
    )
    return CONFLICT


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cmd = commands.add_parser("history", parents=[common], help="the changes of the store")
    cmd.add_argument("--since", type=int, default=0, help="only the changes after version N")
    cmd.add_argument("--format", choices=["text", "json"], default="text")
    cmd.set_defaults(run=cmd_history)

    cmd = commands.add_parser("revert", parents=[common], help="undo change N as a new change")
    cmd.add_argument("number", type=int, help="the change to undo")
    agent_options(cmd)
    cmd.set_defaults(run=cmd_revert)

    cmd = commands.add_parser("purge", parents=[common], help="erase statements from the history")
    cmd.add_argument(
        "--statements", type=Path, required=True, help="N-Quads file of the statements"
    )
    cmd.add_argument("--agent", help="who purges (default: the login name)")
    cmd.add_argument("--note", required=True, help="why (the legal ground): kept in the history")
    cmd.set_defaults(run=cmd_purge)

    cmd = commands.add_parser("export", parents=[common], help="write the store to the sources")
    cmd.set_defaults(run=cmd_export)
