"""The tree shows the architecture, and stays that way: each package's `__init__` says what it
must not import, and this test holds every module to it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "studydeck"
SUBPACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
#: The plain data and helpers every stage shares: they import no stage.
BASE_MODULES = ("model.py", "diagnostics.py", "version.py", "outputs.py")


def imported_parts(path: Path) -> set[str]:
    """The first part below `studydeck.` of everything ``path`` imports (at any depth, lazily or not)."""
    parts: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name == "studydeck" and isinstance(node, ast.ImportFrom):
                parts.update(alias.name for alias in node.names)
            elif name.startswith("studydeck."):
                parts.add(name.split(".")[1])
    return parts


def forbidden(package: str) -> set[str]:
    docstring = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    match = re.search(r"^Must not import: (.+?)\.?$", docstring, re.MULTILINE)
    assert match, f"studydeck/{package}/__init__.py must say what it must not import"
    return {name.strip() for name in match.group(1).split(",")}


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_each_package_imports_only_what_its_init_allows(package: str) -> None:
    banned = forbidden(package)
    assert banned <= {*SUBPACKAGES, "api"}, f"{package}: names a package that does not exist"
    offences = {
        str(path.relative_to(PACKAGE)): sorted(imported_parts(path) & banned)
        for path in sorted((PACKAGE / package).rglob("*.py"))
        if imported_parts(path) & banned
    }
    assert offences == {}


@pytest.mark.parametrize("module", BASE_MODULES)
def test_the_shared_data_imports_no_stage(module: str) -> None:
    assert imported_parts(PACKAGE / module) & {*SUBPACKAGES, "api"} == set()


def test_the_tree_reads_at_a_glance() -> None:
    top_level = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top_level) <= 12, top_level
    too_long = {
        str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400
    }
    assert too_long == {}
