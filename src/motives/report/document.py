"""The Markdown report of one analysis (``motives report``).

Every sentence of the report that states a number or a direction is rendered from a
:class:`motives.report.explain.Claim` read from the tables the figures use (``run_all``'s), and
:func:`build_report` returns the claims beside the text, so a test can check each against the
tables. A claim that would say nothing (a level reached at a scale of 0, a number compared with
itself) is not printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from motives.conventions import (
    RESOLUTION_NOTE,
    families_group,
    md_text,
    number_text,
    one_per_family,
    plural,
)
from motives.report.explain import Claim
from motives.report.tables import (
    evidence_markdown,
    most_credible_rows,
    posterior_markdown,
    propositions_markdown,
    to_markdown,
)

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case


@dataclass
class Report:
    """The Markdown report and every claim its sentences make (those of "In words" first).

    Attributes
    ----------
    markdown
        The report.
    claims
        The :class:`~motives.report.explain.Claim` of every sentence that states a number or a
        direction.
    """

    markdown: str
    claims: list[Claim] = field(default_factory=list)


def _top(df: pd.DataFrame, col: str, n: int = 10) -> pd.DataFrame:
    return df.reindex(df[col].abs().sort_values(ascending=False).index).head(n)


def _shown(t: pd.DataFrame, credence: pd.Series | None = None, *, digits: int) -> list[str]:
    """Report lines of a table with a row per hypothesis (or family).

    The most credible rows, then what is left out.
    """
    t, note = most_credible_rows(t, credence)
    return [to_markdown(t, digits=digits), *([note, ""] if note else [])]


def structure_comparison(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    reliability: bool = True,
    target: str | None = None,
    claims: list[Claim] | None = None,
) -> list[str]:
    """Markdown lines comparing the structured posterior with the independent one.

    The structured posterior beside the posterior as if every item were independent.

    The second is :func:`motives.exact.exact_posterior` with ``structure=False``
    (each item under a proposition replaced by what it implies alone, then
    all multiplied): the naive-Bayes figure the structure corrects. The
    sentence states the leading family's log-odds against the rest both ways.

    Examples
    --------
    >>> import motives as mv
    >>> lines = structure_comparison(mv.examples.load("burglary"))
    >>> print(lines[2])  # doctest: +NORMALIZE_WHITESPACE
    | level | id | label | prior | credence | if_independent | uniform_prior |
    uniform_if_independent |
    >>> print(lines[4])  # each hypothesis its own family: no family rows repeat these
    | hypothesis | suspect | The suspect did it | 0.100 | 0.658 | 0.858 | 0.945 | 0.982 |
    >>> print(lines[-2][:118])
    With the structure, The suspect did it has log-odds +2.8 dB against the rest; if every item were
    independent
    given the
    """
    import numpy as np

    from motives.exact import exact_posterior

    lens = case.resolve_lens(lens)
    s = exact_posterior(case, lens, prior, reliability=reliability)
    i = exact_posterior(case, lens, prior, reliability=reliability, structure=False)
    t = s[["label", "prior", "credence"]].copy()
    t["if_independent"] = i["credence"]
    pri = s.xs("hypothesis", level="level")["prior"].to_numpy(dtype=float)
    uniform = not np.allclose(pri, 1.0 / len(pri), rtol=0, atol=1e-12)
    if (
        uniform
    ):  # the headline under a uniform prior too, so a reader sees how much of it the prior carries
        t["uniform_prior"] = exact_posterior(case, lens, "uniform", reliability=reliability)[
            "credence"
        ]
        t["uniform_if_independent"] = exact_posterior(
            case, lens, "uniform", reliability=reliability, structure=False
        )["credence"]
    fam = t.xs("family", level="level")
    lead = target if target in set(fam.index) else str(fam["credence"].idxmax())

    def db(c: float) -> float:
        with np.errstate(divide="ignore"):
            return (
                float(10 * np.log10(c / (1 - c))) if 0 < c < 1 else (np.inf if c >= 1 else -np.inf)
            )

    claim = Claim(
        "structure_effect",
        str(lead),
        db(float(fam.loc[lead, "credence"])),
        "if_independent",
        db(float(fam.loc[lead, "if_independent"])),
        "posterior",
        {"level": "family"},
    )
    if claims is not None:
        claims.append(claim)
    a, b = claim.value, claim.other
    diff = b - a
    name = md_text(
        next((f.label for f in case.families if f.id == lead and f.label), None)
        or next((h.name for h in case.hypotheses if h.id == lead), lead)
    )
    if abs(diff) < 0.05:
        meaning = (
            "the two agree: no proposition's items come near its cap, so treating them as "
            "independent changes nothing here."
        )
    else:
        meaning = (
            f"treating the items as independent would {'overstate' if diff > 0 else 'understate'} "
            "the case "
            f"for it by {abs(diff):.1f} dB (a factor of {10 ** (abs(diff) / 10):.3g} on the "
            "odds): items that bear on one proposition share a cause, and together can move the "
            "odds no further than the proposition itself (its cap)."
        )
    if one_per_family(case):  # the family rows would repeat the hypothesis rows
        t = t[t.index.get_level_values("level") != "family"]
    lines = to_markdown(t, digits=3).rstrip("\n").splitlines()
    also = (
        " The last two columns give both under a uniform prior over the hypotheses "
        '(`prior="uniform"`), '
        "so a reader sees how much of the answer the prior carries."
        if uniform
        else ""
    )
    return [
        "The credences above combine the items through their propositions. Beside them "
        "(`if_independent`), the posterior if every item bore on the hypotheses independently, "
        "each with what it implies alone "
        f"(`exact_posterior(case, structure=False)`).{also}",
        "",
        *lines,
        "",
        f"With the structure, {name} has log-odds {a:+.1f} dB against the rest; if every item "
        "were independent "
        f"given the hypothesis it would have {b:+.1f} dB, so {meaning} The first figure is the "
        "one to report.",
        "",
    ]


def _discount_sentence(
    disc: pd.DataFrame, labels: dict[str, str], claims: list[Claim] | None = None
) -> str:
    """The evidence discount in words.

    For each level, the smallest gamma from which the target keeps it.

    A level the target does not reach with the evidence at full weight, or reaches at the smallest
    gamma but loses at a larger one, is said to be so (the smallest gamma alone would misstate it).
    """
    n = disc.attrs["diagnostic_items"]
    tgt = disc.attrs["target"]
    lvl = disc.attrs.get("target_level", "family")
    try:
        curve = (
            disc.xs((lvl, tgt), level=["level", "id"])[["gamma", "credence"]]
            .astype(float)
            .sort_values("gamma")
        )
    except KeyError:
        curve = None
    now = float(curve["credence"].iloc[-1]) if curve is not None and len(curve) else float("nan")
    parts = []
    for lv, g in disc.attrs["gamma_for"].items():
        if g is None:
            status = "never"
        elif curve is not None and not now >= lv:
            status = "not_reached"
        elif curve is not None and not (curve.loc[curve["gamma"] >= g, "credence"] >= lv).all():
            status = "not_kept"
        else:
            status = "kept"
        c = Claim(
            "discount_level",
            tgt,
            float("nan") if g is None else float(g),
            "",
            float(lv),
            "evidence_discount",
            {"status": status, "credence": now, "items": n, "level": lvl},
        )
        if claims is not None:
            claims.append(c)
        parts.append(_discount_part(c))
    return (
        "Evidence discount: every item's weight of evidence multiplied by one factor gamma, as "
        "if the "
        f"{plural(n, 'diagnostic item')} were worth gamma times as many independent ones. "
        "Smallest gamma from which "
        f"{labels.get(tgt, tgt)} keeps each credence: {'; '.join(parts)}."
    )


def _discount_part(c: Claim) -> str:
    """One level of the discount sentence, from its claim (``discount_level``)."""
    lv, g, st = c.other, c.value, c.detail["status"]
    if st == "never":
        return f"{lv:g}: never"
    if st == "not_reached":
        return (
            f"{lv:g}: not with the evidence at full weight (credence {c.detail['credence']:.4g} "
            "at gamma 1; only a weaker weight, where the prior counts for more, reaches it)"
        )
    if st == "not_kept":
        return f"{lv:g}: first at gamma {g:.2f}, but not at every larger gamma (see the figure)"
    if g < 0.005:  # 'gamma >= 0.00 (0.0 items)' would say nothing: the prior alone keeps it
        return (
            f"{lv:g}: at every gamma, even with the evidence weighed at nothing (the prior "
            "alone keeps it)"
        )
    return f"{lv:g}: gamma >= {g:.2f} ({g * c.detail['items']:.1f} items)"


def _break_even_rows(be: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The break-even table of the report.

    The items with the largest weights, then every other judgement.
    """
    import pandas as pd

    if "kind" not in be:
        return _top(be, "db_item", n)
    items = be[be["kind"].isin(["item", "table"])]
    rest = be[~be["kind"].isin(["item", "table"])]
    rest = rest.reindex(rest["factor_db"].astype(float).abs().sort_values().index)
    return pd.concat([_top(items, "db_item", n), rest])


def judgements_markdown(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    target: str | None = None,
    reliability: bool = True,
    claims: list[Claim] | None = None,
) -> list[str]:
    r"""Markdown lines on the judgements other than likelihoods.

    The judgements other than likelihoods the verdict rests on, and every defaulted base rate.

    The source reliabilities, the base rates of the items such sources report and the target's prior
    (:func:`motives.sensitivity.judgements.judgement_table`); a base rate the case does not give is
    named with the value it defaulted to (the row mean). Nothing when the case has only its prior.

    Examples
    --------
    >>> import motives as mv
    >>> lines = judgements_markdown(mv.examples.load("witness"), target="blue")
    >>> print(lines[0][:70])
    The verdict also rests on these judgements, which the tornado and brea
    >>> print(lines[2])  # the values to six significant digits
    | judgement | kind | value | defaulted |
    | --- | --- | --- | --- |
    | source:witness | source | 0.6 | no |
    | base_rate:says_blue | base_rate | 0.5 | no |
    | prior | prior | 0.15 | no |
    <BLANKLINE>
    """
    from motives.sensitivity.judgements import judgement_table

    jt = judgement_table(case, lens, prior=prior, target=target, reliability=reliability)
    if not len(jt) or set(jt["kind"]) == {"prior"}:
        return []
    out = [
        "The verdict also rests on these judgements, which the tornado and break-even tables "
        "below move "
        "like the likelihoods (the value is the judged probability: a source's reliability, the "
        "base rate P(report | source wrong) of an item it reports, the prior of the target):",
        "",
        to_markdown(jt.assign(value=[f"{v:.6g}" for v in jt["value"]]), digits=6),
        "",
    ]
    dflt = jt[jt["defaulted"].astype(bool)]
    found = [
        Claim(
            "defaulted_base_rate", str(i).split(":", 1)[1], float(v), "", float("nan"), "judgements"
        )
        for i, v in dflt["value"].items()
    ]
    if claims is not None:
        claims.extend(found)
    if found:
        named = ", ".join(f"`{c.subject}` = {c.value:.6g}" for c in found)
        out += [
            f"**Defaulted base rates:** {named}. These items give no `base_rate`, so it is the "
            "mean of their likelihoods (P(report | source wrong) as if a wrong source reported at "
            "the average rate); give `base_rate` where that is not your judgement.",
            "",
        ]
    return out


def report_markdown(
    case: Case,
    tables: dict[str, pd.DataFrame],
    figures: dict[str, str],
    *,
    spec: dict[str, Any] | None = None,
    analysed: Case | None = None,
) -> str:
    """The Markdown report of one analysis.

    Posterior, evidence, every sensitivity analysis, with figures.

    A structured case (with propositions) gets, beside the posterior, the
    posterior as if every item bore on the hypotheses independently
    (:func:`motives.exact.exact_posterior` with ``structure=False``) and a
    sentence on what the difference means, then a section "Structure" with
    the structure figure and every proposition's tables and rationales.

    Parameters
    ----------
    case
        The case.
    tables
        :func:`motives.sensitivity.run_all` output.
    figures
        Figure name -> path relative to the report (PNG), e.g. from the ``report`` command.
    spec
        ``name``, ``file``, ``lens``, ``prior``, ``model``, ``case_hash`` (of the case content),
        ``motives_version``, ``tornado_factor``, ``reliability``, and ``target`` (as written) when
        the analyses were run for a target.
    analysed
        The case the tables were computed on when it is not ``case``: for a group target,
        :meth:`motives.Case.regrouped` (the grouping's groups as families).

    Notes
    -----
    The target-centred sections (prior, leave-one-out, break-even, discount, cruxes, Sobol) follow
    the target of the tables (``tables["prior_sweep"].attrs["target"]``): the leading family unless
    a target was given. A case with named groupings gets a section "Groupings": each grouping's
    marginal.

    The sections are those registered with :func:`section` (a user's own too), in registration
    order;
    :func:`report_sections` gives each by name.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("cookies")
    >>> tables = mv.sensitivity.run_all(case)
    >>> md = report_markdown(
    ...     case, tables, {"credences": "figures/credences.png"}, spec={"name": "cookies"}
    ... )
    >>> md.splitlines()[0]
    '# The cookie problem (Downey, Think Bayes): sensitivity report'
    >>> [line for line in md.splitlines() if line.startswith("## ")]
    ['## In words', '## Posterior', '## Evidence', '## Prior', '## Influence of single items and
    sources',
     '## Independence', '## Conflict', '## Global sensitivity', '## Value of information', '##
     Trajectory']
    >>> print(
    ...     md.split("## Global sensitivity")[1].split("##")[0].strip()[:70]
    ... )  # nothing uncertain: said so
    **Warning:** The Sobol table is empty: no judgement of this case is gi
    >>> (
    ...     "The leading hypothesis is **bowl1** with credence 0.6 "
    ...     "(Bayes factor against the rest 1.5, 1.8 dB)." in md
    ... )
    True
    >>> "](figures/credences.png)" in md
    True

    A structured case puts the independent-items posterior beside the structured one and adds a
    section "Structure":

    >>> case = mv.examples.load("burglary")
    >>> md = report_markdown(
    ...     case, mv.sensitivity.run_all(case, sobol_samples=64), {}, spec={"name": "burglary"}
    ... )
    >>> [line for line in md.splitlines() if line.startswith("## ")][:4]
    ['## In words', '## Posterior', '## Structure', '## Evidence']
    >>> "| level | id | label | prior | credence | if_independent |" in md, "### `at_scene`" in md
    (True, True)
    """
    return build_report(case, tables, figures, spec=spec, analysed=analysed).markdown


def build_report(
    case: Case,
    tables: dict[str, pd.DataFrame],
    figures: dict[str, str],
    *,
    spec: dict[str, Any] | None = None,
    analysed: Case | None = None,
) -> Report:
    """The report of :func:`report_markdown` with the claims of its sentences (same arguments).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("cookies")
    >>> rep = build_report(case, mv.sensitivity.run_all(case, sobol_samples=16), {})
    >>> [c.what for c in rep.claims if c.table == "reversal_priors"]
    ['evidence_favours', 'headline']
    """
    claims: list[Claim] = []
    parts = report_sections(case, tables, figures, spec=spec, analysed=analysed, claims=claims)
    # the reference list closes the report, after every section (a plugin's too)
    return Report("\n".join(parts["__all__"] + references_markdown(case)).rstrip() + "\n", claims)


@dataclass
class ReportContext:
    """What a report section writes from.

    The case, the tables, the figures drawn, the spec, the target.
    """

    case: Case
    analysed: Case | None
    tables: dict[str, pd.DataFrame]
    figures: dict[str, str]
    spec: dict[str, Any]
    lens: str
    lead: str
    lead_level: str
    labels: dict[str, str]
    kind: str
    what: str
    claims: list[Claim] = field(default_factory=list)

    def fig(self, name: str) -> list[str]:
        """Markdown lines of the figure ``name`` with its caption.

        Nothing when it was not drawn.
        """
        from motives.plots.figures import FIGURES, caption

        if name not in self.figures:
            return []
        cap = caption(name, self.analysed or self.case)
        if (
            self.spec.get("target") and name in FIGURES and FIGURES[name].target
        ):  # these follow the tables' target
            for noun in ("family", "hypothesis"):
                cap = cap.replace(f"The leading {noun}", "The target").replace(
                    f"the leading {noun}", "the target"
                )
        elif self.lead_level == "hypothesis" and name in FIGURES and FIGURES[name].target:
            # one family holds every hypothesis: the default target is the leading hypothesis
            cap = cap.replace("The leading family", "The leading hypothesis").replace(
                "the leading family", "the leading hypothesis"
            )
        return [f"![{cap}]({self.figures[name]})", "", f"*Figure: {cap}*", ""]

    @property
    def one_per_family(self) -> bool:
        """Every family of the case analysed is one hypothesis.

        Family rows and columns repeat the hypotheses'.
        """
        return one_per_family(self.analysed or self.case)

    def no_family_rows(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` without its family rows when they repeat the hypothesis rows.

        That is when :attr:`one_per_family` holds.
        """
        if not self.one_per_family or "level" not in table.index.names:
            return table
        return table[table.index.get_level_values("level") != "family"]

    @property
    def hyp_cred(self) -> pd.Series:
        """The hypotheses' credences (posterior table)."""
        return self.tables["posterior"].xs("hypothesis", level="level")["credence"]


@dataclass(frozen=True)
class Section:
    """One registered report section.

    Its name, the analyses it reports, when it applies, how it is written.
    """

    name: str
    uses: tuple[str, ...]
    render: Callable[[ReportContext], list[str]] = field(repr=False)
    when: Callable[[ReportContext], bool] | None = field(default=None, repr=False)
    optional: tuple[str, ...] = ()

    @property
    def reports(self) -> tuple[str, ...]:
        """Every analysis it reports: those it needs, then those it shows when present."""
        return self.uses + self.optional

    def applies(self, ctx: ReportContext) -> bool:
        """Whether it is written: every table it needs is there and ``when`` (if any) holds."""
        return all(n in ctx.tables for n in self.uses) and (
            self.when is None or bool(self.when(ctx))
        )


#: Section name -> section, in the order of the report.
SECTIONS: dict[str, Section] = {}


_Render = Callable[["ReportContext"], list[str]]


def section(
    name: str,
    *,
    uses: tuple[str, ...] = (),
    when: Callable[[ReportContext], bool] | None = None,
    optional: tuple[str, ...] = (),
) -> Callable[[_Render], _Render]:
    """Register ``render(ctx) -> list of Markdown lines`` as the report section ``name``.

    A decorator.

    Parameters
    ----------
    name
        The section's name (unique); its heading is its own to write.
    uses
        The analyses (table names of :mod:`motives.sensitivity.registry`) it reports; it is written
        only when all their tables are there.
    when
        Written only when this is true of the :class:`ReportContext`.
    optional
        Analyses it reports when their tables are there (e.g. only for a structured case).

    Examples
    --------
    >>> try:
    ...     section("prior")(lambda ctx: [])
    ... except ValueError as exc:
    ...     print(exc)
    a report section named 'prior' is registered already (unregister_section it first to replace it)
    """

    def register(fn: Callable[[ReportContext], list[str]]) -> Callable[[ReportContext], list[str]]:
        if name in SECTIONS:
            raise ValueError(
                f"a report section named {name!r} is registered already (unregister_section it "
                "first to replace it)"
            )
        SECTIONS[name] = Section(name, tuple(uses), fn, when, tuple(optional))
        return fn

    return register


def unregister_section(name: str) -> None:
    """Remove the report section ``name``."""
    del SECTIONS[name]


def report_sections(
    case: Case,
    tables: dict[str, pd.DataFrame],
    figures: dict[str, str],
    *,
    spec: dict[str, Any] | None = None,
    analysed: Case | None = None,
    claims: list[Claim] | None = None,
) -> dict[str, list[str]]:
    """Each section of :func:`report_markdown` by name, as its Markdown lines.

    The key ``"__all__"`` holds the whole report's lines.

    ``claims``, when given, receives the claim of every sentence that states a number or a
    direction.

    The head (title, analysis, lens) is ``"__head__"``; a section that does not apply (its ``when``)
    or writes nothing is left out.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("cookies")
    >>> parts = report_sections(case, mv.sensitivity.run_all(case, sobol_samples=64), {})
    >>> [k for k in parts if not k.startswith("__")][:4]
    ['words', 'posterior', 'evidence', 'prior']
    >>> parts["independence"][0]
    '## Independence'
    """
    from motives.sensitivity.registry import load_plugins

    load_plugins()
    ctx = _context(case, tables, figures, spec or {}, analysed)
    if claims is not None:
        ctx.claims = claims
    out = {"__head__": _head(ctx)}
    for name, sec in SECTIONS.items():
        if sec.applies(ctx):
            lines = sec.render(ctx)
            if lines:
                out[name] = lines
    out["__all__"] = [line for lines in out.values() for line in lines]
    return out


def _context(
    case: Case,
    tables: dict[str, pd.DataFrame],
    figures: dict[str, str],
    spec: dict[str, Any],
    analysed: Case | None,
) -> ReportContext:
    post = tables["posterior"]
    lens = post.attrs.get("lens", case.default_lens)
    fam = post.xs("family", level="level")["credence"]
    ps = tables["prior_sweep"].attrs
    lead, lead_level = str(ps.get("target", fam.idxmax())), str(ps.get("target_level", "family"))
    labels = (
        {grp.id: md_text(grp.label or grp.id) for g in case.groupings for grp in g.groups}
        | {h.id: md_text(h.name) for h in case.hypotheses}
        | {f.id: md_text(f.label or f.id) for f in case.families}
    )
    kind = "group" if analysed is not None else lead_level
    what = (
        f"the target {kind} **{labels.get(lead, lead)}**"
        if spec.get("target")
        else "the leading hypothesis"
        if lead_level == "hypothesis" or one_per_family(case)
        else "the leading family"
    )
    return ReportContext(
        case, analysed, tables, figures, spec, lens, lead, lead_level, labels, kind, what
    )


def _head(x: ReportContext) -> list[str]:
    case, spec, lens = x.case, x.spec, x.lens
    prior_text = "the case's own" if spec.get("prior") is None else f"`{spec.get('prior')}`"
    L = [f"# {md_text(case.title or case.name)}: sensitivity report", ""]
    L += [
        f"Analysis `{spec.get('name', '?')}` ({md_text(spec.get('file', ''))}; case content "
        f"{spec.get('case_hash', '')}, motives {spec.get('motives_version', '')}): "
        f"case `{case.name}`, lens `{lens}`, prior {prior_text}, exact engine "
        f"(closed form; model `{spec.get('model', 'exclusive')}` -- every analysis below uses the "
        "exact posterior of the exclusive model), which gives credences without intervals. "
        + RESOLUTION_NOTE,
        "",
    ]
    fb = x.tables["posterior"].attrs.get("fallbacks") or []
    if fb:
        L += [
            f"Items lens `{lens}` does not rate use the default lens `{case.default_lens}`: "
            f"{', '.join(fb)}.",
            "",
        ]
    lens_rec = next((ln for ln in case.lenses if ln.id == lens), None)
    if lens_rec is not None and lens_rec.description:
        L += [f"Lens `{lens}`: {md_text(lens_rec.description)}", ""]
    return L


@section("words")
def _words(x: ReportContext) -> list[str]:
    from motives.report.explain import explain

    spec = x.spec
    words = explain(
        x.case,
        x.lens,
        prior=spec.get("prior"),
        reliability=spec.get("reliability", True),
        target=x.lead if spec.get("target") and x.analysed is None else None,
    )
    x.claims.extend(words.claims)
    L = ["## In words", "", words.markdown, ""]
    L += judgements_markdown(
        x.analysed or x.case,
        x.lens,
        prior=spec.get("prior"),
        target=x.lead,
        reliability=spec.get("reliability", True),
        claims=x.claims,
    )
    return L


@section("posterior", uses=("posterior", "reversal_priors"))
def _posterior(x: ReportContext) -> list[str]:
    """The Posterior section.

    The table, the credences figure, the value summary when hypotheses carry values, and the
    sentence naming the leader with its numbers.
    """
    case, spec, lens, labels, lead = x.case, x.spec, x.lens, x.labels, x.lead
    L = [
        "## Posterior",
        "",
        posterior_markdown(
            case, lens, prior=spec.get("prior"), table=None, note=False, all_rows=False
        ),
        "",
    ]
    L += x.fig("credences")
    if all(h.value is not None for h in case.hypotheses):
        from motives.exact import value_summary

        v = value_summary(case, lens, credence=x.hyp_cred.to_dict())
        c = Claim(
            "value_summary",
            "hypotheses",
            float(v["mean"]),
            "",
            float("nan"),
            "posterior",
            {k: float(v[k]) for k in ("median", "mass", "lower", "upper")},
        )
        x.claims.append(c)
        d = c.detail
        L += [
            f"The hypotheses are values of one quantity: its posterior mean is {c.value:.6g}, its "
            "median "
            f"{d['median']:.6g}, and its {d['mass']:.0%} credible interval [{d['lower']:.6g}, "
            f"{d['upper']:.6g}].",
            "",
        ]
        L += x.fig("value_posterior")
    r = x.tables["reversal_priors"].loc[(x.lead_level, lead)]
    head = Claim(
        "headline",
        lead,
        float(r["credence"]),
        "rest",
        float(r["bayes_factor"]),
        "reversal_priors",
        {
            "level": x.lead_level,
            "decibans": float(r["decibans"]),
            "leading": not spec.get("target"),
        },
    )
    x.claims.append(head)
    numbers = (
        f"credence {head.value:.4g} (Bayes factor against the rest {head.other:.4g}, "
        f"{head.detail['decibans']:.1f} dB)"
    )
    if spec.get("target"):
        note = (
            f" The analyses below treat the groups of grouping `{spec.get('grouping')}` as the "
            "families."
            if x.analysed is not None
            else ""
        )
        L += [
            f"Target `{spec['target']}`: {x.kind} **{labels.get(lead, lead)}** has "
            f"{numbers}.{note}",
            "",
        ]
    elif x.lead_level == "hypothesis":  # the default target when one family holds every hypothesis
        L += [
            f"The leading hypothesis is **{labels.get(lead, lead)}** with {numbers}. The case's "
            "one family holds every hypothesis (its credence is 1 whatever the evidence), so the "
            "analyses below are of the leading hypothesis.",
            "",
        ]
    elif one_per_family(case):  # every family is one hypothesis: "family" would name a hypothesis
        L += [f"The leading hypothesis is **{labels.get(lead, lead)}** with {numbers}.", ""]
    else:
        L += [f"The leading family is **{labels.get(lead, lead)}** with {numbers}.", ""]
    return L


@section("groupings", uses=("posterior",), when=lambda x: bool(x.case.groupings))
def _groupings(x: ReportContext) -> list[str]:
    from motives.report.groupings import groupings_markdown

    hyp = x.tables["posterior"].xs("hypothesis", level="level")
    return [
        "## Groupings",
        "",
        "Each named grouping's marginal: the credences of its groups' hypotheses summed "
        "(Bayes factor of each group against the rest of its grouping).",
        "",
        groupings_markdown(x.case, hyp["credence"].to_dict(), hyp["prior"].to_dict()),
        "",
    ]


@section("structure", when=lambda x: bool(x.case.structured))
def _structure(x: ReportContext) -> list[str]:
    case, spec = x.case, x.spec
    L = structure_comparison(
        x.analysed or case,
        x.lens,
        prior=spec.get("prior"),
        reliability=spec.get("reliability", True),
        target=x.lead,
        claims=x.claims,
    )
    L += [
        "## Structure",
        "",
        f"{plural(len(case.propositions), 'proposition')} "
        f"stand{'s' if len(case.propositions) == 1 else ''} between the hypotheses and the items "
        "that bear on them; items under one proposition are conditionally independent given its "
        "state, so together they can never move the odds by more than the proposition itself (its "
        "cap).",
        "",
    ]
    L += x.fig("structure")
    L += [propositions_markdown(case, x.lens, heading="###"), ""]
    return L


@section("evidence", uses=("weight_of_evidence",), optional=("proposition_weight",))
def _evidence(x: ReportContext) -> list[str]:
    spec = x.spec
    L = [
        "## Evidence",
        "",
        evidence_markdown(
            x.analysed or x.case,
            x.lens,
            prior=spec.get("prior"),
            note=False,
            target=x.lead if spec.get("target") else None,
        ),
        "",
    ]
    L += x.fig("ledger")
    L += [
        "Weight of evidence W = 10 log10 P(E | T) / P(E | not T) in decibans; P(E | not T) "
        "averages the other "
        "hypotheses' likelihoods weighted by the prior. With two hypotheses (or families that "
        "agree within themselves) and independent items the W add up to the total change of "
        "log-odds; otherwise the exact, "
        "order-dependent decomposition is the trajectory's `step_db`.",
        "",
    ]
    return L


@section("prior", uses=("reversal_priors", "prior_sweep"))
def _prior(x: ReportContext) -> list[str]:
    rev = x.tables["reversal_priors"]
    grouped = families_group(rev)
    L = [
        "## Prior",
        "",
        f"Bayes factor of each hypothesis{' and family' if grouped else ''} against the rest, and "
        "`prior_for_credence_half`, the prior at which its credence would be 1/2, even odds "
        "against all the rest together (prior odds x Bayes factor = posterior odds; "
        "`prior_for_tie` in the CSV). This is not where it would tie with its strongest single "
        "rival (the tie of break-even).",
        "",
        *_shown(
            (rev if grouped else rev[rev.index.get_level_values("level") != "family"]).rename(
                columns={"prior_for_tie": "prior_for_credence_half"}
            ),
            digits=4,
        ),
    ]
    L += x.fig("prior_sweep")
    return L


@section("influence", uses=("leave_one_out", "leave_one_source_out", "tornado", "break_even"))
def _influence(x: ReportContext) -> list[str]:
    """The influence section.

    Leave one item out, leave one source out, the tornado and the break-even table, each about the
    leading hypothesis or family.
    """
    tables, spec, labels, what = x.tables, x.spec, x.labels, x.what
    lead, lead_level = x.lead, x.lead_level
    L = ["## Influence of single items and sources", ""]
    if not tables["leave_one_out"].empty:
        L += [
            f"Leave-one-out: the credence of {what} without each item (largest changes of "
            "log-odds first).",
            "",
            to_markdown(
                _top(
                    tables["leave_one_out"].xs((lead_level, lead), level=("level", "id")),
                    "delta_db",
                ),
                digits=4,
            ),
            "",
        ]
    los = tables["leave_one_source_out"]
    if not los.empty:
        L += [
            "Leave one source out (all items resting on it):",
            "",
            to_markdown(
                _top(los.xs((lead_level, lead), level=("level", "id")), "delta_db"), digits=4
            ),
            "",
        ]
    if not tables["tornado"].empty and not tables["break_even"].empty:
        tor = tables["tornado"]
        f = tor.attrs.get("factor", spec.get("tornado_factor", 3))
        cols = ["credence", "low", "high", "log_odds_db", "low_db", "high_db", "swing_db"]
        cols += [c for c in ("kind", "value") if c in tor]
        L += [
            f"Tornado: each item's weight of evidence multiplied by 1/{f:g} and {f:g} (its "
            "likelihoods raised to "
            "that power), one item at a time; each other judgement (`kind`: a source's "
            "reliability, a base rate, "
            "the prior of the target; `value` its judged probability) with its odds multiplied "
            f"by 1/{f:g} and {f:g}.",
            "",
            to_markdown(tor.head(10)[cols], digits=4),
            "",
        ]
        L += x.fig("tornado")
        be = tables["break_even"]
        L += [
            "Break-even: the factor on one item's likelihood ratio "
            f"({labels.get(be.attrs['target'], '')} : rest) "
            f"that alone ties {what} with {labels.get(be.attrs['rival'], be.attrs['rival'])}. For "
            "items taken at face value it is the same for every item (posterior odds move by "
            "exactly the factor); "
            "what differs is how far each item's own weight of evidence would have to move "
            "(`db_item` -> `db_needed`). Items behind an uncertain source may be unable to reach "
            "the tie. The other judgements (`kind` `source`, `base_rate`, `prior`) are rows too: "
            "the factor on their odds, and the probability that would tie (`value` -> "
            "`value_needed`).",
            "",
            to_markdown(_break_even_rows(be), digits=4),
            "",
        ]
        L += x.fig("break_even")
    return L


@section(
    "independence",
    uses=("evidence_discount",),
    optional=("discount_by_proposition", "discount_by_issue_area"),
)
def _independence(x: ReportContext) -> list[str]:
    L = [
        "## Independence",
        "",
        _discount_sentence(x.tables["evidence_discount"], x.labels, x.claims),
        "",
        *x.fig("discount"),
    ]
    for name in ("discount_by_proposition", "discount_by_issue_area"):
        if name in x.tables:
            L += _group_discount_lines(x.tables[name], name, x.labels, x.claims)
    return L


def _group_discount_lines(
    gd: pd.DataFrame, table: str, labels: dict[str, str], claims: list[Claim]
) -> list[str]:
    """One group discount table (by proposition or by issue area) and its sentence, from its claim.

    The sentence is at the lowest level of the table the target reaches with every item at full
    weight: the group whose items it needs most (the largest of the smallest gammas), or that it
    needs none of them. When it reaches no level, the sentence says so, and names a group whose
    items, weighed down, would bring it to the lowest level (the one left out that leaves the
    highest credence), if any does.
    """
    if gd.empty:
        return []
    tgt = str(gd.attrs["target"])
    kind = "proposition" if gd.attrs["by"] == "proposition" else "issue area"
    levels = [float(v) for v in gd.attrs["levels"]]
    full = float(
        gd["credence"].iloc[0]
    )  # gamma = 1 leaves every item as judged: the same for every group
    name = labels.get(tgt, tgt)
    reached = [v for v in levels if full >= v]
    level = min(reached) if reached else min(levels)
    col = gd[f"gamma_{level:g}"].astype(float)
    if reached:
        group = str(col.idxmax())
        status = "needed" if col[group] > 0 else "none_needed"
    elif col.notna().any():  # discounting a group's items raises the target to the level
        group, status = (
            str(gd.loc[col.notna(), "credence_without"].astype(float).idxmax()),
            "raised_by",
        )
    else:
        group, status = "", "not_reached"
    row = gd.loc[group] if group else None
    c = Claim(
        "group_discount",
        group,
        float(col[group]) if group else float("nan"),
        tgt,
        level,
        table,
        {
            "status": status,
            "credence": full,
            "items": int(row["items"]) if row is not None else 0,
            "without": float(row["credence_without"]) if row is not None else float("nan"),
        },
    )
    claims.append(c)
    who = "the items with no issue area" if group == "(none)" else f"`{group}`"
    if status == "none_needed":
        said = (
            f"{name} keeps credence {level:g} with the items of any one {kind} left out (gamma 0 "
            "for every "
            f"{kind}): no single {kind} carries it there."
        )
    elif status == "needed":
        said = (
            f"Of the {kind}s, {name} rests most for credence {level:g} on {who} "
            f"({plural(c.detail['items'], 'item')}): with their weight of evidence weighed at "
            "less than "
            f"gamma = {number_text(c.value, 2)}, its credence is under {level:g} (with them left "
            "out, "
            f"{c.detail['without']:.4g})."
        )
    else:
        said = (
            f"{name} has credence {full:.4g} with every item at full weight, under every level "
            "of the table."
        )
        items = "the items with no issue area" if group == "(none)" else f"the items of {who}"
        if status == "raised_by" and c.value == 0:
            said += (
                f" With {items} left out it would be {c.detail['without']:.4g}, at least "
                f"{level:g}: at full "
                "weight they pull it down."
            )
        elif status == "raised_by":
            said += (
                f" Weighed at gamma = {number_text(c.value, 2)}, {items} would bring it to "
                f"{level:g} or more "
                f"(with them left out, {c.detail['without']:.4g}): at full weight they pull it "
                "down."
            )
    return [
        f"Discount by {kind}: the items of one {kind} at a time weighed at gamma (their weight of "
        "evidence times gamma), every other item at full weight; `credence` at gamma = 1, "
        "`credence_without` at gamma = 0 (the "
        f"{kind}'s items left out), and per level the smallest gamma at which the credence of "
        f"{name} is at least "
        "that level (empty where no gamma in [0, 1] reaches it).",
        "",
        to_markdown(gd, digits=4),
        "",
        said,
        "",
    ]


@section("conflict")
def _conflict(x: ReportContext) -> list[str]:
    from motives.sensitivity.conflict import conflict, surprise

    spec = x.spec
    conf = conflict(
        x.case, lens=x.lens, prior=spec.get("prior"), reliability=spec.get("reliability", True)
    )
    whole = Claim(
        "case_conflict",
        "(all evidence)",
        float(conf.loc[("case", "(all evidence)"), "conflict_db"]),
        "",
        0.0,
        "conflict",
    )
    flagged = conf[conf["flag"] & (conf.index.get_level_values("kind") != "case")].sort_values(
        "conflict_db", ascending=False
    )
    thr = float(conf.attrs["threshold_db"])
    found = [
        Claim("conflict", str(i), float(v), "", thr, "conflict")
        for (_, i), v in flagged["conflict_db"].items()
    ]
    x.claims.extend([whole, *found])
    sur = surprise(x.case, lens=x.lens)
    fit = (
        "the items fit together"
        if whole.value <= 0
        else "the items are less probable together than apart"
    )
    L = [
        "## Conflict",
        "",
        "Data conflict of the whole case (Jensen et al. 1990; 10 log10 of the product of each "
        "item's prior "
        f"probability over the probability of all of them together): {whole.value:+.1f} dB "
        f"({fit}). Items and propositions at least {thr:g} dB less probable given the rest of the "
        "evidence than a priori: "
        + (", ".join(f"`{c.subject}` ({c.value:+.1f} dB)" for c in found) or "none")
        + ".",
        "",
        "How probable the evidence is under each hypothesis, against simulated cases of the same "
        "shape (tail: the share of simulated cases at most as probable as this one; likelihood "
        "items at face value):",
        "",
        *_shown(sur[["loglik", "sim_mean", "sim_sd", "tail"]], x.hyp_cred, digits=3),
    ]
    if sur.attrs["all_surprising"]:
        x.claims.append(Claim("all_surprising", "hypotheses", table="surprise"))
        L += [
            "**The evidence is improbable under every hypothesis listed: consider one that is "
            "not.**",
            "",
        ]
    return L


@section(
    "lenses",
    uses=("lens_comparison", "leave_one_lens_out", "lens_break_even", "cruxes"),
    when=lambda x: len(x.case.lens_ids) > 1,
)
def _lenses(x: ReportContext) -> list[str]:
    tables, labels, lead = x.tables, x.labels, x.lead
    lc = x.no_family_rows(tables["lens_comparison"])
    L = ["## Lenses", "", to_markdown(lc, digits=4), ""]
    L += x.fig("lenses")
    L += x.fig("lenses_family")
    L += [
        "Leave one lens out (linear pool of the remaining lenses' likelihoods; items no remaining "
        "lens rates are left out):",
        "",
        to_markdown(x.no_family_rows(tables["leave_one_lens_out"]), digits=4),
        "",
    ]
    lb = tables["lens_break_even"]
    L += [
        f"One factor on the ratios of every item a lens rates that ties {x.what} with its rival:",
        "",
        to_markdown(lb, digits=4),
        "",
    ]
    cr = tables["cruxes"]
    if not cr.empty:
        L += [
            f"Cruxes: change of the log-odds of {labels.get(lead, lead)} (dB) when one item is "
            "read through another lens, all else as the analysis lens reads it.",
            "",
            to_markdown(cr.head(12), digits=3),
            "",
        ]
        L += x.fig("cruxes")
    return L


@section("global_sensitivity", uses=("sobol",), optional=("sobol_credence",))
def _global(x: ReportContext) -> list[str]:
    sob = x.tables["sobol"]
    labels, lead = x.labels, x.lead
    L: list[str] = []
    if sob.empty or sob.attrs.get("warning"):
        L += ["## Global sensitivity", ""] if sob.empty else []
        if sob.attrs.get("warning"):
            L += [f"**Warning:** {sob.attrs['warning']}", ""]
    if not sob.empty:
        L += [
            "## Global sensitivity",
            "",
            f"Sobol indices of the log-odds of {labels.get(lead, lead)} over every "
            "Beta-distributed judgement "
            f"(Saltelli 2010 first order, Jansen total; n = {sob.attrs.get('n')}, "
            f"{sob.attrs.get('evaluations')} exact evaluations of the model; bootstrap standard "
            "errors).",
            "",
            to_markdown(sob.head(15), digits=3),
            "",
        ]
        if sob.attrs.get("noisy"):
            noisy = sob.attrs["noisy"]
            x.claims.extend(Claim("sobol_noisy", str(i), table="sobol") for i in noisy)
            named = ", ".join(noisy[:5]) + (f" and {len(noisy) - 5} more" if len(noisy) > 5 else "")
            L += [
                f"**Warning: these estimates are too noisy to trust.** For {named} the "
                "bootstrap standard error exceeds 0.05 or the first-order index exceeds the total "
                "index beyond its sampling error (which no true index does); raise "
                "`sensitivity.sobol_samples` in the spec.",
                "",
            ]
        L += _sobol_credence_lines(x)
        L += x.fig("sobol")
    return L


def _sobol_credence_lines(x: ReportContext) -> list[str]:
    """The Sobol indices of the target's credence beside those of its log-odds.

    The first are the table ``sobol_credence``.
    """
    sc, sob = x.tables.get("sobol_credence"), x.tables["sobol"]
    if sc is None or sc.empty or not sc["ST"].notna().any() or not sob["ST"].notna().any():
        return []
    top, top_lo = str(sc["ST"].astype(float).idxmax()), str(sob["ST"].astype(float).idxmax())
    c = Claim(
        "sobol_largest",
        top,
        float(sc.loc[top, "ST"]),
        top_lo,
        float(sob.loc[top_lo, "ST"]),
        "sobol_credence",
    )
    x.claims.append(c)
    name = x.labels.get(x.lead, x.lead)
    L = [
        f"The same indices for the credence of {name} itself (n = {sc.attrs.get('n')}, "
        f"{sc.attrs.get('evaluations')} exact evaluations of the model): a bounded scale, on which "
        "what moves "
        "odds that are already near certainty counts for little.",
        "",
        to_markdown(sc.head(15), digits=3),
        "",
        (
            f"The largest total index is that of `{top}` on both scales ({c.value:.3f} for the "
            "credence, "
            f"{c.other:.3f} for the log-odds)."
            if top == top_lo
            else f"The largest total index for the credence is that of `{top}` ({c.value:.3f}); "
            "for the log-odds, that of "
            f"`{top_lo}` ({c.other:.3f})."
        ),
        "",
    ]
    noisy = sc.attrs.get("noisy") or []
    if noisy:
        x.claims.extend(Claim("sobol_noisy", str(i), table="sobol_credence") for i in noisy)
        named = ", ".join(noisy[:5]) + (f" and {len(noisy) - 5} more" if len(noisy) > 5 else "")
        L += [
            f"**Warning: on the credence scale, the estimates for {named} are too noisy to "
            "trust** (the same test as for the log-odds).",
            "",
        ]
    return L


@section("information", uses=("item_information",), optional=("proposition_information",))
def _information(x: ReportContext) -> list[str]:
    info = x.tables["item_information"]
    L: list[str] = []
    if not info.empty:
        if x.one_per_family:  # the family columns would repeat the hypotheses'
            info = info.drop(
                columns=[c for c in ("entropy_family", "voi_family") if c in info.columns]
            )
        props = "kind" in info.columns and bool((info["kind"] == "proposition").any())
        what = (
            "from each item (kind `item`: judged as if it had not been observed yet, the belief "
            "being the posterior without it) and from learning the state of each proposition "
            "(kind `proposition`)"
            if props
            else "from each item, judged as if it had not been observed yet (belief = posterior "
            "without it)"
        )
        L += [
            f"Expected reduction of entropy (bits) {what}:",
            "",
            to_markdown(info.sort_values("voi", ascending=False).head(10), digits=4),
            "",
            *x.fig("information"),
        ]
    L += _proposition_information_lines(x)
    return ["## Value of information", "", *L] if L else []


def _proposition_information_lines(x: ReportContext) -> list[str]:
    """What learning each proposition's state is worth (``proposition_information``)."""
    pi = x.tables.get("proposition_information")
    if pi is None or pi.empty or not pi["voi"].notna().any():
        return []
    top = str(pi["voi"].astype(float).idxmax())
    r = pi.loc[top]
    shown = (
        pi.drop(columns=[c for c in ("entropy_family", "voi_family") if c in pi.columns])
        if x.one_per_family
        else pi
    )
    c = Claim(
        "proposition_voi",
        top,
        float(r["voi"]),
        "",
        float(r["entropy"]),
        "proposition_information",
        {"likeliest": str(r["likeliest"]), "p_likeliest": float(r["p_likeliest"])},
    )
    x.claims.append(c)
    return [
        "Expected reduction of entropy (bits) about the hypotheses from learning each "
        "proposition's state, given "
        "all the evidence (`entropy`: the uncertainty now; `likeliest`: its most probable state "
        "given the evidence, with `p_likeliest` its probability):",
        "",
        to_markdown(shown.sort_values("voi", ascending=False), digits=4),
        "",
        f"Most worth learning: `{top}`, {number_text(c.value, 3)} of the "
        f"{number_text(c.other, 3)} bits of "
        "uncertainty about the hypotheses now (its likeliest state, "
        f"{md_text(c.detail['likeliest'])}, has "
        f"probability {c.detail['p_likeliest']:.3g}).",
        "",
    ]


@section("trajectory", uses=("trajectory",))
def _trajectory(x: ReportContext) -> list[str]:
    L = ["## Trajectory", ""]
    und = x.tables["trajectory"].attrs.get("undated_items") or []
    if und:
        L += [f"Undated items (placed first): {', '.join(und)}.", ""]
    L += x.fig("trajectory")
    return L


@section("timelines")
def _timelines(x: ReportContext) -> list[str]:
    L: list[str] = []
    for name in x.figures:
        if name.startswith("timeline_"):
            if "## Timelines" not in L:
                L += ["## Timelines", ""]
            L += x.fig(name)
    return L


def references_markdown(case: Case) -> list[str]:
    """The section "References".

    Every work the report cites, formatted by :class:`motives.citations.Bibliography`.

    The works are the items' and propositions' sources and the sources that report items; a case
    that cites none gets no section.

    Examples
    --------
    >>> import motives as mv
    >>> references_markdown(mv.examples.load("cookies"))
    []
    """
    from motives.citations import Bibliography

    keys = [k for node in [*case.propositions, *case.evidence] for k in node.sources]
    keys += [e.reported_by for e in case.evidence if e.reported_by is not None]
    if not keys:
        return []
    return ["", "## References", "", Bibliography(case.references).markdown(keys)]
