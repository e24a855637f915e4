"""ARCHITECTURE.md kept true: data flows one way, and PyMC is imported only by motives.models."""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "motives"
ARCH = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"
HEAVY = ("pymc", "pytensor", "nutpie")
#: Upward imports allowed, each in a function body only and named in ARCHITECTURE.md: (module,
#: target).
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
    return any(
        isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        and n.lineno < line <= (n.end_lineno or 0)
        for n in ast.walk(tree)
    )


def test_upward_exceptions_are_documented() -> None:
    text = ARCH.read_text(encoding="utf-8")
    for mod, target in UPWARD:
        assert f"`{mod}` → `{target}`" in text, (
            f"ARCHITECTURE.md must name the exception {mod} -> {target}"
        )


def test_every_module_has_a_layer() -> None:
    known = layers()
    mods = {module_of(p) for p in SRC.rglob("*.py") if module_of(p) not in ("__init__", "__main__")}
    assert mods - set(known) == set(), (
        f"modules missing from ARCHITECTURE.md: {sorted(mods - set(known))}"
    )


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
                bad.append(
                    f"{p.relative_to(SRC)}:{line} ({mod}, layer {known[mod]}) imports {name} "
                    f"(layer {known[target]})"
                )
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
    listed = {
        p
        for p in re.findall(r"`(\w+/\w+\.py)`", _section("Inside the packages"))
        if not p.startswith("tests/")
    }
    have = {str(p.relative_to(SRC)) for p in SRC.glob("*/*.py") if p.name != "__main__.py"}
    have -= {f"{pkg}/__init__.py" for pkg in ("schema", "models", "sensitivity", "plots", "report")}
    assert have - listed == set(), (
        f"modules missing from 'Inside the packages': {sorted(have - listed)}"
    )
    assert listed - have == set(), (
        f"'Inside the packages' names modules that do not exist: {sorted(listed - have)}"
    )


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
    steps = re.findall(
        r"^\d+\. \*\*(\w+)\.\*\*(.*?)(?=^\d+\. |\Z)",
        _section("Lifecycle of an analysis"),
        flags=re.M | re.S,
    )
    assert [s for s, _ in steps] == LIFECYCLE
    for step, body in steps:
        assert re.search(r"`motives\.\w+\.\w+", body), f"step {step} names no function"


def test_adding_new_code_covers_each_kind_of_addition() -> None:
    text = _section("Adding new code")
    for kind in (
        "A judgement form",
        "A sensitivity analysis",
        "A figure",
        "A CLI command",
        "A new module",
    ):
        assert f"**{kind}**" in text, kind
    assert "Examples" in text and "layer" in text


def _large_modules() -> set[str]:
    """Modules of the package over 500 lines, as paths relative to src/motives."""
    return {
        p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*.py")
        if len(p.read_text(encoding="utf-8").splitlines()) > 500
    }


def test_large_modules_are_named() -> None:
    """Every module over 500 lines is a named exception in ARCHITECTURE.md.

    And every name there is still such an exception.
    """
    text = (
        ARCH.read_text(encoding="utf-8").split("Modules over 500 lines", 1)[1].split("\n\n", 1)[0]
    )
    named = set(re.findall(r"^- `([^`]+\.py)`", text, flags=re.M))
    assert _large_modules() == named, (
        f"over 500 lines but not named: {sorted(_large_modules() - named)}; "
        f"named but no longer over: {sorted(named - _large_modules())}"
    )


def test_long_functions_have_docstrings() -> None:
    """A function with more than 60 lines of code has its docstring."""
    bad = []
    for p in SRC.rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and ast.get_docstring(node) is None
            ):
                code = [
                    ln
                    for ln in lines[node.body[0].lineno - 1 : node.end_lineno]
                    if ln.strip() and not ln.strip().startswith("#")
                ]
                if len(code) > 60:
                    bad.append(
                        f"{p.relative_to(SRC)}:{node.lineno} {node.name} ({len(code)} lines)"
                    )
    assert not bad, bad


# ----------------------------------------------------------------------- private names stay private


def _dotted(path: Path) -> str:
    """The import name of a module file of the package.

    For example ``motives.exact`` for ``exact/__init__.py``.
    """
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private(name: str) -> bool:
    """A private name: one leading underscore, not a dunder (``__version__`` is public)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _outside_private_module(importer: str, target: str) -> str | None:
    """The private module of ``target`` when ``importer`` is outside its package.

    For example ``motives.plots._style``.
    """
    parts = target.split(".")
    for i, part in enumerate(parts):
        if _private(part):
            package = ".".join(parts[:i])
            if not (importer == package or importer.startswith(package + ".")):
                return ".".join(parts[: i + 1])
            return None
    return None


def _is_module(name: str) -> bool:
    """Whether ``motives.a.b`` names a module file or a package of the source tree.

    Read from disk, without importing.
    """
    rel = Path(*name.split(".")[1:]) if name.startswith("motives.") else None
    return rel is not None and (
        (SRC / rel).with_suffix(".py").exists() or (SRC / rel / "__init__.py").exists()
    )


def private_imports(text: str, me: str, *, package: bool = False, where: str = "") -> list[str]:
    """Private names the module ``me`` (source ``text``) takes from another one.

    Each is given as ``where:line what``.

    Three ways in: ``from motives.x import _name`` (any module but this one, even in a function body
    or under TYPE_CHECKING); a private module (``motives.plots._style``) imported from outside its
    package; ``module._name`` on a module this file imported. ``package``: ``me`` is a package's
    ``__init__``.
    """
    home = me if package else me.rpartition(".")[0]  # what a relative import is relative to
    tree = ast.parse(text)
    bad: list[str] = []
    modules: set[str] = set()  # local names bound to a module of the package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = home.split(".")[: len(home.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("motives"):
                continue
            if (hidden := _outside_private_module(me, target)) is not None:
                bad.append(f"{where}:{node.lineno} imports the private module {hidden}")
            for a in node.names:
                if _is_module(
                    full := f"{target}.{a.name}"
                ):  # a module: private only outside its package
                    modules.add(a.asname or a.name)
                    if hidden is None and (inner := _outside_private_module(me, full)) is not None:
                        bad.append(f"{where}:{node.lineno} imports the private module {inner}")
                elif target != me and _private(a.name):
                    bad.append(f"{where}:{node.lineno} imports {a.name} from {target}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("motives"):
                    if (hidden := _outside_private_module(me, a.name)) is not None:
                        bad.append(f"{where}:{node.lineno} imports the private module {hidden}")
                    modules.add(a.asname or a.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            bad.append(f"{where}:{node.lineno} uses {node.value.id}.{node.attr}")
    return bad


def test_no_private_name_crosses_a_module() -> None:
    """A name with a leading underscore stays in its module, a private module in its package.

    A name with a leading underscore is used only in its own module, a private module only in its
    package.

    What another module needs gets a public name (or a module named for it); an alias such as
    ``from motives import likelihood as _lk`` is fine, since the module it names is public.
    """
    bad = [
        b
        for p in sorted(SRC.rglob("*.py"))
        for b in private_imports(
            p.read_text(encoding="utf-8"),
            _dotted(p),
            package=p.name == "__init__.py",
            where=str(p.relative_to(SRC)),
        )
    ]
    assert not bad, "\n".join(bad)


def test_the_private_import_check_can_fail() -> None:
    """The check above finds each way in, and lets the allowed ones pass."""
    text = (
        "from motives.exact import _log\nfrom motives.plots._style import style\nfrom motives "
        "import likelihood as _lk\nfrom motives.plots import _style\nfrom motives import "
        "exact\nfrom .credence import _private_helper\nx = exact._mix\ny = _lk.parse\n"
    )
    inside = private_imports(text, "motives.plots.probe")
    assert [f.split(" ", 1)[1] for f in inside] == [
        "imports _log from motives.exact",
        "imports _private_helper from motives.plots.credence",
        "uses exact._mix",
    ]
    outside = [f.split(" ", 1)[1] for f in private_imports(text, "motives.report.probe")]
    assert outside.count("imports the private module motives.plots._style") == 2  # both spellings
    own = private_imports("from motives.plots.probe import _mine\n", "motives.plots.probe")
    assert own == []  # a module's own names (a doctest importing them) are its own
    assert (
        private_imports("from motives.plots._style import style\n", "motives.plots", package=True)
        == []
    )
