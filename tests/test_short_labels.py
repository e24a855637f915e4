"""``short:`` labels on hypotheses, families, lenses and propositions.

Validated, used by figures and LaTeX headers.
"""

from __future__ import annotations

import shutil

import matplotlib.pyplot as plt
import pytest

import motives as mv
from motives import plots as P
from motives import report as R
from motives import sensitivity as S
from motives.io import load_case
from motives.plots.figures import labels_of

LONG = "The suspect, acting alone and for money, broke in through the back door that night"


def _case(
    tmp_path, hyp_extra: str = ", short: Suspect", prop_extra: str = "\n    short: At the scene"
):
    folder = tmp_path / "b"
    shutil.copytree(mv.examples.path("burglary"), folder)
    text = (folder / "case.yaml").read_text()
    text = text.replace(
        "{id: suspect, label: The suspect did it, prior: 0.1}",
        f'{{id: suspect, label: "{LONG}", prior: 0.1{hyp_extra}}}',
    )
    text = text.replace(
        "    title: The suspect was at the scene that night",
        "    title: The suspect was at the scene that night" + prop_extra,
    )
    (folder / "case.yaml").write_text(text)
    return folder


def test_short_labels_reach_figures_and_latex(tmp_path):
    case = load_case(_case(tmp_path))
    assert case.hypotheses[0].short_name == "Suspect" and case.hypotheses[0].name == LONG
    labels = labels_of(case)
    assert labels["suspect"] == "Suspect" and labels["at_scene"] == "At the scene"
    assert labels["someone_else"] == "Someone else did it"  # no short: the full label
    tex = R.evidence_latex(case)  # hypotheses are its column headers
    header = next(line for line in tex.splitlines() if "Suspect" in line)
    assert "&" in header and LONG not in header  # the caption may name it in full
    fig, ax = P.plot_ledger(
        S.weight_of_evidence(case),
        case=case,
        propositions=S.proposition_weight(case),
        labels=labels,
    )
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "At the scene"
    plt.close(fig)
    fig, ax = P.plot_structure(case, labels=labels)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "At the scene" in texts and "Suspect" in texts
    plt.close(fig)


def test_without_short_labels_nothing_changes(tmp_path):
    case = load_case(_case(tmp_path, hyp_extra="", prop_extra=""))
    labels = labels_of(case)
    assert labels["suspect"] == LONG and "at_scene" not in labels


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (", short: " + "x" * 33, "at most 32 characters"),
        (", short: ''", "at least 1 character"),
        (', short: "two\\nlines"', "match pattern"),
        (", short: 3", "valid string"),
    ],
)
def test_bad_short_labels_are_located_problems(tmp_path, extra, needle):
    folder = _case(tmp_path, hyp_extra=extra, prop_extra="")
    with pytest.raises(mv.CaseError) as info:
        load_case(folder)
    p = info.value.problems[0]
    assert (
        p.file.endswith("case.yaml")
        and p.line == 11
        and p.field == "short"
        and p.kind == "hypothesis"
    )
    assert needle in p.message
