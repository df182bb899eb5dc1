"""Which folder may import which (docs/architecture.md "Layers"). The rule keeps the data side free of
Streamlit, keeps the importer of real data from borrowing the demo generator's vocabulary, and keeps the
running app from importing developer tools. A new import that breaks it fails here, with the edge named."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# layer → the civic layers it may import (itself always allowed). Top-level modules are layers of their own.
# Read bottom-up: the foundations (paths, domain, text, store), the measures over the store (measures, stages,
# scorecard, completeness, scope: the one definition of each number and of the shared filters), what draws
# them without Streamlit (figures, map, render), the products that use all of that (briefing, public, app),
# and the command line (cli, lan) with the importer and the demo generator that register commands on it.
BASE = {"paths", "domain", "text"}
MEASURE = BASE | {"store", "measures"}
ALLOWED: dict[str, set[str]] = {
    "paths": set(),
    "domain": set(),
    "text": {"paths", "domain"},
    "store": BASE,
    "measures": BASE | {"store"},
    "stages": BASE | {"store"},
    # the town scorecard's and the reporting monitor's measures: numbers only, their colours are figures'
    "scorecard": MEASURE,
    "completeness": MEASURE,
    # the shared filters' model and URL form (Filters, parse_shared): pure, read by the app and the briefing
    "scope": MEASURE,
    "figures": BASE | {"measures", "stages", "scorecard", "completeness"},
    "map": BASE,
    "render": {"paths", "text"},
    "importer": BASE | {"store", "cli"},
    "demo": BASE | {"store", "importer", "cli"},
    "briefing": MEASURE | {"stages", "scope", "figures", "map", "render", "cli"},
    # the residents' app (public/app.py): the consultation pages and their poster; not the officials' app
    "public": BASE | {"store", "stages", "render", "cli"},
    "app": MEASURE | {"stages", "scorecard", "completeness", "scope", "figures", "map", "render", "briefing",
                      "importer"},
    # cli registers the other layers' commands by module name at run time (importlib), never by import
    "cli": BASE | {"store", "demo", "importer"},
    "lan": BASE | {"cli"},
    # the cluster mode's processes (PostgreSQL, the lake's replicas, nginx): started from the command line
    "cluster": BASE | {"store", "cli"},
}
# text/i18n reads the session's language from Streamlit's session state, so text is not on this list; nor is
# measures, whose metric() draws a tile (a lazy import inside it: the pages' one KPI tile).
NO_STREAMLIT = {"paths", "domain", "store", "stages", "scope", "scorecard", "completeness", "figures", "map",
                "render", "importer", "demo", "briefing", "cli", "lan", "cluster"}
# in the residents' app only its server module draws with Streamlit; the pages' HTML and the posters do not
STREAMLIT_ONLY_IN = {"public": {"civic/public/server.py"}}
# the one import of developer tools the app's code may make: `civic bench` runs devtools/bench/, imported
# inside that command's function so that nothing else (and no app process) ever loads devtools
DEVTOOLS_ALLOWED_IN = "civic/cli.py"


def _layer(path: Path) -> str:
    parts = path.relative_to(ROOT / "civic").with_suffix("").parts
    return parts[0]


def _civic_imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "civic":
            mod = node.module.split(".")
            if len(mod) > 1:
                found.add(mod[1])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("civic."))
    return found


def _third_party(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
    return names


def _modules() -> list[Path]:
    return [p for p in sorted((ROOT / "civic").rglob("*.py")) if p.parent != ROOT / "civic" or p.stem not in
            ("__init__", "__main__")]


def test_every_layer_is_known() -> None:
    assert {_layer(p) for p in _modules()} <= set(ALLOWED)


def test_layers_import_only_what_the_plan_allows() -> None:
    bad = []
    for path in _modules():
        layer = _layer(path)
        for target in _civic_imports(ast.parse(path.read_text(encoding="utf-8"))) - {layer}:
            if target not in ALLOWED[layer]:
                bad.append(f"{path.relative_to(ROOT)} ({layer}) imports civic.{target}")
    assert not bad, "\n".join(bad)


def _function_imports(tree: ast.AST) -> set[int]:
    """The ids of the import statements that sit inside a function (run only when it is called)."""
    inner = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner.update(id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return inner


def _imports_devtools(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.module) and not node.level and node.module.split(".")[0] in ("devtools", "tests")
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] in ("devtools", "tests") for a in node.names)
    return False


def test_data_side_has_no_streamlit_and_nothing_imports_devtools() -> None:
    bad = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inner = _function_imports(tree)
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if _imports_devtools(node) and not (rel == DEVTOOLS_ALLOWED_IN and id(node) in inner):
                bad.append(f"{rel}:{getattr(node, 'lineno', 0)} imports developer tools")
        only_in = STREAMLIT_ONLY_IN.get(_layer(path))
        if "streamlit" in _third_party(tree) and (_layer(path) in NO_STREAMLIT or (only_in and rel not in only_in)):
            bad.append(f"{rel} imports streamlit")
    assert not bad, "\n".join(bad)


def test_the_devtools_rule_catches_a_module_level_import() -> None:
    """The exception for `civic bench` is narrow: the same import at module level is caught."""
    top = ast.parse("from devtools.bench import main\n")
    inside = ast.parse("def bench():\n    from devtools.bench import main\n")
    assert [n for n in ast.walk(top) if _imports_devtools(n) and id(n) not in _function_imports(top)]
    assert not [n for n in ast.walk(inside) if _imports_devtools(n) and id(n) not in _function_imports(inside)]
