"""debug: grad_report verdicts by hand, the story network on raw vs normalized data,
TrainingMonitor warnings, detect_anomaly naming the op and the line."""

from __future__ import annotations

import inspect
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tg
from tinygrad_lite import debug, nn, optim
from tinygrad_lite.debug import TrainingMonitor, TrainingWarning, grad_report


def param(weight, grad=None) -> nn.Parameter:
    p = nn.Parameter(np.asarray(weight, dtype=np.float64))
    if grad is not None:
        p.grad = tg.tensor(np.asarray(grad, dtype=np.float64))
    return p


# ----------------------------------------------------------------------------- grad_report
def test_figures_by_hand():
    # weight [3, 4]: norm 5; grad [6, -8]: norm 10, max |grad| 8, ratio 2.
    report = grad_report({"w": param([3.0, 4.0], [6.0, -8.0])})
    (row,) = report.rows
    assert row == {
        "name": "w",
        "shape": (2,),
        "weight_norm": 5.0,
        "grad_norm": 10.0,
        "max_abs_grad": 8.0,
        "ratio": 2.0,
        "finite": True,
        "verdict": "ok",
    }


@pytest.mark.parametrize(
    "weight, grad, verdict",
    [
        ([1.0, 1.0], [1.0, -1001.0], "exploding"),  # max |grad| > 1e3
        ([1.0, 1.0], [1000.0, 0.0], "ok"),  # the boundary is not exploding
        ([1.0, 1.0], [1e-8, -5e-8], "vanishing"),  # every |grad| < 1e-7
        ([1.0, 1.0], [0.0, 0.0], "vanishing"),
        ([1.0, 1.0], [1e-7, 0.0], "ok"),
        ([1.0, 1.0], [np.nan, 1.0], "non-finite"),
        ([1.0, 1.0], [-np.inf, 1.0], "non-finite"),
        ([np.inf, 1.0], [1.0, 1.0], "non-finite"),  # a broken weight is reported too
        ([1.0, 1.0], None, "no grad"),
    ],
)
def test_verdicts_follow_the_documented_thresholds(weight, grad, verdict):
    assert grad_report({"w": param(weight, grad)}).verdicts == {"w": verdict}


def test_thresholds_are_parameters():
    p = {"w": param([1.0], [50.0])}
    assert grad_report(p).verdicts["w"] == "ok"
    assert grad_report(p, explode=10.0).verdicts["w"] == "exploding"
    assert grad_report(p, explode=1e4, vanish=100.0).verdicts["w"] == "vanishing"


def test_no_grad_and_zero_weight_rows():
    report = grad_report(
        {"a": param([0.0, 0.0], [3.0, 4.0]), "b": param([1.0]), "c": param([0.0], [0.0])}
    )
    a, b, c = report.rows
    assert a["ratio"] == math.inf and a["grad_norm"] == 5.0
    assert b["grad_norm"] is None and b["max_abs_grad"] is None and b["verdict"] == "no grad"
    assert c["ratio"] == 0.0
    assert [r["name"] for r in report.flagged] == ["b", "c"]


def test_float32_gradients_do_not_overflow_the_norm():
    # 1e30 ** 2 overflows float32; the norm is computed in float64: sqrt(2) * 1e30.
    p = nn.Parameter(np.ones(2, dtype=np.float32))
    p.grad = tg.tensor(np.full(2, 1e30, dtype=np.float32))
    (row,) = grad_report([("p", p)]).rows
    assert row["grad_norm"] == pytest.approx(math.sqrt(2) * 1e30, rel=1e-6)
    assert row["finite"] and row["verdict"] == "exploding"


@settings(max_examples=40, deadline=None)
@given(
    w=hnp.arrays(
        np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-1e3, 1e3)
    ),
    scale=st.floats(1e-12, 1e6),
)
def test_figures_match_numpy(w, scale):
    g = np.cos(np.arange(w.size, dtype=np.float64)).reshape(w.shape) * scale
    (row,) = grad_report({"w": param(w, g)}).rows
    w_norm = float(np.sqrt((w**2).sum()))
    g_norm = float(np.sqrt((g**2).sum()))
    assert row["shape"] == w.shape
    assert row["weight_norm"] == pytest.approx(w_norm, rel=1e-12)
    assert row["grad_norm"] == pytest.approx(g_norm, rel=1e-12)
    g_max = float(np.abs(g).max()) if g.size else 0.0
    assert row["max_abs_grad"] == g_max
    expected = "exploding" if g_max > 1e3 else "vanishing" if g_max < 1e-7 else "ok"
    assert row["verdict"] == expected


def test_report_prints_as_an_aligned_table():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    model(tg.ones(4, 2)).sum().backward()
    model[2].bias.grad = None
    text = str(grad_report(model))
    lines = text.splitlines()
    header, rule, rows, footer = lines[0], lines[1], lines[2:-1], lines[-1]
    titles = ["parameter", "shape", "weight norm", "grad norm", "max |grad|", "grad/weight"]
    titles += ["finite", "verdict"]
    starts = [header.index(t) for t in titles]
    assert starts == sorted(starts)
    assert set(rule) <= {"-", " "}
    assert [r.split()[0] for r in rows] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for r in rows:
        # Every cell starts in its column.
        for s in starts:
            assert r[s] != " " and (s == 0 or r[s - 1] == " ")
    assert rows[-1].rstrip().endswith("no grad") and rows[0].rstrip().endswith("ok")
    assert "exploding: max |grad| > 1000" in footer and "vanishing: max |grad| < 1e-07" in footer
    assert repr(grad_report(model)) == text


def test_grad_report_bad_input():
    with pytest.raises(TypeError, match="grad_report: expected an nn.Module"):
        grad_report(3)
    with pytest.raises(TypeError, match=r"grad_report: every entry must be a \(name, Tensor\)"):
        grad_report([tg.ones(2)])
    with pytest.raises(ValueError, match="grad_report: need 0 <= vanish < explode"):
        grad_report(nn.Linear(1, 1), explode=1e-9)
    with pytest.raises(TypeError, match="grad_report: explode must be a number"):
        grad_report(nn.Linear(1, 1), explode="big")


# ----------------------------------------------------------------------------- the story
def story_data(seed: int, normalize: bool):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 100, size=(100, 1)).astype(np.float32)
    y = x + 1
    if normalize:
        x = (x - x.mean()) / x.std()
        y = (y - y.mean()) / y.std()
    return tg.tensor(x), tg.tensor(y)


def story_model(seed: int):
    tg.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_grad_report_flags_the_raw_story_and_passes_the_normalized_one(seed):
    for normalize in (False, True):
        X, Y = story_data(seed, normalize)
        model = story_model(seed)
        opt = optim.SGD(model.parameters(), lr=0.01)
        verdicts = []
        for _ in range(20 if normalize else 1):
            opt.zero_grad()
            nn.MSELoss()(model(X), Y).backward()
            verdicts.append(grad_report(model).verdicts)
            opt.step()
        if normalize:
            assert all(v == "ok" for step in verdicts for v in step.values()), verdicts
        else:
            # x ~ 50 and an error ~ 50 give weight gradients in the thousands at once.
            assert verdicts[0]["0.weight"] == "exploding" or verdicts[0]["2.weight"] == "exploding"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_monitor_warns_before_the_raw_story_loss_becomes_inf(seed):
    X, Y = story_data(seed, normalize=False)
    model = story_model(seed)
    opt = optim.SGD(model.parameters(), lr=0.01)
    first_bad_loss = None
    warned_at = {}
    with TrainingMonitor(model) as monitor, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            for step in range(1, 15):
                opt.zero_grad()
                loss = nn.MSELoss()(model(X), Y)
                loss.backward()
                before = len(caught)
                monitor.record(loss)
                for w in caught[before:]:
                    if issubclass(w.category, TrainingWarning):
                        kind = "loss" if "the loss is" in str(w.message) else "growth"
                        warned_at.setdefault(kind, step)
                if first_bad_loss is None and not math.isfinite(loss.item()):
                    first_bad_loss = step
                opt.step()
    assert first_bad_loss is not None, "the raw story is expected to diverge"
    assert warned_at["growth"] < first_bad_loss
    assert warned_at["loss"] == first_bad_loss
    assert len(monitor.history) == 10 and not math.isfinite(monitor.losses[-1])


def test_monitor_is_quiet_on_the_normalized_story():
    X, Y = story_data(0, normalize=True)
    model = story_model(0)
    opt = optim.SGD(model.parameters(), lr=0.01)
    with TrainingMonitor(model) as monitor, warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        for _ in range(30):
            opt.zero_grad()
            loss = nn.MSELoss()(model(X), Y)
            loss.backward()
            assert monitor.record(loss) == []
            opt.step()
    assert len(monitor.history) == 10 and monitor.history[-1]["step"] == 30
    assert monitor.losses[-1] == pytest.approx(loss.item())


def test_detect_anomaly_names_the_op_and_the_line_on_the_raw_story():
    X, Y = story_data(0, normalize=False)
    model = story_model(0)
    opt = optim.SGD(model.parameters(), lr=0.01)
    with pytest.raises(tg.AnomalyError) as info, np.errstate(all="ignore"):
        with debug.detect_anomaly():
            for _ in range(10):
                opt.zero_grad()
                line = inspect.currentframe().f_lineno + 1
                loss = nn.MSELoss()(model(X), Y)
                loss.backward()
                opt.step()
    message = str(info.value)
    op = re.match(r"detect_anomaly: (?:the backward of )?(\w+)", message)
    assert op is not None, message
    with np.errstate(all="ignore"):
        ops = {fn.name for fn in tg.graph_nodes([nn.MSELoss()(model(X), Y)])}
    assert op.group(1) in ops, message
    assert f"test_debug.py:{line}" in message
    assert "loss = nn.MSELoss()(model(X), Y)" in message


def test_debug_reexports_every_tool():
    assert debug.gradcheck is tg.gradcheck and debug.gradgradcheck is tg.gradgradcheck
    assert debug.detect_anomaly is tg.detect_anomaly
    assert debug.AnomalyError is tg.AnomalyError and debug.GradcheckError is tg.GradcheckError


# ----------------------------------------------------------------------------- monitor
def feed(monitor, param, norms, loss=1.0):
    """Record one step per norm, with a gradient of exactly that norm; return steps that warned."""
    warned = []
    for step, n in enumerate(norms, 1):
        param.grad = tg.tensor(np.array([n, 0.0]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            messages = monitor.record(loss)
        assert [str(w.message) for w in caught] == messages
        if messages:
            warned.append((step, messages))
    return warned


class One(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(np.zeros(2))


def test_growth_of_1000x_within_the_window_warns_once():
    m = One()
    norms = [2.0**k for k in range(14)]  # doubling: 2**10 = 1024 > 1000 at the 11th record
    warned = feed(TrainingMonitor(m, window=11), m.w, norms)
    assert [step for step, _ in warned] == [11]
    (message,) = warned[0][1]
    assert "gradient norm of 'w' grew 1.02e+03x" in message and "clip" in message


def test_growth_outside_the_window_does_not_warn():
    m = One()
    # With 3 records kept, doubling never reaches 1000x between the oldest kept and the new one.
    assert feed(TrainingMonitor(m, window=3), m.w, [2.0**k for k in range(14)]) == []


def test_every_n_steps_only_samples_the_gradients():
    m = One()
    monitor = TrainingMonitor(m, every=3)
    feed(monitor, m.w, [1.0, 5000.0, 5000.0, 2.0, 3.0])  # steps 1 and 4 are sampled
    sampled = [e for e in monitor.history if "grad_norm" in e]
    assert [e["step"] for e in sampled] == [1, 4]
    assert [e["grad_norm"]["w"] for e in sampled] == [1.0, 2.0]
    assert monitor.losses == [1.0] * 5


def test_non_finite_loss_warns_once():
    m = One()
    warned = feed(TrainingMonitor(m), m.w, [1.0, 1.0, 1.0], loss=float("nan"))
    assert [step for step, _ in warned] == [1]
    assert "the loss is nan at step 1" in warned[0][1][0]
    assert "detect_anomaly" in warned[0][1][0]


@pytest.mark.parametrize("act", [nn.ReLU, nn.LeakyReLU])
def test_dead_units_warn(act):
    model = nn.Sequential(nn.Linear(2, 3), act())
    with tg.no_grad():
        model[0].weight.numpy()[...] = -1.0
        model[0].bias.numpy()[...] = -1.0
    with TrainingMonitor(model) as monitor:
        with pytest.warns(TrainingWarning, match=r"every output of layer '1' \((Leaky)?ReLU\)"):
            out = model(tg.ones(5, 2))  # every pre-activation is -3
        messages = monitor.record(out.sum())
        assert len(messages) == 1 and "(5, 3)" in messages[0] and "dead" in messages[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error", TrainingWarning)
            model(tg.ones(5, 2))  # only the first time
    assert not model[1]._forward_hooks  # close() removed the hook


def test_live_units_do_not_warn():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    with tg.no_grad():
        model[0].weight.numpy()[...] = -1.0
        model[0].bias.numpy()[...] = -1.0
        model[0].bias.numpy()[2] = 10.0  # one unit is alive: the layer is not all dead
    with TrainingMonitor(model), warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        model(tg.ones(5, 2))


def test_monitor_bad_input():
    m = One()
    with pytest.raises(ValueError, match="TrainingMonitor: every must be >= 1, got 0"):
        TrainingMonitor(m, every=0)
    with pytest.raises(TypeError, match="TrainingMonitor: window must be an int"):
        TrainingMonitor(m, window=2.5)
    with pytest.raises(ValueError, match="TrainingMonitor: growth must be a number > 1"):
        TrainingMonitor(m, growth=0.5)
    with pytest.raises(TypeError, match="TrainingMonitor: model must be an nn.Module"):
        TrainingMonitor({"w": m.w})
    monitor = TrainingMonitor(m)
    with pytest.raises(ValueError, match=r"record: loss must have one element, got shape \(2,\)"):
        monitor.record(tg.ones(2))
    with pytest.raises(TypeError, match="record: loss must be a Tensor or a number, got str"):
        monitor.record("0.5")


@pytest.mark.torch
def test_story_gradient_norms_match_torch(torch):
    X, Y = story_data(0, normalize=False)
    model = story_model(0)
    nn.MSELoss()(model(X), Y).backward()
    rows = {r["name"]: r for r in grad_report(model).rows}
    tm = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.LeakyReLU(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(model.named_parameters(), tm.named_parameters()):
            assert name == tname
            tp.copy_(torch.from_numpy(p.numpy()))
    tx, ty = torch.from_numpy(X.numpy()), torch.from_numpy(Y.numpy())
    torch.nn.functional.mse_loss(tm(tx), ty).backward()
    for name, tp in tm.named_parameters():
        assert rows[name]["grad_norm"] == pytest.approx(float(tp.grad.double().norm()), rel=1e-4)
        assert rows[name]["max_abs_grad"] == pytest.approx(float(tp.grad.abs().max()), rel=1e-4)
        assert rows[name]["weight_norm"] == pytest.approx(
            float(tp.detach().double().norm()), rel=1e-6
        )
