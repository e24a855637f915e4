"""ARCHITECTURE.md kept true: data flows one way, and PyMC is imported only by motives.models."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "motives"
ARCH = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"
HEAVY = ("pymc", "pytensor", "nutpie")
#: Upward imports allowed, each in a function body only and named in ARCHITECTURE.md: (module, target).
UPWARD = {("schema", "bn")}  # Case.to_pgmpy delegates to motives.bn


def layers() -> dict[str, int]:
    """Layer of each top-level module, read from the table in ARCHITECTURE.md."""
    out = {}
    for m in re.finditer(r"^\| (\d+) \| ([^|]+) \|", ARCH.read_text(encoding="utf-8"), flags=re.M):
        for name in m.group(2).split(","):
            out[name.strip().strip("`").removesuffix("/")] = int(m.group(1))
    return out


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    return rel.parts[0]


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes under ``if TYPE_CHECKING:`` (never run, so not a dependency)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip |= {id(n) for n in ast.walk(child)}
    return skip


def imports(path: Path) -> list[tuple[str, int]]:
    """Imports that run: at module level or in function bodies, but not under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module == "motives":
                found += [(f"motives.{a.name}", node.lineno) for a in node.names]
    return found


def _in_function(path: Path, line: int) -> bool:
    """Whether the import on ``line`` sits in a function body (so it runs only when that function is called)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.lineno < line <= (n.end_lineno or 0)
               for n in ast.walk(tree))


def test_upward_exceptions_are_documented() -> None:
    text = ARCH.read_text(encoding="utf-8")
    for mod, target in UPWARD:
        assert f"`{mod}` → `{target}`" in text, f"ARCHITECTURE.md must name the exception {mod} -> {target}"


def test_every_module_has_a_layer() -> None:
    known = layers()
    mods = {module_of(p) for p in SRC.rglob("*.py") if module_of(p) not in ("__init__", "__main__")}
    assert mods - set(known) == set(), f"modules missing from ARCHITECTURE.md: {sorted(mods - set(known))}"


def test_no_module_imports_one_above_it() -> None:
    known = layers()
    bad = []
    for p in SRC.rglob("*.py"):
        mod = module_of(p)
        if mod in ("__init__", "__main__"):
            continue
        for name, line in imports(p):
            if not name.startswith("motives."):
                continue
            target = name.split(".")[1]
            if (mod, target) in UPWARD and _in_function(p, line):
                continue
            if target in known and target != mod and known[target] > known[mod]:
                bad.append(f"{p.relative_to(SRC)}:{line} ({mod}, layer {known[mod]}) imports {name} (layer {known[target]})")
    assert not bad, "\n".join(bad)


def test_pymc_only_in_models() -> None:
    bad = []
    for p in SRC.rglob("*.py"):
        if module_of(p) == "models":
            continue
        for name, line in imports(p):
            if name.split(".")[0] in HEAVY:
                bad.append(f"{p.relative_to(SRC)}:{line} imports {name}")
    assert not bad, "\n".join(bad)


def test_pymc_imported_lazily_inside_models() -> None:
    """Module-level imports in motives.models never pull in PyMC: only function bodies do."""
    bad = []
    for p in (SRC / "models").rglob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            bad += [f"{p.name}:{node.lineno} {n}" for n in names if n.split(".")[0] in HEAVY]
    assert not bad, "\n".join(bad)
