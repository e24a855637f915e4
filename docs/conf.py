"""Sphinx configuration of the motives documentation (Sphinx + myst-nb, as PyMC and ArviZ do).

Notebooks are executed by ``_ext/motives_docs.py`` when it copies them into ``_generated/notebooks``
(small draw counts, in this interpreter; an error fails the build), and myst-nb renders them with those
outputs (``nb_execution_mode = "off"``: it does not execute them a second time). Pages generated from the code (schema, CLI,
the case's evidence and credences) are written by ``_ext/motives_docs.py`` at build time.
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
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "motives_docs",
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "_ext", "_generated/case_results.md"]

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
# Records are pydantic models: their fields are listed in their docs, not as a long constructor signature.
autodoc_class_signature = "separated"
autodoc_default_options = {"exclude-members": "model_config, model_fields, model_computed_fields"}

html_theme = "alabaster"
html_title = f"motives {release}"
html_theme_options = {
    "description": "Bayesian evaluation of rival hypotheses",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_static_path = ["_static"]
# _ext/motives_docs.py writes the interactive appendix of the bundled case here: served as appendix/index.html
(HERE / "_generated" / "extra").mkdir(parents=True, exist_ok=True)  # Sphinx checks it before the build starts
html_extra_path = ["_generated/extra"]
html_css_files = ["custom.css"]
smartquotes = False
