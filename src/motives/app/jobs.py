"""Workflows of the commands beside a spec's analyses: a calibration run and a reader's lens added to a case.

Each publishes its output folder whole (:class:`motives.app.outputs.OutputFolder`), as the workflows
of
:mod:`motives.app.workflow` do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from motives.app.outputs import OutputFolder

__all__ = ["add_lens_outputs", "sbc_outputs"]


def sbc_outputs(
    spec_file: Path,
    out_dir: Path,
    force: bool,
    *,
    simulations: int = 100,
    keep: int = 100,
    bins: int = 10,
    seed: int = 2026,
    scheduler: str | None = None,
    workers: int | None = None,
    fits: Path | None = None,
) -> tuple[Path, Any, list[str]]:
    """Simulation-based calibration of a spec, published atomically.

    See :func:`motives.models.sbc.sbc_spec`.

    Returns (folder, :class:`motives.models.sbc.SBCResult`, lines to print); ``fits`` keeps each fit
    as it finishes, so a rerun fits only what is missing.
    """
    from motives.models.sbc import sbc_spec

    dest = OutputFolder(out_dir, force, spec_file=spec_file)
    with dest as tmp:
        result, lines = sbc_spec(
            spec_file,
            tmp,
            simulations=simulations,
            keep=keep,
            bins=bins,
            seed=seed,
            scheduler=scheduler,
            workers=workers,
            results=fits,
        )
    return dest.path, result, lines


def add_lens_outputs(
    case_dir: Path, lens_file: Path, out_dir: Path | None, force: bool
) -> tuple[Path, list[str], Any, Any]:
    """Write a case folder that extends ``case_dir`` with a reader's lens file.

    Return (folder, files, case, lens file).

    The written folder is loaded back and must give the lens file's judgements (else a RuntimeError:
    a bug). Default ``out_dir``: beside the case, named ``CASE_LENSID``.
    """
    import os

    import yaml

    from motives.app.outputs import case_folders
    from motives.io import load_case
    from motives.lensfile import add_lens, lens_case_files, read_lens_file

    case = load_case(case_dir)
    lf = read_lens_file(lens_file, case)
    expected = add_lens(case, lf)  # the case with the lens, as the written folder must load
    folder = (case_dir.parent if case_dir.is_file() else case_dir).resolve()
    dest = OutputFolder(
        out_dir or folder.parent / f"{folder.name}_{lf.lens.id}",
        force,
        cases=case_folders(case_dir),
    )
    files = lens_case_files(case, lf, os.path.relpath(folder, dest.path))
    with dest as tmp:
        for name, data in files.items():
            (tmp / name).write_text(
                yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
        written = load_case(tmp)  # a sibling of --out: the relative 'extends' resolves the same
        lens = lf.lens.id
        if (
            any(
                written.judgement(e, lens)[0] != expected.judgement(e, lens)[0]
                for e in written.evidence
            )
            or any(
                p.likelihoods[lens] != expected.proposition(p.id).likelihoods[lens]
                for p in written.propositions
            )
            or (written.prior_vector() != expected.prior_vector())
            or any(written.source(s.key) != s for s in expected.sources)
        ):
            raise RuntimeError(
                "the written lens does not read back as the lens file's judgements (tables, prior "
                "and reliabilities)"
            )
    return dest.path, list(files), case, lf
