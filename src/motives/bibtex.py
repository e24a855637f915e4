"""BibTeX files read into key -> fields, with their problems located.

Duplicate keys, unparsable entries and bad keys are located.
"""

from __future__ import annotations

import re
from pathlib import Path

from motives.errors import CaseError, Problem
from motives.schema.forms import CITE_KEY_PATTERN
from motives.yamlfile import read_capped


def read_bibtex(path: Path) -> dict[str, dict[str, str]]:
    """Parse a BibTeX file into key -> fields (lower-case names, plus ``ENTRYTYPE``).

    Duplicate keys and unparsable entries are errors.
    """
    import bibtexparser

    f = str(path)
    try:
        text = read_capped(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError([Problem(f"file is not UTF-8 (offset {exc.start})", file=f)]) from None
    lib = bibtexparser.parse_string(text)
    problems = []
    for block in lib.failed_blocks:
        start = getattr(block, "start_line", None)
        kind = type(block).__name__
        if kind == "DuplicateFieldKeyBlock":
            entry = getattr(getattr(block, "ignore_error_block", None), "key", None)
            fields = ", ".join(sorted(getattr(block, "duplicate_keys", None) or [])) or "?"
            msg = (
                f"BibTeX entry '{entry}'" if entry else "a BibTeX entry"
            ) + f" gives the field(s) {fields} twice"
        elif "Duplicate" in kind:
            key = getattr(block, "key", None) or getattr(
                getattr(block, "ignore_error_block", None), "key", "?"
            )
            msg = f"duplicate BibTeX key '{key}'"
        else:
            msg = f"cannot parse this BibTeX entry ({kind})"
        problems.append(Problem(msg, file=f, line=start + 1 if isinstance(start, int) else None))
    if problems:
        raise CaseError(problems)
    for e in lib.entries:
        if not re.match(CITE_KEY_PATTERN, e.key):
            start = getattr(e, "start_line", None)
            problems.append(
                Problem(
                    f"BibTeX key {e.key!r} has characters \\cite cannot take (use ASCII letters, "
                    "digits and _:.-+/)",
                    file=f,
                    line=start + 1 if isinstance(start, int) else None,
                )
            )
    if problems:
        raise CaseError(problems)
    out: dict[str, dict[str, str]] = {}
    for entry in lib.entries:
        record = {fl.key.lower(): str(fl.value) for fl in entry.fields}
        record["ENTRYTYPE"] = entry.entry_type.lower()
        out[entry.key] = record
    return out
