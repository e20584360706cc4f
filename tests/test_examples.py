"""Every example runs as a user would run it (a subprocess) and reaches its stated result."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(script: str, *args: str, stdin: str | None = None, cwd: Path = ROOT, timeout: int = 120):
    """Run ``examples/<script>`` with this interpreter; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def ok(proc: subprocess.CompletedProcess) -> str:
    """The stdout of a run that must have succeeded without a traceback."""
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in output:\n{text}"
    return float(match.group(1))


def predictions(text: str) -> dict[float, float]:
    """``{x: predicted next value}`` from the lines ``next after X: P``."""
    return {float(x): float(p) for x, p in re.findall(r"next after (\S+): (\S+)", text)}


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- fit_x_plus_1
@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--optimizer", "adam", "--steps", "1500", "--seed", "3"),
        ("--seed", "7", "--lr", "0.05", "--steps", "3000"),
    ],
)
def test_fit_x_plus_1_reaches_small_error_on_fresh_inputs(args):
    out = ok(run("fit_x_plus_1.py", "--no-prompt", *args))
    before = number(r"loss before training: (\S+)", out)
    after = number(r"loss after training: (\S+)", out)
    assert after < before / 100
    assert number(r"mean absolute error (\S+)", out) < 0.5
    assert "Give numbers" not in out


def test_fit_x_plus_1_default_run_is_quick():
    out = ok(run("fit_x_plus_1.py", "--no-prompt"))
    assert number(r"loss after training: \S+ \((\S+) s\)", out) < 10


def test_fit_x_plus_1_prompt_reads_real_stdin_until_eof():
    proc = run("fit_x_plus_1.py", stdin="10\n55.5, 3\nabc\n99\n")
    out = ok(proc)
    assert "Give numbers between 0 and 100" in out
    got = predictions(out)
    assert sorted(got) == [3.0, 10.0, 55.5, 99.0]
    for x, pred in got.items():
        assert abs(pred - (x + 1)) < 0.5, (x, pred)
    assert "'abc' is not a number; type numbers between 0 and 100" in out
    assert out.rstrip().endswith("bye")


@pytest.mark.parametrize("stop", ["\n", "q\n", "Q\n"])
def test_fit_x_plus_1_prompt_stops_at_empty_line_or_q(stop):
    out = ok(run("fit_x_plus_1.py", "--steps", "300", stdin=f"5\n{stop}42\n"))
    assert sorted(predictions(out)) == [5.0]  # nothing after the stop line is read


def test_fit_x_plus_1_numbers_as_arguments_skip_the_prompt():
    out = ok(run("fit_x_plus_1.py", "7", "42.5", stdin="13\n"))
    got = predictions(out)
    assert sorted(got) == [7.0, 42.5]
    assert all(abs(p - (x + 1)) < 0.5 for x, p in got.items())
    assert "Give numbers" not in out


def test_fit_x_plus_1_marks_numbers_outside_the_training_range():
    out = ok(run("fit_x_plus_1.py", "--steps", "300", "150"))
    assert re.search(r"next after 150: \S+ +\(outside \[0, 100\)", out)


def test_fit_x_plus_1_bad_argument_is_a_usage_error():
    proc = run("fit_x_plus_1.py", "12", "twelve")
    assert proc.returncode == 2
    assert "not numbers: 'twelve'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fit_x_plus_1_no_normalize_replays_the_explosion():
    out = ok(run("fit_x_plus_1.py", "--no-normalize"))
    # the first report: raw inputs near 100 give gradients in the thousands
    first = out.split("A weight near 1")[0]
    assert re.search(r"0\.weight .* exploding", first)
    assert "stopped the training" in out
    assert re.search(r"detect_anomaly: \w+ produced (Inf|NaN)", out)
    assert "fit_x_plus_1.py" in out  # the anomaly names the user's source line
    assert "lr=1e-10" in out and "learns nothing" in out


def test_fit_x_plus_1_parse_numbers():
    mod = load_example("fit_x_plus_1")
    assert mod.parse_numbers("1, 2.5 x -3e1 nan inf") == ([1.0, 2.5, -30.0], ["x", "nan", "inf"])
    assert mod.parse_numbers("   ") == ([], [])


# ----------------------------------------------------------------------------- moons
def test_moons_accuracy_and_plots(tmp_path):
    out = ok(run("moons.py", "--steps", "200", "--out-dir", str(tmp_path)))
    assert number(r"test accuracy: (\S+)%", out) >= 97.0
    assert number(r"train accuracy: (\S+)%", out) >= 97.0
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed" in out
        return
    for name in ("moons_boundary.png", "moons_loss.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_moons_data_is_two_balanced_interleaved_moons():
    import numpy as np

    mod = load_example("moons")
    x, y = mod.make_moons(101, 0.0, np.random.default_rng(0))
    assert x.shape == (101, 2) and x.dtype == np.float32 and y.sum() == 51
    top, bottom = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*top.T), 1.0, rtol=1e-6)  # unit half circle
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1, bottom[:, 1] - 0.5), 1.0, rtol=1e-6)
    assert (top[:, 1] >= 0).all() and (bottom[:, 1] <= 0.5).all()


# ----------------------------------------------------------------------------- digits
def test_digits_reaches_95_percent_and_reloads_identically(tmp_path):
    pytest.importorskip("sklearn")
    ckpt = tmp_path / "digits.npz"
    out = ok(run("digits.py", "--epochs", "3", "--out", str(ckpt)))
    assert number(r"test accuracy: (\S+)%", out) >= 95.0
    assert "same predictions: yes" in out
    assert ckpt.exists()


# ----------------------------------------------------------------------------- custom op
def test_custom_function_passes_gradchecks_and_fits_robustly():
    out = ok(run("custom_function.py"))
    for name in ("gradcheck LogCosh", "gradgradcheck LogCosh", "gradcheck Hypot"):
        assert f"{name}: True" in out
    assert "gradgradcheck Hypot: True" in out
    assert "naive [inf, 0.0, inf]" in out
    fit = re.search(r"LogCosh fit: y = (\S+) x \+ (\S+)", out)
    mse = re.search(r"MSE fit: y = (\S+) x \+ (\S+)", out)
    w, b = float(fit.group(1)), float(fit.group(2))
    assert abs(w - 2) < 0.2 and abs(b - 1) < 0.2
    assert abs(float(mse.group(2)) - 1) > 1  # the outliers drag the MSE line up


def test_custom_function_ops_by_hand():
    import numpy as np

    import tinygrad_lite as tg

    mod = load_example("custom_function")
    x = tg.tensor([-2.0, 0.0, 0.5, 30.0], dtype=np.float64, requires_grad=True)
    out = mod.LogCosh.apply(x)
    np.testing.assert_allclose(out.numpy(), np.log(np.cosh(x.numpy())), rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.tanh(x.numpy()), rtol=1e-12)
    a = tg.tensor([3.0, 0.0], requires_grad=True)
    b = tg.tensor([4.0, 0.0], requires_grad=True)
    h = mod.Hypot.apply(a, b)
    h.sum().backward()
    assert h.tolist() == [5.0, 0.0]
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0])
    np.testing.assert_allclose(b.grad.numpy(), [0.8, 0.0])


# ----------------------------------------------------------------------------- hessian
def test_hessian_vector_product_and_newton():
    out = ok(run("hessian.py"))
    assert number(r"largest difference: (\S+)", out) < 1e-8
    finals = [float(f) for f in re.findall(r"Newton step +\d+: f = (\S+)", out)]
    assert finals[-1] < 1e-15 and len(finals) <= 12
    assert "x = [1.0, 1.0]" in out
    assert number(r"gradient descent .*: f = (\S+)", out) > 1.0


def test_hessian_by_hand_matches_autograd_hessian():
    import numpy as np

    import tinygrad_lite as tg

    tg.set_default_dtype(np.float64)
    mod = load_example("hessian")
    point = np.array([0.3, -1.1, 2.0])
    full = mod.hessian(mod.rosenbrock, tg.tensor(point, requires_grad=True))
    # by hand: H00 = 1200 x0^2 - 400 x1 + 2, H11 = 200 + 1200 x1^2 - 400 x2 + 2, H22 = 200,
    # H01 = -400 x0, H12 = -400 x1
    expected = [[550.0, -120.0, 0.0], [-120.0, 854.0, 440.0], [0.0, 440.0, 200.0]]
    np.testing.assert_allclose(full, expected, rtol=1e-12)
    np.testing.assert_allclose(mod.rosenbrock_hessian(point), expected, rtol=1e-12)
