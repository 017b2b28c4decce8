"""The import layers (``.importlinter``): ``make lint`` runs the contracts on the tree; these tests show that
they hold and that they catch what they are for, function-level imports included."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "blocks", "cms", "frontend_hooks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / ".importlinter")],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the packages and the contracts, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def add_function(path, body):
    path.write_text(path.read_text() + "\n\ndef _added():\n" + "".join(f"    {line}\n" for line in body))


def test_the_tree_keeps_every_contract(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "message"),
    [
        ("blocks/people.py", "from api.shapes import shape_of", "blocks is not allowed to import api"),
        ("blocks/links.py", "from cms.models import Person", "blocks is not allowed to import cms"),
        ("cms/changes.py", "from api import cache", "cms is not allowed to import api"),
        ("api/richtext.py", "from frontend_hooks import apps", "api is not allowed to import frontend_hooks"),
    ],
)
def test_an_import_against_the_layers_breaks_the_contract(tree, module, imported, message):
    add_function(tree / module, [imported, "return None"])
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert message in result.stdout
    assert "0 broken" not in result.stdout


def test_a_cycle_inside_a_package_breaks_the_contract(tree):
    # api.urls is imported by api.richtext; importing back (even inside a function) makes a cycle.
    add_function(tree / "api/urls.py", ["from . import richtext", "return richtext"])
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert "No cycles are allowed in api" in result.stdout
