"""One prepared object called from many threads at once gives the sequential results,
bit for bit, and the arrays it returns belong to the caller."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import asd

THREADS = 8
N = 4000


def chained(x):
    """A chained function: tridiagonal Jacobian, tridiagonal Hessian of its sum."""
    return np.sin(x[1:]) * x[:-1] ** 2 + np.exp(0.1 * x[1:] * x[:-1])


def scalar(x):
    return np.sum(chained(x)) + np.sum(x**4)


def points(k: int = 6, n: int = N) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.uniform(-1, 1, n) for _ in range(k)]


def hammer(call, xs, reference, rounds: int = 6) -> int:
    """Mismatches when THREADS threads evaluate ``call`` on the points in shuffled order,
    all released at once."""
    start = threading.Barrier(THREADS)

    def worker(seed):
        order = np.random.default_rng(seed).permutation(np.tile(np.arange(len(xs)), rounds))
        start.wait()
        bad = 0
        for i in order:
            got = call(xs[i])
            if not np.array_equal(got, reference[i]):
                bad += 1
        return bad

    with ThreadPoolExecutor(THREADS) as pool:
        return sum(pool.map(worker, range(THREADS)))


@pytest.mark.parametrize("mode", ["direct", "forward", "reverse", "bidirectional"])
def test_jacobian_from_eight_threads(mode):
    J = asd.jacobian(chained, mode=mode, format="csr")
    xs = points()
    reference = [J.values(x) for x in xs]
    assert hammer(J.values, xs, reference) == 0


@pytest.mark.parametrize("mode", ["direct", "colored"])
def test_hessian_from_eight_threads(mode):
    H = asd.hessian(scalar, mode=mode, format="csr")
    xs = points()
    reference = [H.values(x) for x in xs]
    assert hammer(H.values, xs, reference) == 0


def test_gradient_and_tape_functions_from_eight_threads():
    g = asd.gradient(scalar)
    xs = points()
    assert hammer(g, xs, [g(x) for x in xs]) == 0
    tape = asd.trace(chained, xs[0])
    w = np.linspace(-1, 1, N - 1)
    assert hammer(lambda x: asd.vjp(tape, x, w)[1], xs, [asd.vjp(tape, x, w)[1] for x in xs]) == 0
    V = np.ones((N, 3))
    assert hammer(lambda x: asd.jvp(tape, x, V)[1], xs, [asd.jvp(tape, x, V)[1] for x in xs]) == 0


def test_nlp_callbacks_from_eight_threads():
    n = 2000
    nlp = asd.NLP(scalar, np.zeros(n), constraints=chained, cl=0.0, cu=1.0)
    xs = points(n=n)
    lam = np.linspace(0.5, 1.5, nlp.m)

    def lagrangian(x):
        return nlp.hessian(x, lam, 0.7)

    assert hammer(lagrangian, xs, [lagrangian(x) for x in xs]) == 0
    assert hammer(nlp.jacobian, xs, [nlp.jacobian(x) for x in xs]) == 0
    assert hammer(nlp.gradient, xs, [nlp.gradient(x) for x in xs]) == 0


def test_first_calls_race_to_prepare():
    """Unprepared objects called from many threads at once prepare exactly once."""
    calls = []

    def counted(x):
        calls.append(1)
        return chained(x)

    J = asd.jacobian(counted, format="csr")
    xs = points(k=THREADS)
    start = threading.Barrier(THREADS)

    def first(i):
        start.wait()
        return J.values(xs[i])

    with ThreadPoolExecutor(THREADS) as pool:
        got = list(pool.map(first, range(THREADS)))
    assert len(calls) == 1
    for x, v in zip(xs, got):
        assert np.array_equal(v, J.values(x))


@pytest.mark.parametrize("mode", ["direct", "forward", "reverse"])
def test_returned_arrays_belong_to_the_caller(mode):
    xs = points(k=2, n=50)
    J = asd.jacobian(chained, mode=mode, format="csr")
    first = J.values(xs[0])
    kept = first.copy()
    J.values(xs[1])
    assert np.array_equal(first, kept)
    H = asd.hessian(scalar, format="csr")
    h0 = H.values(xs[0])
    kept = h0.copy()
    H.values(xs[1])
    assert np.array_equal(h0, kept)
    g = asd.gradient(scalar)
    g0 = g(xs[0])
    kept = g0.copy()
    g(xs[1])
    assert np.array_equal(g0, kept)
