"""Bayesian networks in: BIF, XMLBIF, Hugin NET (and what pyAgrum reads) as a case folder.

The inverse of :mod:`motives.bn`. A discrete Bayesian network becomes a case
(the network format, ``docs/formats.md``):

- the **hypothesis node** (a root) gives the hypotheses: one per state, its CPT the prior;
- an **evidence node** observed in one state (``NODE=STATE``) with no children becomes an
  evidence item bearing on the node's parents, its table P(that state | parents); one with
  children, or with no parents, becomes a proposition with ``observed: STATE`` (its CPT the
  table), so that its children see the observed state and its own CPT, clamped to the state,
  is the likelihood factor: the same joint probability as clamping the node in the network;
- **every other node** becomes a proposition: ``bears_on: []`` (a root fact) when it has no
  parents, otherwise ``bears_on: [parents in the CPT's order]`` with the table nested in that
  order (first parent outermost). Two-state tables give P(first state | parents); tables with
  more states give the whole row ``{state: p}``; a root fact gives its one row.

Node names become ids (lowercase letters, digits and underscores, starting with a letter,
unique; ``JohnCalls`` becomes ``john_calls``), states too; every renaming is reported.
Numbers are written with at most 15 significant digits.

Files are read with pgmpy's readers (``.bif``, ``.xml``/``.xmlbif``/``.bifxml``, ``.net``,
``.uai``, ``.xdsl``); a file pgmpy cannot parse, and every other format pyAgrum reads
(``.dsl``, ``.o3prm``, ...), is read with pyAgrum's ``loadBN`` when pyAgrum is installed.
pyAgrum's BIF, NET and DSL readers keep single-precision numbers: when every number read that
way is a float32, each is taken back to the shortest decimal that gives the same float32
(0.699999988 -> 0.7), exact for files written with at most 7 significant digits, and the case
says so. Both libraries are imported only here, and only when a network is read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import CaseError, MotivesError, Problem, did_you_mean
from motives.files import swap_folder, temporary_folder

if TYPE_CHECKING:
    from motives.schema import Case

#: Extensions read with pgmpy: extension -> (format name, pgmpy reader class).
PGMPY_FORMATS = {
    ".bif": ("BIF", "BIFReader"),
    ".xml": ("XMLBIF", "XMLBIFReader"),
    ".xmlbif": ("XMLBIF", "XMLBIFReader"),
    ".bifxml": ("XMLBIF", "XMLBIFReader"),
    ".net": ("Hugin NET", "NETReader"),
    ".uai": ("UAI", "UAIReader"),
    ".xdsl": ("XDSL", "XDSLReader"),
}

#: Extensions pyAgrum's ``loadBN`` reads (tried for a file pgmpy cannot parse, and for the others).
PYAGRUM_FORMATS = {
    ".bif": "BIF",
    ".bifxml": "XMLBIF",
    ".net": "Hugin NET",
    ".dsl": "GeNIe DSL",
    ".xdsl": "XDSL",
    ".uai": "UAI",
    ".o3prm": "O3PRM",
}

#: The first line of a case.yaml this module wrote; ``force`` replaces only folders that start so.
HEADER = "# Imported by motives import-bn"

#: Ids a state or hypothesis may not take: words the case format reads as a likelihood form or a
#: lens, and the reserved parent name.
RESERVED = frozenset(
    {
        "hypotheses",
        "default",
        "values",
        "ratios",
        "decibans",
        "van_evera",
        "rationale",
        "confidence",
        "probs",
        "p",
        "mean",
        "concentration",
        "beta",
        "interval",
        "icd203",
        "base_rate",
        "sd",
    }
)

#: Row sums may differ from 1 by this much (the case format's tolerance).
ROW_TOLERANCE = 1e-6


@dataclass(frozen=True)
class NetNode:
    """One node of a network as read: its name, states, parents (in the CPT's order) and table.

    ``table`` has shape ``(*parent cardinalities, number of states)``: ``table[i, j, ..., s]`` is
    P(state s | first parent in its i-th state, second in its j-th, ...).
    """

    name: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: np.ndarray


@dataclass
class Imported:
    """A network read as a case: the ``case.yaml`` data and text, and how names became ids.

    Attributes
    ----------
    data
        The case: ``case.yaml``'s content, and the items under ``"evidence"`` (see
        :func:`case_files`).
    node_ids
        Node name -> id (the hypothesis node -> ``"hypotheses"``).
    state_ids
        Node name -> {state -> id} (the hypothesis node's states -> hypothesis ids).
    source
        Where the network came from (a file name, or ``"a pgmpy model"``).
    reader
        What read it (``"pgmpy BIFReader"``, ``"pyAgrum loadBN"``, ...).
    hypothesis
        The hypothesis node's name.
    evidence
        Evidence node -> observed state (names as in the network).
    notes
        What a reader of the case should know (single-precision numbers recovered, ...).
    """

    data: dict[str, Any]
    node_ids: dict[str, str]
    state_ids: dict[str, dict[str, str]]
    source: str
    reader: str
    hypothesis: str
    evidence: dict[str, str]
    notes: list[str] = field(default_factory=list)

    def renames(self) -> list[str]:
        """One line per node whose ids differ from its names.

        A node is listed when its id differs from its name, or its states' ids differ from the
        states.

        Examples
        --------
        >>> imp = read_bn(example_model(), "Burglary", "JohnCalls=True")
        >>> [
        ...     line for line in imp.renames() if line.startswith(("Burglary", "JohnCalls"))
        ... ]  # doctest: +NORMALIZE_WHITESPACE
        ['Burglary -> hypotheses; states True -> true, False -> false',
         'JohnCalls -> john_calls; states True -> true, False -> false']
        """
        lines = []
        for name, nid in self.node_ids.items():
            states = self.state_ids.get(name, {})
            changed = [f"{s} -> {i}" for s, i in states.items() if s != i]
            if name == nid and not changed:
                continue
            line = f"{name} -> {nid}" if name != nid else f"{name}"
            if changed:
                line += "; states " + ", ".join(changed)
            lines.append(line)
        return lines

    def files(self) -> dict[str, str]:
        """The case folder's files.

        ``case.yaml`` and (when there are items) ``evidence.yaml``, with their text.

        Each starts with a header comment saying where it came from (the case format keeps items in
        evidence files, not in ``case.yaml``).

        Examples
        --------
        >>> files = read_bn(example_model(), "Burglary", "JohnCalls=True").files()
        >>> list(files)
        ['case.yaml', 'evidence.yaml']
        >>> print(files["case.yaml"].splitlines()[0])
        # Imported by motives import-bn from a pgmpy model (read by pgmpy).
        """
        return case_files(self)


# --------------------------------------------------------------------------- reading


def _quiet() -> contextlib.ExitStack:
    """Silence the readers' own warnings and log lines (pgmpy logs every state name it infers)."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    logger = logging.getLogger("pgmpy")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    stack.callback(logger.setLevel, level)
    return stack


def _problem(path: Path, message: str, line: int | None = None) -> CaseError:
    return CaseError([Problem(message, file=str(path), line=line)])


def _reason(exc: BaseException) -> tuple[str, int | None]:
    """A reader's exception as one line, and the line of the file it names when it names one."""
    line = getattr(exc, "lineno", None)
    if line is None and isinstance(getattr(exc, "position", None), tuple):  # xml.etree ParseError
        line = exc.position[0]  # type: ignore[attr-defined]
    text = str(exc).strip().splitlines()
    msg = text[0] if text else type(exc).__name__
    if (
        isinstance(exc, KeyError | IndexError | ValueError | TypeError | AttributeError)
        and not text
    ):
        msg = type(exc).__name__
    msg = re.sub(r"\s+", " ", msg)
    if len(msg) > 200:
        msg = msg[:197] + "..."
    return f"{type(exc).__name__}: {msg}" if type(exc).__name__ not in msg else msg, (
        int(line) if isinstance(line, int) and line > 0 else None
    )


def read_network(path_or_model: Any) -> tuple[list[NetNode], str, str, str, list[str]]:  # noqa: C901 - one branch per network file format
    """The nodes of a network file or model: (nodes in file order, its name, source, reader, notes).

    ``path_or_model``: a file (format from the extension, see :data:`PGMPY_FORMATS` and
    :data:`PYAGRUM_FORMATS`), a pgmpy ``DiscreteBayesianNetwork`` or a pyAgrum ``BayesNet``.

    Examples
    --------
    >>> nodes, name, source, reader, notes = read_network(example_model())
    >>> alarm = next(n for n in nodes if n.name == "Alarm")
    >>> alarm.parents, alarm.states
    (('Burglary', 'Earthquake'), ('True', 'False'))
    >>> float(alarm.table[0, 1, 0])  # P(Alarm=True | Burglary=True, Earthquake=False)
    0.94
    """
    if hasattr(path_or_model, "get_cpds"):
        return _from_pgmpy(path_or_model, Path("model"), "a pgmpy model") + ("pgmpy", [])
    if hasattr(path_or_model, "cpt") and hasattr(path_or_model, "names"):
        with _quiet():
            nodes, name, src = _from_pyagrum(path_or_model, "a pyAgrum model")
        return nodes, name, src, "pyAgrum", []
    if not isinstance(path_or_model, str | os.PathLike):
        raise MotivesError(
            f"from_bn reads a file path, a pgmpy model or a pyAgrum BayesNet, not a "
            f"{type(path_or_model).__name__}"
        )
    path = Path(path_or_model)
    if not path.exists():
        raise _problem(path, "no such file")
    if path.is_dir():
        raise _problem(path, "is a folder; give the network file (.bif, .xml, .net, ...)")
    from motives.yamlfile import read_capped

    raw = read_capped(
        path
    )  # a regular file only (a FIFO would hang read_bytes), capped while reading
    if not raw.strip():
        raise _problem(path, "the file is empty")
    ext = path.suffix.lower()
    if ext not in PGMPY_FORMATS and ext not in PYAGRUM_FORMATS:
        known = sorted(set(PGMPY_FORMATS) | set(PYAGRUM_FORMATS))
        raise _problem(
            path,
            f"cannot tell the network format from the extension '{ext or '(none)'}'; "
            f"known: {', '.join(known)}",
        )
    fmt = PGMPY_FORMATS[ext][0] if ext in PGMPY_FORMATS else PYAGRUM_FORMATS[ext]
    failed: list[tuple[str, str, int | None]] = []  # (reader, why, line)
    if ext in PGMPY_FORMATS:
        cls = PGMPY_FORMATS[ext][1]
        try:
            model = _pgmpy_read(path, cls)
        except Exception as exc:  # noqa: BLE001 - a reader's failure, whatever it raises, is one message
            failed.append((f"pgmpy {cls}", *_reason(exc)))
        else:
            if len(model.nodes()):
                nodes, name, src = _from_pgmpy(model, path, path.name)
                return nodes, name, src, f"pgmpy {cls}", []
            failed.append((f"pgmpy {cls}", "found no nodes", None))
    if ext in PYAGRUM_FORMATS:
        # quietly: pyAgrum 3.3 crashes (SIGSEGV) when it is imported with warnings turned into
        # errors
        try:
            with _quiet():
                import pyagrum as gum
        except ImportError:
            gum = None  # type: ignore[assignment]
        if gum is None and not failed:
            raise _problem(path, f"reading {fmt} files needs pyAgrum: pip install pyagrum")
        if gum is not None:
            try:
                with _quiet():
                    bn = gum.loadBN(str(path))
            except Exception as exc:  # noqa: BLE001
                failed.append(("pyAgrum loadBN", *_pyagrum_reason(exc)))
            else:
                if bn.size():
                    with (
                        _quiet()
                    ):  # pyAgrum's toarray warns under NumPy 2.5 (it sets an array's shape)
                        nodes, name, src = _from_pyagrum(bn, path.name)
                    nodes, notes = _single_precision(nodes, ext)
                    if failed:
                        notes.insert(
                            0,
                            f"{failed[0][0]} could not read the file ({failed[0][1]}); pyAgrum did",
                        )
                    return nodes, name, src, "pyAgrum loadBN", notes
                failed.append(("pyAgrum loadBN", "found no nodes", None))
    located = [f for f in failed if f[2] is not None]
    best = located[-1] if located else failed[-1]
    others = "; ".join(f"{r}: {w}" for r, w, _ in failed if (r, w) != best[:2])
    raise _problem(
        path,
        f"cannot read it as {fmt} ({best[0]}: {best[1]})" + (f"; {others}" if others else ""),
        best[2],
    )


def _pyagrum_reason(exc: BaseException) -> tuple[str, int | None]:
    """PyAgrum's parse errors name ``file:line: col : error : what``: the what, and the line."""
    text = str(exc)
    m = re.search(r":(\d+):\s*\d+\s*:\s*error\s*:\s*(.+)", text)
    if m:
        return re.sub(r"\s+", " ", m.group(2)).strip(), int(m.group(1))
    text = re.sub(
        r"^\[pyAgrum\]\s*", "", text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    )
    return text[:200], None


def _pgmpy_read(path: Path, cls: str) -> Any:
    with _quiet():
        import pgmpy.readwrite as rw

        reader = getattr(rw, cls)(str(path))
        return reader.get_model()


def _from_pgmpy(model: Any, path: Path, source: str) -> tuple[list[NetNode], str, str]:
    nodes = []
    for name in model.nodes():
        cpd = model.get_cpds(name)
        if cpd is None:
            raise _problem(path, f"node '{name}' has no probability table")
        variables = [str(v) for v in cpd.variables]
        values = np.asarray(cpd.values, dtype=float)
        states = tuple(str(s) for s in cpd.state_names[cpd.variables[0]])
        parents = tuple(variables[1:])
        if set(parents) != {str(p) for p in model.get_parents(name)}:
            raise _problem(
                path,
                f"node '{name}': its table's parents {list(parents)} are not its parents in the "
                f"graph {sorted(str(p) for p in model.get_parents(name))}",
            )
        nodes.append(NetNode(str(name), states, parents, np.moveaxis(values, 0, -1)))
    for n in nodes:
        for p, k in zip(n.parents, n.table.shape[:-1], strict=True):
            other = next(m for m in nodes if m.name == p)
            if len(other.states) != k:
                raise _problem(
                    path,
                    f"node '{n.name}': its table has {k} columns for parent '{p}', which has "
                    f"{len(other.states)} states",
                )
    return nodes, str(getattr(model, "name", "") or ""), source


#: Formats whose parents pyAgrum 3 keeps in the reverse of the file's order (checked by the tests).
_PYAGRUM_REVERSED = (".net", ".dsl")


def _from_pyagrum(bn: Any, source: str) -> tuple[list[NetNode], str, str]:
    reverse = Path(source).suffix.lower() in _PYAGRUM_REVERSED
    nodes = []
    for i in sorted(bn.nodes()):
        var = bn.variable(i)
        cpt = bn.cpt(i)
        names = list(
            cpt.names
        )  # the node, then its parents; toarray's axes are in the reverse order
        arr = np.asarray(cpt.toarray(), dtype=float)
        arr = np.moveaxis(np.transpose(arr), 0, -1)  # parents in names[1:] order, the node last
        parents = names[1:]
        if reverse:
            arr = np.transpose(arr, list(range(len(parents)))[::-1] + [len(parents)])
            parents = parents[::-1]
        nodes.append(NetNode(var.name(), tuple(str(s) for s in var.labels()), tuple(parents), arr))
    return nodes, str(bn.property("name") if "name" in bn.properties() else ""), source


def _single_precision(nodes: list[NetNode], ext: str) -> tuple[list[NetNode], list[str]]:
    """Undo the single precision of pyAgrum's text readers.

    Every number goes back to its shortest float32 decimal.
    """
    values = np.concatenate([n.table.ravel() for n in nodes])
    if ext in (".bifxml",) or not np.array_equal(values.astype(np.float32).astype(float), values):
        return nodes, []
    out = [
        NetNode(
            n.name,
            n.states,
            n.parents,
            np.vectorize(
                lambda v: float(repr(np.float32(v)).removeprefix("np.float32(").rstrip(")"))
            )(n.table)
            .astype(float)
            .reshape(n.table.shape),
        )
        for n in nodes
    ]
    return out, [
        "pyAgrum read the numbers in single precision; each was taken back to the shortest decimal "
        "with the same single-precision value (exact for numbers of at most 7 significant digits)"
    ]


# --------------------------------------------------------------------------- ids


def _clean(text: str, prefix: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", str(text))
    s = re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")
    if not s or not s[0].isalpha():
        s = f"{prefix}_{s}" if s else prefix
    return s[:72].rstrip("_")


class _Ids:
    """Valid, unique ids in one namespace."""

    def __init__(self, taken: set[str] = frozenset(), prefix: str = "n") -> None:  # type: ignore[assignment]
        self.used = set(taken)
        self.prefix = prefix

    def __call__(self, text: str) -> str:
        base = _clean(text, self.prefix)
        nid, i = base, 2
        while nid in self.used:
            nid, i = f"{base}_{i}", i + 1
        self.used.add(nid)
        return nid


# --------------------------------------------------------------------------- evidence


def parse_evidence(evidence: Mapping[str, str] | str | None) -> dict[str, str]:
    """``NODE=STATE[,NODE=STATE...]`` (or a mapping) as a dict; a malformed pair is one message.

    Examples
    --------
    >>> parse_evidence("JohnCalls=True, MaryCalls=True")
    {'JohnCalls': 'True', 'MaryCalls': 'True'}
    >>> parse_evidence("JohnCalls")
    Traceback (most recent call last):
    ...
    motives.errors.MotivesError: evidence 'JohnCalls': write NODE=STATE (several separated by
    commas), e.g. JohnCalls=True
    """
    if evidence is None:
        return {}
    if isinstance(evidence, Mapping):
        return {str(k): str(v) for k, v in evidence.items()}
    out: dict[str, str] = {}
    for part in str(evidence).split(","):
        part = part.strip()
        if not part:
            continue
        node, eq, state = (s.strip() for s in part.partition("="))
        if not eq or not node or not state or "=" in state:
            raise MotivesError(
                f"evidence '{part}': write NODE=STATE (several separated by commas), "
                f"e.g. {node or 'NODE'}=True"
                if node and not eq
                else f"evidence '{part}': write NODE=STATE (several separated by commas)"
            )
        if node in out and out[node] != state:
            raise MotivesError(
                f"evidence names node '{node}' twice ({out[node]} and {state}); observe a node in "
                "one state"
            )
        out[node] = state
    return out


def _match(word: str, names: list[str], ids: dict[str, str]) -> str | None:
    """The name that ``word`` means.

    An exact match, else the one name equal up to letter case, else the one whose id it is.
    """
    if word in names:
        return word
    low = [n for n in names if n.lower() == word.lower()]
    if len(low) == 1:
        return low[0]
    by_id = [n for n in names if ids.get(n) == word]
    return by_id[0] if len(by_id) == 1 else None


# --------------------------------------------------------------------------- the case


def _num(v: float) -> float | int:
    """A probability with at most 15 significant digits (no float noise: 1 - 0.95 is 0.05).

    0 and 1 are written as ints.
    """
    r = float(f"{float(v):.15g}")
    return int(r) if r in (0.0, 1.0) else r


def _topological(nodes: list[NetNode]) -> list[NetNode]:
    by_name = {n.name: n for n in nodes}
    done: dict[str, NetNode] = {}
    visiting: set[str] = set()

    def visit(n: NetNode, path: list[str]) -> None:
        if n.name in done:
            return
        if n.name in visiting:
            raise MotivesError("the network has a cycle: " + " -> ".join(path + [n.name]))
        visiting.add(n.name)
        for p in n.parents:
            visit(by_name[p], path + [n.name])
        visiting.discard(n.name)
        done[n.name] = n

    for n in nodes:
        visit(n, [])
    return list(done.values())


def _check_rows(n: NetNode, by_name: Mapping[str, NetNode], where: str) -> None:
    """Every row of a table sums to 1 (within :data:`ROW_TOLERANCE`) and has no negative number."""
    sums = n.table.reshape(-1, n.table.shape[-1]).sum(axis=-1)
    negative = (n.table.reshape(-1, n.table.shape[-1]) < 0).any(axis=-1)
    bad = np.flatnonzero((np.abs(sums - 1) > ROW_TOLERANCE) | negative | ~np.isfinite(sums))
    if bad.size:
        idx = np.unravel_index(int(bad[0]), n.table.shape[:-1]) if n.parents else ()
        cond = ", ".join(
            f"{p}={by_name[p].states[int(i)]}" for p, i in zip(n.parents, idx, strict=True)
        )
        what = (
            "holds a negative number"
            if negative[bad[0]]
            else f"sums to {float(sums[bad[0]]):.10g}, not 1"
        )
        raise MotivesError(
            f"{where}: node '{n.name}': {'the row given ' + cond if cond else 'its table'} {what}; "
            "fix the table in the network's tool"
        )


def _nested(table: np.ndarray, parent_keys: list[list[str]], cell: Any) -> Any:
    """The table as nested mappings, first parent outermost.

    ``cell(vector)`` writes each innermost row.
    """
    if not parent_keys:
        return cell(table)
    return {k: _nested(table[i], parent_keys[1:], cell) for i, k in enumerate(parent_keys[0])}


# C901: one branch per network file format and evidence form
def read_bn(  # noqa: C901
    path_or_model: Any, hypothesis: str, evidence: Mapping[str, str] | str | None = None
) -> Imported:
    """Read a network and lay it out as a case (nothing written or validated by the schema yet).

    See :func:`from_bn` for the parameters and the layout.

    Examples
    --------
    >>> imp = read_bn(example_model(), "Burglary", "JohnCalls=True,MaryCalls=True")
    >>> imp.data["hypotheses"]
    [{'id': 'true', 'label': 'Burglary = True', 'prior': 0.001}, {'id': 'false', 'label': 'Burglary
    = False', 'prior': 0.999}]
    >>> imp.data["propositions"][1]["likelihoods"]
    {'true': {'true': 0.95, 'false': 0.94}, 'false': {'true': 0.29, 'false': 0.001}}
    >>> imp.data["evidence"][0]["bears_on"], imp.data["evidence"][0]["likelihoods"]
    ('alarm', {'true': 0.9, 'false': 0.05})
    """
    nodes, net_name, source, reader, notes = read_network(path_or_model)
    where = str(path_or_model) if isinstance(path_or_model, str | os.PathLike) else source
    names = [n.name for n in nodes]
    by_name = {n.name: n for n in nodes}
    observed_in = parse_evidence(evidence)

    # ids first (so that messages can accept them too): hypothesis states, then nodes in topological
    # order
    order = _topological(nodes)
    hyp_name = _match(hypothesis, names, {n: _clean(n, "n") for n in names})
    if hyp_name is None:
        raise MotivesError(
            f"hypothesis node '{hypothesis}' is not in {where}; its nodes: {', '.join(names)}."
            + did_you_mean(hypothesis, names)
        )
    H = by_name[hyp_name]
    if H.parents:
        arcs = ", ".join(f"{p} -> {H.name}" for p in H.parents)
        raise MotivesError(
            f"hypothesis node '{H.name}' has parents ({arcs}); the hypotheses must be a root of "
            "the network. Choose a root node, or remove the arcs into it in your tool first"
        )
    hyp_ids = _Ids(set(RESERVED), "h")
    state_ids: dict[str, dict[str, str]] = {H.name: {s: hyp_ids(s) for s in H.states}}
    node_ids: dict[str, str] = {H.name: "hypotheses"}
    global_ids = _Ids(set(hyp_ids.used), "n")
    for n in order:
        if n.name != H.name:
            node_ids[n.name] = global_ids(n.name)
    for n in order:
        if n.name != H.name:
            ns = _Ids(set(RESERVED), "s")
            state_ids[n.name] = {s: ns(s) for s in n.states}
    node_ids = {n: node_ids[n] for n in names}  # file order for the report
    state_ids = {n: state_ids[n] for n in names}

    observed: dict[str, str] = {}
    for word, state_word in observed_in.items():
        node = _match(word, names, node_ids)
        if node is None:
            raise MotivesError(
                f"evidence '{word}={state_word}': no node '{word}' in {where}; its nodes: "
                f"{', '.join(names)}." + did_you_mean(word, names)
            )
        if node == H.name:
            raise MotivesError(
                f"evidence '{word}={state_word}': '{node}' is the hypothesis node; its states are "
                "what the case weighs, so it cannot also be observed"
            )
        states = list(by_name[node].states)
        state = _match(state_word, states, state_ids[node])
        if state is None:
            raise MotivesError(
                f"evidence '{word}={state_word}': node '{node}' has no state '{state_word}'; its "
                f"states: {', '.join(states)}." + did_you_mean(state_word, states)
            )
        if node in observed and observed[node] != state:
            raise MotivesError(
                f"evidence names node '{node}' twice ({observed[node]} and {state}); observe a "
                "node in one state"
            )
        observed[node] = state

    for n in nodes:
        _check_rows(n, by_name, where)
    children: dict[str, list[str]] = {n: [] for n in names}
    for n in nodes:
        for p in n.parents:
            children[p].append(n.name)

    def keys(n: NetNode) -> list[list[str]]:
        return [list(state_ids[p].values()) for p in n.parents]

    def bears(n: NetNode) -> str | _FlowList:
        ids = [node_ids[p] for p in n.parents]
        return (
            ids[0] if len(ids) == 1 else _FlowList(ids)
        )  # one parent: a string, as every case file has it

    def row(n: NetNode) -> Any:
        sid = list(state_ids[n.name].values())
        if len(sid) == 2:
            return lambda v: _num(v[0])
        return lambda v: {s: _num(x) for s, x in zip(sid, v, strict=True)}

    props: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for n in order:
        if n.name == H.name:
            continue
        nid = node_ids[n.name]
        sid = list(state_ids[n.name].values())
        state = observed.get(n.name)
        if state is not None and n.parents and not children[n.name]:
            items.append(
                {
                    "id": nid,
                    "title": f"{n.name} = {state}",
                    "bears_on": bears(n),
                    "likelihoods": _nested(
                        n.table[..., n.states.index(state)], keys(n), lambda v: _num(v)
                    ),
                }
            )
            continue
        rec: dict[str, Any] = {"id": nid, "title": n.name}
        if sid != ["yes", "no"]:
            rec["states"] = _flow_list(sid)
        rec["bears_on"] = bears(n)
        if n.parents:
            rec["likelihoods"] = _nested(n.table, keys(n), row(n))
        else:
            rec["likelihoods"] = {s: _num(x) for s, x in zip(sid, n.table, strict=True)}
        if state is not None:
            rec["observed"] = state_ids[n.name][state]
        props.append(rec)

    case_name = _clean(
        net_name or (Path(source).stem if source != "a pgmpy model" else "network"), "network"
    )
    hyps = [
        {"id": state_ids[H.name][s], "label": f"{H.name} = {s}", "prior": _num(p)}
        for s, p in zip(H.states, H.table, strict=True)
    ]
    ev_text = ", ".join(f"{k}={v}" for k, v in observed.items()) or "none"
    data: dict[str, Any] = {
        "name": case_name,
        "title": f"{net_name or Path(source).stem}: the states of {H.name}, given {ev_text}",
        "description": (
            f"Imported from {source} ({reader}). The hypotheses are the states of node '{H.name}' "
            f"(its table is the prior); evidence: {ev_text}. Every table is the network's."
        ),
        "lenses": [{"id": "default", "name": f"The tables of {source}"}],
        "hypotheses": hyps,
    }
    if props:
        data["propositions"] = props
    if items:
        data["evidence"] = items
    return Imported(
        data=data,
        node_ids=node_ids,
        state_ids=state_ids,
        source=source,
        reader=reader,
        hypothesis=H.name,
        evidence=observed,
        notes=notes,
    )


# --------------------------------------------------------------------------- YAML


class _FlowList(list[Any]):
    """A list written on one line: ``[hypotheses, earthquake]``."""


def _flow_list(xs: list[str]) -> _FlowList:
    return _FlowList(xs)


def _dumper() -> Any:
    """A safe dumper quoting what the case loader would read otherwise (``true``, ``1e3``).

    Tables' rows go on one line.
    """
    import yaml

    from motives.yamlfile import Loader

    class Dumper(yaml.SafeDumper):
        yaml_implicit_resolvers = {k: list(v) for k, v in Loader.yaml_implicit_resolvers.items()}

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(
                flow, False
            )  # lists indented under their key, as the examples are

    def mapping(dumper: Any, data: dict[str, Any]) -> Any:
        flow = all(not isinstance(v, dict | list) for v in data.values()) and not any(
            isinstance(v, str) and len(v) > 40 for v in data.values()
        )
        return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)

    def flow_list(dumper: Any, data: list[Any]) -> Any:
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)

    def number(dumper: Any, data: float) -> Any:
        text = repr(float(data))
        if "e" in text:
            text = (
                np.format_float_positional(data, trim="-")
                if abs(data) >= 1e-6
                else text.replace("e", ".0e", 1)
                if "." not in text
                else text
            )
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)

    Dumper.add_representer(dict, mapping)
    Dumper.add_representer(_FlowList, flow_list)
    Dumper.add_representer(float, number)
    return Dumper


def case_files(imp: Imported) -> dict[str, str]:
    """``case.yaml`` (and ``evidence.yaml``) for an imported network.

    A header comment, then the case.

    The header says where the network came from, what read it, how names became ids and what to
    know.

    Examples
    --------
    >>> text = case_files(read_bn(example_model(), "Burglary", "JohnCalls=True"))["case.yaml"]
    >>> start = text.index("  - id: alarm")
    >>> print(text[start : text.index("  - id:", start + 1)].rstrip())
      - id: alarm
        title: Alarm
        states: ['true', 'false']
        bears_on: [hypotheses, earthquake]
        likelihoods:
          'true': {'true': 0.95, 'false': 0.94}
          'false': {'true': 0.29, 'false': 0.001}
    """
    import yaml

    ev = ", ".join(f"{k}={v}" for k, v in imp.evidence.items()) or "none"
    head = [
        f"{HEADER} from {imp.source} (read by {imp.reader}).",
        f"# Hypotheses: the states of node '{imp.hypothesis}' (its table is the prior). Evidence: "
        f"{ev}.",
        "# Every table is the network's, nested in the order of bears_on (first parent "
        "outermost); two states:",
        "# P(first state | parents). Numbers have at most 15 significant digits.",
    ]
    renames = imp.renames()
    if renames:
        head.append("# Names made ids (network name -> id):")
        head += [f"#   {line}" for line in renames]
    head += [f"# Note: {n}" for n in imp.notes]
    head.append("# Edit freely; importing again with --force replaces this folder.")
    dump = {
        "Dumper": _dumper(),
        "sort_keys": False,
        "allow_unicode": True,
        "width": 110,
        "default_flow_style": False,
    }
    case = {k: v for k, v in imp.data.items() if k != "evidence"}
    body = re.sub(r"\n(propositions):", r"\n\n\1:", yaml.dump(case, **dump))
    files = {"case.yaml": "\n".join(head) + "\n" + body}
    if imp.data.get("evidence"):
        files["evidence.yaml"] = (
            f"{HEADER} from {imp.source}: the observed nodes with no children, as items.\n"
            "# P(the observed state | parents), nested as in case.yaml.\n"
            + yaml.dump({"evidence": imp.data["evidence"]}, **dump)
        )
    return files


# --------------------------------------------------------------------------- writing


def _written_by_us(folder: Path) -> bool:
    files = list(folder.iterdir())
    return all(
        p.is_file()
        and p.name in ("case.yaml", "evidence.yaml")
        and p.read_text(encoding="utf-8", errors="replace").startswith(HEADER)
        for p in files
    )


def write_case(
    imp: Imported, out: str | os.PathLike[str], *, force: bool = False, check: bool = True
) -> Path:
    """Write ``out/case.yaml`` atomically.

    A temporary sibling folder is written, checked by loading, then renamed.

    An existing non-empty ``out`` is refused; with ``force`` it is replaced, but only when it holds
    just a ``case.yaml`` this module wrote. ``check``: load the written case first (its problems, if
    any, are reported against ``out``, and nothing is written).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> imp = read_bn(example_model(), "Burglary", "JohnCalls=True")
    >>> sorted(p.name for p in write_case(imp, d / "alarm", check=False).iterdir())
    ['case.yaml', 'evidence.yaml']
    >>> write_case(imp, d / "alarm", check=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    motives.errors.MotivesError: ... already exists and is not empty; pass --force (force=True) to
    replace it
    """
    out = Path(out)
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise MotivesError(f"{out} exists and is not a folder")
        if any(out.iterdir()):
            if not force:
                raise MotivesError(
                    f"{out} already exists and is not empty; pass --force (force=True) to replace "
                    "it"
                )
            if not _written_by_us(out):
                raise MotivesError(
                    f"{out} holds files import-bn did not write; --force replaces only a folder "
                    "import-bn wrote. Remove it yourself or choose another folder"
                )
    files = imp.files()
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_folder(parent, out.name)
    try:
        for name, text in files.items():
            try:
                (tmp / name).write_text(text, encoding="utf-8")
            except (
                OSError
            ) as exc:  # a failed write (a full disk) names no file: name the one asked for
                raise OSError(exc.errno, exc.strerror, str(out / name)) from None
        if check:
            _check_loads(tmp, out)
        swap_folder(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _check_loads(tmp: Path, out: Path) -> Case:
    from motives.io import load_case

    try:
        return load_case(tmp)
    except CaseError as exc:
        import dataclasses

        t = str(tmp)
        raise CaseError(
            [
                dataclasses.replace(p, file=p.file.replace(t, str(out)) if p.file else p.file)
                for p in exc.problems
            ]
        ) from None


def from_bn(
    path_or_model: Any,
    hypothesis: str,
    evidence: Mapping[str, str] | str | None = None,
    *,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> Case:
    """A Bayesian network (a BIF, XMLBIF or Hugin NET file, or a pgmpy model) as a case.

    Parameters
    ----------
    path_or_model
        A network file (``.bif``, ``.xml``/``.xmlbif``/``.bifxml``, ``.net``, ``.uai``, ``.xdsl``
        through pgmpy; ``.dsl`` and the others pyAgrum reads through pyAgrum), a pgmpy
        ``DiscreteBayesianNetwork`` or a pyAgrum ``BayesNet``.
    hypothesis
        The node whose states are the hypotheses (a root: its table is the prior).
    evidence
        The observed nodes: ``{"JohnCalls": "True"}`` or ``"JohnCalls=True,MaryCalls=True"``. Node
        and state names as in the network (any letter case) or as their ids.
    out
        A folder to write the case to (``case.yaml``; atomically). Default: none (a temporary
        folder, removed).
    force
        Replace ``out`` if it exists (only a folder this function wrote).

    Returns
    -------
    Case
        The case, loaded and validated. Its posterior is the network's P(hypothesis | evidence). The
        ids the network's names became are in the case's header comment; :func:`read_bn` returns
        them as data.

    Raises
    ------
    MotivesError
        An unreadable file (located), a hypothesis node with parents (naming the arcs), evidence
        naming an unknown node or state (naming the valid ones), an existing ``out``.

    Examples
    --------
    >>> import tempfile
    >>> case = from_bn(
    ...     example_model(),
    ...     "Burglary",
    ...     "JohnCalls=True,MaryCalls=True",
    ...     out=Path(tempfile.mkdtemp()) / "alarm",
    ... )
    >>> case.hypothesis_ids
    ['true', 'false']
    """
    imp = read_bn(path_or_model, hypothesis, evidence)
    if out is not None:
        write_case(imp, out, force=force)
        from motives.io import load_case

        return load_case(Path(out))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / imp.data["name"]
        folder.mkdir()
        for name, text in imp.files().items():
            (folder / name).write_text(text, encoding="utf-8")
        return _check_loads(folder, Path(f"<{imp.source}>"))


def example_model() -> Any:
    """Pearl's burglary alarm network as a pgmpy model, for the examples.

    Its states are ``True`` and ``False``.

    Examples
    --------
    >>> sorted(example_model().get_parents("Alarm"))
    ['Burglary', 'Earthquake']
    """
    with _quiet():
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork

        m = DiscreteBayesianNetwork(
            [
                ("Burglary", "Alarm"),
                ("Earthquake", "Alarm"),
                ("Alarm", "JohnCalls"),
                ("Alarm", "MaryCalls"),
            ]
        )
        tf = ["True", "False"]

        def cpd(v: str, p: list[float], parents: list[str] = ()) -> Any:  # type: ignore[assignment]
            return TabularCPD(
                v,
                2,
                [p, [1 - x for x in p]],
                evidence=list(parents) or None,
                evidence_card=[2] * len(parents) or None,
                state_names={v: tf, **{q: tf for q in parents}},
            )

        m.add_cpds(
            cpd("Burglary", [0.001]),
            cpd("Earthquake", [0.002]),
            cpd("Alarm", [0.95, 0.94, 0.29, 0.001], ["Burglary", "Earthquake"]),
            cpd("JohnCalls", [0.9, 0.05], ["Alarm"]),
            cpd("MaryCalls", [0.7, 0.01], ["Alarm"]),
        )
    return m


__all__ = [
    "Imported",
    "NetNode",
    "case_files",
    "example_model",
    "from_bn",
    "parse_evidence",
    "read_bn",
    "read_network",
    "write_case",
]
