"""asd.spy draws patterns, prepared derivatives and colourings (Agg backend), and
asd.spy_text gives a picture in characters."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import asd  # noqa: E402
from cases.brusselator import Brusselator2D  # noqa: E402


def chained(x):
    return np.sin(x[1:]) * x[:-1] ** 2


def test_spy_of_a_pattern_and_a_boolean_array():
    P = asd.jacobian_sparsity(chained, np.ones(12))
    ax = asd.spy(P)
    assert isinstance(ax, Axes)
    assert sum(len(c.get_offsets()) for c in ax.collections) == P.nnz
    assert isinstance(asd.spy(P.toarray()), Axes)


def test_spy_of_a_prepared_jacobian_colours_each_entry_by_its_column():
    b = Brusselator2D(6)
    J = asd.jacobian(b.f, b.initial_state(), mode="forward")
    ax = asd.spy(J)
    assert isinstance(ax, Axes)
    (points,) = ax.collections
    colours = np.asarray(points.get_array())
    coo = sp.coo_array(J.pattern)
    assert np.array_equal(colours, J.coloring.colors[coo.col] % 20)
    assert f"{J.ncolors} colours" in ax.get_title()


def test_spy_of_a_hessian_and_a_bidirectional_colouring():
    H = asd.hessian(lambda x: np.sum(chained(x)), np.ones(10), mode="colored")
    assert isinstance(asd.spy(H), Axes)
    n = 30
    A = sp.lil_array((n, n))
    A.setdiag(1)
    A[0, :] = 1
    A[:, 0] = 1
    c = asd.color(sp.csr_array(A), problem="bidirectional")
    ax = asd.spy(c)
    assert isinstance(ax, Axes)
    assert len(ax.collections) >= 3  # the entries and the two seed strips


def test_text_picture_and_fallback_without_matplotlib(monkeypatch, capsys):
    c = asd.color(asd.jacobian_sparsity(chained, np.ones(8)), problem="column")
    text = asd.spy_text(c)
    lines = text.splitlines()
    assert "column colouring" in lines[0]
    assert len(lines) == 1 + 7 and all(len(row) == 8 for row in lines[1:])
    assert set("".join(lines[1:])) <= set(".0123456789")
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert asd.spy(c) is None
    captured = capsys.readouterr()
    assert "matplotlib is not installed" in captured.err
    assert text in captured.out


def test_spy_rejects_other_objects():
    with pytest.raises(asd.InputError, match="asd.spy draws"):
        asd.spy("not a matrix")
