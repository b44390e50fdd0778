"""The package's import graph: layers import downward only, and no modules import each other.

Every ``import`` of an ftprep module is read with :mod:`ast` from the source, wherever it
stands: at the top, inside a function (the imports that used to hide cycles) or under
``if TYPE_CHECKING``. The layers, top to bottom (a module belongs to the longest prefix
that names it; ``ftprep`` alone is the package root):

1. **entry** (``cli``, ``__main__``): parse options, call the API, print, exit.
2. **api** (``ftprep``, ``ftprep.api``): one call per command; resolves the configuration
   once and hands it down.
3. **commands**: what one command does on top of the engine and renders: the report
   (``report``), conversion (``conversion``), cost (``costing``), ``advise``,
   ``evaluation``, an existing split (``leakage``), DataFrames (``frames``), the check
   catalogue (``docs``) and progress bars (``progress``).
4. **engine** (``engine``, ``batch``, ``ray_engine``): runs the per-example work (here or
   on Ray) and the dataset checks.
5. **checks** (``checks``, ``split``, ``pii``, ``masking``, ``contamination``): the
   checklist's units, the personal data they find and mask, and the split they plan and
   write.
6. **inputs** (``loaders``, ``targets``, ``tokens``, ``similarity``, ``features``,
   ``evaluation.tasks``, ``evaluation.metrics``, ``config``): reading records, the
   platforms' rules, token counts, similarity sketches, the task a dataset trains, the
   per-example feature registry and its compact columns (``columns``) and the settings.
7. **base** (``schema``, ``components``, ``errors``, ``version``, ``jsonl``, ``wording``,
   ``optional``).

This is DESIGN.md's "cli → api → (checks, split, report) → (loaders, tokens, similarity)
→ schema" with the two layers it leaves implicit named: the commands between the API and
the engine, and the engine between the commands and the checks.

Rules: (a) no import cycle among modules, counting every import that runs (an import
under ``TYPE_CHECKING`` never runs: a module may name its sibling's type for annotations,
e.g. ``report.html`` names ``Report`` whose ``_repr_html_`` renders with it); (b) every
import, type-only ones included, goes to the same layer or a lower one, so nothing below
the API imports ``ftprep.api`` or the package root (``from ftprep import __version__``
included: the version lives in ``ftprep.version``).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ftprep"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("entry", ("ftprep.cli", "ftprep.__main__")),
    ("api", ("ftprep", "ftprep.api")),
    (
        "commands",
        (
            "ftprep.report",
            "ftprep.conversion",
            "ftprep.costing",
            "ftprep.advise",
            "ftprep.evaluation",
            "ftprep.leakage",
            "ftprep.frames",
            "ftprep.docs",
            "ftprep.progress",
        ),
    ),
    (
        "engine",
        (
            "ftprep.engine",
            "ftprep.batch",
            "ftprep.ray_engine",
            "ftprep.prefetch",
        ),
    ),
    (
        "checks",
        ("ftprep.checks", "ftprep.split", "ftprep.pii", "ftprep.masking", "ftprep.contamination"),
    ),
    (
        "inputs",
        (
            "ftprep.loaders",
            "ftprep.targets",
            "ftprep.tokens",
            "ftprep.similarity",
            "ftprep.features",
            "ftprep.turns",
            "ftprep.columns",
            "ftprep.evaluation.tasks",
            "ftprep.evaluation.metrics",
            "ftprep.config",
        ),
    ),
    (
        "base",
        (
            "ftprep.schema",
            "ftprep.allocator",
            "ftprep.components",
            "ftprep.errors",
            "ftprep.version",
            "ftprep.jsonl",
            "ftprep.wording",
            "ftprep.optional",
            "ftprep.forked_map",
        ),
    ),
]


@cache
def modules() -> dict[str, tuple[Path, bool]]:
    """Every ftprep module by dotted name: its file and whether it is a package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


def _owner(name: str) -> str | None:
    """The ftprep module an imported name lives in (``ftprep.a.b.f`` -> ``ftprep.a.b``)."""
    mods = modules()
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def _type_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                inside |= {id(n) for n in ast.walk(stmt)}
    return inside


@cache
def imports(module: str) -> tuple[tuple[str, int, bool], ...]:
    """(imported ftprep module, line, runs) for every import in ``module``'s source;
    ``runs`` is False under ``TYPE_CHECKING``."""
    path, is_package = modules()[module]
    tree = ast.parse(path.read_text("utf-8"))
    type_only = _type_only(tree)
    here = module.split(".") if is_package else module.split(".")[:-1]
    found: dict[str, tuple[int, bool]] = {}

    def add(target: str | None, node: ast.stmt) -> None:
        if target is None or target == module:
            return
        runs = id(node) not in type_only
        line, ran = found.get(target, (node.lineno, False))
        found[target] = (min(line, node.lineno), ran or runs)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ftprep":
                    add(_owner(alias.name), node)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*here[: len(here) - node.level + 1], *filter(None, [base])])
            if base.split(".")[0] != "ftprep":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(full if full in modules() else _owner(base), node)
    return tuple((t, line, runs) for t, (line, runs) in sorted(found.items()))


def layer_of(module: str) -> int:
    """Index of ``module``'s layer in :data:`LAYERS` (0 is the top)."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = prefix != "ftprep" and module.startswith(prefix + ".")
            if (module == prefix or inside) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")
    return best[0]


def _where(module: str, line: int) -> str:
    return f"{modules()[module][0].relative_to(PACKAGE.parent)}:{line}"


def find_cycle() -> list[tuple[str, int]] | None:
    """One import cycle among the imports that run, as (module, line of its import of the
    next) pairs, or None."""
    edges = {m: [(t, line) for t, line, runs in imports(m) if runs] for m in modules()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[tuple[str, int]] = []

    def visit(m: str) -> list[tuple[str, int]] | None:
        state[m] = 1
        for target, line in edges[m]:
            path.append((m, line))
            if state.get(target) == 1:
                start = next(i for i, (name, _) in enumerate(path) if name == target)
                return path[start:]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
            path.pop()
        state[m] = 2
        return None

    for m in sorted(edges):
        if m not in state:
            cycle = visit(m)
            if cycle:
                return cycle
    return None


def upward_imports() -> set[tuple[str, str]]:
    """(importer, imported) for every import of a higher layer, type-only ones included."""
    return {(m, t) for m in modules() for t, _, _ in imports(m) if layer_of(t) < layer_of(m)}


def test_every_module_has_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_no_import_cycles() -> None:
    cycle = find_cycle()
    if cycle:
        steps = " -> ".join(f"{m} ({_where(m, line)})" for m, line in cycle)
        pytest.fail(f"import cycle: {steps} -> {cycle[0][0]}")


def test_layers_import_downward() -> None:
    found = sorted(upward_imports())
    lines = []
    for m, t in found:
        line = next(line for name, line, _ in imports(m) if name == t)
        lines.append(
            f"{_where(m, line)}: {m} ({LAYERS[layer_of(m)][0]}) imports {t} "
            f"({LAYERS[layer_of(t)][0]})"
        )
    assert not found, "imports of a higher layer:\n" + "\n".join(lines)


def test_only_the_entry_layer_imports_the_api() -> None:
    """Spelled out for the two modules everything else must never reach up to."""
    for m in modules():
        if layer_of(m) <= 1:
            continue
        reached = {t for t, _, _ in imports(m)} & {"ftprep", "ftprep.api"}
        assert not reached, f"{m} imports {reached}"


def test_the_checker_sees_function_local_and_type_only_imports() -> None:
    """The parser itself: a top-level import, a TYPE_CHECKING one and a function-local one."""
    assert ("ftprep.version", True) in {(t, r) for t, _, r in imports("ftprep")}
    assert any(not runs for _, _, runs in imports("ftprep"))  # the API under TYPE_CHECKING
    assert layer_of("ftprep") == 1 and layer_of("ftprep.api") == 1
    assert layer_of("ftprep.checks.clean.target") == 4
    assert ("ftprep.loaders.tabular", True) in {
        (t, r) for t, _, r in imports("ftprep.loaders.readers")
    }  # inside read_container
