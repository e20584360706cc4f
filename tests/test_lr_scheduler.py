"""Learning-rate schedulers: PyTorch's sequences, closed forms by hand, state and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_lite as tg
from tinygrad_lite.optim import SGD, lr_scheduler

EPOCHS = 30

SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
]

# a loss curve with plateaus, improvements smaller than the threshold and a rise
METRICS = [5.0, 4.0, 4.0, 3.9999, 4.1, 4.2, 3.0, 3.0, 3.0, 3.0, 2.0, 2.5, 2.5, 2.5, 2.5] * 2
PLATEAU = [
    dict(),
    dict(patience=1, factor=0.5),
    dict(patience=2, factor=0.5, cooldown=2),
    dict(mode="max", patience=1, factor=0.3, threshold=0.1, threshold_mode="abs"),
    dict(mode="max", patience=0, factor=0.5, threshold=0.01),
    dict(mode="min", patience=0, factor=0.5, threshold=0.3, threshold_mode="abs", min_lr=0.02),
    dict(patience=0, factor=0.5, min_lr=[0.05, 0.0], eps=1e-3),
]


def _opt(lrs=(0.1, 0.03)):
    groups = [{"params": [tg.tensor(np.ones(1), requires_grad=True)], "lr": lr} for lr in lrs]
    return SGD(groups, lr=0.1)


def _ours(name, kwargs, epochs=EPOCHS):
    opt = _opt()
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    seq = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        seq.append(sched.get_last_lr())
    assert seq[-1] == [g["lr"] for g in opt.param_groups]
    return seq


def _theirs(torch, name, kwargs, epochs=EPOCHS):
    ps = [torch.ones(1, requires_grad=True) for _ in range(2)]
    opt = torch.optim.SGD([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.03}])
    sched = getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)
    seq = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        seq.append(sched.get_last_lr())
    return seq


def _plateau(kwargs, metrics=METRICS, module=lr_scheduler, opt=None):
    opt = opt or _opt()
    sched = module.ReduceLROnPlateau(opt, **kwargs)
    seq = []
    for m in metrics:
        sched.step(m)
        seq.append(sched.get_last_lr())
    return seq


@pytest.mark.torch
@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[f"{n}-{k}" for n, k in SCHEDULERS])
def test_lr_sequence_equals_pytorch(torch, name, kwargs):
    np.testing.assert_allclose(
        _ours(name, kwargs), _theirs(torch, name, kwargs), rtol=1e-12, atol=1e-15
    )


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_equals_pytorch(torch, kwargs):
    ps = [torch.ones(1, requires_grad=True) for _ in range(2)]
    topt = torch.optim.SGD([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.03}])
    theirs = _plateau(kwargs, module=torch.optim.lr_scheduler, opt=topt)
    assert _plateau(kwargs) == theirs


# ---- by hand -----------------------------------------------------------------------------
def test_step_and_exponential_follow_their_closed_forms():
    seq = _ours("StepLR", dict(step_size=3, gamma=0.5))
    for e, lrs in enumerate(seq):
        assert lrs == pytest.approx([0.1 * 0.5 ** (e // 3), 0.03 * 0.5 ** (e // 3)], rel=1e-15)
    seq = _ours("ExponentialLR", dict(gamma=0.9))
    for e, lrs in enumerate(seq):
        assert lrs == pytest.approx([0.1 * 0.9**e, 0.03 * 0.9**e], rel=1e-13)


@settings(max_examples=25, deadline=None)
@given(T_max=st.integers(1, 12), eta_min=st.sampled_from([0.0, 0.001, 0.01]))
def test_cosine_follows_the_closed_form(T_max, eta_min):
    seq = _ours("CosineAnnealingLR", dict(T_max=T_max, eta_min=eta_min), epochs=3 * T_max)
    for e, lrs in enumerate(seq):
        for base, lr in zip((0.1, 0.03), lrs):
            closed = eta_min + (base - eta_min) * (1 + math.cos(math.pi * e / T_max)) / 2
            assert lr == pytest.approx(closed, rel=1e-12, abs=1e-15)


def test_cosine_reaches_eta_min_at_T_max():
    seq = _ours("CosineAnnealingLR", dict(T_max=4, eta_min=0.01), epochs=4)
    assert seq[0] == [0.1, 0.03]
    assert seq[2] == pytest.approx([0.055, 0.02], abs=1e-15)  # half way: the mean
    assert seq[4] == pytest.approx([0.01, 0.01], abs=1e-15)


def test_reduce_on_plateau_by_hand():
    # patience=1: the lr halves after the second epoch in a row without improvement
    seq = _plateau(dict(patience=1, factor=0.5), metrics=[5.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0])
    assert [lrs[0] for lrs in seq] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05])
    # an improvement smaller than the relative threshold counts as bad
    seq = _plateau(dict(patience=0, threshold=0.1), metrics=[1.0, 0.95])
    assert seq[-1][0] == pytest.approx(0.01)
    # cooldown: no counting for 2 epochs after a reduction
    seq = _plateau(dict(patience=0, factor=0.5, cooldown=2), metrics=[1.0] * 6)
    assert [lrs[0] for lrs in seq] == pytest.approx([0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
    # min_lr floors the lr; mode='max' wants the metric to grow
    seq = _plateau(dict(mode="max", patience=0, min_lr=0.05), metrics=[1.0, 0.5, 0.5])
    assert [lrs[0] for lrs in seq] == pytest.approx([0.1, 0.05, 0.05])


def test_reduce_on_plateau_accepts_a_one_element_tensor():
    opt = _opt()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(tg.tensor(np.array(2.0)))
    assert sched.best == 2.0 and sched.last_epoch == 1


def test_last_epoch_and_get_last_lr():
    opt = _opt()
    sched = lr_scheduler.StepLR(opt, step_size=2)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [0.1, 0.03]
    assert opt.param_groups[0]["initial_lr"] == 0.1
    for _ in range(5):
        sched.step()
    assert sched.last_epoch == 5
    assert sched.get_last_lr() == pytest.approx([0.1 * 0.01, 0.03 * 0.01])


@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[f"{n}-{k}" for n, k in SCHEDULERS])
def test_state_dict_resumes_the_schedule(name, kwargs):
    full = _ours(name, kwargs, epochs=20)
    opt = _opt()
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    for _ in range(8):
        sched.step()
    saved, opt_saved = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 8
    opt2 = _opt()
    opt2.load_state_dict(opt_saved)
    sched2 = getattr(lr_scheduler, name)(opt2, **kwargs)
    sched2.load_state_dict(saved)
    rest = []
    for _ in range(12):
        sched2.step()
        rest.append(sched2.get_last_lr())
    np.testing.assert_allclose(rest, full[9:], rtol=1e-12)


def test_plateau_state_dict_resumes():
    full = _plateau(dict(patience=1, factor=0.5))
    opt = _opt()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for m in METRICS[:10]:
        sched.step(m)
    opt2 = _opt()
    opt2.load_state_dict(opt.state_dict())
    sched2 = lr_scheduler.ReduceLROnPlateau(opt2)
    sched2.load_state_dict(sched.state_dict())
    rest = []
    for m in METRICS[10:]:
        sched2.step(m)
        rest.append(sched2.get_last_lr())
    assert rest == full[10:]


def test_resuming_with_last_epoch():
    opt = _opt()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    sched.step()
    again = lr_scheduler.ExponentialLR(opt, gamma=0.5, last_epoch=sched.last_epoch)
    assert again.last_epoch == 2 and again.get_last_lr() == [0.05, 0.015]


def test_no_warnings_in_normal_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _ours("CosineAnnealingLR", dict(T_max=3), epochs=5)


# ---- errors ------------------------------------------------------------------------------
def test_scheduler_errors():
    opt = _opt()
    with pytest.raises(TypeError, match=r"StepLR: expected an optimizer .*got list"):
        lr_scheduler.StepLR([], step_size=1)
    with pytest.raises(ValueError, match=r"StepLR: invalid step_size=0; step_size must be >= 1"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(TypeError, match=r"StepLR: step_size must be an int, got float"):
        lr_scheduler.StepLR(opt, step_size=2.5)
    with pytest.raises(TypeError, match=r"ExponentialLR: gamma must be a real number, got str"):
        lr_scheduler.ExponentialLR(opt, gamma="0.9")
    with pytest.raises(ValueError, match=r"CosineAnnealingLR: invalid T_max=0"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(KeyError, match=r"param_groups\[0\] has no 'initial_lr'"):
        lr_scheduler.StepLR(_opt(), step_size=1, last_epoch=3)
    with pytest.raises(ValueError, match=r"must not hold 'optimizer'"):
        lr_scheduler.StepLR(opt, step_size=1).load_state_dict({"optimizer": opt})


def test_plateau_errors():
    opt = _opt()
    with pytest.raises(ValueError, match=r"invalid factor=1.0; factor must be in \[0, 1\)"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match=r"mode='best' is unknown; use 'min'"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="best")
    with pytest.raises(ValueError, match=r"threshold_mode='x' is unknown; use 'rel' or 'abs'"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x")
    with pytest.raises(ValueError, match=r"got 3 min_lr values for 2 parameter groups"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0, 0, 0])
    with pytest.raises(ValueError, match=r"invalid patience=-1"):
        lr_scheduler.ReduceLROnPlateau(opt, patience=-1)
    with pytest.raises(TypeError, match=r"metrics must be a number .*got str"):
        lr_scheduler.ReduceLROnPlateau(opt).step("low")
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
    opt.add_param_group({"params": [tg.tensor(np.ones(1), requires_grad=True)]})
    sched.step(1.0)
    with pytest.raises(RuntimeError, match=r"now has 3 parameter groups but min_lr gave 2"):
        sched.step(1.0)
