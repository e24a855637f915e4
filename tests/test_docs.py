"""The documentation builds with warnings as errors, and its reference pages are complete and true.

The site is built once per test session (per xdist worker) into a temporary
folder, the way ``make docs`` builds it: ``sphinx-build -W --keep-going``.
Notebooks are rendered without being executed (``tests/test_notebooks.py``
executes them).
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

import motives as mv

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def build(out: Path) -> tuple[int, str]:
    """Run sphinx-build -W into ``out``; return its exit code and messages."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(out / "doctrees"),
            str(DOCS),
            str(out / "html"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    return proc.returncode, proc.stderr + proc.stdout


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the HTML site once per test session; fail with Sphinx's own messages on any warning.

    Under pytest-xdist the workers share one build (the first builds it under a
    file lock, the others wait and read its result).
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # this session's folder, shared by its workers
    out = base / "docs-build"
    with open(base / "docs-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = out / "result.json"
        if not result.exists():
            out.mkdir(exist_ok=True)
            code, messages = build(out)
            result.write_text(json.dumps({"code": code, "messages": messages}), encoding="utf-8")
        built = json.loads(result.read_text(encoding="utf-8"))
    assert built["code"] == 0, f"sphinx-build failed:\n{built['messages']}"
    assert "WARNING" not in built["messages"], built["messages"]
    return out / "html"


def inventory(site: Path) -> dict[str, str]:
    """Object name -> domain:role, read from ``objects.inv`` (Sphinx inventory version 2)."""
    raw = (site / "objects.inv").read_bytes()
    header_end = 0
    for _ in range(4):  # four plain-text header lines, then zlib
        header_end = raw.index(b"\n", header_end) + 1
    assert raw.startswith(b"# Sphinx inventory version 2")
    entries = {}
    for line in zlib.decompress(raw[header_end:]).decode("utf-8").splitlines():
        m = re.match(r"(.+?)\s+(\S+:\S+)\s+(-?\d+)\s+(\S+)\s+(.*)", line)
        if m:
            entries[m.group(1)] = m.group(2)
    return entries


def text_of(page: Path) -> str:
    """Visible text of an HTML page, whitespace collapsed."""
    body = re.sub(
        r"<script.*?</script>|<style.*?</style>", " ", page.read_text(encoding="utf-8"), flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def squeeze(text: str) -> str:
    """Text without any whitespace or Markdown/reST code marks.

    To compare source with rendered text.
    """
    return re.sub(r"\s+|`", "", text)


def test_notebooks_are_shown_executed(site: Path) -> None:
    """The documentation build executes every notebook (an error in a cell fails the build).

    Each page shows its outputs, the figures as images, and no traceback.
    """
    pages = sorted((site / "_generated" / "notebooks").glob("*.html"))
    assert [p.stem for p in pages] == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "cell_output" in html, f"{page.name} shows no outputs"
        assert "Traceback (most recent call last)" not in html, page.name
        noise = re.findall(
            r"Auto-assigning NUTS|Initializing NUTS|Multiprocess sampling|Sampling \d+ chains", html
        )
        assert not noise, f"{page.name} shows the sampler's log lines: {noise}"
    for name in ("02_russia_ukraine", "03_sensitivity"):
        html = (site / "_generated" / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert html.count("<img") >= 3, f"{name}: its figures are missing"


def test_case_study_links_the_interactive_appendix(site: Path) -> None:
    page = (site / "case_study.html").read_text(encoding="utf-8")
    assert 'href="appendix/index.html"' in page
    appendix = (site / "appendix" / "index.html").read_text(encoding="utf-8")
    assert "window.motives" in appendix and "default-src 'none'" in appendix


def test_site_builds_with_every_page(site: Path) -> None:
    for page in [
        "index",
        "getting_started",
        "formats",
        "_generated/schema",
        "citing",
        "mathematics",
        "sensitivity",
        "case_study",
        "_generated/evidence_base",
        "notebooks",
        "cli",
        "api",
        "_generated/gallery/index",
        *[f"api/{p.stem}" for p in sorted((DOCS / "api").glob("*.md"))],
        *[f"_generated/gallery/{p.stem}" for p in sorted((DOCS / "gallery").glob("plot_*.py"))],
        *[f"_generated/notebooks/{nb.stem}" for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))],
    ]:
        assert (site / f"{page}.html").is_file(), page


def test_every_public_name_is_in_the_api_reference(site: Path) -> None:
    inv = inventory(site)
    missing = [name for name in mv.__all__ if f"motives.{name}" not in inv]
    assert not missing, f"not documented in docs/api.md: {missing}"
    # and each one is rendered on the API page itself, or (a module with a page of its own) linked
    # from it
    api = (site / "api.html").read_text(encoding="utf-8")
    for name in mv.__all__:
        assert (
            f'id="motives.{name}"' in api
            or f'id="module-motives.{name}"' in api
            or f'href="api/motives.{name}.html"' in api
        ), name


def test_public_functions_show_their_docstrings(site: Path) -> None:
    api = text_of(site / "api.html")
    for name in mv.__all__:
        obj = getattr(mv, name)
        doc = (getattr(obj, "__doc__", None) or "").strip()
        if callable(obj) and doc:
            first = " ".join(doc.splitlines()[0].split())
            first = re.sub(r":\w+:`~?([^`]+)`", r"\1", first).replace("``", "")
            assert squeeze(first[:40]) in squeeze(api), (
                f"{name}: first docstring line not on the API page: {first!r}"
            )


def test_formats_page_is_the_lead_s_file(site: Path) -> None:
    page = squeeze(text_of(site / "formats.html"))
    for heading in re.findall(
        r"^#+ (.+)$", (DOCS / "formats.md").read_text(encoding="utf-8"), flags=re.M
    ):
        assert squeeze(heading) in page, heading


def test_schema_reference_covers_every_record(site: Path) -> None:
    schema = mv.json_schema()
    page = text_of(site / "_generated" / "schema.html")
    for name, d in schema["$defs"].items():
        assert name in page, name
        for key in d.get("properties", {}):
            assert key in page, f"{name}.{key}"


def test_cli_reference_lists_every_command_and_option(site: Path) -> None:
    import typer.main

    from motives.cli import app

    group = typer.main.get_command(app)
    ctx = type(group).context_class(group, info_name="motives")
    page = text_of(site / "cli.html")
    names = group.list_commands(ctx)
    assert {"check", "posterior", "describe", "schema"} <= set(names)
    for name in names:
        cmd = group.get_command(ctx, name)
        assert f"motives {name}" in page, name
        assert squeeze(cmd.help or "") in squeeze(page), name
        for p in cmd.params:
            for opt in getattr(p, "opts", []):
                if p.param_type_name == "option" and opt != "--help":
                    assert opt in page, f"{name} {opt}"


def test_case_study_shows_current_credences(site: Path) -> None:
    case = mv.load_case(ROOT / "evidence")
    page = text_of(site / "case_study.html")
    for lens in case.lens_ids:
        table = mv.exact_posterior(case, lens=lens)
        for _, row in table.iterrows():
            assert f"{row['credence']:.3g}" in page, (lens, row.name)
    for _, row in case.implication_table().iterrows():
        assert " ".join(row["implication"].split()) in page


def test_getting_started_error_message_is_what_check_prints(tmp_path: Path) -> None:
    """The invalid-case example on the getting-started page is the CLI's real message."""
    motives = shutil.which("motives", path=str(Path(sys.executable).parent)) or "motives"
    folder = tmp_path / "cookies"
    folder.mkdir()
    shutil.copy(mv.examples.path("cookies") / "case.yaml", folder / "case.yaml")
    (folder / "draws.yaml").write_text(
        "evidence:\n  - id: vanilla\n    title: A vanilla cookie was drawn\n"
        "    likelihoods: {bowl1: 1.75, bowl2: 0.5}\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [motives, "check", str(folder)],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": str(Path(sys.executable).parent)},
    )
    assert proc.returncode == 2
    message = " ".join(proc.stderr.split()).replace(str(tmp_path) + "/", "")
    page = " ".join((DOCS / "getting_started.md").read_text(encoding="utf-8").split())
    assert message in page, message


#: The mistakes shown on the formats page, each made in a copy of the bundled burglary case:
#: file -> (old, new) replacements (first occurrence), or text appended to the file.
FORMATS_MISTAKES: dict[str, dict[str, tuple[str, str] | str]] = {
    "unknown parent": {"reports.yaml": ("bears_on: at_scene", "bears_on: at_the_scene")},
    "cycle": {
        "case.yaml": "  - id: planned\n    title: The break-in was planned\n    bears_on: "
        "knew_layout\n    likelihoods: {yes: 0.9, no: 0.3}\n  - id: knew_layout\n    title: The "
        "burglar knew the house\n    bears_on: planned\n    likelihoods: {yes: 0.8, no: 0.4}\n"
    },
    "rows": {
        "case.yaml": "  - id: gain\n    title: What the suspect stood to gain\n"
        "    states: [money, revenge, nothing]\n    likelihoods:\n"
        "      suspect: {money: 0.5, revenge: 0.3, nothing: 0.3}\n      someone_else: 0.1\n"
    },
    "keyed by hypotheses": {
        "reports.yaml": (
            "likelihoods: {yes: 0.5, no: 0.1}",
            "likelihoods: {suspect: 0.5, someone_else: 0.1}",
        )
    },
    "keyed by states": {
        "reports.yaml": (
            "    bears_on: at_scene\n    likelihoods: {yes: 0.9, no: 0.3}",
            "    likelihoods: {yes: 0.9, no: 0.3}",
        )
    },
}


@pytest.mark.parametrize("mistake", list(FORMATS_MISTAKES))
def test_formats_page_messages_are_what_check_prints(mistake: str, tmp_path: Path) -> None:
    """Each structured-evidence mistake on the formats page prints what the page shows.

    The output matches the page line for line.
    """
    folder = tmp_path / "burglary"
    shutil.copytree(mv.examples.path("burglary"), folder)
    for name, edit in FORMATS_MISTAKES[mistake].items():
        text = (folder / name).read_text(encoding="utf-8")
        if isinstance(edit, str):
            assert text.endswith("\n")
            text += edit
        else:
            assert edit[0] in text, edit[0]
            text = text.replace(edit[0], edit[1], 1)
        (folder / name).write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "motives.cli", "check", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [
        " ".join(line.split()).replace(str(tmp_path) + "/", "")
        for line in proc.stderr.splitlines()[1:]
    ]
    page = " ".join((DOCS / "formats.md").read_text(encoding="utf-8").split())
    assert lines
    for line in lines:
        assert line in page, line


def test_pages_show_their_figures_in_chromium(site: Path, browser: Any) -> None:
    """Headless Chromium opens the index, the gallery, a gallery example and the plots API page.

    Each page has the theme's navigation bar, the figures it should have, and every image on it
    loaded (naturalWidth > 0). Screenshots are written beside the site (``screenshots/``) for a
    person to look at.
    """
    pages = {  # page -> the least number of figures it shows
        "index.html": 0,
        "_generated/gallery/index.html": 16,  # a thumbnail per figure kind
        "_generated/gallery/plot_tornado.html": 1,
        "api/motives.plots.html": 16,  # the minigallery of the plotting functions
    }
    shots = site.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        for name, least in pages.items():
            page.goto((site / name).as_uri(), wait_until="load")
            assert page.locator("nav.bd-header, header.bd-header").count() >= 1, (
                f"{name}: no theme navbar"
            )
            images = page.evaluate("""() => Array.from(document.images).map(i => ({
                src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth}))""")
            figures = [i for i in images if "_images/" in (i["src"] or "")]
            assert len(figures) >= least, (
                f"{name}: {len(figures)} figures, expected at least {least}"
            )
            broken = [i["src"] for i in images if not i["complete"] or i["width"] == 0]
            assert not broken, f"{name}: images not loaded: {broken}"
            page.screenshot(path=str(shots / (name.replace("/", "_") + ".png")), full_page=False)
    finally:
        page.close()
