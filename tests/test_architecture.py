"""The engine seam holds: nothing outside ``archive/search/`` reaches Whoosh, and the import circles stay gone.

Read from the source (every ``import``, also those inside functions), so a lazy import counts: it is a
dependency all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "archive"
#: Engine-neutral modules of archive/search/ that use the Whoosh *library* (not the index): its query
#: parser reads the query language and its tokenizer and stemmers analyse text, for both engines.
WHOOSH_LIBRARY_USERS = {"archive.search.query", "archive.search.analysis"}
#: Engine-neutral modules of archive/search/: they never import the embedded engine's package.
NEUTRAL = {
    "archive.search.analysis",
    "archive.search.fields",
    "archive.search.highlight",
    "archive.search.limits",
    "archive.search.query",
    "archive.search.request",
}
#: The seam: the only module outside the engines that opens one of them.
SEAM = "archive.search.engines"
#: Pairs that imported each other, and must not again (issue 13).
CIRCLES = [("archive.importer", "archive.check"), ("archive.web.app", "archive.web.auth")]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module name an import statement of the file names (``from a import b`` names ``a`` and
    ``a.b``), relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    return {module_name(p): imported(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _names(found: set[str], prefix: str) -> set[str]:
    return {m for m in found if m == prefix or m.startswith(prefix + ".")}


def test_only_archive_search_reaches_the_embedded_engine(imports):
    """Outside archive/search/, no module imports Whoosh or archive.search.whoosh: the CLI, the site,
    the importer, reindex, check and corrections speak archive.search.engines and archive.home."""
    offenders = {
        module: sorted(_names(found, "whoosh") | _names(found, "archive.search.whoosh"))
        for module, found in imports.items()
        if not module.startswith("archive.search.")
    }
    assert not {m: v for m, v in offenders.items() if v}


def test_engine_neutral_modules_do_not_import_an_engine(imports):
    for module in NEUTRAL:
        found = imports[module]
        assert not _names(found, "archive.search.whoosh"), module
        assert not _names(found, "archive.search.opensearch"), module
        if module not in WHOOSH_LIBRARY_USERS:
            assert not _names(found, "whoosh"), module
    # the seam opens the engines (lazily), and is the only neutral module that names them
    assert _names(imports[SEAM], "archive.search.whoosh") and not _names(imports[SEAM], "whoosh")


def _cycles(imports: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components (more than one module) of the package's import graph."""
    graph = {m: {d for d in found if d in imports and d != m} for m, found in imports.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_import_circles_are_gone(imports):
    cycles = _cycles(imports)
    for a, b in CIRCLES:
        assert not any({a, b} <= c for c in cycles), f"{a} and {b} import each other again"
    # the archive's home and the seam sit below everything that writes or reads: in no circle at all
    assert not any({"archive.home", SEAM} & c for c in cycles), cycles


def test_the_circle_finder_finds_a_circle():
    """The check above would see the old importer <-> check circle (a lazy import counts)."""
    graph = {"archive.importer": {"archive.check"}, "archive.check": {"archive.importer"}, "x": set()}
    assert _cycles(graph) == [{"archive.importer", "archive.check"}]
