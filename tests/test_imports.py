"""The import graph of eventsite has no circle, so any module can be read (and
imported) on its own, and low modules never reach up into a feature area.

Every import counts, in function bodies too: only ``create_app`` and the
``init_app`` hooks may import late. import-linter (``lint-imports``, contracts
in pyproject.toml) checks the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "eventsite"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: The only functions allowed to import inside their body: the factory and the init_app hooks.
SETUP_FUNCTIONS = ("create_app", "init_app")


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def import_nodes(tree: ast.AST):
    """Every import statement, in function bodies too, except inside ``create_app``/``init_app``
    and ``if TYPE_CHECKING:`` blocks (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in SETUP_FUNCTIONS:
            continue
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        else:
            yield from import_nodes(node)


def module_imports(path: Path) -> set[str]:
    """Modules of eventsite that ``path`` imports, at load time or later in a function body."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in import_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from . import x" loads x (its package is already loading); "from .m import f" loads m.
            candidates = ([target] if node.module else []) + [f"{target}.{alias.name}" for alias in node.names]
        else:
            candidates = [alias.name for alias in node.names]
        found.update(c for c in candidates if c.startswith("eventsite"))
    return found


def _imports_eventsite(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").startswith("eventsite")
    return isinstance(node, ast.Import) and any(alias.name.startswith("eventsite") for alias in node.names)


def deferred_imports() -> list[str]:
    """``file:line`` of every import of eventsite's own modules inside a function other than
    ``create_app``/``init_app``. (Optional back-ends, boto3, redis, pocketsphinx, are loaded
    late on purpose, by the code that needs them: that hides no cycle.)"""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for func in ast.walk(ast.parse(path.read_text())):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func.name not in SETUP_FUNCTIONS:
                found += [
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                    for node in ast.walk(func)
                    if _imports_eventsite(node)
                ]
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        # "from . import x" names a module; "from .m import f" names m, not m.f.
        graph[name] = {m for m in module_imports(path) if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_is_deferred_into_a_function():
    """A function-local import hides a cycle from this test and from import-linter
    (only the factory and the ``init_app`` hooks may import late, to wire the app)."""
    assert deferred_imports() == []


def test_the_import_graph_has_no_circle():
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    assert cycles(graph) == []


def test_pure_layers_import_nothing_of_the_app():
    """transcode/ and flock/ are Flask-free: they may use each other and the leaf times module only."""
    allowed = ("eventsite.transcode", "eventsite.flock", "eventsite.times")
    for name, imports in import_graph().items():
        if name.startswith(("eventsite.transcode", "eventsite.flock")):
            assert all(m.startswith(allowed) for m in imports), (name, imports)


def test_leaf_modules_import_no_feature_area():
    for leaf in ("eventsite.urls", "eventsite.times", "eventsite.rendering", "eventsite.storage"):
        imports = import_graph()[leaf]
        # storage swaps rendition folders in with transcode/publish.py (stdlib only, no app)
        reached = [m for m in imports if m.split(".")[1] not in ("extensions", "config", "times", "urls")]
        assert [m for m in reached if m != "eventsite.transcode.publish"] == [], leaf
