"""Sphinx configuration of the motives documentation (Sphinx + myst-nb, as PyMC and ArviZ do).

Notebooks are executed by ``_ext/motives_docs.py`` when it copies them into ``_generated/notebooks``
(small draw counts, in this interpreter; an error fails the build), and myst-nb renders them with
those outputs (``nb_execution_mode = "off"``: it does not execute them a second time). Pages
generated from the code (schema, CLI, the case's evidence and credences) are written by
``_ext/motives_docs.py`` at build time.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import motives  # noqa: E402

project = "motives"
author = "the motives authors"
copyright = "2026, the motives authors"
release = motives.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    "sphinx_copybutton",
    "sphinxcontrib.autodoc_pydantic",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.typer",  # the CLI page (cli.md), from the typer app itself
    "motives_docs",
]

# intersphinx: the build has no network (CI reaches package registries only), so every inventory is
# bundled in _intersphinx/ and read from there; _intersphinx/make_inventories.py says where each one
# comes from.
_INV = str(HERE / "_intersphinx")
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", None),
    "numpy": ("https://numpy.org/doc/stable/", f"{_INV}/numpy.inv"),
    "pandas": ("https://pandas.pydata.org/docs/", f"{_INV}/pandas.inv"),
    "xarray": ("https://docs.xarray.dev/en/stable/", f"{_INV}/xarray.inv"),
    "arviz_base": ("https://python.arviz.org/projects/base/en/latest/", f"{_INV}/arviz_base.inv"),
    "arviz_stats": (
        "https://python.arviz.org/projects/stats/en/latest/",
        f"{_INV}/arviz_stats.inv",
    ),
    "arviz_plots": (
        "https://python.arviz.org/projects/plots/en/latest/",
        f"{_INV}/arviz_plots.inv",
    ),
    "pymc": ("https://www.pymc.io/projects/docs/en/stable/", f"{_INV}/pymc.inv"),
}
intersphinx_mapping.pop(
    "python"
)  # no bundled inventory of Python's own docs: not linked rather than fetched
intersphinx_timeout = 1
intersphinx_disabled_reftypes = ["std:doc"]

# sphinx-gallery: every figure kind, drawn by the script beside it (gallery/plot_*.py), run in this
# process
sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["_generated/gallery"],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "doc_module": ("motives",),
    "backreferences_dir": "_generated/backreferences",
    "reference_url": {"motives": None},
    "matplotlib_animations": False,
    "image_scrapers": (
        "motives_docs",
    ),  # _ext/motives_docs.py: motives' figures never enter pyplot's state
    "min_reported_time": 1e9,  # no timing tables: they change every build
    "show_memory": False,
    "show_signature": False,
    "write_computation_times": False,
}

# autosummary: one page per module (api.md lists the modules with :recursive:)
autosummary_generate = True
autosummary_imported_members = False
autosummary_ignore_module_all = False

# autodoc-pydantic: records show their fields (type, default, constraints), not their JSON schema or
# config
autodoc_pydantic_model_show_json = False
autodoc_pydantic_model_show_config_summary = False
autodoc_pydantic_model_show_validator_summary = False
autodoc_pydantic_model_show_validator_members = False
autodoc_pydantic_model_show_field_summary = True
autodoc_pydantic_field_list_validators = False
# constraints are in the schema reference; shown here, their regex patterns would be read as reST
autodoc_pydantic_field_show_constraints = False
autodoc_pydantic_model_member_order = "bysource"

# copy buttons leave prompts and outputs out
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    "_ext",
    "_intersphinx",
    "_generated/case_results.md",
    "gallery/README.rst",
    "_generated/gallery/*.py",
    "_generated/gallery/*.ipynb",
    "_generated/gallery/*.zip",
    "_generated/backreferences",
]

# MyST
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"

# autodoc + napoleon (numpy style docstrings)
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Records are pydantic models: their fields are listed in their docs, not as a long constructor
# signature.
autodoc_class_signature = "separated"
# (pydantic records are documented with autopydantic_model: their fields, types, defaults and
# constraints)
autodoc_default_options = {
    "exclude-members": "model_config, model_fields, model_computed_fields, __init__, __new__"
}

html_theme = "pydata_sphinx_theme"
html_title = f"motives {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_context = {"default_mode": "light"}
html_static_path = ["_static"]
# _ext/motives_docs.py writes the interactive appendix of the bundled case here: served as
# appendix/index.html
(HERE / "_generated" / "extra").mkdir(
    parents=True, exist_ok=True
)  # Sphinx checks it before the build starts
html_extra_path = ["_generated/extra"]
html_css_files = ["custom.css"]
smartquotes = False
