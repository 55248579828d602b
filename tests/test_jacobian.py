"""Prepared sparse Jacobians against dense references, in every mode."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from reference import fd_jacobian

import asd
from cases.brusselator import Brusselator2D


def mixed(x):
    """Dense row, dense column, diagonal and a few nonlinear couplings."""
    return np.concatenate(
        [
            [np.sum(x**2)],
            x[1:] * x[0] + np.sin(x[1:]),
            [np.prod(x[:3]) + np.exp(x[-1])],
        ]
    )


MODES = ["direct", "forward", "reverse", "bidirectional", "auto"]


@pytest.mark.parametrize("mode", MODES)
def test_values_match_dense_reference(mode):
    rng = np.random.default_rng(0)
    x = rng.random(9)
    J = asd.jacobian(mixed, mode=mode, format="csr")
    M = J(x)
    assert sp.issparse(M)
    assert np.allclose(M.toarray(), fd_jacobian(mixed, x), atol=1e-7)
    # entries that happen to be 0.0 stay in the structure
    rows, cols = J.structure()
    assert rows.size == J.nnz == J.values(x).size
    x2 = rng.random(9)
    assert np.allclose(J(x2).toarray(), fd_jacobian(mixed, x2), atol=1e-7)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dense"])
def test_formats(fmt):
    x = np.random.default_rng(1).random(5)
    J = asd.jacobian(mixed, x, format=fmt, mode="direct")
    M = J(x)
    dense = M if fmt == "dense" else M.toarray()
    assert isinstance(M, np.ndarray) if fmt == "dense" else M.format == fmt
    assert np.allclose(dense, fd_jacobian(mixed, x), atol=1e-7)


def zero_scaled_sums(x):
    """Row sums scaled elementwise with a zero: the zero-weighted sum node must vanish."""
    return np.sum(x.reshape(3, 3), axis=1) * np.array([1.0, 0.0, 2.0])


@pytest.mark.parametrize("mode", ["direct", "forward", "reverse"])
def test_linear_node_scaled_by_zero(mode):
    x = np.random.default_rng(4).standard_normal(9)
    tape = asd.trace(zero_scaled_sums, x)
    assert np.allclose(
        asd.evaluation.sweeps.node_values(tape, x)[tape.outputs], zero_scaled_sums(x)
    )
    J = asd.jacobian(zero_scaled_sums, x, mode=mode, format="csr")
    assert np.allclose(J(x).toarray(), fd_jacobian(zero_scaled_sums, x), atol=1e-7)
    assert J.nnz == 6  # row 1's sum is scaled by 0: no entries


def test_brusselator_direct_is_exact_and_chosen():
    b = Brusselator2D(16)
    x = np.random.default_rng(2).random(b.n)
    J = asd.jacobian(b.f, x, format="csr")
    assert J.mode == "direct"
    assert J.nnz == 12 * 16 * 16
    A = b.jacobian(0.0, x)
    assert abs(J(x) - A).max() <= 1e-12 * abs(A).max()


def self_products(x):
    """``u * u`` twice (once inside ``u * u * v``) and a plain product of two nodes."""
    u, v = x[:-1], x[1:]
    return np.concatenate([u * u * v, np.sin(u) * np.sin(u) - u * v])


@pytest.mark.parametrize("mode", MODES)
def test_self_products_are_squares(mode):
    """The tape holds ``u * u`` as square(u): one argument edge, no product of a node
    with itself left. Jacobian and Hessian stay exact, also where u = 0."""
    from asd.operators.table import OPCODE

    x = np.random.default_rng(6).standard_normal(7)
    x[2] = 0.0
    tape = asd.trace(self_products, x)
    is_mul = tape.op == OPCODE["mul"]
    assert not (is_mul & (tape.a == tape.b)).any()
    assert (tape.op == OPCODE["square"]).sum() == 2 * (x.size - 1)
    J = asd.jacobian(self_products, x, mode=mode, format="csr")
    assert np.allclose(J(x).toarray(), fd_jacobian(self_products, x), atol=1e-7)
    w = np.random.default_rng(7).standard_normal(2 * (x.size - 1))
    H = asd.hessian(self_products, x, format="csr")
    u, v = x[:-1], x[1:]
    ref = np.zeros((x.size, x.size))
    n = x.size - 1
    for i in range(n):  # d²/dx² of w1 u²v + w2 (sin²u - u v) at u = x[i], v = x[i+1]
        w1, w2 = w[i], w[n + i]
        ref[i, i] += w1 * 2 * v[i] + w2 * 2 * np.cos(2 * u[i])
        ref[i, i + 1] += w1 * 2 * u[i] - w2
        ref[i + 1, i] += w1 * 2 * u[i] - w2
    assert np.allclose(H(x, w).toarray(), ref, rtol=1e-12, atol=1e-12)


def nested_sines(x):
    """Elementwise chain: intermediate gradients outnumber the Jacobian's entries."""
    return np.sin(np.sin(np.sin(x) * x) + x) * x[::-1]


@pytest.mark.parametrize(
    ("f", "n", "fresh"), [(Brusselator2D(8).f, 128, True), (nested_sines, 12, False)]
)
def test_direct_values_are_new_arrays(f, n, fresh):
    """Both direct paths (values in a fresh copy of the constant parts, or in the kept
    buffer and copied out) return independent, exact arrays call after call."""
    rng = np.random.default_rng(5)
    x1, x2 = rng.random(n), rng.random(n)
    J = asd.jacobian(f, x1, mode="direct", format="csr")
    assert J._direct._fresh is fresh
    v1 = J.values(x1)
    v1_copy = v1.copy()
    v2 = J.values(x2)
    assert np.array_equal(v1, v1_copy)
    rows, cols = J.structure()
    for x, v in ((x1, v1), (x2, v2)):
        assert np.allclose(v, fd_jacobian(f, x)[rows, cols], atol=1e-7)


def test_bidirectional_mode_wins_on_dense_row_and_column():
    """A dense row defeats column colouring and a dense column row colouring; forward
    and reverse seeds together need a handful of sweeps, and "auto" finds that when
    direct accumulation is not available (a given pattern)."""
    n = 200
    x = np.random.default_rng(7).random(n)
    pattern = asd.jacobian(mixed, x, format="csr").pattern
    one_sided = asd.jacobian(mixed, x, sparsity=pattern, mode="forward", format="csr")
    assert one_sided.ncolors >= n - 1
    J = asd.jacobian(mixed, x, sparsity=pattern, format="csr")
    assert J.mode == "bidirectional"
    assert J.coloring.nforward + J.coloring.nreverse == J.ncolors <= 6
    assert J.costs["bidirectional"] < min(J.costs["forward"], J.costs["reverse"])
    ref = asd.jacobian(mixed, x, mode="direct", format="csr")
    for y in (x, np.random.default_rng(8).random(n)):
        assert np.allclose(J(y).toarray(), ref(y).toarray(), rtol=1e-13, atol=1e-13)


def test_pickle_without_the_function():
    x = np.random.default_rng(3).random(6)
    J = asd.jacobian(mixed, x, format="csr")
    J2 = pickle.loads(pickle.dumps(J))
    assert J2._fun is None
    assert np.array_equal(J2.values(x), J.values(x))


def test_local_sparsity_is_checked_at_every_call():
    def f(x):
        return np.maximum(x[:2], x[2:])

    x0 = np.array([1.0, 0.0, 0.0, 2.0])
    J = asd.jacobian(f, x0, sparsity="local", format="csr")
    assert J.nnz == 2
    assert np.allclose(J(x0 + 0.1).toarray(), [[1, 0, 0, 0], [0, 0, 0, 1]])
    with pytest.raises(asd.BranchChangedError, match="local"):
        J(np.array([0.0, 1.0, 1.0, 0.0]))


def test_user_pattern_must_contain_the_detected_one():
    x = np.random.default_rng(4).random(4)
    full = sp.csr_array(np.ones((5, 4), bool))
    J = asd.jacobian(mixed, x, sparsity=full, mode="forward", format="csr")
    assert J.nnz == 20
    assert np.allclose(J(x).toarray(), fd_jacobian(mixed, x), atol=1e-7)
    with pytest.raises(asd.InputError, match="misses"):
        asd.jacobian(mixed, x, sparsity=sp.eye_array(5, 4, format="csr"))


def test_bad_input():
    J = asd.jacobian(mixed, np.ones(4), format="csr")
    with pytest.raises(asd.InputError, match="shape"):
        J(np.ones(5))
    with pytest.raises(asd.InputError, match="non-finite"):
        J(np.array([1.0, np.nan, 0.0, 1.0]))
    with pytest.raises(asd.InputError, match="mode"):
        asd.jacobian(mixed, mode="sideways", format="csr")


def test_gradient():
    def f(x):
        return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    x = np.random.default_rng(5).random(7)
    g = asd.gradient(f)
    assert np.allclose(g(x), fd_jacobian(lambda x: np.atleast_1d(f(x)), x)[0], atol=1e-5)
    val, grad = g.value_and_grad(x)
    assert val == pytest.approx(f(x))
    with pytest.raises(asd.InputError, match="scalar"):
        asd.gradient(lambda x: x * 2)(x)


def test_threaded_sweeps_equal_serial_ones(monkeypatch):
    """Seed blocks split between threads give the same numbers as one thread."""
    from asd.evaluation import workspace

    monkeypatch.setattr(workspace, "MIN_PARALLEL_WORK", 0)
    rng = np.random.default_rng(9)
    x = rng.random(40)
    tape = asd.trace(mixed, x)
    serial, threaded = workspace.Workspace(tape, 1), workspace.Workspace(tape, 2)
    seeds = np.ascontiguousarray(rng.random((40, 7)))
    cot = np.ascontiguousarray(rng.random((tape.n_outputs, 5)))
    w = rng.random(tape.n_outputs)
    assert np.array_equal(serial.forward(x, seeds)[1], threaded.forward(x, seeds)[1])
    assert np.array_equal(serial.reverse(x, cot)[1], threaded.reverse(x, cot)[1])
    assert np.array_equal(serial.hessian(x, w, seeds), threaded.hessian(x, w, seeds))
    assert threaded.forward(x, seeds)[1].shape == (tape.n_outputs, 7)
    monkeypatch.setenv("ASD_THREADS", "two")
    with pytest.raises(ValueError, match="ASD_THREADS"):
        workspace.Workspace(tape)
