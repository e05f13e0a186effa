"""The layering of ARCHITECTURE.md holds: import-linter's contracts (pyproject.toml) are
kept, and no module imports the project's own code inside a function to dodge a cycle.

Two kinds of function are meant to import: an AppConfig's ready() (Django apps register
with each other there) and workers.preload() (it exists to import the heavy experiment
modules once per worker process). Torch, transformers and TRL stay imported inside the
engine's functions: importing `workers` must stay cheap for the web process."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "course", "quizzes", "labs", "cohorts", "workers")
IMPORTERS = {("apps.py", "ready"), ("__init__.py", "preload")}


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def _imports_inside_functions(path: Path, root: Path = ROOT) -> list[str]:
    """`module:line` of each import of a project package inside a function, except in the
    functions meant to import (IMPORTERS)."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (path.name, function.name) in IMPORTERS:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] in PACKAGES for name in names):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_module_imports_project_code_inside_a_function():
    files = [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert len(files) > 50
    found = [where for path in files for where in _imports_inside_functions(path)]
    assert found == []


def test_the_check_finds_an_import_hidden_in_a_function(tmp_path):
    views, apps = tmp_path / "views.py", tmp_path / "apps.py"
    views.write_text("def page():\n    from labs.models import Lab\n    return Lab\n")
    apps.write_text("class C:\n    def ready(self):\n        import labs.bundle\n")
    assert _imports_inside_functions(views, tmp_path) == ["views.py:2"]
    assert _imports_inside_functions(apps, tmp_path) == []
