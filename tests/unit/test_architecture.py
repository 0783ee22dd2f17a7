"""The shape of the code (docs/architecture.md): small modules, short functions, and
no private name borrowed from another module. import-linter checks the layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_CODE = ("bot", "actions", "addons", "scripts")
ALL_CODE = (*RUNTIME_CODE, "tests", "migrations")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Exceptions, each with its reason (keep this short; the closing note lists them).
LONG_MODULES: dict[str, str] = {}
LONG_FUNCTIONS: dict[str, str] = {}


def _python_files(folders: tuple[str, ...]) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_runtime_module_is_over_the_size_limit() -> None:
    long = {
        _relative(path): lines
        for path in _python_files(RUNTIME_CODE)
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES
    }
    assert {k: v for k, v in long.items() if k not in LONG_MODULES} == {}


def test_no_runtime_function_is_over_the_size_limit() -> None:
    long: dict[str, int] = {}
    for path in _python_files(RUNTIME_CODE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{_relative(path)}::{node.name}"] = lines
    assert {k: v for k, v in long.items() if k not in LONG_FUNCTIONS} == {}


def test_no_module_imports_a_private_name_of_another() -> None:
    borrowed = []
    for path in _python_files(ALL_CODE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = [*node.module.split("."), *(a.name for a in node.names)]
                private = [p for p in parts if p.startswith("_") and p != "__future__"]
                if private and node.module.split(".")[0] in ALL_CODE:
                    borrowed.append(f"{_relative(path)}: from {node.module} import …")
    assert borrowed == []


def test_the_exception_lists_name_only_real_offenders() -> None:
    for name in LONG_MODULES:
        assert (ROOT / name).exists(), name
    for name in LONG_FUNCTIONS:
        assert (ROOT / name.split("::")[0]).exists(), name
