"""The layering of `srg_graph/` (docs/architecture.md) holds, and the check catches a break.

The contracts are import-linter's, in `pyproject.toml`; `lint-imports` checks them on the
code as it is, and on a copy of it with one rule broken on purpose.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package and the contracts found under `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [str(LINT_IMPORTS), "--no-cache"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)


def test_the_contracts_hold() -> None:
    linted = lint_imports(ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "0 broken" in linted.stdout


BREAKS = {  # a file added to a copy of the package -> the contract it breaks
    "store/leak.py": ("from ..web import pages\n", "a package imports only the packages below"),
    "model/engine.py": ("import pyoxigraph\n", "Only store/ imports the engine"),
    "dataset/shacl.py": ("import pyshacl\n", "Only validation/ imports the reference SHACL"),
    "validation/http.py": ("import fastapi\n", "Only web/ speaks HTTP"),
    "sparql/rdf.py": ("import rdflib\n", "SPARQL as text needs no RDF library"),
    "web/routes/borrow.py": ("from .sparql import router\n", "Routers do not import routers"),
}


@pytest.mark.parametrize("path", sorted(BREAKS))
def test_a_broken_rule_is_reported(tmp_path: Path, path: str) -> None:
    shutil.copytree(ROOT / "srg_graph", tmp_path / "srg_graph")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    text, contract = BREAKS[path]
    (tmp_path / "srg_graph" / path).write_text(text, encoding="utf-8")
    linted = lint_imports(tmp_path)
    assert linted.returncode != 0
    broken = linted.stdout.split("Broken contracts", 1)[1]
    assert contract in broken


def test_the_picture_names_every_module() -> None:
    """docs/architecture.md's picture is where a reader looks for a module's place: one
    that it does not name (`model/query_results.py` was missing) has none to be found."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    picture = text.split("```")[1]
    named = set(re.findall(r"[a-z_]+", picture))
    package = ROOT / "srg_graph"
    layers = [p for p in package.iterdir() if (p / "__init__.py").exists()]
    modules = {m.stem for layer in layers for m in layer.glob("*.py")} - {"__init__"}
    modules |= {d.name for layer in layers for d in layer.iterdir() if (d / "__init__.py").exists()}
    assert sorted(modules - named - {"graph_store"}) == []  # named by its class, GraphStore
