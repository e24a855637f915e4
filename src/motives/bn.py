"""A case as a discrete Bayesian network: pgmpy objects and BIF / XMLBIF / NET files.

The network has exactly the exact engine's posterior (:func:`motives.exact.posterior`):

- ``hypothesis``: the root, states the hypothesis ids, CPD the prior.
- one node per proposition (fact), states the proposition's states, CPD
  P(state | parent configuration) (the table means under the lens), its
  parents in the order of ``bears_on`` (pgmpy's evidence order: the first
  parent varies slowest, as the case's nested tables do). A root fact
  (``bears_on: []``) is a root node whose CPD is its one row, its prior.
- one binary node per likelihood item, states ``observed`` / ``not_observed``:
  P(observed | parent value) is the item's cell, the complement for
  ``not_observed``. Direct items hang from ``hypothesis``, the others from
  their proposition; an item of several parents hangs from each of them.
- a timeline or quantity item is a binary node too, with
  P(observed | parent value) proportional to its exact marginal likelihood:
  each item's column is scaled so that its largest entry is 1 (only ratios
  matter; the factor is kept in :attr:`BayesNet.log_scale`). The posterior is
  unchanged; the network's probability of the evidence is not.
- with ``reliability=True``, a source of uncertain reliability ρ ~ Beta is a
  discrete root ``reliability_<key>`` whose states are the exact engine's
  Gauss–Jacobi nodes ρ_q, with the quadrature weights as probabilities (the
  nodes are exact for the polynomial in ρ, so marginalising this node is the
  integral). Each of the source's items then has two parents, its own parent
  and the ρ node: P(observed | v, ρ_q) = ρ_q λ_v + (1 − ρ_q) b, with b the
  item's base rate or the mean of its row. A source with a single node (a fixed
  reliability, or a single item) is folded into its items' tables instead.

Evidence: every item node observed in its first state, ``observed``, and
every observed fact (``observed:``) in its observed state
(:attr:`BayesNet.evidence`). Node and state names are identifiers (letters,
digits, underscores, starting with a letter, not a keyword of any of the three
formats) so that the same network can be written as BIF, XMLBIF and Hugin NET;
case ids already are, source keys are sanitised; :attr:`BayesNet.names` maps
each case id to its node.

pgmpy is an optional dependency (``pip install motives[export]``), imported
only when a network is built.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import MotivesError
from motives.exact import CaseArrays, compile_case, jacobi_nodes, prior_from
from motives.files import note_published

if TYPE_CHECKING:
    from motives.schema import Case

#: File formats :func:`write` knows, with their usual extensions.
FORMATS = {"bif": ".bif", "xmlbif": ".xml", "net": ".net"}

#: State names of an item node; the first is the evidence.
ITEM_STATES = ("observed", "not_observed")

#: Keywords of BIF, XMLBIF and Hugin NET that a node or state name must not be (compared
#: case-insensitively).
_RESERVED = frozenset(
    {
        "network",
        "variable",
        "probability",
        "property",
        "type",
        "discrete",
        "table",
        "default",  # BIF
        "net",
        "node",
        "potential",
        "states",
        "data",
        "label",
        "position",
        "class",
        "decision",
        "utility",  # NET
        "continuous",
        "function",
        "instance",
        "temporal",
        "normal",
        "true",
        "false",
    }
)


def _pgmpy() -> Any:
    """The pgmpy modules, imported quietly (pgmpy 1.x warns of its own deprecations on import)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            import pgmpy
            import pgmpy.factors.discrete
            import pgmpy.inference
            import pgmpy.models
            import pgmpy.readwrite
    except ImportError as exc:  # pragma: no cover - pgmpy is installed with motives[export]
        raise MotivesError(
            "exporting a Bayesian network needs pgmpy: pip install 'motives[export]' "
            f"(or pip install pgmpy); import failed: {exc}"
        ) from exc
    return pgmpy


class _Namer:
    """Identifiers valid in BIF, XMLBIF and NET, unique within their scope."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    @staticmethod
    def clean(text: str) -> str:
        s = re.sub(r"[^A-Za-z0-9_]", "_", text)
        if not s or not s[0].isalpha():
            s = "n_" + s
        if s.lower() in _RESERVED:
            s += "_"
        return s

    def __call__(self, text: str) -> str:
        base = self.clean(text)
        name, i = base, 2
        while name.lower() in self.used:
            name, i = f"{base}_{i}", i + 1
        self.used.add(name.lower())
        return name


@dataclass(frozen=True)
class _Node:
    name: str
    states: list[str]
    parents: list[str]
    values: np.ndarray  # (card, prod of parents' cards), first parent slowest


@dataclass
class BayesNet:
    """A case under one lens as a discrete Bayesian network (pgmpy).

    It carries its evidence and name mapping.

    Attributes
    ----------
    model
        The ``pgmpy.models.DiscreteBayesianNetwork``.
    evidence
        Node -> observed state: every item node, ``"observed"``; every observed fact, its observed
        state.
    query
        The hypothesis node's name (``"hypothesis"``).
    hypotheses
        The hypothesis ids, in the order of the hypothesis node's states.
    names
        Case id (the hypothesis node: ``"hypotheses"``; propositions and items: their id; sources:
        ``"source:<key>"``) -> node name.
    reliability
        Reliability node -> the ρ value of each of its states.
    log_scale
        Timeline/quantity item id -> the natural log of the factor its marginal likelihoods were
        multiplied by.
    lens
        The lens.
    with_reliability
        Whether sources of uncertain reliability are modelled (``reliability=`` when it was built).
    """

    model: Any
    evidence: dict[str, str]
    query: str
    hypotheses: list[str]
    names: dict[str, str]
    reliability: dict[str, list[float]] = field(default_factory=dict)
    log_scale: dict[str, float] = field(default_factory=dict)
    lens: str = ""
    with_reliability: bool = True

    def set_tables(self, arr: CaseArrays, prior: Any = None) -> None:
        """Replace every table with those of ``arr`` (the same case, other numbers).

        A sweep without rebuilding.

        ``arr`` must have the structure the network was built from (e.g. a ``dataclasses.replace``
        of its ``lam``, or of a proposition's ``table`` or ``lam``); the graph is kept, the CPDs are
        rebuilt. ``prior``: a vector over the hypotheses; default ``arr.prior``.

        Examples
        --------
        >>> import dataclasses, motives as mv
        >>> from motives.exact import compile_case
        >>> arr = compile_case(mv.examples.load("witness"))
        >>> bn = network_from_arrays(arr)
        >>> bn.set_tables(dataclasses.replace(arr, lam=arr.lam * 0 + 0.5))
        >>> bn.posterior()
        array([0.15, 0.85])
        """
        nodes, names, _, log_scale = _layout(arr, prior, self.with_reliability)
        if names != self.names:
            raise ValueError("set_tables needs arrays of the same structure as the network's")
        self.model.remove_cpds(
            *self.model.get_cpds()
        )  # first: add_cpds would log a warning for each replaced CPD
        self.model.add_cpds(*_cpds(nodes))
        self.log_scale = log_scale

    def posterior(self, model: Any = None) -> np.ndarray:
        """P(hypothesis | evidence) by pgmpy's variable elimination, in hypothesis order.

        ``model`` defaults to :attr:`model`; pass a network read back from a file to query that
        instead (same node and state names).

        Examples
        --------
        >>> import motives as mv
        >>> from motives.bn import network
        >>> network(mv.examples.load("witness")).posterior().round(4)
        array([0.4138, 0.5862])
        """
        pg = _pgmpy()
        model = self.model if model is None else model
        q = pg.inference.VariableElimination(model).query(
            [self.query], evidence=self.evidence, show_progress=False
        )
        order = [str(s) for s in q.state_names[self.query]]
        vals = np.asarray(q.values, dtype=float)
        return np.array([vals[order.index(self.names_of_states[h])] for h in self.hypotheses])

    @property
    def names_of_states(self) -> dict[str, str]:
        """Hypothesis id -> its state name in the hypothesis node."""
        cpd = self.model.get_cpds(self.query)
        return dict(
            zip(self.hypotheses, [str(s) for s in cpd.state_names[self.query]], strict=True)
        )


def _item_values(lam: np.ndarray, base: float, x: np.ndarray | None) -> np.ndarray:
    """P(observed | v[, ρ_q]) flattened with v slowest: λ_v, or x_q λ_v + (1 − x_q) b."""
    if x is None:
        p = lam
    else:
        b = (
            (lam @ np.ones(len(lam))) / len(lam) if math.isnan(base) else base
        )  # as exact.mix_reliability does
        p = (x[None, :] * lam[:, None] + (1 - x[None, :]) * b).reshape(-1)
    return np.vstack([p, 1 - p])


def _other_values(ll: np.ndarray) -> tuple[np.ndarray, float]:
    """A binary CPD from log-likelihoods ``ll``, and the log of its scale factor.

    P(observed | v) is exp(ll) scaled so the largest is 1.
    """
    top = float(np.max(ll))
    if not math.isfinite(top):
        return np.vstack([np.zeros(len(ll)), np.ones(len(ll))]), 0.0
    p = np.exp(ll - top)
    return np.vstack([p, 1 - p]), -top


def network_from_arrays(
    arr: CaseArrays, prior: Any = None, *, reliability: bool = True, name: str = "motives"
) -> BayesNet:
    """The Bayesian network of a compiled case (:func:`motives.exact.compile_case`).

    Perturbed arrays (``dataclasses.replace`` of ``lam``, a proposition's ``table`` or ``lam``) give
    the network of that scenario (or :meth:`BayesNet.set_tables` swaps them into an existing
    network). See :func:`network` for the layout.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> bn = network_from_arrays(compile_case(mv.examples.load("burglary")))
    >>> sorted(bn.model.get_parents("neighbour_saw_suspect"))
    ['at_scene', 'reliability_neighbour']
    """
    pg = _pgmpy()
    nodes, names, rel_nodes, log_scale = _layout(arr, prior, reliability)
    model = pg.models.DiscreteBayesianNetwork()
    model.name = _Namer.clean(name)
    model.add_nodes_from([n.name for n in nodes])
    model.add_edges_from([(p, n.name) for n in nodes for p in n.parents])
    model.add_cpds(*_cpds(nodes))
    model.check_model()
    evidence = _evidence(arr, names)
    return BayesNet(
        model=model,
        evidence=evidence,
        query=names["hypotheses"],
        hypotheses=list(arr.hypotheses),
        names=names,
        reliability=rel_nodes,
        log_scale=log_scale,
        lens=arr.lens,
        with_reliability=reliability,
    )


def _evidence(arr: CaseArrays, names: dict[str, str]) -> dict[str, str]:
    """Every item node in ``observed``; every observed fact in its observed state."""
    evidence = {
        names[e]: ITEM_STATES[0] for e in arr.items + arr.other_items + arr.structured_items
    }
    for pa in arr.propositions:
        if pa.observed >= 0:
            evidence[names[pa.id]] = _states(pa.states)[pa.observed]
    return evidence


def _cpds(nodes: list[_Node]) -> list[Any]:
    pg = _pgmpy()
    card = {n.name: len(n.states) for n in nodes}
    states_of = {n.name: n.states for n in nodes}
    return [
        pg.factors.discrete.TabularCPD(
            n.name,
            len(n.states),
            n.values,
            evidence=n.parents or None,
            evidence_card=[card[p] for p in n.parents] or None,
            state_names={n.name: n.states, **{p: states_of[p] for p in n.parents}},
        )
        for n in nodes
    ]


# C901: network layout: layers, then order within them
def _layout(  # noqa: C901
    arr: CaseArrays, prior: Any, reliability: bool
) -> tuple[
    list[_Node],
    dict[str, str],
    dict[str, list[float]],
    dict[str, float],
]:
    """The nodes, the id -> node mapping, reliability nodes, log scales.

    A node has a name, states, parents and a table.
    """
    namer = _Namer()
    k = len(arr.hypotheses)
    prior = arr.prior if prior is None else np.asarray(prior, dtype=float)
    if prior.shape != (k,):
        raise ValueError(f"prior must have shape ({k},), got {prior.shape}")
    H = namer("hypothesis")
    names = {"hypotheses": H}
    hyp_states = _states(arr.hypotheses)
    nodes = [_Node(H, hyp_states, [], prior.reshape(k, 1))]
    rel_nodes: dict[str, list[float]] = {}
    log_scale: dict[str, float] = {}

    def rho_node(
        key: str, mean: float, conc: float | None, n_items: int
    ) -> tuple[str | None, np.ndarray]:
        x, w = jacobi_nodes(mean, conc, n_items // 2 + 1)
        if len(x) == 1:
            return None, np.asarray(x)
        rn = namer(f"reliability_{key}")
        names[f"source:{key}"] = rn
        nodes.append(
            _Node(rn, [f"q{i + 1}" for i in range(len(x))], [], np.asarray(w).reshape(-1, 1))
        )
        rel_nodes[rn] = [float(v) for v in x]
        return rn, np.asarray(x)

    direct_rho: dict[int, tuple[str | None, np.ndarray]] = {}
    struct_rho: list[tuple[str | None, np.ndarray]] = []
    if reliability:
        for g in arr.groups:
            r = rho_node(g.key, g.mean, g.concentration, len(g.index))
            for i in g.index:
                direct_rho[int(i)] = r
        for g in arr.sources_in_structure:
            struct_rho.append(rho_node(g.key, g.mean, g.concentration, len(g.index)))
        for i, s in enumerate(arr.direct_source):
            if s >= 0:
                direct_rho[i] = struct_rho[s]

    def add_item(
        item: str,
        parents: list[str],
        lam: np.ndarray,
        base: float,
        rho: tuple[str | None, np.ndarray] | None,
    ) -> None:
        nn = namer(item)
        names[item] = nn
        if rho is None:
            nodes.append(_Node(nn, list(ITEM_STATES), parents, _item_values(lam, base, None)))
        elif rho[0] is None:  # a single node: folded in
            nodes.append(_Node(nn, list(ITEM_STATES), parents, _item_values(lam, base, rho[1])))
        else:
            nodes.append(
                _Node(nn, list(ITEM_STATES), [*parents, rho[0]], _item_values(lam, base, rho[1]))
            )

    def add_other(item: str, parent: str, ll: np.ndarray) -> None:
        nn = namer(item)
        names[item] = nn
        vals, log_scale[item] = _other_values(ll)
        nodes.append(_Node(nn, list(ITEM_STATES), [parent], vals))

    for i, e in enumerate(arr.items):
        add_item(e, [H], arr.lam[i], float(arr.base[i]), direct_rho.get(i))
    for j, e in enumerate(arr.other_items):
        add_other(e, H, arr.other_loglik[j])

    def node_of(
        q: int,
    ) -> str:  # a parent index of the compiled arrays: -1 the hypotheses, else a proposition
        return H if q < 0 else names[arr.propositions[q].id]

    for pa in arr.propositions:  # parents first
        pn = namer(pa.id)
        names[pa.id] = pn
        # the table's rows are the parent configurations in nested order (first parent outermost),
        # which is pgmpy's column order (first evidence variable slowest); a root fact has one row
        # and no parents
        nodes.append(
            _Node(
                pn,
                _states(pa.states),
                [node_of(q) for q in pa.parents],
                np.asarray(pa.table, dtype=float).T,
            )
        )
        for j, e in enumerate(pa.items):
            src = int(pa.source[j])
            add_item(
                e,
                [pn],
                pa.lam[j],
                float(pa.base[j]),
                struct_rho[src] if reliability and src >= 0 else None,
            )
        for j, e in enumerate(pa.other_items):
            add_other(e, pn, pa.other_loglik[j])
    for jt in (
        arr.joint
    ):  # items of several parents: P(observed | configuration), configurations in nested order
        add_item(
            jt.id,
            [node_of(q) for q in jt.parents],
            jt.lam,
            jt.base,
            struct_rho[jt.source] if reliability and jt.source >= 0 else None,
        )
    return nodes, names, rel_nodes, log_scale


def _states(ids: list[str]) -> list[str]:
    namer = _Namer()
    return [namer(s) for s in ids]


def network(
    case: Case, lens: str | None = None, prior: Any = None, *, reliability: bool = True
) -> BayesNet:
    """A case under one lens as a discrete Bayesian network, with the evidence to set.

    Parameters
    ----------
    case
        The case (flat or structured).
    lens
        Whose judgements; default the case's default lens.
    prior
        None (the case's), ``"uniform"``, a mapping, a list, or ``{"dirichlet": ...}``.
    reliability
        Model sources of uncertain reliability (as discrete ρ nodes over the exact engine's
        quadrature points), or take every report at face value.

    Returns
    -------
    BayesNet
        ``.model`` (pgmpy ``DiscreteBayesianNetwork``), ``.evidence`` (every item node
        ``"observed"``), ``.query`` (``"hypothesis"``) and the name mapping. Its posterior is the
        exact engine's.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> bn = network(case)
    >>> bn.query, bn.evidence["fibres_match"], sorted(bn.reliability)
    ('hypothesis', 'observed', ['reliability_neighbour'])
    >>> bool(abs(bn.posterior() - mv.exact.posterior(mv.compile_case(case))).max() < 1e-12)
    True
    """
    arr = compile_case(case, lens)
    return network_from_arrays(
        arr, prior_from(case, prior), reliability=reliability, name=case.name
    )


def to_pgmpy(
    case: Case, lens: str | None = None, prior: Any = None, *, reliability: bool = True
) -> Any:
    """A case under one lens as a pgmpy ``DiscreteBayesianNetwork``.

    See :func:`network` for its evidence.

    Examples
    --------
    >>> import motives as mv
    >>> model = to_pgmpy(mv.examples.load("burglary"), reliability=False)
    >>> sorted(model.get_children("at_scene"))
    ['fibres_match', 'neighbour_saw_suspect', 'phone_near_scene']
    """
    return network(case, lens, prior, reliability=reliability).model


def _net_writer(model: Any) -> Any:
    """The pgmpy NETWriter, with probabilities written in full.

    pgmpy's own rounds them to 8 decimals.
    """
    pg = _pgmpy()

    class Writer(pg.readwrite.NETWriter):  # type: ignore[name-defined]  # pgmpy: no stubs, found at run time
        def net_cpd(self, var_name: str) -> str:
            return _nested(np.moveaxis(np.asarray(self.tables[var_name], dtype=float), 0, -1))

    return Writer(model)


def _num(v: float) -> str:
    """A probability in positional notation, shortest round-trip digits.

    Hugin and GeNIe read it; no 1e-05.
    """
    return np.format_float_positional(float(v), unique=True, trim="0")


def _nested(a: np.ndarray) -> str:
    if a.ndim == 1:
        return "(" + " ".join(_num(v) for v in a) + ")"
    return "(" + " ".join(_nested(s) for s in a) + ")"


def network_text(bn: BayesNet, fmt: str) -> str:
    """The network as text in one of :data:`FORMATS` (BIF, XMLBIF, Hugin NET).

    Probabilities are written in full.

    Examples
    --------
    >>> import motives as mv
    >>> text = network_text(network(mv.examples.load("cookies")), "bif")
    >>> print(text.splitlines()[0])
    network cookies {
    """
    pg = _pgmpy()
    if fmt not in FORMATS:
        raise MotivesError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if fmt == "bif":
            return str(pg.readwrite.BIFWriter(bn.model))
        if fmt == "xmlbif":
            return str(pg.readwrite.XMLBIFWriter(bn.model))
        return str(_net_writer(bn.model))


def read(path: str | os.PathLike[str], fmt: str | None = None) -> Any:
    """Read a network written by :func:`write` back with pgmpy's readers.

    The format comes from the extension by default.

    Examples
    --------
    >>> import tempfile, pathlib, motives as mv
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write(network(mv.examples.load("cookies")), pathlib.Path(tmp) / "cookies.net")
    ...     sorted(read(path).nodes())
    ['hypothesis', 'vanilla']
    """
    pg = _pgmpy()
    path = Path(path)
    fmt = fmt or format_of(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if fmt == "bif":
            return pg.readwrite.BIFReader(str(path)).get_model()
        if fmt == "xmlbif":
            return pg.readwrite.XMLBIFReader(str(path)).get_model()
        return pg.readwrite.NETReader(str(path)).get_model()


def format_of(path: Path) -> str:
    """The network format a file name's extension names (a located refusal when it names none)."""
    ext = path.suffix.lower()
    for fmt, e in FORMATS.items():
        if ext == e or ext == f".{fmt}":
            return fmt
    raise MotivesError(
        f"cannot tell the format of {path} from its extension; use one of "
        + ", ".join(f"{e} ({f})" for f, e in FORMATS.items())
    )


def write(
    bn: BayesNet, path: str | os.PathLike[str], fmt: str | None = None, *, force: bool = False
) -> Path:
    """Write the network to ``path`` atomically (a temporary file renamed into place).

    ``fmt``: ``"bif"``, ``"xmlbif"`` or ``"net"`` (Hugin NET, read by Hugin, GeNIe and Netica);
    default from the extension (``.bif``, ``.xml``/``.xmlbif``, ``.net``). An existing file is
    replaced only with ``force``.

    Examples
    --------
    >>> import tempfile, pathlib, motives as mv
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write(network(mv.examples.load("witness")), pathlib.Path(tmp) / "witness.bif").name
    'witness.bif'
    """
    path = Path(path)
    fmt = fmt or format_of(path)
    if path.exists() and not force:
        raise MotivesError(f"{path} already exists; pass --force to replace it")
    if path.exists() and path.is_dir():
        raise MotivesError(f"{path} is a folder")
    text = network_text(bn, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # same folder: the rename is atomic
    try:
        with open(
            tmp, "x", encoding="utf-8"
        ) as fh:  # the usual permissions (umask), unlike mkstemp's 0600
            fh.write(text)
        os.replace(tmp, path)
        note_published(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
