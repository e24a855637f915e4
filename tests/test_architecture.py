"""ARCHITECTURE.md kept true: data flows one way, and PyMC is imported only by motives.models."""

from __future__ import annotations

import ast
import pkgutil
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
    """Whether the import on ``line`` sits in a function body.

    Then it runs only when that function is called.
    """
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


# ----------------------------------------------------------------------------- the prose kept true

ROOT = ARCH.parent
LIFECYCLE = ["Load", "Check", "Compute", "Fit", "Analyse", "Draw", "Report"]


def _section(title: str) -> str:
    text = ARCH.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert m, f"ARCHITECTURE.md has no section '## {title}'"
    return m.group(1)


def test_every_module_of_a_package_is_described() -> None:
    listed = {p for p in re.findall(r"`(\w+/\w+\.py)`", _section("Inside the packages"))
              if not p.startswith("tests/")}
    have = {str(p.relative_to(SRC)) for p in SRC.glob("*/*.py") if p.name != "__main__.py"}
    have -= {f"{pkg}/__init__.py" for pkg in ("schema", "models", "sensitivity", "plots", "report")}
    assert have - listed == set(), f"modules missing from 'Inside the packages': {sorted(have - listed)}"
    assert listed - have == set(), f"'Inside the packages' names modules that do not exist: {sorted(listed - have)}"


def test_every_name_the_prose_cites_exists() -> None:
    """Each `motives.x.y` in ARCHITECTURE.md imports or resolves.

    A module imports; a function, class or table resolves.
    """
    text = ARCH.read_text(encoding="utf-8")
    names = sorted(set(re.findall(r"`(motives(?:\.\w+)+)`", text)))
    assert len(names) > 25, names  # the lifecycle and 'Adding new code' cite the code by name
    bad = []
    for name in names:
        try:
            pkgutil.resolve_name(name)
        except (ImportError, AttributeError) as exc:
            bad.append(f"{name}: {exc}")
    assert not bad, "\n".join(bad)


def test_every_file_the_prose_cites_exists() -> None:
    text = ARCH.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:[\w.]+/)*[\w.]+\.(?:py|md|js|html))`", text))
    missing = [p for p in sorted(paths) if not ((ROOT / p).exists() or (SRC / p).exists())]
    assert not missing, f"ARCHITECTURE.md cites files that do not exist: {missing}"


def test_lifecycle_names_every_step_in_order_with_code_at_each() -> None:
    steps = re.findall(r"^\d+\. \*\*(\w+)\.\*\*(.*?)(?=^\d+\. |\Z)", _section("Lifecycle of an analysis"),
                       flags=re.M | re.S)
    assert [s for s, _ in steps] == LIFECYCLE
    for step, body in steps:
        assert re.search(r"`motives\.\w+\.\w+", body), f"step {step} names no function"


def test_adding_new_code_covers_each_kind_of_addition() -> None:
    text = _section("Adding new code")
    for kind in ("A judgement form", "A sensitivity analysis", "A figure", "A CLI command", "A new module"):
        assert f"**{kind}**" in text, kind
    assert "Examples" in text and "layer" in text


def _large_modules() -> set[str]:
    """Modules of the package over 500 lines, as paths relative to src/motives."""
    return {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
            if len(p.read_text(encoding="utf-8").splitlines()) > 500}


def test_large_modules_are_named() -> None:
    """Every module over 500 lines is a named exception in ARCHITECTURE.md.

    And every name there is still such an exception.
    """
    text = ARCH.read_text(encoding="utf-8").split("Modules over 500 lines", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"^- `([^`]+\.py)`", text, flags=re.M))
    assert _large_modules() == named, (f"over 500 lines but not named: {sorted(_large_modules() - named)}; "
                                       f"named but no longer over: {sorted(named - _large_modules())}")


def test_long_functions_have_docstrings() -> None:
    """A function with more than 60 lines of code has its docstring."""
    bad = []
    for p in SRC.rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and ast.get_docstring(node) is None:
                code = [ln for ln in lines[node.body[0].lineno - 1: node.end_lineno]
                        if ln.strip() and not ln.strip().startswith("#")]
                if len(code) > 60:
                    bad.append(f"{p.relative_to(SRC)}:{node.lineno} {node.name} ({len(code)} lines)")
    assert not bad, bad
