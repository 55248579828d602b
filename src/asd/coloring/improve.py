"""Improving a greedy colouring under a budget: randomised restarts, recolouring, tabu.

A greedy colouring is only as good as its vertex order, and every order breaks ties by
vertex index, so the colours depend on how the user happened to lay out the unknowns
(a 2-D Brusselator: 7 colours interleaved, 11 with all u before all v, optimum 6).
The default colouring therefore takes the best of several orders and then spends a
budget on three improvements, each of which keeps the best colouring seen (never more
colours than it started from):

- **randomised DSATUR restarts**: DSATUR with ties broken by a random permutation. The
  distribution of its outcome no longer depends on the vertex numbering, and on
  lattice-like patterns it is bimodal: optimal or poor, so a few restarts pay;
- **iterated greedy** (Culberson): greedy recolouring with the vertices taken colour
  class by colour class (classes reversed, largest first, or shuffled); for star and
  acyclic colourings this goes through the star / acyclic greedy, which keeps its
  two-coloured stars / trees, so the result is valid by construction and checked;
- **tabu search** (column / row problems, :mod:`.tabu`): drop a colour class and
  search for a conflict-free colouring with one colour less.

Everything stops at the lower bound. The budget is given in seconds but spent in
deterministic work units (a nominal rate per unit of graph size), so the colouring is a
function of pattern, seed and budget only; a wall-clock guard at ``GUARD`` times the
budget stops early on a machine ten times slower than nominal (the only source of
variation).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from . import algorithms
from .graph import TwoLevel
from .orders import dsatur_random_ties
from .tabu import tabu_reduce

#: default improvement budget: seconds per nonzero of the pattern, plus a constant
SECONDS_PER_NNZ = 1.0e-6
SECONDS_BASE = 0.02
#: nominal cost of one restart (seconds per two-level neighbour visited, measured)
SECONDS_PER_PAIR = 6.0e-8
#: nominal tabu speed (conflict-table entries per second, measured)
TABU_WORK_PER_SECOND = 1.0e8
#: share of the budget the restarts may use before the tabu search gets the rest
RESTART_SHARE = 0.75
#: nominal fixed cost of one restart (Python and numpy overhead around the kernels)
SECONDS_PER_RESTART = 2.0e-5
#: the wall-clock guard, in budgets (plus one base period): only a machine this much
#: slower than nominal stops early and so changes the result
GUARD = 10.0


def default_budget(nnz: int, symmetric: bool = False) -> float:
    """Seconds of improvement for a pattern with ``nnz`` nonzeros (default of ``color``).

    Star / acyclic problems get half the rate per nonzero: their restarts cost more and
    gain less (on the PGLib Hessians, halving it loses no colour)."""
    return SECONDS_BASE + SECONDS_PER_NNZ * nnz * (0.5 if symmetric else 1.0)


#: measured trace + detection time per tape entry (nodes plus linear terms)
PREPARATION_SECONDS_PER_NODE = 6.0e-7


def preparation_budget(tape_size: int) -> float:
    """Budget for the colouring of a prepared derivative: a quarter of the nominal trace
    + detection time of its tape (tape size times a measured time per entry), at least
    ``SECONDS_BASE``; proportional to the preparation it serves, and deterministic."""
    return max(SECONDS_BASE, 0.25 * PREPARATION_SECONDS_PER_NODE * tape_size)


def pair_count(graph: TwoLevel) -> int:
    """Neighbours visited by one greedy pass (sum of squared group sizes or degrees)."""
    if graph.ptr2.size - 1 == graph.n and np.array_equal(graph.idx2, np.arange(graph.n)):
        sizes = np.diff(graph.ptr1)  # plain adjacency: star / acyclic greedy scan N(N(v))
    else:
        sizes = np.diff(graph.ptr2)
    return int((sizes.astype(np.int64) ** 2).sum()) + graph.n


def _class_orders(colors: np.ndarray, rng: np.random.Generator, k: int) -> np.ndarray:
    """Vertices grouped by colour class: classes reversed, largest first, or shuffled."""
    nc = int(colors.max(initial=-1)) + 1
    c = np.where(colors < 0, nc, colors)  # unseeded vertices last
    kind = k % 3
    if kind == 0:
        rank = np.arange(nc + 1)[::-1].copy()
        rank[nc] = nc
    elif kind == 1:
        sizes = np.bincount(c, minlength=nc + 1)[:nc]
        rank = np.concatenate([np.argsort(np.argsort(-sizes, kind="stable")), [nc]])
    else:
        rank = np.concatenate([rng.permutation(nc), [nc]])
    return np.argsort(rank[c], kind="stable").astype(np.int64)


class Budget:
    """Deterministic work budget with a wall-clock guard."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(float(seconds), 0.0)
        self.left = self.seconds
        self.deadline = time.perf_counter() + GUARD * (self.seconds + SECONDS_BASE)

    def take(self, seconds: float) -> bool:
        """Spend ``seconds`` of nominal time if the budget allows it."""
        if seconds > self.left or time.perf_counter() > self.deadline:
            return False
        self.left -= seconds
        return True


def improve(
    graph: TwoLevel,
    colors: np.ndarray,
    count: int,
    lower: int,
    budget: float,
    seed: int,
    greedy: Callable[[np.ndarray], np.ndarray],
    tabu: bool,
    eliminate: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, str]:
    """Best colouring found from ``colors`` (``count`` colours) within ``budget`` seconds.

    ``greedy(order)`` colours the graph in an order (partial distance-2, star or acyclic
    greedy). A candidate replaces the best when its raw colour count is below ``count``
    (postprocessing can only lower it further). Restarts and class-ordered recolourings
    alternate; the tabu search (``tabu``: distance colourings only) gets what they leave.
    Returns the colours and a label of the steps that improved them ("" for none).
    """
    best, best_n, how = colors, count, ""
    if best_n <= lower or budget <= 0:
        return best, how
    if eliminate is not None:
        cand = eliminate(best)
        if int(cand.max(initial=-1)) + 1 < best_n:
            best, best_n, how = cand, int(cand.max(initial=-1)) + 1, "+eliminate"
    b = Budget(budget)
    cost = SECONDS_PER_PAIR * pair_count(graph) + SECONDS_PER_RESTART
    rng = np.random.default_rng(seed)
    share = b.seconds * (1.0 - RESTART_SHARE) if tabu else 0.0
    k = nr = 0
    while best_n > lower and b.left - cost >= share and b.take(cost):
        # distance colourings: restarts only (recolouring by classes rarely helps there
        # and the tabu search does it better); star / acyclic: alternate
        if tabu or k % 2 == 0:
            nr += 1
            cand = greedy(dsatur_random_ties(graph, seed + nr))
            label = "+restarts"
        else:
            cand = greedy(_class_orders(best, rng, k // 2))
            label = "+recolor"
        k += 1
        n_c = int(cand.max(initial=-1)) + 1
        if eliminate is not None and n_c <= best_n:
            cand = eliminate(cand)
            n_c = int(cand.max(initial=-1)) + 1
        if n_c < best_n:
            best, best_n = cand, n_c
            how += label if not how.endswith(label) else ""
    if tabu and best_n > lower and b.left > 0 and time.perf_counter() < b.deadline:
        work = int(b.left * TABU_WORK_PER_SECOND)
        cand, _ = tabu_reduce(graph, best, lower, work, seed)
        if int(cand.max(initial=-1)) + 1 < best_n:
            best, how = cand, how + "+tabu"
    return best, how


def greedy_for(problem: str, graph) -> Callable[[np.ndarray], np.ndarray]:
    """The greedy colouring kernel of ``problem`` as a function of the order."""
    if problem in ("column", "row"):
        return lambda order: algorithms.greedy(graph, order)
    if problem == "star":
        return lambda order: algorithms.star(graph, order)
    return lambda order: algorithms.acyclic(graph, order)
