"""`srg load`: bulk loads into named graphs, validated, folding in the write-ahead log."""

from __future__ import annotations

import gzip
import io
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES
from rdflib import Graph
from server import run_srg

from srg_graph.dataset import history
from srg_graph.dataset.bulk_load import Progress
from srg_graph.dataset.embedded import Dataset, log_path, read_prefix, snapshot_version
from srg_graph.dataset.writes import apply_write
from srg_graph.store import GraphStore
from srg_graph.store.history_graph import HISTORY

EX = "http://example.org/"
TRIPLES = f'<{EX}a> <{EX}p> "one" .\n<{EX}b> <{EX}p> "two" .\n'


@pytest.fixture
def store(private_store: Path) -> Path:
    return private_store


def srg(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_srg("load", *args, store=store)


def graphs_of(store: Path, subject: str) -> set[str]:
    rows = read_prefix(store).rows(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{subject}> ?p ?o }} }}")
    return {row["g"] for row in rows}


def content(store: Path) -> set[tuple[str, ...]]:
    rows = read_prefix(store).rows("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {tuple(sorted(row.items())) for row in rows if row["g"] != HISTORY}


def folded_in(store: Path) -> None:
    """The snapshot holds every change of the log, which stays: it is the history."""
    last = list(history.changes(log_path(store)))[-1].number
    assert snapshot_version(store) == last


def test_triples_go_to_the_graph_named_after_the_file(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "extra-data.nt"
    path.write_text(TRIPLES)
    run = srg(store, str(path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Loaded 1 file(s)")
    assert graphs_of(store, f"{EX}a") == {"https://w3id.org/srg/graph/extra-data"}


def test_graph_option_and_gzip(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "more.ttl.gz"
    path.write_bytes(gzip.compress(TRIPLES.encode()))
    run = srg(store, str(path), "--graph", f"{EX}graph")
    assert run.returncode == 0, run.stderr
    assert graphs_of(store, f"{EX}b") == {f"{EX}graph"}


def test_quads_keep_their_graphs(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "quads.nq"
    path.write_text(f'<{EX}a> <{EX}p> "q" <{EX}g1> .\n<{EX}c> <{EX}p> "d" .\n')
    assert srg(store, str(path)).returncode == 0
    assert graphs_of(store, f"{EX}a") == {f"{EX}g1"}
    assert graphs_of(store, f"{EX}c") == {"https://w3id.org/srg/graph/quads"}


def test_violations_refuse_the_load_and_change_nothing(store: Path) -> None:
    before = content(store)
    run = srg(store, str(FIXTURES / "bad" / "second-lead.ttl"))
    assert run.returncode == 1
    assert "https://w3id.org/srg/id/werkbank/vloca" in run.stderr
    assert content(store) == before
    assert not store.with_name(store.name + ".new").exists()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.ttl", "<http://example.org/a> <http://example.org/p> .\n", "broken.ttl:1:"),
        ("data.xlsx", "not rdf", "unknown RDF file extension"),
    ],
)
def test_unusable_files_exit_two(
    store: Path, tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    before = content(store)
    run = srg(store, str(path))
    assert run.returncode == 2
    assert message in run.stderr
    assert content(store) == before


def test_load_keeps_the_writes_of_the_log_and_folds_it_in(store: Path, tmp_path: Path) -> None:
    data = Dataset.recovered(store)
    triple = (("iri", f"{EX}logged", None), ("iri", f"{EX}p", None), ("literal", "kept", None))
    apply_write(data, lambda staged: staged.add_triples(f"{EX}log", [triple]))
    assert log_path(store).exists()
    data.close()  # one writer a store: the command owns it now
    path = tmp_path / "after.ttl"
    path.write_text(TRIPLES)
    assert srg(store, str(path)).returncode == 0
    folded_in(store)
    assert graphs_of(store, f"{EX}logged") == {f"{EX}log"}
    assert graphs_of(store, f"{EX}a") == {"https://w3id.org/srg/graph/after"}


def test_the_store_reads_back_as_rdf(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "round.ttl"
    path.write_text(TRIPLES)
    assert srg(store, str(path)).returncode == 0
    reader = GraphStore.read_only(store)
    graph = Graph().parse(data=reader.ntriples(["https://w3id.org/srg/graph/round"]), format="nt")
    assert len(graph) == 2


def test_compact_folds_the_log_into_the_snapshot(store: Path) -> None:
    data = Dataset.recovered(store)
    triple = (("iri", f"{EX}compacted"), ("iri", f"{EX}p"), ("literal", "kept"))
    bindings = tuple((kind, value, None) for kind, value in triple)
    apply_write(data, lambda staged: staged.add_triples(f"{EX}log", [bindings]))
    data.close()  # one writer a store: the command owns it now
    before = content(store)
    run = run_srg("compact", store=store)
    assert run.returncode == 0, run.stderr
    assert "1 logged write(s) folded" in run.stdout
    folded_in(store)
    assert content(store) == before


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only() -> None:
    screen = Terminal()
    bar = Progress(1000, "data.nq", screen)
    for done in (0, 500, 1000):
        bar(done)
    assert screen.getvalue().count("\r") == 3
    assert "100%" in screen.getvalue() and screen.getvalue().endswith("\n")
    piped = io.StringIO()
    Progress(1000, "data.nq", piped)(1000)
    assert piped.getvalue() == ""
