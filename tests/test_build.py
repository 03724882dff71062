"""The build: sources to named graphs, refusal on broken or violating sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from srg_graph.config import Settings
from srg_graph.dataset.build import BuildRefused, build
from srg_graph.dataset.embedded import read_prefix
from srg_graph.dataset.sources import discover
from srg_graph.errors import SourceError
from srg_graph.namespaces import GRAPH
from srg_graph.store import GraphStore
from srg_graph.store.history_graph import HISTORY


def copy_sources(target: Path) -> Path:
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    """A private copy of the sources and an already built store, to break on purpose."""
    settings = Settings(root=copy_sources(tmp_path / "src"), store=tmp_path / "store")
    build(settings)
    return settings


def store_content(settings: Settings) -> set[str]:
    store = GraphStore(settings.store)
    try:
        rows = store.rows("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {" ".join(sorted(row.values())) for row in rows}
    finally:
        store.close()


def test_one_named_graph_per_source_file(settings: Settings, seed: GraphStore) -> None:
    expected = {source.graph for source in discover(ROOT)}
    assert set(GraphStore.read_only(settings.store).graph_names()) == expected
    # and the history's own, made from the log when the store is loaded (not in the snapshot)
    assert set(read_prefix(settings.store).graph_names()) == expected | {HISTORY}
    assert f"{GRAPH}ontology" in expected
    assert f"{GRAPH}shapes/bodies" in expected or any("/shapes/" in g for g in expected)


def test_default_graph_is_the_union(seed: GraphStore) -> None:
    # a body (data) and its class's label (ontology) come from different graphs
    assert seed.ask(
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        ASK { <https://w3id.org/srg/id/body/smart-region-office> a ?class .
              ?class rdfs:label ?label }"""
    )


def test_every_source_file_is_in_the_store(seed: GraphStore) -> None:
    for graph in seed.graph_names():
        assert seed.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"), graph


def test_syntax_error_names_file_line_and_column(workspace: Settings) -> None:
    before = store_content(workspace)
    shutil.copy(FIXTURES / "bad" / "broken-syntax.ttl", workspace.root / "data" / "zz-broken.ttl")
    with pytest.raises(SourceError) as raised:
        build(workspace)
    assert raised.value.file == "data/zz-broken.ttl"
    assert (raised.value.line, raised.value.column) == (5, 14)
    assert str(raised.value).startswith("data/zz-broken.ttl:5:14: ")
    assert store_content(workspace) == before


def test_a_source_file_of_the_history_graph_is_refused(workspace: Settings) -> None:
    """`data/history.ttl` would be the history graph, which only the changes write (the store
    makes it again from its log, so the file was silently left out); an `srg export` of
    before 2026-12-06 wrote it there."""
    before = store_content(workspace)
    (workspace.root / "data" / "history.ttl").write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    with pytest.raises(SourceError) as raised:
        build(workspace)
    assert "history graph" in str(raised.value) and "history.ttl" in str(raised.value)
    assert store_content(workspace) == before


def test_violations_refuse_the_build_and_keep_the_old_store(workspace: Settings) -> None:
    before = store_content(workspace)
    shutil.copy(FIXTURES / "bad" / "second-lead.ttl", workspace.root / "data" / "zz-bad.ttl")
    with pytest.raises(BuildRefused) as refused:
        build(workspace)
    focus = {r.focus for r in refused.value.report.violations}
    assert "https://w3id.org/srg/id/werkbank/vloca" in focus
    assert store_content(workspace) == before


def test_a_rebuild_drops_the_graph_of_a_removed_file(workspace: Settings) -> None:
    (workspace.root / "data" / "next-steps.ttl").unlink()
    build(workspace)
    graphs = GraphStore(workspace.store).graph_names()
    assert f"{GRAPH}next-steps" not in graphs
    assert not workspace.store.with_name("store.new").exists()
    assert not workspace.store.with_name("store.old").exists()
