"""Named groupings of the hypotheses (``groupings:`` in ``case.yaml``) and analysis targets.

A grouping is a named partition of the hypotheses beside the families: every
hypothesis in exactly one of its groups. A case may have several; each gets
its own marginal (the credences of its groups' hypotheses summed). A target
(``target:`` in a spec, ``--target`` on the command line) is a hypothesis, a
family or a group, written ``group`` or ``grouping.group``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import Field

from motives.errors import Problem, did_you_mean
from motives.schema.forms import Id, Record, unknown_message

if TYPE_CHECKING:
    from motives.schema.case import Case

GROUPINGS_DOC = (
    "Named partitions of the hypotheses beside the families (e.g. by region): each a list of "
    "groups "
    "that together hold every hypothesis exactly once; posterior and report show each one's "
    "marginal."
)


class Group(Record):
    """One group of a grouping: a name and the hypotheses in it."""

    id: Id
    label: str | None = Field(default=None, description="Human-readable name.")
    hypotheses: list[Id] = Field(min_length=1, description="Ids of the hypotheses in this group.")


class Grouping(Record):
    """A named partition of the hypotheses (e.g. by region, by actor).

    Every hypothesis in exactly one group.
    """

    id: Id
    label: str | None = Field(default=None, description="Human-readable name.")
    description: str = ""
    groups: list[Group] = Field(
        min_length=1, description="The groups; together they hold every hypothesis once."
    )


def grouping_problems(groupings: Sequence[Grouping], hypotheses: Sequence[str]) -> list[Problem]:
    """Every problem of a case's groupings.

    Duplicate ids, unknown hypotheses, a hypothesis in no or two groups.

    Fields are located as ``groupings.<i>.groups.<j>.hypotheses`` (the positions in ``case.yaml``).

    Examples
    --------
    >>> g = Grouping(
    ...     id="side",
    ...     groups=[Group(id="left", hypotheses=["a", "bb"]), Group(id="right", hypotheses=["a"])],
    ... )
    >>> for p in grouping_problems([g], ["a", "b", "c"]):
    ...     print(p.field, "|", p.message.split(";")[0].split(" (")[0])
    groupings.0.groups.0.hypotheses | grouping 'side', group 'left': unknown hypothesis 'bb'. Did
    you mean 'b'? Valid: a, b, c
    groupings.0.groups.1.hypotheses | grouping 'side': hypothesis 'a' is in two groups
    groupings.0.groups | grouping 'side': hypotheses in no group: b, c
    """
    out: list[Problem] = []
    seen_g: set[str] = set()
    hset = list(hypotheses)
    for i, g in enumerate(groupings):
        where = f"groupings.{i}"
        if g.id in seen_g:
            out.append(Problem(f"duplicate grouping id '{g.id}'", field=f"{where}.id"))
        seen_g.add(g.id)
        home: dict[str, str] = {}
        seen: set[str] = set()
        for j, grp in enumerate(g.groups):
            gw = f"{where}.groups.{j}"
            if grp.id in seen:
                out.append(
                    Problem(f"grouping '{g.id}': duplicate group id '{grp.id}'", field=f"{gw}.id")
                )
            seen.add(grp.id)
            for h in grp.hypotheses:
                if h not in hset:
                    out.append(
                        Problem(
                            f"grouping '{g.id}', group '{grp.id}': "
                            f"{unknown_message('hypothesis', h, hset)}",
                            field=f"{gw}.hypotheses",
                        )
                    )
                elif h in home and home[h] != grp.id:
                    out.append(
                        Problem(
                            f"grouping '{g.id}': hypothesis '{h}' is in two groups ({home[h]}, "
                            f"{grp.id}); "
                            "each hypothesis belongs to exactly one",
                            field=f"{gw}.hypotheses",
                        )
                    )
                elif h in home:
                    out.append(
                        Problem(
                            f"grouping '{g.id}', group '{grp.id}': hypothesis '{h}' is listed "
                            "twice",
                            field=f"{gw}.hypotheses",
                        )
                    )
                else:
                    home[h] = grp.id
        missing = [h for h in hset if h not in home]
        if missing:
            out.append(
                Problem(
                    f"grouping '{g.id}': hypotheses in no group: {', '.join(missing)} (every "
                    "hypothesis belongs to exactly one group)",
                    field=f"{where}.groups",
                )
            )
    return out


def group_credence(grouping: Grouping, credence: Mapping[str, float]) -> dict[str, float]:
    """Each group's credence: the sum of its hypotheses' credences.

    Examples
    --------
    >>> g = Grouping(
    ...     id="side",
    ...     groups=[Group(id="left", hypotheses=["a", "b"]), Group(id="right", hypotheses=["c"])],
    ... )
    >>> group_credence(g, {"a": 0.25, "b": 0.25, "c": 0.5})
    {'left': 0.5, 'right': 0.5}
    """
    return {grp.id: float(sum(credence[h] for h in grp.hypotheses)) for grp in grouping.groups}


class Target(NamedTuple):
    """A resolved analysis target.

    Its id, its level, the grouping of a group, and its hypotheses.
    """

    id: str
    level: Literal["hypothesis", "family", "group"]
    grouping: str | None
    hypotheses: tuple[str, ...]

    @property
    def name(self) -> str:
        """How the target is written: ``id``, or ``grouping.group`` for a group."""
        return f"{self.grouping}.{self.id}" if self.grouping else self.id


def valid_targets(case: Case) -> list[str]:
    """Every target the case accepts: hypotheses, families, then groups written ``grouping.group``.

    Examples
    --------
    >>> import motives as mv
    >>> valid_targets(mv.examples.load("cookies"))
    ['bowl1', 'bowl2']
    """
    out = list(dict.fromkeys([*case.hypothesis_ids, *case.family_ids]))
    out += [f"{g.id}.{grp.id}" for g in case.groupings for grp in g.groups]
    return out


def resolve_target(case: Case, target: str) -> Target:
    """A hypothesis id, a family id, a group id or ``grouping.group``, checked.

    A group id must be unique across groupings.

    A bare id is a hypothesis first, then a family, then a group.

    Raises
    ------
    CaseError
        Naming every valid target and the nearest ones.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("dice")
    >>> resolve_target(case, "d6")
    Target(id='d6', level='hypothesis', grouping=None, hypotheses=('d6',))
    >>> try:
    ...     resolve_target(case, "d7")
    ... except mv.CaseError as err:
    ...     print(err.problems[0].message[:74])
    unknown target 'd7'. Did you mean 'd4', 'd6' or 'd8'? Valid targets: a hyp
    """
    from motives.errors import CaseError

    t = str(target)
    clash = [f"{g.id}.{grp.id}" for g in case.groupings for grp in g.groups if grp.id == t]
    if clash and (
        t in case.hypothesis_ids or t in case.family_ids
    ):  # a bare id naming two things: never pick one
        what = "hypothesis" if t in case.hypothesis_ids else "family"
        raise CaseError(
            [
                Problem(
                    f"target '{t}' names both the {what} '{t}' and the group "
                    + " and ".join(f"'{c}'" for c in clash)
                    + f": write '{clash[0]}' for the group; "
                    f"to target the {what}, give the group another id",
                    field="target",
                )
            ]
        )
    if t in case.hypothesis_ids:
        return Target(t, "hypothesis", None, (t,))
    if t in case.family_ids:
        return Target(t, "family", None, tuple(h.id for h in case.hypotheses if h.family_id == t))
    found = []
    for g in case.groupings:
        for grp in g.groups:
            if t in (grp.id, f"{g.id}.{grp.id}"):
                found.append(Target(grp.id, "group", g.id, tuple(grp.hypotheses)))
    if len(found) == 1:
        return found[0]
    valid = valid_targets(case)
    if found:
        msg = f"target '{t}' is a group of {len(found)} groupings; write one of " + ", ".join(
            f"'{f.name}'" for f in found
        )
    else:
        shown = ", ".join(valid[:30]) + (", ..." if len(valid) > 30 else "")
        msg = (
            "unknown target "
            f"'{t}'.{did_you_mean(t, valid + [grp.id for g in case.groupings for grp in g.groups])}"
            f" Valid targets: a hypothesis, a family or a group (grouping.group): {shown}"
        )
    raise CaseError([Problem(msg, field="target")])
