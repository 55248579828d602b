"""``color``: choose the graph, order and algorithm for a problem; build the result."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..counters import count
from ..errors import InputError
from . import algorithms
from . import improve as _improve
from .bounds import lower_bound
from .check import (
    ColoringError,
    _acyclic,
    _bicoloring,
    _orthogonal,
    _star,
    bicolor_reads,
    lower_index,
)
from .decompress import (
    _choose_sides,
    _lower,
    _partition_ok,
    _partition_src,
    _peel,
    _row_unique,
)
from .eliminate import eliminate_classes
from .graph import TwoLevel, adjacency, augmented, bipartite, canonical, symmetrized_with_mirror
from .orders import ORDERS, vertex_order
from .result import ColoringResult

PROBLEMS = ("column", "row", "star", "acyclic", "bidirectional")
#: the orders of the default colouring: all of them (a single greedy pass each), so the
#: default never needs more colours than any one order
DEFAULT_ORDERS = ORDERS

Order = str | Sequence[str] | np.ndarray


def _order(order, graph: TwoLevel, seed: int) -> np.ndarray:
    if isinstance(order, str):
        return vertex_order(order, graph, seed)
    o = np.ascontiguousarray(order, dtype=np.int64)
    if o.shape != (graph.n,) or not np.array_equal(np.sort(o), np.arange(graph.n)):
        raise InputError(f"asd: an explicit order must be a permutation of {graph.n} vertices")
    return o


def _renumber(colors: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Colours of kept vertices renumbered 0..k-1 in their old order; the others -1."""
    out = np.full(colors.shape, -1, dtype=np.int64)
    used = np.unique(colors[keep & (colors >= 0)])
    out[keep] = np.searchsorted(used, colors[keep])
    out[keep & (colors < 0)] = -1
    return out


# -- column / row ----------------------------------------------------------------------------


def _partial(P, G: TwoLevel, problem, orders, seed, recolor, improve, budget, exact, check):
    """Best greedy colouring over ``orders``, then (``improve``) restarts, recolouring and
    tabu search within ``budget``, then (``exact``) the integer program."""
    lb = lower_bound(problem, G)
    # improving: the randomised DSATUR restarts often reach the bound, so the (costlier)
    # plain DSATUR order waits until they have run
    later = [o for o in orders if improve and len(orders) > 1 and o == "dsatur"]
    best, name = None, ""

    def run(order_list, best, name):
        for o in order_list:
            if best is not None and int(best.max(initial=-1)) + 1 <= lb:
                break  # optimal: no order can do better
            colors = algorithms.greedy(G, _order(o, G, seed))
            if recolor:
                colors = algorithms.iterated_greedy(G, colors, recolor, seed, lb)
            if best is None or colors.max(initial=-1) < best.max(initial=-1):
                best, name = colors, _name(o) + ("+recolor" if recolor else "")
        return best, name

    colors, name = run([o for o in orders if o not in later], best, name)
    if improve:
        nc = int(colors.max(initial=-1)) + 1
        greedy = _improve.greedy_for(problem, G)
        colors, how = _improve.improve(G, colors, nc, lb, budget, seed, greedy, tabu=True)
        name += how
        colors, name = run(later, colors, name)
    if exact:
        from .exact import exact_partial

        found = exact_partial(G, colors)
        if found is not None and found[0].max(initial=-1) <= colors.max(initial=-1):
            colors = found[0]
            name += "+exact"
            if found[1]:  # proven optimal: its count is a lower bound too
                lb = int(colors.max(initial=-1)) + 1
    nc = int(colors.max(initial=-1)) + 1
    src = _partition_src(P.indptr, P.indices, colors, nc, P.shape[1], problem == "row")
    if check and not _partition_ok(G.ptr2, G.idx2, colors):  # the checker names the entry
        T = sp.csr_array((np.ones(G.idx2.size, bool), G.idx2, G.ptr2), shape=(G.ptr2.size - 1, G.n))
        _orthogonal(T, colors, problem)
        raise ColoringError("asd: the colouring is not structurally orthogonal")
    return ColoringResult(problem, P, name, colors=colors, plan={"src": src}, lower_bound=lb)


def _name(order) -> str:
    return order if isinstance(order, str) else "explicit"


# -- symmetric ----------------------------------------------------------------------------------


def _star_plan(S, mirror, colors, score, postprocess):
    """Direct symmetric plan: each lower entry read from row i (needs j) or row j (needs i).

    Postprocessing unseeds the vertices no entry is read through; the reads chosen stay
    valid (a colour that was unique in a row stays unique when other vertices lose theirs).
    """
    n = S.shape[0]
    low_of, low = _lower(S.indptr, S.indices, mirror)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(S.indptr))
    i, j = rows[low], S.indices[low]
    u = _row_unique(S.indptr, S.indices, colors)
    side, need = _choose_sides(j, i, u[low], u[mirror[low]], score, n)
    if side.size and side[0] == -2:
        t = low[side[1]] if side.size > 1 else low[0]
        raise ColoringError(
            f"asd: entry ({rows[t]}, {S.indices[t]}) cannot be recovered directly: not a star "
            "colouring"
        )
    if postprocess and not need.all():
        colors = _renumber(colors, need)
    nc = int(colors.max(initial=-1)) + 1
    src_lower = np.where(side == 0, i * nc + colors[j], j * nc + colors[i])
    return colors, {"src": src_lower[low_of], "src_lower": src_lower}


def _acyclic_plan(S, mirror, colors, postprocess):
    low_of, nlow = lower_index(S, mirror)
    for final in (False, True):
        nc = int(colors.max(initial=-1)) + 1
        ok, target, src, dep_ptr, deps, need = _peel(
            S.indptr, S.indices, low_of, nlow, colors, nc, mirror
        )
        if not ok:
            raise ColoringError(
                "asd: the acyclic colouring does not decompress by substitution (a "
                "two-coloured cycle or an unseeded vertex)"
            )
        if final or not postprocess or need.all():
            break
        colors = _renumber(colors, need)
    plan = {
        "nlow": nlow,
        "target": target,
        "step_src": src,
        "dep_ptr": dep_ptr,
        "deps": deps,
        "low_of": low_of,
    }
    return colors, plan


def _symmetric(S, mirror, A, problem, orders, seed, postprocess, improve, budget, check):
    """Best star / acyclic colouring over ``orders`` (counted after postprocessing), then
    (``improve``) restarts and class-ordered recolouring through the same greedy."""
    T = A.two_level()
    score = np.diff(A.ptr)

    def plan_of(raw):
        if problem == "star":
            return _star_plan(S, mirror, raw, score, postprocess)
        return _acyclic_plan(S, mirror, raw, postprocess)

    allowed = None
    if postprocess:  # only vertices with a diagonal entry must stay seeded
        rows = np.repeat(np.arange(S.shape[0]), np.diff(S.indptr))
        allowed = np.zeros(S.shape[0], dtype=np.bool_)
        allowed[rows[S.indices == rows]] = True
    lb = lower_bound(problem, T, allowed)
    greedy = _improve.greedy_for(problem, A)
    # every vertex with a diagonal entry stays seeded, so with a full diagonal (or no
    # postprocessing) the raw count is final and only the winner needs its plan
    raw_final = allowed is None or bool(allowed.all())
    best = None
    for o in orders:
        raw = greedy(_order(o, T, seed))
        if raw_final:
            colors, plan = raw, None
        else:
            colors, plan = plan_of(raw)
        nc = int(colors.max(initial=-1)) + 1
        if best is None or nc < best[0]:
            best = (nc, raw, colors, plan, _name(o))
        if best[0] <= lb:
            break  # optimal: no order can do better
    nc, raw, colors, plan, name = best
    if plan is None:
        colors, plan = plan_of(raw)
    if improve and nc > lb:
        elim = (lambda c: eliminate_classes(A, c)) if problem == "star" else None
        better, how = _improve.improve(T, raw, nc, lb, budget, seed, greedy, False, elim)
        if how:
            colors, plan = plan_of(better)
            name += how
    if check:
        (_star if problem == "star" else _acyclic)(S, mirror, colors)
    return ColoringResult(problem, S, name, colors=colors, plan=plan, lower_bound=lb)


# -- bidirectional -----------------------------------------------------------------------------


def _sub_coloring(Q: sp.csr_array, by: str, order, seed, budget: float = 0.0) -> np.ndarray:
    """Column (row) colouring of a sub-pattern; columns (rows) without entries get -1.
    With a ``budget``, improved like a column (row) colouring of its own."""
    Q = canonical(Q)
    G = bipartite(Q, by)
    if G.n == 0:
        return np.zeros(0, dtype=np.int64)
    o = vertex_order(order, G, seed) if isinstance(order, str) else None
    if o is None:
        raise InputError("asd: bidirectional colouring takes order names, not explicit orders")
    colors = algorithms.greedy(G, o)
    if budget > 0:
        nc = int(colors.max(initial=-1)) + 1
        lb = lower_bound(by, G)
        greedy = _improve.greedy_for(by, G)
        colors = _improve.improve(G, colors, nc, lb, budget, seed, greedy, tabu=True)[0]
    return _renumber(colors, np.diff(G.ptr1) > 0)


def _thresholds(counts: np.ndarray, k: int = 10) -> np.ndarray:
    values = np.unique(counts)
    if values.size > k:
        values = values[np.unique(np.linspace(0, values.size - 1, k).round().astype(int))]
    return np.concatenate([[-1], values])


def _max_or_zero(a: np.ndarray) -> int:
    return int(a.max(initial=0))


def _bi_candidates(P: sp.csr_array, order, seed):
    """Candidate bicolourings as ``(lower bound on colours, work, build)``, best bound first.

    Dense rows in reverse and the rest forward (and the transposed split), over a range of
    density thresholds, plus a star colouring of the bipartite graph [[0, P.T], [P, 0]].
    A column colouring needs at least as many colours as its densest row (and a row
    colouring as its densest column), which bounds each split before it is coloured;
    ``work`` (sum of squared degrees) is what greedy colouring it costs.
    """
    m, n = P.shape
    row_nnz = np.diff(P.indptr)
    col_nnz = np.bincount(P.indices, minlength=n)
    Pc = P.tocsc()
    rows_of = np.repeat(np.arange(m), row_nnz)
    out = []
    for th in _thresholds(row_nnz):
        dense = row_nnz > th
        in_dense = dense[rows_of]
        cnt = np.bincount(P.indices[in_dense], minlength=n)  # column counts in dense rows
        lb = _max_or_zero(row_nnz[~dense]) + _max_or_zero(cnt)
        work = int((row_nnz[~dense] ** 2).sum() + (cnt**2).sum())

        def build(dense=dense, budget=0.0):
            cc = _sub_coloring(P[~dense], "column", order, seed, budget / 2)
            rc = np.full(m, -1, dtype=np.int64)
            rc[dense] = _sub_coloring(P[dense], "row", order, seed, budget / 2)
            return cc, rc

        out.append((lb, work, build))
    for th in _thresholds(col_nnz):
        dense = col_nnz > th
        cnt = np.bincount(rows_of[dense[P.indices]], minlength=m)  # row counts in dense cols
        lb = _max_or_zero(col_nnz[~dense]) + _max_or_zero(cnt)
        work = int((col_nnz[~dense] ** 2).sum() + (cnt**2).sum())

        def build(dense=dense, budget=0.0):
            rc = _sub_coloring(sp.csr_array(Pc[:, ~dense]), "row", order, seed, budget / 2)
            cc = np.full(n, -1, dtype=np.int64)
            cc[dense] = _sub_coloring(sp.csr_array(Pc[:, dense]), "column", order, seed, budget / 2)
            return cc, rc

        out.append((lb, work, build))

    def build_star(budget=0.0):
        Z = augmented(P)
        A = adjacency(Z)
        both = algorithms.star(A, vertex_order(order, A.two_level(), seed))
        return both[:n].copy(), both[n:].copy()

    out.sort(key=lambda t: (t[0], t[1]))
    # no cheap bound for the star candidate: tried last, when its work is affordable
    star_work = int((row_nnz**2).sum() + (col_nnz**2).sum())
    out.append((1 if P.nnz else 0, star_work, build_star))
    return out


def _bi_plan(P, cc, rc, postprocess):
    m, n = P.shape
    rows = np.repeat(np.arange(m, dtype=np.int64), np.diff(P.indptr))
    cols = np.asarray(P.indices, dtype=np.int64)
    score = np.concatenate([np.bincount(cols, minlength=n), np.diff(P.indptr)])
    for final in (False, True):
        fwd, rev = bicolor_reads(P, cc, rc)
        side, need = _choose_sides(cols, n + rows, fwd, rev, score, n + m)
        if side.size and side[0] == -2:
            return None
        if final or not postprocess:
            break
        cc = _renumber(cc, need[:n])
        rc = _renumber(rc, need[n:])
    nf = int(cc.max(initial=-1)) + 1
    f = np.flatnonzero(side == 0)
    r = np.flatnonzero(side == 1)
    plan = {
        "fwd": f,
        "fwd_src": rows[f] * nf + cc[cols[f]],
        "rev": r,
        "rev_src": rc[rows[r]] * n + cols[r],
    }
    return cc, rc, plan


def _bi_best(P, order, seed, postprocess):
    """``(total colours, (cc, rc, plan), build)`` of the best candidate bicolouring."""
    if not isinstance(order, str):
        raise InputError("asd: bidirectional colouring takes order names, not explicit orders")
    best = None
    for lb, work, build in _bi_candidates(P, order, seed):
        if best is not None and (lb >= best[0] or work > 64 * best[3]):
            continue  # cannot beat the best, or would cost far more than it did
        cc, rc = build()
        built = _bi_plan(P, cc, rc, postprocess)
        if built is None:
            continue
        total = int(built[0].max(initial=-1)) + int(built[1].max(initial=-1)) + 2
        if best is None or total < best[0]:
            best = (total, built, build, max(work, P.nnz))
    if best is None:  # cannot happen: the pure column colouring is always a candidate
        raise ColoringError("asd: no valid bicolouring found")
    return best[:3]


def _bidirectional(P, orders, seed, postprocess, improve, budget, check) -> ColoringResult:
    """Best bicolouring over ``orders``; (``improve``) the winning split's column and row
    colourings are then improved like one-sided colourings, within ``budget``."""
    best, name = None, ""
    for o in orders:
        got = _bi_best(P, o, seed, postprocess)
        if best is None or got[0] < best[0]:
            best, name = got, o
    total, built, build = best
    if improve and total > 2 and budget > 0:
        again = _bi_plan(P, *build(budget=budget), postprocess)
        if again is not None:
            t = int(again[0].max(initial=-1)) + int(again[1].max(initial=-1)) + 2
            if t < total:
                built, name = again, name + "+improved"
    cc, rc, plan = built
    if check:
        _bicoloring(P, cc, rc)
    lb = 1 if P.nnz else 0  # any bicolouring of a nonzero pattern needs one colour
    return ColoringResult(
        "bidirectional", P, name, column_colors=cc, row_colors=rc, plan=plan, lower_bound=lb
    )


# -- entry point -------------------------------------------------------------------------------


def color(
    pattern,
    problem: str = "column",
    order: Order | None = None,
    *,
    seed: int = 0,
    postprocess: bool = True,
    recolor: int = 0,
    improve: bool | None = None,
    budget: float | None = None,
    exact: bool = False,
    check: bool = True,
) -> ColoringResult:
    """Colour a sparsity pattern for compressed evaluation of the matrix it describes.

    Parameters
    ----------
    pattern : scipy.sparse matrix/array (or dense array) whose nonzeros are the structure.
    problem : "column" / "row" (structurally orthogonal columns / rows, direct recovery),
        "star" (symmetric, direct), "acyclic" (symmetric, substitution) or
        "bidirectional" (forward and reverse seeds together, direct).
    order : ``None`` (default): the best of all orders in ``ORDERS``, then improved (see
        ``improve``), so the colours do not depend on how the unknowns are laid out. Or
        one of ``ORDERS``, an explicit permutation, or a list of names (each is tried and
        the fewest colours kept; ties: the first), without improvement unless asked.
    seed : seeds the "random" order, the randomised restarts and the tabu search; the
        result is a function of pattern, order, seed and budget.
    postprocess : symmetric / bidirectional problems: vertices whose colour no entry is
        read through become unseeded (colour -1), colours are renumbered contiguously.
    recolor : column / row problems: passes of Culberson's iterated greedy recolouring
        after each greedy colouring (never more colours; stops at the lower bound).
    improve : improve the best greedy colouring within ``budget``: randomised DSATUR
        restarts, iterated greedy by colour classes and (column / row) tabu search, each
        keeping the best colouring, stopping at the lower bound (never more colours).
        Bidirectional: the column and row colourings of the best split are improved.
        Default: on when ``order`` is ``None``.
    budget : seconds of improvement, spent in deterministic work units (a wall-clock
        guard stops at 10x on a slow machine); default ``improve.default_budget``:
        20 ms + 1 us per nonzero (star / acyclic: 0.5 us). The prepared derivatives
        pass a budget proportional to their tape.
    exact : column / row problems of at most ``exact.MAX_VERTICES`` vertices: solve the
        integer program (``scipy.optimize.milp``, HiGHS) for the fewest colours; when
        optimality is proven, ``lower_bound`` equals ``ncolors``.
    check : verify the colouring with the checkers (cheap, linear); failure raises
        :class:`ColoringError`.

    The result's ``lower_bound`` (largest row or column, greedy clique) shows the gap.
    """
    if problem not in PROBLEMS:
        raise InputError(f"asd: problem must be one of {PROBLEMS}, not {problem!r}")
    count("coloring")
    P = canonical(pattern)
    default = order is None
    if default:
        orders = list(DEFAULT_ORDERS)
    elif isinstance(order, str) or isinstance(order, np.ndarray):
        orders = [order]
    else:
        orders = list(order)
        if not orders:
            raise InputError("asd: empty list of orders")
    for o in orders:
        if isinstance(o, str) and o not in ORDERS:
            raise InputError(f"asd: unknown order {o!r}; choose from {ORDERS} or a list of them")
    if recolor and problem not in ("column", "row"):
        raise InputError("asd: recolor applies to column and row colourings only")
    if exact and problem not in ("column", "row"):
        raise InputError("asd: exact colouring is available for column and row problems only")
    improve = default if improve is None else bool(improve)
    if budget is None:
        budget = _improve.default_budget(P.nnz, problem in ("star", "acyclic"))

    if problem in ("column", "row"):
        G = bipartite(P, problem)
        return _partial(P, G, problem, orders, seed, recolor, improve, budget, exact, check)
    if problem in ("star", "acyclic"):
        S, mirror = symmetrized_with_mirror(P)
        A = adjacency(S)
        return _symmetric(S, mirror, A, problem, orders, seed, postprocess, improve, budget, check)
    return _bidirectional(P, orders, seed, postprocess, improve, budget, check)
