"""The `srg` command: a thin shell over the library (see `srg --help`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .cli_history import add_commands, agent_options, meta_of, report_conflict
from .config import SettingError, Settings, byte_size, read_token_file
from .dataset import bulk_load as loading
from .dataset import remote, wal
from .dataset.build import BuildRefused, build, has_snapshot, source_store
from .dataset.embedded import Dataset, read_prefix
from .dataset.merge import BuildConflict, Resolution
from .dataset.repair import RepairReport, repair
from .dataset.writes import ProtectedGraph, WriteRefused, apply_write
from .errors import InvalidRequest, PortInUse, SourceError, SrgError, StorageError
from .formats import RDF_NAMES
from .model import mappings
from .sparql import named as queries
from .sparql.guard import inspect, unclear_reading
from .sparql.named import NamedQuery
from .sparql.results import SELECT_WRITERS
from .store import QueryRequest, RemoteStore, answer, is_iri
from .validation import render as reports
from .validation.engines import ENGINES, validate_store
from .validation.report import ShapesError

OK, VIOLATIONS, UNUSABLE, STORAGE = 0, 1, 2, 3


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    return replace(settings, store=Path(args.store).resolve()) if args.store else settings


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        report = build(settings, how=Resolution(args.how), meta=meta_of(args, "build"))
    except BuildRefused as refused:
        sys.stderr.write(reports.as_text(refused.report, args.lang))
        sys.stderr.write("Nothing was built: fix the violations above.\n")
        return VIOLATIONS
    print(f"Built {settings.store}: {reports.summary(report, args.lang)}")
    return OK


def cmd_validate(args: argparse.Namespace) -> int:
    store = source_store(Settings().root, args.files)
    report = validate_store(store, args.engine)
    sys.stdout.write(reports.RENDERERS[args.format](report, args.lang))
    return OK if report.conforms else VIOLATIONS


def named_or_file(name_or_file: str, settings: Settings) -> tuple[str, NamedQuery | None]:
    """The SPARQL of a `.rq` file, or the named query `queries/NAME.rq` with its header."""
    path = Path(name_or_file)
    if path.is_file():
        return path.read_text(encoding="utf-8"), None
    if (settings.queries / f"{name_or_file}.rq").is_file():
        named = queries.parse(settings.queries / f"{name_or_file}.rq")
        return named.text, named
    raise SourceError(name_or_file, "no such query file, nor a named query in queries/")


def parameters(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise SourceError(pair, "give parameters as --param name=value")
        found[key] = value
    return found


def built_if_missing(settings: Settings) -> None:
    """Build the store from the sources when there is none yet, and say so on stderr: a
    mistyped --store would otherwise answer quietly from a new store."""
    if has_snapshot(settings.store):
        return
    build(settings)
    sys.stderr.write(f"srg: no store was at {settings.store}: built it from {settings.root}\n")


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    text, named = named_or_file(args.query, settings)
    built_if_missing(settings)
    store = read_prefix(settings.store)
    raw = parameters(args.param)
    try:
        bindings = queries.bind(named, raw, store.is_a) if named else {}
    except queries.ParameterError as error:
        raise SourceError(args.query, str(error)) from error
    if raw and not named:
        raise SourceError(args.query, "--param works with named queries only")
    found = inspect(text)
    unclear = unclear_reading(found, "query")
    if unclear is not None:
        raise SourceError(args.query, unclear)
    graph = (named.form if named else found.query_type) in ("CONSTRUCT", "DESCRIBE")
    formats = RDF_NAMES if graph else tuple(SELECT_WRITERS)
    fmt = args.format or ("turtle" if graph else "tsv")
    if fmt not in formats:
        raise SourceError(args.query, f"format {fmt} does not fit; use one of {sorted(formats)}")
    request = QueryRequest(text, fmt, base_iri=settings.base_iri, bindings=tuple(bindings.items()))
    try:
        sys.stdout.buffer.write(answer(store, request).body)
    except SrgError as error:
        raise SourceError(args.query, error.message) from error
    return OK


def cmd_mappings(args: argparse.Namespace) -> int:
    """`srg mappings import FILE` / `export` / `template`, on the local store."""
    settings = _settings(args)
    built_if_missing(settings)
    if args.action == "template":
        sys.stdout.write(
            mappings.template(read_prefix(settings.store), args.lang, excel=args.excel)
        )
        return OK
    if args.action == "export":
        rows = mappings.current(read_prefix(settings.store))
        if args.format == "json":
            sys.stdout.write(
                json.dumps([m.__dict__ for m in rows], ensure_ascii=False, indent=2) + "\n"
            )
        else:
            sys.stdout.write(mappings.to_csv(rows, excel=args.excel))
        if not rows:
            sys.stderr.write(
                "srg: no mappings yet; `srg mappings template > mappings.csv` lists every "
                "subject to map, with empty columns to fill in\n"
            )
        return OK
    if args.file is None:
        raise SourceError("mappings import", "give the CSV file to import")
    # a dry run only reads, as an export does: it runs beside a server holding the store
    data = None if args.dry_run else Dataset.recovered(settings.store)
    store = read_prefix(settings.store) if data is None else data.store
    try:
        parsed = mappings.parse(_read_file(args.file), mappings.Names(store))
    except mappings.ImportRefused as refused:
        for error in refused.errors:
            column = f" [{error.column}]" if error.column else ""
            sys.stderr.write(f"{args.file}:{error.line}{column}: {error.message}\n")
        return VIOLATIONS
    incoming = parsed.mappings
    outcome = mappings.preview(incoming, mappings.current(store), args.replace)
    counts = ", ".join(f"{len(rows)} {key}" for key, rows in outcome.items())
    if data is not None:
        change = lambda staged: mappings.apply(staged, incoming, args.replace)  # noqa: E731
        apply_write(data, change, meta_of(args, "write"))
    print(f"{'Would import' if args.dry_run else 'Imported'}: {counts}")
    return OK


def cmd_load(args: argparse.Namespace) -> int:
    """`srg load FILE ... [--graph IRI]`: bulk-load into the store, validated."""
    settings = _settings(args)
    if args.graph is not None and not is_iri(args.graph):
        raise SourceError(
            args.graph, "--graph takes an absolute IRI, such as https://w3id.org/srg/graph/extra"
        )
    built_if_missing(settings)
    started = time.monotonic()
    progress, meta = loading.terminal_progress, meta_of(args, "load")
    report = loading.load_files(settings.store, args.files, args.graph, progress, meta)
    seconds = time.monotonic() - started
    print(
        f"Loaded {len(args.files)} file(s) in {seconds:.1f} s: {reports.summary(report, args.lang)}"
    )
    return OK


def cmd_compact(args: argparse.Namespace) -> int:
    """`srg compact`: fold the write-ahead log into the on-disk snapshot (server stopped)."""
    settings = _settings(args)
    if not has_snapshot(settings.store):
        raise SourceError(str(settings.store), "no store here: `srg build` makes one")
    folded = loading.compact(settings.store)
    print(f"Compacted {settings.store}: {folded} logged write(s) folded into the snapshot")
    return OK


def cmd_repair(args: argparse.Namespace) -> int:
    """`srg repair`: make a damaged write-ahead log openable (server stopped)."""
    settings = _settings(args)
    if not settings.store.exists():
        raise SourceError(str(settings.store), "no store here")
    report = repair(settings.store, args.dry_run)
    sys.stdout.write(_repair_text(report, args.dry_run))
    return VIOLATIONS if report.lost else OK


def _repair_text(report: RepairReport, dry_run: bool) -> str:
    kept, replayed = report.kept, report.replayed
    if not report.regions and not report.lost:
        return f"{report.log}: the log is whole ({len(kept)} change(s)); nothing to do.\n"
    span = f" ({wal.span(replayed)})" if replayed else ""
    lines = [f"{report.log}: {len(replayed)} change(s) can be replayed{span}."]
    if len(kept) > len(replayed):
        lines.append(
            f"The snapshot holds the changes up to {report.base}; the log keeps their records "
            f"too ({wal.span(kept[: len(kept) - len(replayed)])}): they are the history."
        )
    for junk, verdict in report.regions:
        lines.append(f"  bytes {junk.offset}-{junk.end}: {junk.reason}: {verdict}")
    if report.dropped:
        lines.append(
            f"{len(report.dropped)} valid record(s) after a region that may have held a change "
            "are dropped (each was validated on a dataset that held the lost change):"
        )
        for change, offset, counts in report.dropped:
            what = ", ".join(f"{n} quad(s) {key}" for key, n in counts.items())
            lines.append(f"  change {change} at byte {offset}: {what}")
    lines += _history_lost(report)
    if dry_run:
        lines.append("Dry run: nothing was changed.")
        return "\n".join(lines) + "\n"
    if report.copy is not None:
        lines.append(f"The log as it was is kept in {report.copy}.")
    if report.dropped_file is not None:
        lines.append(
            f"The dropped changes are in {report.dropped_file} (RDF Patch): redo the ones "
            "still wanted through the server, where they are validated again."
        )
    held = f" ({wal.span(kept)})" if kept else ""
    lines.append(f"The log now holds {len(kept)} change(s){held}; the store opens.")
    return "\n".join(lines) + "\n"


def _history_lost(report: RepairReport) -> list[str]:
    """What leaves the history only: changes the snapshot holds (their data stays)."""
    lines = []
    if report.forgotten:
        lines.append(
            f"The history loses {wal.span(report.forgotten)}: the snapshot holds their data, "
            "so the data keeps them, but the log, which has no gap in its change numbers, "
            "cannot (the copy of the damaged log that repair keeps has those that were readable)."
        )
    if report.unsure:
        lines.append(
            f"The history does not go back before change {report.unsure[-1] + 1}: the records "
            f"of {wal.span(report.unsure)}, which the snapshot holds, may have been in the "
            "damaged bytes."
        )
    return lines


def cmd_push(args: argparse.Namespace) -> int:
    """`srg push`: copy the built dataset, graph by graph, into a remote store."""
    settings = _settings(args)
    if not has_snapshot(settings.store):
        raise SourceError(str(settings.store), "no store here; run `srg build` first")
    target = RemoteStore(args.gsp_endpoint, gsp_url=args.gsp_endpoint)  # no query is sent
    try:
        graphs = remote.push(read_prefix(settings.store), target)
    except SrgError as failed:
        sys.stderr.write(f"srg: {failed.message}\n")
        return UNUSABLE
    finally:
        target.close()
    print(f"Pushed {len(graphs)} graph(s) to {args.gsp_endpoint}")
    return OK


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SourceError(str(path), error.strerror or str(error)) from error


def at_least(low: int) -> Callable[[str], int]:
    """An argument type: a whole number of at least `low` (argparse says what is wrong)."""

    def whole(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or int(text) < low:
            raise argparse.ArgumentTypeError(
                f"takes a whole number of at least {low}, not {text!r}"
            )
        return int(text)

    return whole


SERVE_OPTIONS = (  # flag, Settings field, type, help
    ("--host", "host", str, "address to listen on (default 127.0.0.1)"),
    ("--port", "port", int, "port; 0 picks a free one (default 8000)"),
    ("--query-timeout", "query_timeout", float, "seconds a query may run (default 10)"),
    ("--workers", "workers", at_least(1), "queries answered at once (default 2)"),
    ("--queue-timeout", "queue_timeout", float, "seconds to wait for a worker (default 10)"),
    ("--max-query-memory", "max_query_memory", byte_size, "memory a query may take (1G; 0: off)"),
    ("--answer-cache", "answer_cache", byte_size, "memory for kept answers (256M; 0: off)"),
    ("--history-versions", "history_versions", int, "past versions kept for time travel (2)"),
    ("--max-rows", "max_rows", int, "result row cap (default 100000)"),
    ("--max-result-bytes", "max_result_bytes", int, "result size cap (default 50 MiB)"),
    ("--max-body-bytes", "max_body_bytes", int, "request body cap (default 10 MiB)"),
    ("--compress-min-bytes", "compress_min_bytes", int, "smallest answer gzipped (1024)"),
    ("--max-query-chars", "max_query_chars", int, "query length cap (default 100000)"),
    ("--max-depth", "max_depth", int, "query nesting cap (default 64)"),
    ("--base-iri", "base_iri", str, "base of relative IRIs (default https://w3id.org/srg/id/)"),
    ("--sparql-endpoint", "sparql_endpoint", str, "serve this SPARQL 1.1 store (remote mode)"),
    ("--update-endpoint", "update_endpoint", str, "its update endpoint (else read-only)"),
    ("--gsp-endpoint", "gsp_endpoint", str, "its Graph Store endpoint (its default graph)"),
)


def cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import serve  # the web stack loads only for this command

    settings = _settings(args)
    for _, name, _, _ in SERVE_OPTIONS:
        if getattr(args, name) is not None:
            settings = replace(settings, **{name: getattr(args, name)})
    if args.token_file:
        try:
            tokens = settings.write_tokens + read_token_file(args.token_file)
        except OSError as error:
            raise SourceError(str(args.token_file), f"cannot read it: {error.strerror}") from None
        settings = replace(settings, write_tokens=tokens)
    serve(settings)
    return OK


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["nl", "en"], default="en", help="language of reports")
    common.add_argument("--store", help="store directory (default: var/store or $SRG_STORE)")
    main = argparse.ArgumentParser(prog="srg", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    cmd = commands.add_parser("build", parents=[common], help="validate sources, build the store")
    how = cmd.add_mutually_exclusive_group()
    for resolution, text in (
        (Resolution.PREFER_SOURCES, "on a conflict with the writes since, the files win"),
        (Resolution.PREFER_WRITES, "on a conflict with the writes since, the writes win"),
        (Resolution.DISCARD_WRITES, "the source graphs become the files exactly"),
    ):
        option = f"--{resolution.value}"
        how.add_argument(
            option, dest="how", action="store_const", const=resolution.value, help=text
        )
    cmd.set_defaults(run=cmd_build, how=Resolution.MERGE.value)
    agent_options(cmd)

    cmd = commands.add_parser("validate", parents=[common], help="SHACL report of the sources")
    cmd.add_argument("files", nargs="*", type=Path, help="extra RDF files to validate with them")
    cmd.add_argument(
        "--format",
        choices=sorted(reports.RENDERERS),
        default="text",
        help="text (default), summary (one line, and any violations in full), json, turtle",
    )
    cmd.add_argument(
        "--engine",
        choices=sorted(ENGINES),
        default="fast",
        help="fast: the shapes' SPARQL twins (default); pyshacl: the reference engine",
    )
    cmd.set_defaults(run=cmd_validate)

    cmd = commands.add_parser("query", parents=[common], help="run a query file or named query")
    cmd.add_argument("query", help="a .rq file, or the name of a query in queries/")
    cmd.add_argument("--format", choices=sorted({*SELECT_WRITERS, *RDF_NAMES}))
    cmd.add_argument("--param", action="append", default=[], help="name=value (repeatable)")
    cmd.set_defaults(run=cmd_query)

    cmd = commands.add_parser("load", parents=[common], help="bulk-load RDF files, validated")
    cmd.add_argument("files", nargs="+", type=Path, help=".ttl .nt .nq .trig .rdf .jsonld (.gz)")
    cmd.add_argument("--graph", help="named graph for the triples (default: graph/<file stem>)")
    agent_options(cmd)
    cmd.set_defaults(run=cmd_load)

    cmd = commands.add_parser("compact", parents=[common], help="fold the write log into the store")
    cmd.set_defaults(run=cmd_compact)

    cmd = commands.add_parser(
        "repair", parents=[common], help="make a damaged write log openable (server stopped)"
    )
    cmd.add_argument("--dry-run", action="store_true", help="say what would be done, do nothing")
    cmd.set_defaults(run=cmd_repair)

    cmd = commands.add_parser(
        "mappings", parents=[common], help="import or export VLOCA mappings, or the template"
    )
    cmd.add_argument(
        "action",
        choices=["import", "export", "template"],
        help="template: every subject to map, with its label (--lang) and columns to fill in",
    )
    cmd.add_argument("file", nargs="?", type=Path, help="the CSV file to import")
    cmd.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )
    cmd.add_argument("--replace", action="store_true", help="the file replaces every mapping")
    cmd.add_argument("--format", choices=["csv", "json"], default="csv", help="export format")
    cmd.add_argument(
        "--excel",
        action="store_true",
        help="CSV as Excel opens it in Belgium: `;` between cells, UTF-8 with a BOM",
    )
    agent_options(cmd)
    cmd.set_defaults(run=cmd_mappings)

    cmd = commands.add_parser("push", parents=[common], help="copy the store into a remote one")
    cmd.add_argument("--gsp-endpoint", required=True, help="the remote store's Graph Store URL")
    cmd.set_defaults(run=cmd_push)

    add_commands(commands, common)

    cmd = commands.add_parser("serve", parents=[common], help="serve the SPARQL endpoint")
    for flag, name, kind, text in SERVE_OPTIONS:
        cmd.add_argument(flag, dest=name, type=kind, help=text)
    cmd.add_argument("--token-file", type=Path, help="file of write tokens, one per line")
    cmd.set_defaults(run=cmd_serve)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (SourceError, ShapesError, PortInUse, SettingError) as error:
        sys.stderr.write(f"srg: {error}\n")
        return UNUSABLE
    except WriteRefused as refused:
        sys.stderr.write(reports.as_text(refused.report, args.lang))
        return VIOLATIONS
    except ProtectedGraph as refused:  # e.g. a revert of a build
        sys.stderr.write(f"srg: {refused}\n")
        return VIOLATIONS
    except BuildRefused as refused:
        sys.stderr.write(reports.as_text(refused.report, args.lang))
        return VIOLATIONS
    except BuildConflict as conflict:
        return report_conflict(conflict)
    except InvalidRequest as error:  # e.g. a revert of a change that does not exist
        sys.stderr.write(f"srg: {error.message}\n")
        return UNUSABLE
    except StorageError as error:  # a full disk, a damaged log or snapshot: nothing changed
        sys.stderr.write(f"srg: {error.message}\n")
        return STORAGE


if __name__ == "__main__":
    sys.exit(main())
