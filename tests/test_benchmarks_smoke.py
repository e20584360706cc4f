"""Smoke tests of the benchmark suite: its cross-checks pass on tiny sizes and catch wrong
answers. No timing assertions: timings depend on the machine."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from benchmarks import suite, workloads
from benchmarks.common import NUMPY, TG, Runner, compare, relative_error
from benchmarks.report import Row, markdown_table, text_table
from benchmarks.timing import interleaved
from benchmarks.workloads import ops, w1_story, w2_mlp, w3_overhead, w4_depth

# ---- the whole suite on tiny sizes ---------------------------------------------------------


def test_tiny_cross_checks_pass_numpy_vs_tinygrad_lite(capsys):
    rc = suite.main(["--tiny", "--check-only", "--impls", "numpy,tinygrad_lite"])
    out = capsys.readouterr().out
    assert "FAIL" not in out, out
    assert rc == 0
    for name in workloads.WORKLOADS:
        assert f"PASS  {name}" in out
    assert "tinygrad_lite vs numpy" in out


@pytest.mark.torch
def test_tiny_cross_checks_pass_with_torch(torch, capsys):
    rc = suite.main(["--tiny", "--check-only", "--only", "OPS,W1,W2,W3"])
    out = capsys.readouterr().out
    assert "FAIL" not in out, out
    assert rc == 0
    assert "torch vs numpy" in out and "tinygrad_lite vs numpy" in out


def test_timed_tiny_run_writes_tables_and_json(tmp_path, capsys):
    path = tmp_path / "out.json"
    rc = suite.main(
        ["--tiny", "--only", "w1,W3", "--impls", "numpy,tinygrad_lite", "--markdown"]
        + ["--rounds", "2", "--json", str(path)]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    payload = json.loads(path.read_text())
    assert [r["workload"] for r in payload["rows"]] == ["W1", "W3"]
    for row in payload["rows"]:
        assert sorted(row["samples"]) == [NUMPY, TG]
        assert all(len(v) == 2 and min(v) > 0 for v in row["samples"].values())
    assert "| workload | case |" in out and "tg/numpy" in out
    assert "OPENBLAS_NUM_THREADS=1" in out  # the thread pin is recorded


# ---- a fast wrong answer fails ---------------------------------------------------------------


def _perturbed(builder, key: str, factor: float):
    """A builder whose result is the given one with ``key`` scaled by ``factor``."""

    def build() -> Runner:
        runner = builder()

        def result():
            res = runner.result()
            res[key] = res[key] * factor
            return res

        return Runner(runner.step, result)

    return build


def test_check_case_flags_a_wrong_implementation():
    case = w1_story.cases("tiny")[0]
    case.builders[TG] = _perturbed(case.builders[NUMPY], "grad 2.weight", 1.01)
    checks, broken = suite.check_case("W1", case, [NUMPY, TG])
    verdict = {c.impl: c for c in checks}
    assert verdict["expect"].ok
    assert not verdict[TG].ok
    assert "grad 2.weight: relative error" in verdict[TG].message
    assert broken == set()


def test_check_case_reports_an_implementation_that_raises():
    case = w3_overhead.cases("tiny")[0]

    def boom() -> Runner:
        raise ImportError("no such module")

    case.builders[TG] = boom
    checks, broken = suite.check_case("W3", case, [NUMPY, TG])
    bad = [c for c in checks if c.impl == TG][0]
    assert broken == {TG} and not bad.ok
    assert bad.message == "ImportError: no such module"


def test_main_exits_nonzero_on_a_wrong_answer(monkeypatch, capsys):
    original = w3_overhead.cases

    def wrong_cases(size):
        cases = original(size)
        cases[0].builders[TG] = _perturbed(cases[0].builders[NUMPY], "grad w", -1.0)
        return cases

    monkeypatch.setattr(w3_overhead, "cases", wrong_cases)
    rc = suite.main(["--tiny", "--check-only", "--only", "W3", "--impls", "numpy,tinygrad_lite"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "FAIL  W3" in out and "grad w: relative error 2 > 0.0001" in out


# ---- hand-computed expectations on the NumPy floor --------------------------------------------


@pytest.mark.parametrize("op", ops.OPS)
def test_numpy_floor_gradients_match_finite_differences(op):
    case = [c for c in ops.cases("tiny") if c.name == f"{op} 4x4"][0]
    runner = case.builders[NUMPY]()
    runner.step()
    res = runner.result()
    assert case.expect(res) == []
    res["grad_a"] = res["grad_a"] * 1.05 + 0.01
    assert case.expect(res) != []


def test_numpy_floor_hand_values():
    a = np.array([[0.0, np.log(3.0)]])
    out, ga, _ = ops.numpy_fwd_bwd("softmax", a, None, np.array([[1.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.25, 0.75]])
    # d softmax_0 / d a = s0 (e0 - s) = [0.25 * 0.75, -0.25 * 0.75]
    np.testing.assert_allclose(ga, [[0.1875, -0.1875]])
    out, ga, _ = ops.numpy_fwd_bwd("sigmoid", np.array([0.0]), None, np.array([2.0]))
    np.testing.assert_allclose((out, ga), ([0.5], [0.5]))
    out, ga, gb = ops.numpy_fwd_bwd("div", np.array([6.0]), np.array([2.0]), np.array([1.0]))
    np.testing.assert_allclose((out, ga, gb), ([3.0], [0.5], [-1.5]))


def test_w1_expectation_catches_a_wrong_first_loss():
    case = w1_story.cases("tiny")[0]
    runner = case.builders[NUMPY]()
    for _ in range(case.check_steps):
        runner.step()
    res = runner.result()
    assert case.expect(res) == []
    res["losses"] = res["losses"] * 1.001
    assert "W1: first loss" in case.expect(res)[0]


def test_w2_numpy_adam_first_step_moves_each_weight_by_lr():
    assert w2_mlp.adam_first_step_moves_by_lr("tiny") < 1e-2


def test_w3_numpy_floor_matches_float64_forward_and_finite_differences():
    case = w3_overhead.cases("tiny")[0]
    runner = case.builders[NUMPY]()
    runner.step()
    res = runner.result()
    assert case.expect(res) == []
    res["grad x"] = -res["grad x"]
    assert "W3: grad x[0]" in case.expect(res)[0]


def test_w4_closed_form():
    check = w4_depth.cases("tiny")[0].expect
    res = w4_depth.measure(NUMPY, "100")["result"]
    res = {k: np.asarray(v) for k, v in res.items()}
    assert check(res) == []
    # 1.0001 ** 100 by hand: exp(100 * log1p(1e-4)) = 1.010049662...
    np.testing.assert_allclose(res["grad"], 1.0100496620928754, rtol=1e-12)
    res["grad"] = res["grad"] * (1 + 1e-6)
    assert "grad off the closed form" in check(res)[0]


def test_w4_tinygrad_lite_matches_closed_form_in_process():
    res = w4_depth.measure(TG, "300")
    assert w4_depth.cases("tiny")[0].expect is not None
    check = w4_depth._expect(300)
    assert check({k: np.asarray(v) for k, v in res["result"].items()}) == []
    assert res["peak_mb"] >= 0


# ---- comparison, tables, timing, command line ----------------------------------------------


def test_relative_error_hand_values():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.5])) == pytest.approx(0.2)
    assert relative_error(np.zeros(2), np.zeros(3)) == float("inf")
    assert relative_error(np.array([np.nan]), np.array([1.0])) == float("inf")
    ok, err, msg = compare({"w": np.ones(2)}, {"w": np.ones(2), "b": np.ones(1)}, 1e-4)
    assert not ok and msg == "missing results ['b']"
    ok, err, msg = compare({"g": np.ones(2) * 1.01}, {"g": np.ones(2)}, {"": 1e-1, "g": 1e-3})
    assert not ok and msg == "g: relative error 0.01 > 0.001"


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float32, st.integers(1, 20), elements=st.floats(-1e3, 1e3, width=32)),
    st.floats(1e-3, 0.5),
)
def test_compare_accepts_itself_and_rejects_a_scaled_copy(x, factor):
    assert compare({"x": x}, {"x": x}, 1e-6)[0]
    if np.abs(x).max() > 1e-3:  # below that, compare's absolute floor accepts any copy
        # NOTE: scaling by (1 + f) moves the largest entry by f * max|x| exactly.
        assert not compare({"x": x * (1 + factor)}, {"x": x}, factor / 2)[0]


def test_row_statistics_and_tables_hand_values():
    row = Row("W1", "step", "time", "us", {NUMPY: [2.0, 4.0, 3.0], TG: [9.0, 6.0, 12.0]})
    assert (row.median(NUMPY), row.minimum(NUMPY)) == (3.0, 2.0)
    assert row.ratio(TG, NUMPY) == 3.0 and row.ratio(TG, "torch") is None
    text = text_table([row]).splitlines()
    assert text[2].split() == ["W1", "step", "time", "us", "3.00", "(2.00)", "9.00", "(6.00)"] + [
        "-",
        "3.00x",
        "-",
    ]
    assert len({len(line) for line in text[:2]}) == 1  # header and rule aligned
    md = markdown_table([row]).splitlines()
    assert md[2] == "| W1 | step | time | us | 3.00 (2.00) | 9.00 (6.00) | - | 3.00x | - |"


def test_interleaved_gives_one_sample_per_key_and_round():
    calls = []
    steps = {k: (lambda k=k: calls.append(k)) for k in "abc"}
    samples = interleaved(steps, rounds=3, target_s=0.0, warmup=0)
    assert {k: len(v) for k, v in samples.items()} == {"a": 3, "b": 3, "c": 3}
    assert all(s >= 0 for v in samples.values() for s in v)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "W9"], r"--only: unknown workload\(s\) \['W9'\]; choose from"),
        (["--impls", "jax"], r"--impls: unknown implementation\(s\) \['jax'\]"),
        (["--rounds", "0"], "--rounds must be at least 1, got 0"),
    ],
)
def test_bad_command_line_is_a_clear_usage_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        suite.parse_args(argv)
    assert exc.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_compare_rejects_an_upcast_or_reshaped_result():
    ref = {"g": np.ones((2, 2), np.float32)}
    ok, _, msg = compare({"g": np.ones((2, 2), np.float64)}, ref, 1e-4)
    assert not ok and msg == "g: float64[2, 2] != float32[2, 2]"
    ok, _, msg = compare({"g": np.ones(4, np.float32)}, ref, 1e-4)
    assert not ok and msg == "g: float32[4] != float32[2, 2]"
