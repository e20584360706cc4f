"""The backward engine: accumulation, retain/create_graph, tg.grad, grad mode, hooks, Function."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tinygrad_lite as tg
from tinygrad_lite.engine import graph_nodes


def f64(data, requires_grad=True):
    return tg.tensor(data, dtype=np.float64, requires_grad=requires_grad)


# ----------------------------------------------------------------------------- .grad


def test_gradients_accumulate_across_backward_calls():
    x = f64([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])
    first = x.grad
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 7.0, 9.0])
    assert x.grad is first  # accumulated in place, like PyTorch
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0, 3.0])


def test_grad_has_no_history_and_does_not_alias_the_user_gradient():
    x = f64([1.0, 2.0])
    y = x * 1.0
    upstream = np.array([5.0, 7.0])
    y.backward(upstream)
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    assert x.grad.shape == x.shape
    assert not np.shares_memory(x.grad.numpy(), upstream)
    x.grad.numpy()[0] = 0.0
    assert upstream[0] == 5.0


def test_shared_gradient_arrays_are_not_aliased_between_leaves():
    # Add hands the same gradient array to both inputs; each .grad must own its memory
    # because optimizers update .grad in place.
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.data *= 10
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_non_leaf_tensors_get_no_grad():
    x = f64([1.0, 2.0])
    y = x * 2
    z = y.exp().sum()
    z.backward()
    assert y.grad is None and z.grad is None
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([2.0, 4.0]))


def test_leaf_without_requires_grad_gets_no_grad():
    x = f64([1.0, 2.0])
    c = f64([3.0, 4.0], requires_grad=False)
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


def test_backward_with_explicit_gradient():
    x = f64([1.0, 2.0, 3.0])
    y = x**2
    y.backward(tg.tensor([1.0, 0.5, -1.0], dtype=np.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, -6.0])


def test_backward_on_a_leaf():
    x = f64(3.0)
    x.backward()
    assert x.grad.item() == 1.0


# ----------------------------------------------------------------------------- retain_graph


def test_retain_graph_allows_a_second_backward():
    x = f64([1.0, 2.0])
    loss = (x.exp() * x).sum()
    loss.backward(retain_graph=True)
    once = x.grad.numpy().copy()
    np.testing.assert_allclose(once, np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])))
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * once)


def test_second_backward_without_retain_graph_says_how_to_fix_it():
    x = f64([1.0, 2.0])
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        loss.backward()


def test_backward_keeps_the_graph_structure_but_frees_saved_values():
    x = f64([1.0, 2.0])
    y = x * x
    loss = y.sum()
    loss.backward()
    assert loss.grad_fn.name == "Sum" and y.grad_fn.name == "Mul"
    assert y.grad_fn.inputs == (x, x) or (y.grad_fn.inputs[0] is x and y.grad_fn.inputs[1] is x)
    assert y.grad_fn.saved_tensors is None
    assert [n.name for n in graph_nodes([loss])] == ["Sum", "Mul"]


# ----------------------------------------------------------------------------- create_graph


def test_hessian_vector_product_of_a_cubic():
    # f(x) = sum(x**3) + x0 * x1:  H = diag(6 x) + [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    xv = np.array([1.0, -2.0, 0.5])
    v = np.array([0.3, 0.7, -1.1])
    expected = 6 * xv * v + np.array([v[1], v[0], 0.0])

    x = f64(xv)
    f = (x**3).sum() + x[0] * x[1]
    (g,) = tg.grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * xv**2 + np.array([xv[1], xv[0], 0.0]))
    assert g.requires_grad and g.grad_fn is not None
    (g * tg.tensor(v)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)

    # the same through backward(create_graph=True): .grad then carries a graph
    x2 = f64(xv)
    f2 = (x2**3).sum() + x2[0] * x2[1]
    f2.backward(create_graph=True)
    assert x2.grad.grad_fn is not None
    (hvp,) = tg.grad((x2.grad * tg.tensor(v)).sum(), x2)
    np.testing.assert_allclose(hvp.numpy(), expected, rtol=1e-12)


def test_third_derivative():
    x = f64(2.0)
    (g1,) = tg.grad(x**4, x, create_graph=True)
    (g2,) = tg.grad(g1, x, create_graph=True)
    (g3,) = tg.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)


def test_gradient_penalty():
    # D(x) = sum(w * x**2):  dD/dx = 2 w x;  P = sum((dD/dx)**2) = 4 sum(w**2 x**2)
    # dP/dw = 8 w x**2;  dP/dx = 8 w**2 x
    wv, xv = np.array([0.5, -1.5, 2.0]), np.array([1.0, 3.0, -0.5])
    w, x = f64(wv), f64(xv)
    d = (w * x**2).sum()
    (gx,) = tg.grad(d, x, create_graph=True)
    penalty = (gx**2).sum()
    np.testing.assert_allclose(penalty.item(), 4 * np.sum(wv**2 * xv**2))
    penalty.backward()
    np.testing.assert_allclose(w.grad.numpy(), 8 * wv * xv**2, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 8 * wv**2 * xv, rtol=1e-12)


@pytest.mark.torch
def test_second_order_matches_torch(torch):
    rng = np.random.default_rng(0)
    xv, wv, v = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)

    def penalty(lib, x, w, vv):
        h = (x @ w).tanh() if lib is tg else torch.tanh(x @ w)
        d = (h.sigmoid() if lib is tg else torch.sigmoid(h)) @ vv
        out = d.sum()
        if lib is tg:
            (gx,) = tg.grad(out, x, create_graph=True)
            return (((gx**2).sum(axis=1) + 1e-12).sqrt() - 1.0) ** 2
        (gx,) = torch.autograd.grad(out, x, create_graph=True)
        return (((gx**2).sum(dim=1) + 1e-12).sqrt() - 1.0) ** 2

    x, w = f64(xv), f64(wv)
    penalty(tg, x, w, tg.tensor(v)).mean().backward()
    xt = torch.tensor(xv, requires_grad=True)
    wt = torch.tensor(wv, requires_grad=True)
    penalty(torch, xt, wt, torch.tensor(v)).mean().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- tg.grad


def test_grad_returns_gradients_without_touching_dot_grad():
    x, y = f64([1.0, 2.0]), f64([3.0, -1.0])
    z = (x * y + x.exp()).sum()
    gx, gy = tg.grad(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), [3.0 + np.e, -1.0 + np.exp(2.0)])
    np.testing.assert_array_equal(gy.numpy(), [1.0, 2.0])
    assert x.grad is None and y.grad is None
    assert gx.dtype == np.float64 and not gx.requires_grad


def test_grad_single_input_returns_a_one_tuple():
    x = f64(2.0)
    out = tg.grad(x * x, x)
    assert isinstance(out, tuple) and len(out) == 1 and out[0].item() == 4.0


def test_grad_allow_unused():
    x, unused = f64([1.0]), f64([2.0])
    loss = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"input 1.*allow_unused=True"):
        tg.grad(loss, [x, unused], retain_graph=True)
    gx, gu = tg.grad(loss, [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_grad_multiple_outputs_with_grad_outputs():
    x = f64([1.0, 2.0])
    o1 = x * 3  # d/dx . g1 = 3 g1
    o2 = x**2  # d/dx . g2 = 2 x g2
    g1 = tg.tensor([1.0, 10.0], dtype=np.float64)
    g2 = tg.tensor([0.5, -1.0], dtype=np.float64)
    (gx,) = tg.grad([o1, o2], [x], grad_outputs=[g1, g2])
    np.testing.assert_array_equal(gx.numpy(), [3.0 + 1.0, 30.0 - 4.0])


def test_grad_of_non_leaf_inputs():
    x = f64([1.0, 2.0])
    h = x * 2  # h = [2, 4]
    out = (h**3).sum() + (x * h).sum()  # d/dh (explicitly, not via x) = 3 h**2 + x
    gh, gx = tg.grad(out, [h, x])
    np.testing.assert_array_equal(gh.numpy(), [3 * 4 + 1, 3 * 16 + 2])
    # d/dx total = (3 h**2 + x) * 2 + h
    np.testing.assert_array_equal(gx.numpy(), [13 * 2 + 2, 50 * 2 + 4])
    assert x.grad is None and h.grad is None


def test_grad_non_scalar_output_needs_grad_outputs():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"one-element tensors.*shape \(2,\)"):
        tg.grad(x * 2, x)


# ----------------------------------------------------------------------------- grad mode


def test_no_grad_as_context_manager():
    x = f64([1.0])
    assert tg.is_grad_enabled()
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = x * 2
        with tg.enable_grad():
            assert tg.is_grad_enabled()
            z = x * 2
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn.name == "Mul"


def test_no_grad_and_enable_grad_as_decorators():
    x = f64([1.0])

    @tg.no_grad()
    def infer(t):
        assert not tg.is_grad_enabled()
        return t * 2

    @tg.enable_grad()
    def train(t):
        return t * 2

    assert not infer(x).requires_grad
    assert tg.is_grad_enabled()
    with tg.no_grad():
        assert train(x).requires_grad
        assert not tg.is_grad_enabled()


def test_no_grad_and_enable_grad_as_bare_decorators():
    # PyTorch (>= 2.1) accepts @torch.no_grad without parentheses too.
    x = f64([1.0])

    @tg.no_grad
    def infer(t):
        return t * 2

    @tg.enable_grad
    def train(t):
        return t * 2

    assert not infer(x).requires_grad and infer(x).tolist() == [2.0]
    with tg.no_grad():
        assert train(x).requires_grad
    assert tg.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    @tg.no_grad()
    def boom():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        boom()
    assert tg.is_grad_enabled()
    with pytest.raises(KeyError), tg.no_grad():
        raise KeyError("boom")
    assert tg.is_grad_enabled()


def test_grad_mode_is_per_thread():
    x = f64([1.0])
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def worker():
        with tg.no_grad():
            seen["worker_enabled"] = tg.is_grad_enabled()
            seen["worker_requires_grad"] = (x * 2).requires_grad
            inside.set()
            release.wait(10)

    th = threading.Thread(target=worker)
    th.start()
    try:
        assert inside.wait(10)
        # the worker is inside no_grad right now; this thread must not be affected
        assert tg.is_grad_enabled()
        assert (x * 2).requires_grad
    finally:
        release.set()
        th.join(10)
    assert seen == {"worker_enabled": False, "worker_requires_grad": False}

    # and the other way round: a new thread starts with grad on while this one is in no_grad
    result = {}
    with tg.no_grad():
        th2 = threading.Thread(target=lambda: result.setdefault("on", tg.is_grad_enabled()))
        th2.start()
        th2.join(10)
    assert result == {"on": True}


def test_in_place_update_under_no_grad_is_allowed():
    w = f64([1.0, 2.0])
    (w * 3).sum().backward()
    with tg.no_grad():
        w -= 0.5 * w.grad
    np.testing.assert_array_equal(w.numpy(), [-0.5, 0.5])
    assert w.is_leaf and w.requires_grad


# ----------------------------------------------------------------------------- detach


def test_detach_cuts_the_graph():
    x = f64([1.0, 2.0])
    y = x * 2
    z = y.detach() * y  # only the second factor carries a gradient: d/dx = 2 * y
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])
    d = x.detach()
    assert not (d * 2).requires_grad


# ----------------------------------------------------------------------------- hooks


def test_hook_on_a_leaf_observes_and_modifies():
    x = f64([1.0, 2.0])
    seen = []
    h1 = x.register_hook(lambda g: seen.append(g.numpy().copy()))
    h2 = x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 30.0])
    h2.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    assert len(seen) == 2
    h1.remove()
    h1.remove()  # a second remove does nothing
    (x * 3).sum().backward()
    assert len(seen) == 2


def test_hook_on_a_non_leaf_changes_what_flows_upstream():
    x = f64([1.0, 2.0])
    y = x * x
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = y.register_hook(lambda g: g + 1.0)
    (y * tg.tensor([2.0, 5.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 5.0])
    # dy/dx = 2x, applied to the modified gradient [3, 6]
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 24.0])
    assert y.grad is None
    handle.remove()
    x.grad = None
    y2 = x * x
    (y2 * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_hook_sees_the_total_gradient_once_for_a_tensor_used_twice():
    x = f64([1.0, 2.0])
    y = x * 1.0
    calls = []
    y.register_hook(lambda g: calls.append(g.numpy().copy()))
    (y * 2 + y * 3).sum().backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], [5.0, 5.0])


def test_hooks_run_under_tg_grad():
    x = f64([1.0, 2.0])
    x.register_hook(lambda g: g * -1)
    (gx,) = tg.grad((x * 4).sum(), x)
    np.testing.assert_array_equal(gx.numpy(), [-4.0, -4.0])


def test_register_hook_needs_requires_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.zeros(2).register_hook(lambda g: g)


# ----------------------------------------------------------------------------- Function


class Square(tg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


class ScaledMul(tg.Function):
    """a * b * scale, with ``scale`` passed as a plain argument and kept on ctx."""

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b * scale

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b * ctx.scale, g * a * ctx.scale, None


class FirstOnly(tg.Function):
    """a + b, but refuses to give b a gradient (None)."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, None


XP_SEEN: list = []


class MySin(tg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        XP_SEEN.append((ctx.xp, type(x), type(g)))
        return g * ctx.xp.cos(x)


class WrongShape(tg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return np.ones((2, 2))


def test_function_one_input():
    x = f64([1.0, -3.0])
    y = Square.apply(x)
    assert y.grad_fn.name == "Square" and y.dtype == np.float64
    np.testing.assert_array_equal(y.numpy(), [1.0, 9.0])
    (y * tg.tensor([1.0, 2.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -12.0])


def test_function_two_inputs_with_ctx_attribute():
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    out = ScaledMul.apply(a, b, 0.5)
    np.testing.assert_array_equal(out.numpy(), [1.5, 4.0])
    assert out.grad_fn.scale == 0.5
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.5, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 1.0])


def test_function_none_gradient():
    a, b = f64([1.0]), f64([2.0])
    FirstOnly.apply(a, b).sum().backward()
    assert a.grad.tolist() == [1.0]
    assert b.grad is None


def test_function_without_grad_inputs_records_nothing():
    y = Square.apply(f64([2.0], requires_grad=False))
    assert y.grad_fn is None and not y.requires_grad and y.tolist() == [4.0]
    with tg.no_grad():
        assert Square.apply(f64([2.0])).grad_fn is None


def test_function_second_order_through_ctx_xp():
    XP_SEEN.clear()
    xv = np.array([0.3, -1.2])
    x = f64(xv)
    (g,) = tg.grad(MySin.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), np.cos(xv))
    (gg,) = tg.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), -np.sin(xv))
    xp, xtype, gtype = XP_SEEN[0]
    assert xp is tg and xtype is tg.Tensor and gtype is tg.Tensor
    XP_SEEN.clear()
    MySin.apply(f64(xv)).sum().backward()
    xp, xtype, gtype = XP_SEEN[0]
    assert xp is np and xtype is np.ndarray and gtype is np.ndarray


def test_function_backward_of_wrong_shape_names_function_and_shapes():
    x = f64([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"WrongShape.*\(2, 2\).*\(3,\)"):
        WrongShape.apply(x).sum().backward()


# ----------------------------------------------------------------------------- graph shapes


def test_same_tensor_used_twice():
    x = f64([3.0, -1.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, -2.0])
    x.grad = None
    (x + x + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_diamond_graph():
    xv = np.array([0.5, -0.25])
    x = f64(xv)
    a = x * 2
    out = (a.exp() + a.sin()).sum()  # two paths from a
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.exp(2 * xv) + np.cos(2 * xv)))


def test_diamond_with_paths_of_different_lengths():
    # y feeds z directly and through y*y; w = (y**2 + y) * y = y**3 + y**2
    xv = np.array([1.0, 2.0])
    x = f64(xv)
    y = x * 3
    z = y * y + y
    (z * y).sum().backward()
    yv = 3 * xv
    np.testing.assert_allclose(x.grad.numpy(), (3 * yv**2 + 2 * yv) * 3)


def test_broadcast_gradients_are_summed_back():
    a = f64(np.arange(3.0).reshape(3, 1))
    b = f64([10.0, 20.0, 30.0, 40.0])
    g = np.arange(12.0).reshape(3, 4)
    (a + b).backward(g)
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(a.grad.numpy(), [[6.0], [22.0], [38.0]])
    np.testing.assert_array_equal(b.grad.numpy(), [12.0, 15.0, 18.0, 21.0])

    a.grad = b.grad = None
    (a * b).backward(g)
    np.testing.assert_array_equal(a.grad.numpy(), (g * b.numpy()).sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(b.grad.numpy(), (g * a.numpy()).sum(axis=0))

    s = f64(2.0)
    m = f64(np.ones((2, 3)))
    (s * m).backward(np.arange(6.0).reshape(2, 3))
    assert s.grad.shape == () and s.grad.item() == 15.0
    np.testing.assert_array_equal(m.grad.numpy(), 2 * np.arange(6.0).reshape(2, 3))


def _sum_to(full: np.ndarray, shape: tuple) -> np.ndarray:
    """Reference un-broadcast: add every output element into the input element it came from."""
    src = np.broadcast_to(np.arange(int(np.prod(shape))).reshape(shape), full.shape)
    return np.bincount(src.ravel(), weights=full.ravel(), minlength=int(np.prod(shape))).reshape(
        shape
    )


_BINARY = {
    "add": (lambda a, b: a + b, lambda g, a, b: (g, g)),
    "sub": (lambda a, b: a - b, lambda g, a, b: (g, -g)),
    "mul": (lambda a, b: a * b, lambda g, a, b: (g * b, g * a)),
    "div": (lambda a, b: a / b, lambda g, a, b: (g / b, -g * a / b**2)),
}


@settings(max_examples=60, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    op=st.sampled_from(sorted(_BINARY)),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_gradients_property(shapes, op, seed):
    rng = np.random.default_rng(seed)
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    av = rng.uniform(0.5, 2.0, sa)
    bv = rng.uniform(0.5, 2.0, sb)
    g = rng.standard_normal(out_shape)
    fwd, bwd = _BINARY[op]
    a, b = f64(av), f64(bv)
    out = fwd(a, b)
    assert out.shape == out_shape
    out.backward(g)
    ga_full, gb_full = bwd(g, np.broadcast_to(av, out_shape), np.broadcast_to(bv, out_shape))
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_allclose(a.grad.numpy(), _sum_to(ga_full, sa), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), _sum_to(gb_full, sb), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    op=st.sampled_from(sorted(_BINARY)),
)
def test_broadcasting_gradients_match_torch(shapes, op):
    # (no torch fixture: hypothesis does not allow function-scoped fixtures in @given tests)
    torch = pytest.importorskip("torch")

    rng = np.random.default_rng(1)
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    av, bv = rng.uniform(0.5, 2.0, sa), rng.uniform(0.5, 2.0, sb)
    g = rng.standard_normal(out_shape)
    fwd, _ = _BINARY[op]
    a, b = f64(av), f64(bv)
    fwd(a, b).backward(g)
    at = torch.tensor(av, requires_grad=True)
    bt = torch.tensor(bv, requires_grad=True)
    fwd(at, bt).backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), bt.grad.numpy(), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- deep graphs


def _chain(depth: int):
    x0 = f64(np.full(4, 0.5))
    x = x0
    for _ in range(depth):
        x = x * 1.0001 + 0.0001
    return x0, x


def _check_chain(depth: int):
    x0, x = _chain(depth)
    x.sum().backward()  # must not hit RecursionError
    np.testing.assert_allclose(x0.grad.numpy(), np.full(4, 1.0001**depth), rtol=1e-9)
    # forward value: x_D = a**D x_0 + b (a**D - 1) / (a - 1)
    a, b = 1.0001, 0.0001
    expected = a**depth * 0.5 + b * (a**depth - 1) / (a - 1)
    np.testing.assert_allclose(x.numpy(), np.full(4, expected), rtol=1e-9)
    nodes = graph_nodes([x])
    assert len(nodes) == 2 * depth
    assert nodes[0] is x.grad_fn and nodes[0].name == "Add"
    assert nodes[-1].name == "Mul" and nodes[-1].inputs[0] is x0
    assert {n.name for n in nodes[::2]} == {"Add"} and {n.name for n in nodes[1::2]} == {"Mul"}


def test_chain_of_200k_ops_backward_without_recursion():
    _check_chain(100_000)  # 200,000 ops: 100,000 Mul and 100,000 Add


@pytest.mark.slow
def test_chain_of_one_million_steps():
    _check_chain(1_000_000)  # 2,000,000 ops, the depth of benchmark W4


def test_graph_nodes_topological_order_on_a_diamond():
    x = f64([1.0])
    a = x * 2
    b = a.exp()
    c = a.sin()
    out = (b + c).sum()
    nodes = graph_nodes([out])
    names = [n.name for n in nodes]
    assert names[0] == "Sum" and names[1] == "Add" and names[-1] == "Mul"
    assert sorted(names) == sorted(["Sum", "Add", "Exp", "Sin", "Mul"])
    assert len(nodes) == len({id(n) for n in nodes})
    pos = {id(n): i for i, n in enumerate(nodes)}
    for n in nodes:  # every consumer comes before its producers
        for t in n.inputs:
            if t is not None and t.grad_fn is not None:
                assert pos[id(n)] < pos[id(t.grad_fn)]
