"""A reader's lens file.

Judgements made in the interactive appendix, read back as a new lens of the case.

The appendix's "Download my judgements" writes one YAML file::

    motives: lens file             # what the file is
    case: student                  # the case it was made for (its name)
    based_on: default              # the lens the reader started from
    lens:
      id: reader_ann               # the new lens's id (lowercase letters, digits, _)
      name: Ann                    # the reader's name, if given
      description: ...
    changed:                       # every judgement the reader changed, whole
      sat_high:                    # an item: P(E | parent value), keyed as the item's table is
        values: {high: 0.64, low: 0.0025}
      grade:                       # a proposition: every row, keyed by the flat parent key ("*" for
      a root)
        values:
          high.easy: {a: 0.9, b: 0.08, c: 0.02}
          ...
    unchanged: [difficulty]        # the rest: the judgements of lens `based_on`, as they are
    case_judgements:               # the reader's prior and source reliabilities (they belong to the
    case)
      prior: {high: 0.5}           # hypothesis -> prior weight (the rest keep the case's; then
      normalised)
      reliability: {lab: 0.9}      # source -> reliability, a fixed value
    not_applied:                   # the reader's edits that are not judgements at all (see below)
      weights: {trend: 0.5}

Item tables are keyed as the case stores them: by hypothesis for an item on the hypotheses, by state
for an item under a proposition, by the flat key of the parents' values (``"burglary.yes"``) for an
item of several parents. A proposition's rows are ``{state: probability}``, summing to 1.

:func:`read_lens_file` reads and checks such a file against the case (one located message per
problem);
:func:`add_lens` returns the case with the new lens, whose every judgement is the reader's where
changed and a copy of lens ``based_on``'s otherwise, so that pooling (:func:`motives.pooling.pool`),
cruxes and every other analysis work on it; :func:`lens_case_files` gives the files of a case folder
that ``extends:`` the original and adds the lens by amendments (what ``motives add-lens`` writes).

The prior over the hypotheses and a source's reliability belong to the case, not to a lens (every
lens of a case, and a pool of its lenses, is analysed under one prior and one reliability per
source). The appendix writes the reader's under ``case_judgements``, and :func:`add_lens` applies
them to the case it returns, as
:func:`motives.interactive.edited_posterior` does (a prior weight replaces the case's for that
hypothesis and the prior is normalised; a reliability becomes a fixed value): the reader's lens then
gives the posterior the reader saw, and the pool of lenses is computed under the reader's prior and
reliabilities -- ``add-lens`` says so. A weight on a timeline or quantity item is not a table of
probabilities; such edits are recorded under ``not_applied`` and reported, never applied (as are a
prior or reliabilities under ``not_applied``, where an appendix made before ``case_judgements``
wrote them).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from motives.errors import CaseError, Problem, did_you_mean
from motives.schema import Case, Lens, LensJudgement, Likelihood
from motives.schema.forms import Id, Record
from motives.schema.structure import Proposition, PropositionJudgement, StateRow

#: The value of the ``motives:`` key that marks a lens file.
MARKER = "lens file"


class LensInfo(Record):
    """The new lens: its id, the reader's name, a description."""

    id: Id = Field(
        default="reader", description="Id of the new lens (lowercase letters, digits, _)."
    )
    name: str | None = Field(default=None, description="The reader's name (or the lens's).")
    description: str = ""


class ChangedJudgement(Record):
    """One judgement the reader changed: an item's likelihoods or a proposition's rows, whole."""

    values: dict[str, float | dict[str, float]] = Field(
        description="Item: parent value -> P(E | value). Proposition: flat parent key -> {state: "
        "P(state)}."
    )
    rationale: str = ""


class CaseJudgements(Record):
    """The reader's judgements that belong to the case.

    Prior weights and source reliabilities (applied).
    """

    prior: dict[str, float] = Field(
        default_factory=dict,
        description="Hypothesis -> prior weight (the others keep the case's; then normalised).",
    )
    reliability: dict[str, float] = Field(
        default_factory=dict, description="Source -> reliability (fixed)."
    )


class NotApplied(Record):
    """The reader's edits a lens cannot hold (reported by ``add-lens``, not applied)."""

    prior: dict[str, float] = Field(
        default_factory=dict, description="Hypothesis -> relative prior weight."
    )
    reliability: dict[str, float] = Field(
        default_factory=dict, description="Source -> reliability."
    )
    weights: dict[str, float] = Field(
        default_factory=dict, description="Timeline or quantity item -> factor on its weight."
    )
    drop: list[str] = Field(
        default_factory=list,
        description="Items left out that a lens cannot leave out "
        "(timeline or quantity items; a base rate of 0).",
    )


class LensFile(Record):
    """A lens file as read (see the module docstring)."""

    motives: Literal["lens file"] = Field(description="Marks the file: 'lens file'.")
    case: str = Field(description="Name of the case the judgements were made for.")
    based_on: str = Field(description="The lens the reader started from.")
    lens: LensInfo = Field(default_factory=LensInfo)
    changed: dict[str, ChangedJudgement] = Field(default_factory=dict)
    unchanged: list[str] = Field(default_factory=list)
    case_judgements: CaseJudgements = Field(default_factory=CaseJudgements)
    not_applied: NotApplied = Field(default_factory=NotApplied)


def read_lens_file(path: str | Path, case: Case) -> LensFile:  # noqa: C901 - one check per kind of judgement in a lens file
    r"""Read a lens file and check it against the case; every problem is one located message.

    Raises
    ------
    CaseError
        Naming the file, line and field of each problem (a key the format does not have, another
        case, an unknown lens, item or proposition, a lens id the case already has, a missing or
        extra row or state, a probability outside [0, 1], a row that does not sum to 1).

    Examples
    --------
    >>> import tempfile, pathlib, motives as mv
    >>> case = mv.examples.load("student")
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "ann.yaml"
    >>> _ = f.write_text(
    ...     "motives: lens file\ncase: student\nbased_on: default\nlens: {id: ann}\n"
    ...     "changed:\n  sat_high:\n    values: {high: 0.7, low: 0.1}\n"
    ... )
    >>> read_lens_file(f, case).changed["sat_high"].values
    {'high': 0.7, 'low': 0.1}
    """
    from motives.located import validate
    from motives.yamlfile import read_yaml

    path = Path(path)
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise CaseError(
            [
                Problem(
                    "a lens file is a mapping with keys motives, case, based_on, lens, changed, "
                    "unchanged, not_applied",
                    file=str(path),
                    line=1,
                )
            ]
        )
    lf: LensFile = validate(LensFile, data, str(path), lines)
    problems: list[Problem] = []

    def bad(msg: str, *where: Any, item: str | None = None) -> None:
        problems.append(
            Problem(
                msg,
                file=str(path),
                line=lines.get(tuple(where)) or lines.get(where[:1]),
                item=item,
                field=".".join(str(w) for w in where),
            )
        )

    if lf.case != case.name:
        bad(f"made for case '{lf.case}', not '{case.name}'", "case")
    if lf.based_on not in case.lens_ids:
        bad(
            f"no lens '{lf.based_on}' in case '{case.name}' (valid: {', '.join(case.lens_ids)})."
            f"{did_you_mean(lf.based_on, case.lens_ids)}",
            "based_on",
        )
    if lf.lens.id in case.lens_ids:
        bad(
            f"the case already has a lens '{lf.lens.id}'; give the new lens another id",
            "lens",
            "id",
        )
    nodes = {**{e.id: e for e in case.evidence}, **{p.id: p for p in case.propositions}}
    for nid, j in lf.changed.items():
        if nid not in nodes:
            bad(
                f"no item or proposition '{nid}' in case "
                f"'{case.name}'.{did_you_mean(nid, list(nodes))}",
                "changed",
                nid,
                item=nid,
            )
            continue
        for msg, sub in _table_problems(case, nid, j):
            bad(msg, "changed", nid, "values", *sub, item=nid)
    for i, nid in enumerate(lf.unchanged):
        if nid not in nodes:
            bad(f"no item or proposition '{nid}'.{did_you_mean(nid, list(nodes))}", "unchanged", i)
        elif nid in lf.changed:
            bad(f"'{nid}' is listed as changed and as unchanged", "unchanged", i, item=nid)
    keys = [s.key for s in case.sources]
    for section, block in (
        ("case_judgements", lf.case_judgements),
        ("not_applied", lf.not_applied),
    ):
        for h, w in block.prior.items():
            if h not in case.hypothesis_ids:
                bad(
                    f"no hypothesis '{h}'.{did_you_mean(h, case.hypothesis_ids)}",
                    section,
                    "prior",
                    h,
                )
            elif not (math.isfinite(w) and w >= 0):
                bad(f"the prior weight of '{h}' must be a number >= 0", section, "prior", h)
        for k, v in block.reliability.items():
            if k not in keys:
                bad(f"no source '{k}'.{did_you_mean(k, keys)}", section, "reliability", k)
            elif not (math.isfinite(v) and 0 <= v <= 1):
                bad(
                    f"the reliability of '{k}' must be a number in [0, 1]",
                    section,
                    "reliability",
                    k,
                )
    pw = lf.case_judgements.prior
    if (
        pw
        and not problems
        and sum(pw.get(h, p) for h, p in zip(case.hypothesis_ids, case.prior_vector(), strict=True))
        <= 0
    ):
        bad("the reader's prior gives every hypothesis weight 0", "case_judgements", "prior")
    if problems:
        raise CaseError(problems)
    return lf


def _table_problems(case: Case, nid: str, j: ChangedJudgement) -> list[tuple[str, tuple[Any, ...]]]:
    """What is wrong with a changed judgement's table (message, path under ``values``)."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    props = {p.id: p for p in case.propositions}
    if nid in props:
        p = props[nid]
        keys = case.parent_values(p.parents)
        for k, row in j.values.items():
            if k not in keys:
                out.append((f"'{nid}' has no row '{k}'; rows: {', '.join(keys)}", (k,)))
            elif not isinstance(row, dict) or sorted(row) != sorted(p.states):
                out.append(
                    (
                        f"row '{k}' of '{nid}' must give P(state) for each of its states "
                        f"{p.states}",
                        (k,),
                    )
                )
            elif not all(math.isfinite(x) and 0 <= x <= 1 for x in row.values()):
                out.append((f"row '{k}' of '{nid}': probabilities must be numbers in [0, 1]", (k,)))
            elif abs(sum(row.values()) - 1) > 1e-9:
                out.append((f"row '{k}' of '{nid}' sums to {sum(row.values())!r}, not 1", (k,)))
        missing = [k for k in keys if k not in j.values]
        if missing:
            out.append(
                (f"'{nid}' is missing row(s) {missing}: a changed table gives every row", ())
            )
        return out
    e = case.item(nid)
    if e.kind != "likelihood":
        return [
            (
                f"'{nid}' is a {e.kind} item: a lens file changes likelihood items and "
                "propositions only",
                (),
            )
        ]
    keys = case.parent_values(e.parents)
    for k, v in j.values.items():
        if k not in keys:
            out.append((f"'{nid}' has no parent value '{k}'; valid: {', '.join(keys)}", (k,)))
        elif isinstance(v, dict) or not (math.isfinite(v) and 0 <= v <= 1):
            out.append((f"P(E | {k}) of '{nid}' must be a number in [0, 1]", (k,)))
    missing = [k for k in keys if k not in j.values]
    if missing:
        out.append(
            (f"'{nid}' is missing value(s) for {missing}: a changed item gives every value", ())
        )
    return out


def _why(lf: LensFile, changed: bool, original: str = "") -> str:
    who = lf.lens.name or lf.lens.id
    if changed:
        return (
            f"{who}'s judgement, made in the interactive appendix (starting from lens "
            f"'{lf.based_on}')."
        )
    return f"Unchanged from lens '{lf.based_on}'." + (f" {original}" if original else "")


def new_judgements(case: Case, lf: LensFile) -> dict[str, Any]:
    """The new lens's judgement of every item and proposition.

    The reader's where changed, else ``based_on``'s.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("student")
    >>> lf = LensFile(
    ...     motives="lens file",
    ...     case="student",
    ...     based_on="default",
    ...     changed={"sat_high": {"values": {"high": 0.7, "low": 0.1}}},
    ... )
    >>> new_judgements(case, lf)["sat_high"].values["high"].mean
    0.7
    """
    out: dict[str, Any] = {}
    for p in case.propositions:
        old = p.likelihoods.get(lf.based_on) or p.likelihoods[case.default_lens]
        if p.id in lf.changed:
            vals = lf.changed[p.id].values
            rows: dict[str, Any] = {
                k: StateRow(probs=dict(vals[k]))  # type: ignore[arg-type]
                for k in case.parent_values(p.parents)
            }
            out[p.id] = PropositionJudgement(
                values=rows, rationale=lf.changed[p.id].rationale or _why(lf, True)
            )
        else:
            out[p.id] = old.model_copy(update={"rationale": _why(lf, False, old.rationale)})
    for e in case.evidence:
        old, _ = case.judgement(e, lf.based_on)
        if e.id in lf.changed:
            vals = lf.changed[e.id].values
            out[e.id] = LensJudgement(
                values={
                    k: Likelihood(mean=float(vals[k]))  # type: ignore[arg-type]
                    for k in case.parent_values(e.parents)
                },
                rationale=lf.changed[e.id].rationale or _why(lf, True),
            )
        else:
            out[e.id] = old.model_copy(update={"rationale": _why(lf, False, old.rationale)})
    return out


def _lens(lf: LensFile) -> Lens:
    desc = lf.lens.description or (
        f"{lf.lens.name or 'A reader'}'s judgements from the interactive appendix, "
        f"starting from lens '{lf.based_on}'."
    )
    return Lens(id=lf.lens.id, name=lf.lens.name or lf.lens.id, description=desc)


def with_case_judgements(case: Case, lf: LensFile) -> Case:
    """The case under the reader's prior and source reliabilities, or itself if none.

    They are the lens file's ``case_judgements``.

    As :func:`motives.interactive.edited_posterior` applies them: a prior weight replaces the case's
    for that hypothesis and the prior is normalised; a reliability becomes that fixed value.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> lf = LensFile(
    ...     motives="lens file",
    ...     case="witness",
    ...     based_on="default",
    ...     case_judgements={"prior": {"blue": 0.5, "green": 0.5}, "reliability": {"witness": 0.9}},
    ... )
    >>> new = with_case_judgements(case, lf)
    >>> new.prior_vector(), new.source("witness").reliability.mean
    ([0.5, 0.5], 0.9)
    """
    cj = lf.case_judgements
    if not cj.prior and not cj.reliability:
        return case
    pri = [
        float(cj.prior.get(h, p))
        for h, p in zip(case.hypothesis_ids, case.prior_vector(), strict=True)
    ]
    total = sum(pri)
    hyps = [
        h.model_copy(update={"prior": x / total}) for h, x in zip(case.hypotheses, pri, strict=True)
    ]
    sources = [
        s.model_copy(update={"reliability": Likelihood(mean=float(cj.reliability[s.key]))})
        if s.key in cj.reliability
        else s
        for s in case.sources
    ]
    return case.replaced(hypotheses=hyps, sources=sources)


def add_lens(case: Case, lens_file: LensFile | str | Path) -> Case:
    """The case with the reader's lens added, under the reader's prior and reliabilities if given.

    The judgements of every item and proposition: :func:`new_judgements`; the prior and the source
    reliabilities: :func:`with_case_judgements` (they belong to the case, so every lens of the
    returned case, and a pool of its lenses, is analysed under them).

    Parameters
    ----------
    case
        The case the lens file was made for.
    lens_file
        A :class:`LensFile` or the path of one (read with :func:`read_lens_file`).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("student")
    >>> lf = LensFile(
    ...     motives="lens file",
    ...     case="student",
    ...     based_on="default",
    ...     lens={"id": "ann"},
    ...     changed={"sat_high": {"values": {"high": 0.7, "low": 0.1}}},
    ... )
    >>> add_lens(case, lf).lens_ids
    ['default', 'ann']
    """
    lf = lens_file if isinstance(lens_file, LensFile) else read_lens_file(lens_file, case)
    new = new_judgements(case, lf)
    field = {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}
    case = with_case_judgements(case, lf)
    return case.replaced(
        lenses=[*case.lenses, _lens(lf)],
        propositions=[
            p.model_copy(update={"likelihoods": {**p.likelihoods, lf.lens.id: new[p.id]}})
            for p in case.propositions
        ],
        evidence=[
            e.model_copy(update={field[e.kind]: {**e.judgements(), lf.lens.id: new[e.id]}})
            for e in case.evidence
        ],
    )


def not_applied_lines(lf: LensFile) -> list[str]:
    """One sentence per edit of the lens file that a lens cannot hold (what ``add-lens`` reports).

    Examples
    --------
    >>> lf = LensFile(
    ...     motives="lens file", case="x", based_on="default", not_applied={"prior": {"a": 2}}
    ... )
    >>> not_applied_lines(lf)
    ["not applied: the reader's prior weights {'a': 2.0} (under not_applied; apply it under
    case_judgements)"]
    """
    na, out = lf.not_applied, []
    if na.prior:
        out.append(
            f"not applied: the reader's prior weights {na.prior} (under not_applied; apply it "
            "under case_judgements)"
        )
    if na.reliability:
        out.append(
            f"not applied: the reader's source reliabilities {na.reliability} (under not_applied; "
            "apply them under case_judgements)"
        )
    if na.weights:
        out.append(
            f"not applied: factors on the weight of timeline or quantity items {na.weights} (not "
            "a table of probabilities a lens can hold)"
        )
    if na.drop:
        out.append(
            f"not applied: items left out {na.drop} (timeline or quantity items, or a base rate "
            "of 0: a lens cannot leave them out)"
        )
    return out


def case_judgement_lines(case: Case, lf: LensFile) -> list[str]:
    """What ``add-lens`` says about the reader's prior and reliabilities it applied.

    It says nothing if none were applied.

    Examples
    --------
    >>> import motives as mv
    >>> lf = LensFile(
    ...     motives="lens file",
    ...     case="witness",
    ...     based_on="default",
    ...     case_judgements={"reliability": {"witness": 0.9}},
    ... )
    >>> case_judgement_lines(mv.examples.load("witness"), lf)[0][:72]
    "applied to the case: the reader's reliability of source witness, 0.9 (wa"
    """
    cj, out = lf.case_judgements, []
    if cj.prior:
        new = with_case_judgements(case, lf).prior_vector()
        was = ", ".join(
            f"{h} {p:.6g}" for h, p in zip(case.hypothesis_ids, case.prior_vector(), strict=True)
        )
        now = ", ".join(f"{h} {p:.6g}" for h, p in zip(case.hypothesis_ids, new, strict=True))
        out.append(f"applied to the case: the reader's prior ({now}; was {was})")
    for k, v in cj.reliability.items():
        s = case.source(k)
        was = (
            ""
            if s is None
            else (
                f"{s.reliability.mean:.6g}"
                if s.reliability.concentration is None
                else f"about {s.reliability.mean:.6g}, concentration "
                f"{s.reliability.concentration:g}"
            )
        )
        out.append(
            f"applied to the case: the reader's reliability of source {k}, {v:.6g} (was {was})"
        )
    if out:
        out.append(
            "they belong to the case, not to a lens: every lens of the new folder, and a pool of "
            "them, is analysed under them"
        )
    return out


def _plain(x: Any) -> Any:
    """A judgement record as plain YAML data that reads back as the same record (values only)."""
    if isinstance(x, Likelihood):
        return (
            x.mean
            if x.concentration is None
            else {"mean": x.mean, "concentration": x.concentration}
        )
    if isinstance(x, StateRow):
        return (
            dict(x.probs)
            if x.concentration is None
            else {**x.probs, "concentration": x.concentration}
        )
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def lens_case_files(case: Case, lf: LensFile, parent: str) -> dict[str, Any]:
    """The files of a case folder that extends the original with the new lens.

    The original is at relative path ``parent``.

    ``case.yaml`` names the parent, repeats its hypotheses (an extending case lists them) and adds
    the lens; ``lens_<id>.yaml`` amends every item and proposition with the new lens's judgement.
    Returns ``{file name: YAML data}``.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("student")
    >>> lf = LensFile(motives="lens file", case="student", based_on="default", lens={"id": "ann"})
    >>> sorted(lens_case_files(case, lf, "../student"))
    ['case.yaml', 'lens_ann.yaml']
    """
    new = new_judgements(case, lf)
    field = {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}
    case = with_case_judgements(
        case, lf
    )  # the reader's prior and reliabilities, written into case.yaml
    amend = []
    for node in [*case.propositions, *case.evidence]:
        j = new[node.id]
        f = "likelihoods" if isinstance(node, Proposition) else field[node.kind]
        if f == "likelihoods":
            dumped = {
                "values": _plain(dict(j.values)),
                "rationale": j.rationale,
            }  # cells carry their own Beta
        else:
            dumped = j.model_dump(mode="json", exclude_none=True)
        amend.append({"id": node.id, f: {lf.lens.id: dumped}})
    hyps = [
        h.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for h in case.hypotheses
    ]
    for h, p in zip(hyps, case.prior_vector(), strict=True):
        h["prior"] = p
    lens = _lens(lf)
    case_yaml = {
        "extends": parent,
        "name": case.name,
        "title": case.title,
        "description": case.description,
        "hypotheses": hyps,
        "prior_normalise": abs(sum(case.prior_vector()) - 1) > 1e-12,
        "default_lens": case.default_lens,  # as the parent's (else the first lens listed would be)
        "lenses": [x.model_dump(mode="json", exclude_none=True) for x in [*case.lenses, lens]],
    }
    if (
        lf.case_judgements.reliability
    ):  # redeclared here, they replace the parent's sources of the same key
        case_yaml["sources"] = [
            s.model_dump(mode="json", exclude_none=True)
            for s in case.sources
            if s.key in lf.case_judgements.reliability
        ]
    return {"case.yaml": case_yaml, f"lens_{lf.lens.id}.yaml": {"amend": amend}}
