"""The import graph of eventsite has no circle, so any module can be read (and
imported) on its own, and low modules never reach up into a feature area."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "eventsite"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """Modules of eventsite that ``path`` imports when it is loaded (not inside functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from . import x" loads x (its package is already loading); "from .m import f" loads m.
            candidates = ([target] if node.module else []) + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found.update(c for c in candidates if c.startswith("eventsite"))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        # "from . import x" names a module; "from .m import f" names m, not m.f.
        graph[name] = {m for m in top_level_imports(path) if m in modules and m != name}
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
        assert not [m for m in imports if m.split(".")[1] not in ("extensions", "config", "times", "urls")], leaf
