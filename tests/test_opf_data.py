"""AC-OPF preprocessing: per unit, taps, charging split, status filtering, limit fixes, costs."""

from __future__ import annotations

import numpy as np
import pytest

from cases.matpower import parse_matpower
from cases.opf_data import ANGLE_PAD, OPFDataError, prepare_opf_data

# 5 buses (bus 50 isolated), 4 generators (one off, one at the isolated bus), 6 branches
# (one off, one to the isolated bus), baseMVA 50.
TEXT = """function mpc = small
mpc.version = '2';
mpc.baseMVA = 50;
mpc.bus = [
  10  1  20  10  5  -2  1 1.02  3  230 1 1.10 0.90;
  20  1   0   0  0   0  1 1.00  0  230 1 1.05 0.95;
  30  3  40  -5  0  10  1 0.98 -2  230 1 1.08 0.92;
  40  1  10   4  0   0  1 1.00  0  230 1 1.06 0.94;
  50  4  99  99  9   9  1 1.00  0  230 1 1.10 0.90;
];
mpc.gen = [
  10  30  5  40 -40 1 100 1 100  10;
  20  60  0  50 -50 1 100 1 200 -20;
  40   0  0  10 -10 1 100 0  50   0;
  50   5  0  10 -10 1 100 1  50   0;
];
mpc.gencost = [
  2 0 0 3  0.5  10  7   0;
  2 0 0 2  20   3   0   0;
  1 0 0 2  0 0 50 500;
  1 0 0 2  0 0 50 500;
];
mpc.branch = [
  10 20 0.01 0.10 0.20 100 0 0 0     0  1 -360  360;
  20 30 0.02 0.20 0.10   0 0 0 1.05 -5  1  -30   45;
  30 10 0.03 0.30 0.00  80 0 0 0.97  0  1    0    0;
  10 40 0    0    0.00  60 0 0 -1    0  1  -90   90;
  20 40 0.01 0.10 0.00  70 0 0 0     0  0  -30   30;
  40 50 0.01 0.10 0.00  70 0 0 0     0  1  -30   30;
];
"""


def data(text: str = TEXT):
    return prepare_opf_data(parse_matpower(text, "small"))


def test_status_filtering_and_renumbering():
    d = data()
    np.testing.assert_array_equal(d.bus_ids, [10, 20, 30, 40])
    np.testing.assert_array_equal(d.gen_ids, [0, 1])  # gen 3 off, gen 4 at an isolated bus
    np.testing.assert_array_equal(d.gen_bus, [0, 1])
    np.testing.assert_array_equal(d.branch_ids, [0, 1, 2, 3])  # off branch and branch to 50
    np.testing.assert_array_equal(d.f_bus, [0, 1, 2, 0])
    np.testing.assert_array_equal(d.t_bus, [1, 2, 0, 3])
    assert (d.inactive_buses, d.inactive_gens, d.inactive_branches) == (1, 2, 2)
    assert (d.n_bus, d.n_gen, d.n_branch, d.n_ref) == (4, 2, 4, 1)


def test_per_unit_loads_shunts_and_generator_limits():
    d = data()
    np.testing.assert_allclose(d.pd, [0.4, 0, 0.8, 0.2])
    np.testing.assert_allclose(d.qd, [0.2, 0, -0.1, 0.08])
    np.testing.assert_allclose(d.gs, [0.1, 0, 0, 0])
    np.testing.assert_allclose(d.bs, [-0.04, 0, 0.2, 0])
    np.testing.assert_allclose(d.pmax, [2.0, 4.0])
    np.testing.assert_allclose(d.pmin, [0.2, -0.4])  # negative pmin is kept
    np.testing.assert_allclose(d.qmax, [0.8, 1.0])
    np.testing.assert_allclose(d.qmin, [-0.8, -1.0])
    np.testing.assert_allclose(d.vmin, [0.90, 0.95, 0.92, 0.94])
    np.testing.assert_allclose(d.vmax, [1.10, 1.05, 1.08, 1.06])
    np.testing.assert_allclose(d.va_file, np.deg2rad([3, 0, -2, 0]))
    np.testing.assert_allclose(d.pg_file, [0.6, 1.2])


def test_costs_are_scaled_to_per_unit_quadratics():
    d = data()
    # c2 * base^2, c1 * base, c0; the linear cost (n = 2) gets c2 = 0
    np.testing.assert_allclose(d.c2, [0.5 * 50**2, 0])
    np.testing.assert_allclose(d.c1, [10 * 50, 20 * 50])
    np.testing.assert_allclose(d.c0, [7, 3])
    pg_mw = np.array([30.0, 60.0])
    pg = pg_mw / 50
    assert np.allclose(d.c2 * pg**2 + d.c1 * pg + d.c0, [0.5 * 900 + 300 + 7, 1200 + 3])


def test_taps_shifts_and_split_charging():
    d = data()
    np.testing.assert_allclose(d.tap, [1.0, 1.05, 0.97, 1.0])  # ratio 0 and -1 -> 1
    np.testing.assert_allclose(d.shift, np.deg2rad([0, -5, 0, 0]))
    np.testing.assert_allclose(d.b_fr, [0.1, 0.05, 0, 0])
    np.testing.assert_allclose(d.b_to, d.b_fr)
    assert not d.g_fr.any() and not d.g_to.any()
    y = 1 / (d.r[:3] + 1j * d.x[:3])
    np.testing.assert_allclose(d.g[:3] + 1j * d.b[:3], y)
    assert d.g[3] == 0 and d.b[3] == 0  # zero impedance: pseudo-inverse


def test_angle_limits_in_radians_with_pglib_fixes():
    d = data()
    # -360/360 -> +-60 deg, (-30, 45) kept, (0, 0) -> +-60 deg, -90/90 -> +-60 deg
    np.testing.assert_allclose(d.angmin, [-ANGLE_PAD, np.deg2rad(-30), -ANGLE_PAD, -ANGLE_PAD])
    np.testing.assert_allclose(d.angmax, [ANGLE_PAD, np.deg2rad(45), ANGLE_PAD, ANGLE_PAD])


def test_zero_rate_a_is_synthesised():
    d = data()
    assert d.rate_a[0] == 2.0 and d.rate_a[2] == 1.6 and d.rate_a[3] == 1.2
    # branch 20 -> 30: |y| * max(vmax) * sqrt(vf^2 + vt^2 - 2 vf vt cos(theta_max))
    vf, vt, theta = 1.05, 1.08, np.deg2rad(45)
    expect = abs(1 / (0.02 + 0.2j)) * vt * np.sqrt(vf**2 + vt**2 - 2 * vf * vt * np.cos(theta))
    assert d.rate_a[1] == pytest.approx(expect, rel=1e-12)


def test_reference_bus_kept_when_it_has_a_generator():
    d = data()
    # bus 30 is type 3 but has no generator: it becomes PQ, and the bus of the
    # largest active generator (bus 20, pmax 200) becomes the reference
    np.testing.assert_array_equal(d.ref_buses, [1])
    with_gen = TEXT.replace("  40   0  0  10 -10 1 100 0", "  30   0  0  10 -10 1 100 1")
    with_gen = with_gen.replace("  1 0 0 2  0 0 50 500;", "  2 0 0 1  4 0 0 0;", 1)
    np.testing.assert_array_equal(data(with_gen).ref_buses, [2])


def test_reactive_cost_rows_and_leading_zero_coefficients_are_accepted():
    cubic_zero = TEXT.replace("2 0 0 3  0.5  10  7   0;", "2 0 0 4  0  0.5  10  7;")
    extra = cubic_zero.replace("  1 0 0 2  0 0 50 500;\n];", "  1 0 0 2  0 0 50 500;\n" * 5 + "];")
    d = data(extra)
    np.testing.assert_allclose(d.c2, [0.5 * 50**2, 0])
    np.testing.assert_allclose(d.c0, [7, 3])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "2 0 0 2  20   3   0   0;",
            "1 0 0 2  0 0 100 2000;",
            r"small: generator row 2 \(bus 20\).*piecewise",
        ),
        ("2 0 0 3  0.5  10  7   0;", "2 0 0 4  1  0.5  10  7;", "generator row 1 .*degree 3"),
        ("2 0 0 3  0.5  10  7   0;", "2 0 0 9  0.5  10  7   0;", "row length"),
        ("  10  30  5  40 -40", "  60  30  5  40 -40", "generator row 1 refers to bus 60"),
        ("  20 40 0.01", "  20 20 0.01", "branch row 5 connects bus 20 to itself"),
        ("0.30 0.00  80", "0.30 0.00 -80", "negative rateA"),
        ("  40  1  10   4", "  30  1  10   4", "bus number 30 appears twice"),
    ],
)
def test_errors_name_the_case_and_the_component(old, new, message):
    assert old in TEXT
    with pytest.raises(OPFDataError, match=message):
        data(TEXT.replace(old, new, 1))


def test_missing_gencost_is_an_error():
    text = TEXT[: TEXT.index("mpc.gencost")] + TEXT[TEXT.index("mpc.branch") :]
    with pytest.raises(OPFDataError, match="0 rows for 4 generators"):
        data(text)


def test_inactive_generator_with_piecewise_cost_is_ignored():
    # generators 3 and 4 have PWL costs but are inactive: no error (checked above)
    assert data().n_gen == 2
