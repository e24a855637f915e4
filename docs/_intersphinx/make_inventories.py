"""Write the intersphinx inventories ``docs/conf.py`` reads offline.

Those of numpy, xarray, ArviZ and PyMC.

The documentation builds without network (CI reaches package registries only), so intersphinx cannot
download ``objects.inv`` at build time. The inventories are bundled here instead:

- ``pandas.inv`` is pandas' own inventory, taken from Debian's ``python-pandas-doc`` package (pandas
1.5.3;
  ``/usr/share/doc/python-pandas-doc/html/objects.inv``). The API pages kept their addresses since,
  so the links resolve on the current pandas site.
- ``numpy.inv``, ``xarray.inv``, ``arviz_base.inv``, ``arviz_stats.inv``, ``arviz_plots.inv`` and
``pymc.inv``
  are written by this script, because no registry ships those projects' inventories: one entry per
  public top-level name of the installed package (its ``__all__``, or its public callables), at the
  address the project's own autosummary pages give it (``<prefix><module>.<name>.html``). They cover
  top-level names only (``numpy.ndarray``, ``xarray.DataTree``, ``arviz_base.from_dict``,
  ``pymc.sample``); a method or a submodule name is not linked.

Run ``python docs/_intersphinx/make_inventories.py`` after upgrading one of these packages. Sphinx
has no public writer of inventories, so the (four header lines and a zlib body) format is written
here.
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: module -> (inventory file, page of a name relative to the project's documentation root)
PROJECTS = {
    "numpy": ("numpy.inv", "reference/generated/numpy.{name}.html"),
    "xarray": ("xarray.inv", "generated/xarray.{name}.html"),
    "arviz_base": ("arviz_base.inv", "api/generated/arviz_base.{name}.html"),
    "arviz_stats": ("arviz_stats.inv", "api/generated/arviz_stats.{name}.html"),
    "arviz_plots": ("arviz_plots.inv", "api/generated/arviz_plots.{name}.html"),
    "pymc": ("pymc.inv", "api/generated/pymc.{name}.html"),
}


def public_names(module: object) -> list[str]:
    """The module's ``__all__`` when it has a useful one, else its public callables."""
    names = list(getattr(module, "__all__", []))
    if len(names) < 5:
        names = [
            n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n, None))
        ]
    return sorted(set(names))


def role(obj: object) -> str:
    """The Sphinx Python-domain role of an object."""
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if callable(obj):
        return "py:function"
    return "py:data"


def write(module_name: str) -> Path:
    """Write one inventory; return its path."""
    module = importlib.import_module(module_name)
    out, page = PROJECTS[module_name]
    version = str(getattr(module, "__version__", ""))
    lines = []
    for name in public_names(module):
        obj = getattr(module, name, None)
        if obj is None or inspect.ismodule(obj):
            continue
        full = f"{module_name}.{name}"
        lines.append(f"{full} {role(obj)} 1 {page.format(name=name)}#$ -")
    header = (
        f"# Sphinx inventory version 2\n# Project: {module_name}\n# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    path = HERE / out
    path.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))
    return path


if __name__ == "__main__":
    for name in PROJECTS:
        print(write(name))
