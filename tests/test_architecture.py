"""The layers hold, and a wrong import fails `make lint`: the import-linter contracts of
pyproject.toml on the tree and on a copy with a planted import, and no module of kesu/ in an
import cycle (grimp; an import inside a function counts as much as one at the top)."""

import copy as copying
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of two or more modules that import each other, directly or through others
    (the strongly connected components of the import graph, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """kesu/'s imports, late (function-level) ones included."""
    return grimp.build_graph("kesu", cache_dir=None)


def test_no_module_of_kesu_is_in_an_import_cycle(graph):
    assert import_cycles(graph) == []


def test_a_late_import_that_closes_a_cycle_is_found(graph):
    planted = copying.deepcopy(graph)
    # the cycle wording.py broke: a model's clean() importing the templates late
    planted.add_import(
        importer="kesu.notifications.models",
        imported="kesu.notifications.templates",
        line_number=1,
        line_contents="from kesu.notifications.templates import template_error",
    )
    assert import_cycles(planted) == [["kesu.notifications.models", "kesu.notifications.templates"]]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """`lint-imports` as `make lint` runs it, on the tree at `cwd` (its kesu/ first on the
    path, so a copy is read instead of the installed tree)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold_on_the_tree():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path) -> Path:
    """kesu/ and pyproject.toml in a directory of their own, to plant imports in."""
    shutil.copytree(ROOT / "kesu", tmp_path / "kesu", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def said(result: subprocess.CompletedProcess) -> str:
    """What lint-imports printed, its wrapped lines joined."""
    return " ".join(result.stdout.split())


def plant(copy: Path, module: str, line: str) -> None:
    path = copy / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def test_core_importing_an_app_fails_the_contracts(copy):
    plant(copy, "kesu.core.clock", "import kesu.workspace  # noqa")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kesu.core.clock -> kesu.workspace" in result.stdout
    assert "core is infrastructure: it imports no app above it BROKEN" in said(result)


def test_the_domain_importing_a_channel_fails_the_contracts(copy):
    plant(copy, "kesu.complaints.queries", "def late():\n    from kesu.mail import intake")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kesu.complaints is not allowed to import kesu.mail" in result.stdout
    assert "kesu.complaints.queries -> kesu.mail.intake" in result.stdout


def test_the_frame_used_outside_the_actions_package_fails_the_contracts(copy):
    plant(copy, "kesu.workspace.views", "from kesu.complaints.actions.frame import record  # noqa")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kesu.workspace.views -> kesu.complaints.actions.frame" in result.stdout
    assert "the rest of kesu calls kesu.complaints.actions BROKEN" in said(result)


def test_a_two_module_cycle_fails_the_contracts(copy):
    # inside a function, as the late imports that hid the old cycles were
    plant(
        copy,
        "kesu.notifications.models",
        "def late():\n    from kesu.notifications.templates import render",
    )
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "within each app, no two sibling packages or modules import each other BROKEN" in (
        said(result)
    )


def test_every_part_of_kesu_has_its_layer():
    """A new app (or a new module of the portal, split between channel and domain) is placed
    in the layers contract; until then it could import anything."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    parts = {f"kesu.{p.stem}" for p in (ROOT / "kesu").glob("*.py") if p.stem != "__init__"}
    parts |= {f"kesu.{p.name}" for p in (ROOT / "kesu").iterdir() if (p / "__init__.py").exists()}
    portal = ROOT / "kesu" / "portal"
    parts.discard("kesu.portal")
    parts |= {f"kesu.portal.{p.stem}" for p in portal.glob("*.py")} - {
        "kesu.portal.__init__",
        "kesu.portal.apps",
    }
    parts |= {"kesu.portal.templatetags"}
    assert parts - placed == set()
    assert placed - parts == set()
