"""Write the test networks of ``tests/test_import_bn.py`` with pyAgrum.

pyAgrum is another tool than the reader under test.

Run from the repository root: ``python tests/data/bn/make_files.py``. It writes, beside this script,

- ``alarm.{bif,xml,net,dsl}``: Pearl's burglary alarm network (Pearl 1988; Russell & Norvig, fig.
14.2):
  P(Burglary) = .001, P(Earthquake) = .002, P(Alarm | B, E) = .95 / .94 / .29 / .001,
  P(JohnCalls | Alarm) = .90 / .05, P(MaryCalls | Alarm) = .70 / .01; states True, False.
- ``student.{bif,xml,net}``: Koller & Friedman's student network (Probabilistic Graphical Models,
fig. 3.4):
  Difficulty (d0 easy .6, d1 hard .4), Intelligence (i0 .7, i1 .3), Grade | I, D (g1, g2, g3), SAT |
  I, Letter | Grade.

``.xml`` is XMLBIF, ``.net`` Hugin NET, ``.dsl`` GeNIe's old format (read through pyAgrum only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# pyAgrum, imported when the script runs (never at test collection: it crashes the process on
gum: Any = None
#                  import when warnings are errors, as this project's pytest settings make them)


def alarm() -> gum.BayesNet:
    bn = gum.BayesNet("alarm")
    for name in ("Burglary", "Earthquake", "Alarm", "JohnCalls", "MaryCalls"):
        bn.add(gum.LabelizedVariable(name, name, ["True", "False"]))
    bn.addArc("Burglary", "Alarm")
    bn.addArc("Earthquake", "Alarm")
    bn.addArc("Alarm", "JohnCalls")
    bn.addArc("Alarm", "MaryCalls")
    bn.cpt("Burglary").fillWith([0.001, 0.999])
    bn.cpt("Earthquake").fillWith([0.002, 0.998])
    for b, e, p in (
        ("True", "True", 0.95),
        ("True", "False", 0.94),
        ("False", "True", 0.29),
        ("False", "False", 0.001),
    ):
        bn.cpt("Alarm")[{"Burglary": b, "Earthquake": e}] = [p, 1 - p]
    for node, (pt, pf) in (("JohnCalls", (0.90, 0.05)), ("MaryCalls", (0.70, 0.01))):
        bn.cpt(node)[{"Alarm": "True"}] = [pt, 1 - pt]
        bn.cpt(node)[{"Alarm": "False"}] = [pf, 1 - pf]
    return bn


def student() -> gum.BayesNet:
    bn = gum.BayesNet("student")
    bn.add(gum.LabelizedVariable("Difficulty", "Difficulty", ["d0", "d1"]))
    bn.add(gum.LabelizedVariable("Intelligence", "Intelligence", ["i0", "i1"]))
    bn.add(gum.LabelizedVariable("Grade", "Grade", ["g1", "g2", "g3"]))
    bn.add(gum.LabelizedVariable("SAT", "SAT", ["s0", "s1"]))
    bn.add(gum.LabelizedVariable("Letter", "Letter", ["l0", "l1"]))
    bn.addArc("Intelligence", "Grade")
    bn.addArc("Difficulty", "Grade")
    bn.addArc("Intelligence", "SAT")
    bn.addArc("Grade", "Letter")
    bn.cpt("Difficulty").fillWith([0.6, 0.4])
    bn.cpt("Intelligence").fillWith([0.7, 0.3])
    grade = {
        ("i0", "d0"): [0.3, 0.4, 0.3],
        ("i0", "d1"): [0.05, 0.25, 0.7],
        ("i1", "d0"): [0.9, 0.08, 0.02],
        ("i1", "d1"): [0.5, 0.3, 0.2],
    }
    for (i, d), row in grade.items():
        bn.cpt("Grade")[{"Intelligence": i, "Difficulty": d}] = row
    bn.cpt("SAT")[{"Intelligence": "i0"}] = [0.95, 0.05]
    bn.cpt("SAT")[{"Intelligence": "i1"}] = [0.2, 0.8]
    for g, row in (("g1", [0.1, 0.9]), ("g2", [0.4, 0.6]), ("g3", [0.99, 0.01])):
        bn.cpt("Letter")[{"Grade": g}] = row
    return bn


def main() -> None:
    global gum
    import pyagrum

    gum = pyagrum
    for name, bn in (("alarm", alarm()), ("student", student())):
        bn.check()
        for ext in ("bif", "xml", "net") + (("dsl",) if name == "alarm" else ()):
            # pyAgrum picks the writer from the extension; .bifxml is its XMLBIF, saved here as .xml
            target = HERE / f"{name}.{ext}"
            if ext == "xml":
                gum.saveBN(bn, str(HERE / f"{name}.bifxml"))
                (HERE / f"{name}.bifxml").replace(target)
            else:
                gum.saveBN(bn, str(target))
            print("wrote", target.relative_to(HERE.parent.parent.parent))


if __name__ == "__main__":
    main()
