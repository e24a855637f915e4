"""The numbers a command prints, assembled.

A posterior's summary with priors, groupings, target, value.

``motives posterior``, ``run``, ``summary``, ``sensitivity`` and ``report`` (and a notebook) build
the same summary dictionary (:func:`motives.report.summary_dict` plus what the case adds); this
module adds each part once. :func:`posterior_summary` is the whole of ``motives posterior`` but the
printing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from motives.errors import MotivesError
from motives.numeric import read_number

__all__ = [
    "PRIOR_HELP",
    "TARGET_HELP",
    "add_groupings",
    "case_identity",
    "credence_draws",
    "fill_prior",
    "if_independent",
    "parse_prior",
    "posterior_extras",
    "power_sensitivity",
    "posterior_summary",
    "resolve_target",
    "saved_fit_summary",
    "target_summary",
    "numeric_value",
]


def fill_prior(summary: dict[str, Any], case: Any, lens: str, prior: Any = None) -> None:
    """Put the prior of each hypothesis and family into an MCMC summary.

    Its table has credences only.
    """
    from motives.exact import exact_posterior

    for (level, i), p in exact_posterior(case, lens, prior)["prior"].items():
        entry = summary["hypotheses" if level == "hypothesis" else "families"].get(str(i))
        if entry is not None:
            entry["prior"] = float(p)


PRIOR_HELP = (
    "Prior instead of the case's: 'uniform', or every hypothesis as id=probability separated by "
    "commas (e.g. h1=0.7,h2=0.3; the probabilities sum to 1)."
)
TARGET_HELP = (
    "What to report on: a hypothesis id, a family id, or a group of a grouping (group, or "
    "grouping.group); default the leading family."
)


def parse_prior(text: str | None) -> Any:
    """The value of ``--prior``: None, ``"uniform"``, or ``{id: probability}`` from ``id=p,id=p``.

    The ids and the sum are checked against the case later (:func:`motives.exact.prior_from`).

    Examples
    --------
    >>> parse_prior("uniform"), parse_prior(None)
    ('uniform', None)
    >>> parse_prior("bowl1=0.25, bowl2=0.75")
    {'bowl1': 0.25, 'bowl2': 0.75}
    >>> try:
    ...     parse_prior("bowl1:0.25")
    ... except MotivesError as err:
    ...     print(str(err).split(";")[0])
    --prior 'bowl1:0.25': 'bowl1:0.25' is not id=probability
    """
    if text is None:
        return None
    raw = text.strip()
    if raw == "uniform":
        return "uniform"
    form = (
        "write 'uniform' or every hypothesis as id=probability separated by commas, e.g. "
        "h1=0.7,h2=0.3"
    )
    out: dict[str, float] = {}
    for part in raw.split(","):
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key:
            raise MotivesError(f"--prior {text!r}: {part.strip()!r} is not id=probability; {form}")
        if key in out:
            raise MotivesError(f"--prior {text!r}: '{key}' is given twice; {form}")
        try:
            p = read_number(value)
        except ValueError as exc:
            raise MotivesError(f"--prior {text!r}: '{key}={value}': {exc}; {form}") from None
        if not (0.0 <= p <= 1.0):
            raise MotivesError(
                f"--prior {text!r}: '{key}={value}': a probability is a number in [0, 1]"
            )
        out[key] = p
    return out


def resolve_target(case: Any, target: str, where: str) -> Any:
    """A target checked against the case; the message names the option or spec key it came from."""
    from motives.errors import CaseError, Problem

    try:
        return case.resolve_target(target)
    except CaseError as exc:
        raise CaseError([Problem(f"{where}: {p.message}") for p in exc.problems]) from None


def credence_draws(res: Any, case: Any) -> Any:
    """Posterior draws (S, K) of an exclusive fit's credences, hypotheses in case order."""
    da = res.trace.posterior["credence"]
    other = [d for d in da.dims if d not in ("chain", "draw")]
    return (
        da.stack(sample=("chain", "draw"))
        .transpose("sample", *other)
        .sel({other[0]: case.hypothesis_ids})
        .values
    )


def add_groupings(summary: dict[str, Any], case: Any, prior_vec: Any, draws: Any = None) -> None:
    """Each named grouping's marginal into ``summary["groupings"]``.

    Nothing is added for a case without groupings.
    """
    if not case.groupings:
        return
    from motives.report.groupings import grouping_summary

    credence = {h: v["credence"] for h, v in summary["hypotheses"].items()}
    prior = dict(zip(case.hypothesis_ids, map(float, prior_vec), strict=True))
    summary["groupings"] = grouping_summary(case, credence, prior, draws)


def target_summary(
    case: Any, tgt: Any, summary: dict[str, Any], prior_vec: Any, draws: Any = None
) -> dict[str, Any]:
    """The target's credence, prior and Bayes factor.

    After MCMC, the credence comes with the central interval of its summed draws.
    """
    import numpy as np

    from motives.conventions import INTERVAL_MASS

    idx = [case.hypothesis_ids.index(h) for h in tgt.hypotheses]
    c = float(sum(summary["hypotheses"][h]["credence"] for h in tgt.hypotheses))
    lo = hi = c
    if draws is not None:
        tail = (1 - INTERVAL_MASS) / 2
        lo, hi = (
            float(x) for x in np.quantile(np.asarray(draws)[:, idx].sum(axis=1), [tail, 1 - tail])
        )
    p = float(sum(prior_vec[i] for i in idx))
    bf = (c / (1 - c)) / (p / (1 - p)) if 0 < c < 1 and 0 < p < 1 else None
    return {
        "id": tgt.id,
        "name": tgt.name,
        "level": tgt.level,
        "grouping": tgt.grouping,
        "hypotheses": list(tgt.hypotheses),
        "credence": c,
        "lower": lo,
        "upper": hi,
        "prior": p,
        "bayes_factor": bf,
    }


def if_independent(
    case: Any, lens: str, prior: Any = None, reliability: bool = True
) -> dict[str, Any]:
    """The exact posterior as if every item bore on the hypotheses independently.

    Computed for a structured case.
    """
    from motives.exact import exact_posterior

    t = exact_posterior(case, lens, prior, reliability=reliability, structure=False)
    return {
        "note": "exact posterior as if every item bore on the hypotheses independently "
        "(structure=False): the naive-Bayes figure the propositions correct; not the result",
        "hypotheses": {
            str(i): float(c) for i, c in t.xs("hypothesis", level="level")["credence"].items()
        },
        "families": {
            str(i): float(c) for i, c in t.xs("family", level="level")["credence"].items()
        },
    }


def posterior_extras(case: Any, lens: str, summary: dict[str, Any]) -> list[str]:
    """Heuer's ACH inconsistency score and, for numeric hypotheses, the value's summary.

    Both go into ``summary`` too.

    A numeric grid (every hypothesis has a value) gets no ACH score: its hypotheses are points of
    one parameter, not rival explanations, and counting the items each is inconsistent with means
    nothing there.
    """
    from motives.ach import inconsistency, inconsistency_line
    from motives.schema import LikelihoodItem

    lines = []
    v = numeric_value(case, lens, summary)
    if v is None and any(isinstance(e, LikelihoodItem) for e in case.evidence):
        scores = inconsistency(case, lens)
        summary["ach_inconsistency"] = {h: int(v) for h, v in scores["score"].items()}
        lines.append(inconsistency_line(scores))
    if v is not None:
        lines.append(
            f"value: mean {v['mean']:.6g}, median {v['median']:.6g}, {v['mass']:.0%} credible "
            "interval "
            f"[{v['lower']:.6g}, {v['upper']:.6g}]"
        )
    return lines


def numeric_value(case: Any, lens: str, summary: dict[str, Any]) -> dict[str, float] | None:
    """The value's mean, median and interval for numeric hypotheses, else None.

    It goes into ``summary["value"]`` too.
    """
    if not all(h.value is not None for h in case.hypotheses):
        return None
    from motives.exact import value_summary

    summary["value"] = value_summary(
        case, lens, credence={h: v["credence"] for h, v in summary["hypotheses"].items()}
    )
    return summary["value"]


def case_identity(case: Any) -> dict[str, str]:
    """What an exact-engine output was computed from.

    The case content's hash and the motives version.
    """
    import motives
    from motives.models.config import case_hash

    return {"case_hash": case_hash(case), "motives_version": motives.__version__}


def posterior_summary(
    case: Any,
    lens: str | None = None,
    *,
    method: str = "exact",
    prior: str | None = None,
    target: str | None = None,
    draws: int = 1000,
    seed: int = 1,
    progressbar: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """What ``motives posterior`` prints.

    The summary (as ``--json`` gives it) and the sentences under its table.

    ``prior`` is the text of ``--prior`` (:func:`parse_prior`), ``target`` that of ``--target``;
    ``method`` is ``"exact"`` or ``"mcmc"`` (the exclusive model, sampled). A failed fit is in
    ``summary["diagnostics"]["ok"]``, for the caller to act on.

    Examples
    --------
    >>> import motives as mv
    >>> summary, lines = posterior_summary(mv.examples.cookie_case())
    >>> round(summary["hypotheses"]["bowl1"]["credence"], 4)
    0.6
    """
    from motives.conventions import INTERVAL_MASS
    from motives.exact import prior_from

    if method not in ("exact", "mcmc"):
        raise MotivesError(f"--method must be 'exact' or 'mcmc', got {method!r}")
    prior_value = parse_prior(prior)
    lens_id = case.resolve_lens(lens)
    tgt = None if target is None else resolve_target(case, target, "--target")
    try:
        prior_vec = prior_from(case, prior_value)
    except MotivesError as exc:
        why = "; ".join(p.message for p in getattr(exc, "problems", [])) or str(exc)
        raise MotivesError(f"--prior {prior!r}: {why}") from None
    draws_kh = None
    if method == "exact":
        from motives.exact import exact_posterior
        from motives.report import summary_dict

        table = exact_posterior(case, lens_id, prior_value)
        summary = summary_dict(
            table, method="exact", lens=lens_id, fallbacks=table.attrs["fallbacks"]
        )
    else:
        from motives.models import fit

        res = fit(
            case,
            model="exclusive",
            lens=lens_id,
            prior=prior_value,
            draws=draws,
            seed=seed,
            progressbar=progressbar,
        )
        summary = res.summary_dict()
        fill_prior(summary, case, lens_id, prior_value)
        draws_kh = credence_draws(res, case) if case.groupings or tgt else None
    if prior is not None:
        summary["prior"] = dict(zip(case.hypothesis_ids, map(float, prior_vec), strict=True))
    if case.structured:
        summary["if_independent"] = if_independent(case, lens_id, prior_value)
    add_groupings(summary, case, prior_vec, draws_kh)
    if tgt is not None:
        summary["target"] = target_summary(case, tgt, summary, prior_vec, draws_kh)
    lines = posterior_extras(case, lens_id, summary)
    if tgt is not None:
        t = summary["target"]
        ci = (
            ""
            if t["lower"] == t["upper"]
            else f", {INTERVAL_MASS:.0%} interval [{t['lower']:.4g}, {t['upper']:.4g}]"
        )
        lines.insert(
            0,
            f"target {t['level']} {t['name']}: credence {t['credence']:.4g}{ci} (prior "
            f"{t['prior']:.4g}); Bayes factor against the rest "
            + ("n/a" if t["bayes_factor"] is None else f"{t['bayes_factor']:.4g}"),
        )
    return summary, lines


def saved_fit_summary(spec_file: Path, fit_dir: Path, *, psense: bool = False) -> dict[str, Any]:
    """The summary of a fit ``motives run`` saved, as ``run`` printed it.

    The fit is given as ``fit_dir`` or its ``trace.nc``.

    Its power-scaling sensitivity is read from the saved log densities, or computed when ``psense``
    asks.

    The fit is checked to be the fit of the spec and its case as they are now
    (:func:`motives.models.load_result` refuses it, saying what changed, otherwise).
    """
    from motives.io import load_case
    from motives.models import load_result
    from motives.spec import load_spec

    trace = fit_dir / "trace.nc" if fit_dir.is_dir() else fit_dir
    res = load_result(trace, spec_file)
    spec = load_spec(spec_file)
    case = load_case(spec.case_path(spec_file))
    summary = res.summary_dict()
    if spec.model == "exclusive":  # as 'run' wrote it
        fill_prior(summary, case, summary["lens"], spec.prior)
    summary["spec"] = {
        "name": spec.name,
        "file": str(spec_file),
        "config_hash": res.config_hash,
        "case_hash": res.config["case_hash"],
        "motives_version": res.config["motives_version"],
    }
    summary["power_sensitivity"] = power_sensitivity(res, case, compute=psense)
    return summary


def power_sensitivity(res: Any, case: Any = None, *, compute: bool = True) -> dict[str, Any]:
    """Power-scaling sensitivity of a fit (motives.models.psense), or why there is none.

    The fit's log densities are computed when it has none and ``compute`` is true (from ``case`` for
    a fit loaded from a file); with ``compute`` false a fit without them says how to ask for them.
    """
    import json

    from motives.models.psense import sensitivity_summary

    fixed = set(json.loads(res.trace.attrs.get("motives_deterministics", "[]")))
    if (
        not compute
        and res.model == "exclusive"
        and not res.has_log_densities
        and set(res.trace.posterior.data_vars) - fixed
    ):
        return {
            "statement": "Power-scaling sensitivity: not computed (it needs the log densities of "
            "every draw, which cost a few seconds: motives run --psense or motives summary "
            "--psense computes it)"
        }
    return sensitivity_summary(res, case=case)
