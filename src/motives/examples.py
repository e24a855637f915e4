"""Small bundled example cases: textbook problems with known answers, and a two-lens case."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from motives.schema import Case

NAMES = (
    "cookies",
    "dice",
    "monty_hall",
    "diagnostic_test",
    "witness",
    "two_lenses",
    "burglary",
    "alarm",
    "student",
)


def path(name: str) -> Path:
    """Folder of a bundled example case.

    Examples
    --------
    >>> path("cookies").name
    'cookies'
    """
    if name not in NAMES:
        raise KeyError(f"unknown example {name!r}; examples: {', '.join(NAMES)}")
    return Path(str(resources.files("motives") / "data" / "examples" / name))


def load(name: str) -> Case:
    """Load a bundled example case.

    Examples
    --------
    The Monty Hall problem: switching to door C wins two times in three.

    >>> import motives as mv
    >>> case = load("monty_hall")
    >>> case.hypothesis_ids, [e.id for e in case.evidence]
    (['door_a', 'door_b', 'door_c'], ['monty_opens_b'])
    >>> round(float(mv.exact_posterior(case).loc[("hypothesis", "door_c"), "credence"]), 4)
    0.6667
    >>> load("coins")
    Traceback (most recent call last):
        ...
    KeyError: "unknown example 'coins'; examples: cookies, dice, monty_hall, diagnostic_test,
    witness, two_lenses,
    burglary, alarm, student"
    """
    from motives.io import load_case

    return load_case(path(name))


def cookie_case() -> Case:
    """The cookie problem, built in Python: P(bowl 1 | vanilla) = 0.6.

    Examples
    --------
    >>> cookie_case().hypothesis_ids
    ['bowl1', 'bowl2']
    """
    return Case.model_validate(
        {
            "name": "cookies",
            "hypotheses": [{"id": "bowl1", "prior": 0.5}, {"id": "bowl2", "prior": 0.5}],
            "evidence": [
                {
                    "id": "vanilla",
                    "title": "A vanilla cookie was drawn",
                    "likelihoods": {"bowl1": 0.75, "bowl2": 0.5},
                }
            ],
        }
    )
