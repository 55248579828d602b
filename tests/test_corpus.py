"""The corpus of issue #15: third-party numpy functions (``cases/corpus``), each checked
at three points for values, Jacobian or gradient and Hessian in every mode, and
global ⊇ local ⊇ true patterns (``tests/corpus_check.py``). An entry asd cannot handle
must raise the asd error its entry names; known bugs are strict xfails."""

import numpy as np
import pytest

from cases.corpus import SOURCES, entries
from tests.corpus_check import check_entry
from tests.jets import jet_derivatives

ENTRIES = entries()


def _params():
    for e in ENTRIES:
        marks = [pytest.mark.xfail(strict=True, reason=e.xfail)] if e.xfail else []
        for n in e.sizes:
            yield pytest.param(e, n, id=f"{e.name}-{n}", marks=marks)


@pytest.mark.parametrize("entry,n", list(_params()))
def test_corpus_entry(entry, n):
    check_entry(entry, n)


def test_corpus_size_and_citations():
    assert len(ENTRIES) >= 300
    for e in ENTRIES:
        assert e.source in SOURCES and e.ref, e.name
        assert e.expect == "ok" or e.xfail is None, e.name


MGH_HAND = [e for e in ENTRIES if e.source == "MGH" and e.jac is not None]


@pytest.mark.parametrize("entry", MGH_HAND, ids=lambda e: e.name)
def test_mgh_residuals_as_written_hand_jacobians(entry):
    """The MGH residuals exactly as written (fvec = np.zeros(m), element writes) give the
    hand-written Jacobians with asd.jacobian unchanged, at every size and point."""
    import asd

    assert len(MGH_HAND) >= 5
    for n in entry.sizes:
        pts = entry.points(n)
        J = asd.jacobian(entry.fun)
        for p in pts:
            np.testing.assert_allclose(
                np.asarray(J(p).toarray() if hasattr(J(p), "toarray") else J(p)),
                entry.jac(p),
                rtol=1e-12,
                atol=1e-12,
            )


# jax runs the same numpy source (tests/jaxtwin.py): a check of the jet references on
# a sample of the corpus (jax's eager evaluation of scalar loops is too slow for all)
JAX_SAMPLE = [e for e in ENTRIES if e.expect == "ok"][::40]


@pytest.mark.parametrize("entry", JAX_SAMPLE, ids=lambda e: e.name)
def test_jets_against_jax(entry):
    pytest.importorskip("jax")
    from tests.jaxtwin import references

    n = entry.sizes[0]
    pts = entry.points(n, k=1)
    val, J, H = jet_derivatives(entry.fun, pts[0])
    w = np.ones(1) if entry.kind == "scalar" else np.linspace(0.5, 1.5, val.size)
    ((jv, jJ, jH),) = references(entry.fun, entry.kind, pts, w)
    np.testing.assert_allclose(val, np.ravel(jv), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J, np.reshape(jJ, J.shape), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.tensordot(w, H, axes=1), jH, rtol=1e-9, atol=1e-9)
