"""The import arrows point down: the base app `accounts` knows no app above it, and `segmentation`
knows nothing of `plans`, which sits above both (it hears of the nightly run through a signal)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE_ACCOUNTS = ("segmentation", "plans")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def accounts_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "accounts").rglob("*.py") if "migrations" not in p.parts)


def test_accounts_has_sources_to_check():
    assert len(accounts_sources()) > 10


@pytest.mark.parametrize("path", accounts_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_accounts_imports_no_app_above_it(path):
    upward = sorted(m for m in imported_modules(path) if m.split(".")[0] in ABOVE_ACCOUNTS)
    assert upward == []


def segmentation_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "segmentation").rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", segmentation_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_segmentation_imports_nothing_of_plans(path):
    assert sorted(m for m in imported_modules(path) if m.split(".")[0] == "plans") == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from segmentation.models import Policy\n", encoding="utf-8")
    assert imported_modules(module) == {"segmentation.models"}
