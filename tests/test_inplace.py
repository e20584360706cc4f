"""In-place ops and version counters, scenario by scenario against PyTorch.

Every scenario is a function of the library module ``lib`` (``tinygrad_lite`` or ``torch``) and
runs unchanged in both: it builds a small float64 graph, writes into some tensor in place and
calls ``backward``. Where PyTorch raises (always a RuntimeError) tinygrad_lite must raise a
RuntimeError too; where PyTorch computes, both must give the same values and gradients.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg

# The arithmetic of every scenario is a handful of float64 ops per element: both libraries
# round the same operations, so they agree to a few ulps.
RTOL = 1e-12
ATOL = 1e-14

X = [0.5, -1.25, 2.0]
W = [1.5, 0.25, -0.75]
R = [0.3, -0.6, 0.9]
M = [[0.5, -1.25], [2.0, 0.75]]
M23 = [[0.5, -1.25, 2.0], [0.75, -0.3, 1.1]]
C23 = [[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]


@pytest.fixture
def f64(torch):
    """Python floats become float64 in both libraries for the test, then the defaults return."""
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    tg.set_default_dtype(np.float64)
    yield torch
    torch.set_default_dtype(prev)


def param(lib, data):
    return lib.tensor(data, requires_grad=True)


def autograd_grad(lib, outputs, inputs, **kwargs):
    """``torch.autograd.grad`` / ``tg.grad``."""
    fn = tg.grad if lib is tg else lib.autograd.grad
    return fn(outputs, inputs, **kwargs)


def to_numpy(value):
    if value is None:
        return None
    if isinstance(value, (int, float, bool)):
        return np.asarray(value)
    return np.asarray(value.detach().numpy())


def outcome(lib, scenario):
    """``("raise", message)`` if the scenario raised a RuntimeError, else ``("ok", arrays)``."""
    try:
        result = scenario(lib)
    except (NotImplementedError, RecursionError):
        raise  # RuntimeError subclasses, but never the error PyTorch means
    except RuntimeError as err:
        return "raise", str(err)
    if not isinstance(result, tuple):
        result = (result,)
    return "ok", [to_numpy(r) for r in result]


def assert_same(torch, scenario, expect=None, rtol=RTOL, atol=ATOL):
    """Run ``scenario`` in both libraries and assert the same outcome (error or numbers)."""
    theirs, ref = outcome(torch, scenario)
    if expect is not None:
        # The test is only meaningful if PyTorch does what the scenario means to exercise.
        assert theirs == expect, f"PyTorch: {theirs}: {ref}"
    ours, got = outcome(tg, scenario)
    assert ours == theirs, (
        f"PyTorch: {theirs} ({ref if theirs == 'raise' else 'values'}), ours: {ours} ({got})"
    )
    if theirs == "ok":
        assert len(got) == len(ref)
        for i, (a, b) in enumerate(zip(got, ref)):
            if b is None or a is None:
                assert a is None and b is None, f"result {i}: ours {a}, PyTorch {b}"
                continue
            assert a.shape == b.shape, f"result {i}: shape {a.shape} vs PyTorch {b.shape}"
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"result {i}")
    return ours, got


# ============================================================ saved values modified in place


def input_of_mul_written(lib):
    w, x = param(lib, W), lib.tensor(X)
    loss = (w * x).sum()
    x += 1
    loss.backward()
    return w.grad


def input_of_mul_setitem(lib):
    w, x = param(lib, W), lib.tensor(X)
    loss = (w * x).sum()
    x[0] = 7.0
    loss.backward()
    return w.grad


def param_of_square_written_no_grad(lib):
    w = param(lib, W)
    loss = (w * w).sum()
    with lib.no_grad():
        w -= 10
    loss.backward()
    return w.grad


def param_written_through_detach(lib):
    w = param(lib, W)
    loss = (w * w).sum()
    v = w.detach()
    v += 100
    loss.backward()
    return w.grad


def detached_operand_written(lib):
    # x * x.detach(): the detached operand shares x's memory and version.
    x = param(lib, X)
    d = x.detach()
    loss = (x * d).sum()
    d += 1
    loss.backward()
    return x.grad


def _step_between_forward_and_backward(lib, make_opt):
    w = param(lib, W)
    x = lib.tensor(X)
    opt = make_opt(lib, [w])
    (w * w * x).sum().backward()  # a first gradient, so the step changes w
    loss = (w * w * x).sum()
    opt.step()
    loss.backward()
    return w.grad, w


def sgd_step_between_forward_and_backward(lib):
    return _step_between_forward_and_backward(lib, lambda lib, ps: lib.optim.SGD(ps, lr=0.1))


def adam_step_between_forward_and_backward(lib):
    return _step_between_forward_and_backward(lib, lambda lib, ps: lib.optim.Adam(ps, lr=0.1))


def second_backward_after_retain_and_step(lib):
    w = param(lib, W)
    opt = lib.optim.SGD([w], lr=0.1)
    loss = (w.exp() * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    loss.backward()
    return w.grad


def init_normal_in_live_graph(lib):
    w = param(lib, W)
    loss = (w * w).sum()
    lib.nn.init.normal_(w)
    loss.backward()
    return w.grad


def index_tensor_written(lib):
    x = param(lib, X)
    idx = lib.tensor([0, 2])
    y = x[idx]
    idx[0] = 1
    (y * lib.tensor([2.0, 3.0])).sum().backward()
    return x.grad


def where_mask_written(lib):
    x = param(lib, X)
    mask = x.detach() > 0
    y = lib.where(mask, x * 2, x * 3)
    with lib.no_grad():
        mask[1] = True
    y.sum().backward()
    return x.grad


def _saved_output_written(op):
    def scenario(lib):
        x = param(lib, X)
        y = op(x)
        y += 1
        (y * lib.tensor(R)).sum().backward()
        return x.grad

    scenario.__name__ = f"{op.__name__}_output_written"
    return scenario


def exp(x):
    return x.exp()


def sigmoid(x):
    return x.sigmoid()


def tanh(x):
    return x.tanh()


def softmax(x):
    return x.softmax(0)


def sigmoid_output_zeroed_through_detach(lib):
    x = param(lib, X)
    y = x.sigmoid()
    y.detach().zero_()
    y.sum().backward()
    return x.grad


def saved_nonleaf_written(lib):
    # z saved h (h * h); writing h afterwards must be caught, though the write is recorded.
    x = param(lib, X)
    h = x * 2
    z = h * h
    h += 1
    (z + h).sum().backward()
    return x.grad


def view_saved_then_base_written(lib):
    x = param(lib, X)
    h = x * 2
    v = h[1:]
    y = v * v
    h += 1
    y.sum().backward()
    return x.grad


def view_of_constant_saved_then_constant_written(lib):
    w, x = param(lib, W), lib.tensor(X)
    loss = (w[:2] * x[0:2]).sum()
    x += 1
    loss.backward()
    return w.grad


def nonleaf_written_after_retained_backward(lib):
    x = param(lib, X)
    h = x * 2
    loss = (h * h).sum()
    loss.backward(retain_graph=True)
    h += 1
    loss.backward()
    return x.grad


def saved_nonleaf_written_under_no_grad(lib):
    x = param(lib, X)
    h = x * 2
    y = h * h
    with lib.no_grad():
        h += 1
    y.sum().backward()
    return x.grad


def exp_output_written_through_transpose(lib):
    x = param(lib, M)
    h = x.exp()
    h.T[0, 1] = 10.0
    h.sum().backward()
    return x.grad


def tanh_output_written_through_view_of_view(lib):
    x = param(lib, M23)
    h = x.tanh()
    v = h[:, 1:][1]
    v += 2
    h.sum().backward()
    return x.grad


MUST_RAISE = [
    input_of_mul_written,
    input_of_mul_setitem,
    param_of_square_written_no_grad,
    param_written_through_detach,
    detached_operand_written,
    sgd_step_between_forward_and_backward,
    adam_step_between_forward_and_backward,
    second_backward_after_retain_and_step,
    init_normal_in_live_graph,
    index_tensor_written,
    where_mask_written,
    _saved_output_written(exp),
    _saved_output_written(sigmoid),
    _saved_output_written(tanh),
    _saved_output_written(softmax),
    sigmoid_output_zeroed_through_detach,
    saved_nonleaf_written,
    view_saved_then_base_written,
    view_of_constant_saved_then_constant_written,
    nonleaf_written_after_retained_backward,
    saved_nonleaf_written_under_no_grad,
    exp_output_written_through_transpose,
    tanh_output_written_through_view_of_view,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", MUST_RAISE, ids=lambda s: s.__name__)
def test_write_to_saved_value_raises_like_torch(f64, scenario):
    _, message = assert_same(f64, scenario, expect="raise")
    assert "modified by an inplace operation" in message


# ---- writes that no op saved: PyTorch computes, and so must we


def input_of_add_written(lib):
    w, x = param(lib, W), lib.tensor(X)
    loss = (w + x).sum()
    x += 1
    loss.backward()
    return w.grad


def param_times_number_written(lib):
    w = param(lib, W)
    loss = (w * 2).sum()
    with lib.no_grad():
        w -= 10
    loss.backward()
    return w.grad, w


def exp_input_written(lib):
    # exp saves its output, not its input
    w = param(lib, W)
    y = w.exp()
    with lib.no_grad():
        w += 1
    (y * lib.tensor(R)).sum().backward()
    return w.grad, y


def step_then_backward_of_linear_loss(lib):
    # the loss is linear in w: nothing saved w, so a step in between is harmless
    w = param(lib, W)
    opt = lib.optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    loss = (w * 3).sum()
    opt.step()
    loss.backward()
    return w.grad, w


def nonleaf_consumer_recorded_before_write(lib):
    x = param(lib, X)
    h = x * 2
    z = h * 3
    h += 1
    (z + h).sum().backward()
    return x.grad, z, h


def softmax_input_written(lib):
    x = param(lib, X)
    h = x * 1.5
    y = h.softmax(0)
    h.mul_(2)
    (y * lib.tensor(R)).sum().backward()
    return x.grad, y, h


def optimizer_loop(lib):
    # the ordinary loop: forward, backward, step, zero_grad, several times
    w = param(lib, W)
    x = lib.tensor(X)
    opt = lib.optim.Adam([w], lr=0.05)
    for _ in range(3):
        opt.zero_grad()
        loss = ((w * x).tanh() * w).sum()
        loss.backward()
        opt.step()
    return w, w.grad


def base_consumer_recorded_before_view_write(lib):
    x = param(lib, X)
    h = x * 2
    z = h * 3
    v = h[0:2]
    v += 1
    (z + h).sum().backward()
    return x.grad, z, h


def nonleaf_written_under_no_grad(lib):
    # the write is not recorded: h keeps its history, and its gradient flows as if h = x * 2
    x = param(lib, X)
    h = x * 2
    y = h * 3
    with lib.no_grad():
        h += 1
    (h * lib.tensor(R) + y).sum().backward()
    return x.grad, h


def nonleaf_view_written_under_no_grad(lib):
    x = param(lib, X)
    h = x * 2
    v = h[1:]
    with lib.no_grad():
        v *= 3
    (h * lib.tensor(R)).sum().backward()
    return x.grad, h


MUST_COMPUTE = [
    input_of_add_written,
    param_times_number_written,
    exp_input_written,
    step_then_backward_of_linear_loss,
    nonleaf_consumer_recorded_before_write,
    softmax_input_written,
    optimizer_loop,
    base_consumer_recorded_before_view_write,
    nonleaf_written_under_no_grad,
    nonleaf_view_written_under_no_grad,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", MUST_COMPUTE, ids=lambda s: s.__name__)
def test_write_to_unsaved_value_computes_like_torch(f64, scenario):
    assert_same(f64, scenario, expect="ok")


# ============================================================ in-place on non-leaves


def _nonleaf(op_name, op):
    def scenario(lib):
        x, w, r = param(lib, X), param(lib, W), param(lib, R)
        h = x * 2
        op(lib, h, x, w, r)
        (h * lib.tensor(W) + h * h).sum().backward()
        return h, x.grad, w.grad, r.grad

    scenario.__name__ = op_name
    return scenario


def _self_iadd(lib, h, x, w, r):
    h += h


def _copy_from_own_detach(lib, h, x, w, r):
    h.copy_(h.detach() * 2)


def _fill_with_0d_tensor(lib, h, x, w, r):
    h.fill_(w.sum())


def _mask_imul(lib, h, x, w, r):
    h[h.detach() > 0] *= 2


def _iadd(lib, h, x, w, r):
    h += r


def _imul(lib, h, x, w, r):
    h *= w


def _idiv(lib, h, x, w, r):
    h /= x


def _isub(lib, h, x, w, r):
    h -= w * r


def _pow(lib, h, x, w, r):
    h.pow_(2)


def _pow_tensor(lib, h, x, w, r):
    h.pow_(lib.tensor([2.0, 3.0, 1.0]))


def _clamp(lib, h, x, w, r):
    h.clamp_(0, 3)


def _zero(lib, h, x, w, r):
    h.zero_()


def _fill(lib, h, x, w, r):
    h.fill_(3)


def _copy(lib, h, x, w, r):
    h.copy_(w * r)


def _sub_alpha(lib, h, x, w, r):
    h.sub_(x, alpha=2)


def _add_alpha(lib, h, x, w, r):
    h.add_(w, alpha=0.5)


def _mul_number(lib, h, x, w, r):
    h.mul_(-1.5)


def _div_tensor(lib, h, x, w, r):
    h.div_(w)


def _chain(lib, h, x, w, r):
    h += r
    h *= w
    h.sub_(x, alpha=0.25)
    h.clamp_(-1, 1)


def _setitem_number(lib, h, x, w, r):
    h[0] = 5


def _setitem_iadd(lib, h, x, w, r):
    h[0] += 1


def _setitem_imul(lib, h, x, w, r):
    h[1] *= x[0]


def _slice_setitem_iadd(lib, h, x, w, r):
    h[0:1] += 1


def _slice_setitem_imul(lib, h, x, w, r):
    h[1:2] *= x[0]


def _setitem_tensor(lib, h, x, w, r):
    h[2] = w[0] * r[1]


def _slice_view_imul(lib, h, x, w, r):
    v = h[0:2]
    v *= 3


def _slice_view_iadd_param(lib, h, x, w, r):
    v = h[1:]
    v += w[:2] * r[1:]


def _advanced_index_setitem(lib, h, x, w, r):
    h[lib.tensor([0, 2])] = w[1:] * 3


def _advanced_index_iadd(lib, h, x, w, r):
    h[lib.tensor([2, 0])] += r[:2]


def _mask_setitem(lib, h, x, w, r):
    h[h.detach() > 0] = 0.0


def _inplace_on_nonleaf_then_write_again_through_view(lib, h, x, w, r):
    h *= w
    v = h[::2]
    v.pow_(2)


NONLEAF_WRITES = [
    _nonleaf("iadd", _iadd),
    _nonleaf("imul", _imul),
    _nonleaf("idiv", _idiv),
    _nonleaf("isub", _isub),
    _nonleaf("pow_", _pow),
    _nonleaf("pow_tensor", _pow_tensor),
    _nonleaf("clamp_", _clamp),
    _nonleaf("zero_", _zero),
    _nonleaf("fill_", _fill),
    _nonleaf("copy_", _copy),
    _nonleaf("sub_alpha", _sub_alpha),
    _nonleaf("add_alpha", _add_alpha),
    _nonleaf("mul_number", _mul_number),
    _nonleaf("div_tensor", _div_tensor),
    _nonleaf("chain", _chain),
    _nonleaf("setitem_number", _setitem_number),
    _nonleaf("setitem_iadd", _setitem_iadd),
    _nonleaf("setitem_imul", _setitem_imul),
    _nonleaf("slice_setitem_iadd", _slice_setitem_iadd),
    _nonleaf("slice_setitem_imul", _slice_setitem_imul),
    _nonleaf("setitem_tensor", _setitem_tensor),
    _nonleaf("slice_view_imul", _slice_view_imul),
    _nonleaf("slice_view_iadd_param", _slice_view_iadd_param),
    _nonleaf("advanced_index_setitem", _advanced_index_setitem),
    _nonleaf("advanced_index_iadd", _advanced_index_iadd),
    _nonleaf("mask_setitem", _mask_setitem),
    _nonleaf("write_then_view_write", _inplace_on_nonleaf_then_write_again_through_view),
    _nonleaf("self_iadd", _self_iadd),
    _nonleaf("copy_from_own_detach", _copy_from_own_detach),
    _nonleaf("fill_with_0d_tensor", _fill_with_0d_tensor),
    _nonleaf("mask_imul", _mask_imul),
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", NONLEAF_WRITES, ids=lambda s: s.__name__)
def test_inplace_on_nonleaf_is_recorded_like_torch(f64, scenario):
    assert_same(f64, scenario, expect="ok")


def zeros_then_slice_assigned(lib):
    w = param(lib, [1.5, -0.5])
    x = lib.zeros(3)
    x[1:] = w * 2
    (x * lib.tensor(X)).sum().backward()
    return x, w.grad


def reshape_view_written(lib):
    x = param(lib, [0.5, -1.25, 2.0, 0.75])
    h = x * 2
    h.view(2, 2)[0] *= 5
    (h * h).sum().backward()
    return h, x.grad


def reshape_method_view_written(lib):
    x = param(lib, [0.5, -1.25, 2.0, 0.75])
    h = x * 2
    h.reshape(2, 2)[1] += x[:2]
    (h * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    return h, x.grad


def other_views_see_the_write(lib):
    x = param(lib, M)
    h = x * 2
    a = h[0]
    b = h[:, 0]
    a *= 3
    (b * lib.tensor([2.0, -1.0])).sum().backward()
    return a, b, h, x.grad


def other_views_and_base_used_after_write(lib):
    x, w = param(lib, M), param(lib, [1.5, -2.0])
    h = x * 2
    row = h[1]
    col = h[:, 1]
    row.mul_(w)
    (col * col).sum().backward(retain_graph=True)
    (h * lib.tensor(M)).sum().backward()
    return h, col, x.grad, w.grad


def transpose_view_written(lib):
    x, r = param(lib, M23), param(lib, [0.5, -2.0])
    h = x * 2
    t = h.transpose(0, 1)
    t[1] += r
    (h * lib.tensor(C23)).sum().backward()
    return h, t, x.grad, r.grad


def T_view_written_then_used(lib):  # noqa: N802
    x = param(lib, M)
    h = x * 2 + 1
    ht = h.T
    h[0, 1] = 10.0
    (ht * lib.tensor(M)).sum().backward()
    return ht, x.grad


def setitem_broadcast_value(lib):
    x, w = param(lib, M23), param(lib, [1.5, -0.5])
    h = x * 2
    h[:, 1:] = w
    (h * lib.tensor(C23)).sum().backward()
    return h, x.grad, w.grad


def setitem_broadcast_scalar_tensor(lib):
    x, s = param(lib, M23), param(lib, 2.5)
    h = x * 2
    h[1] = s
    (h * h).sum().backward()
    return h, x.grad, s.grad


def copy_broadcast_source(lib):
    x, w = param(lib, M23), param(lib, W)
    h = x * 2
    h.copy_(w)
    (h * lib.tensor(C23)).sum().backward()
    return h, x.grad, w.grad


def write_through_view_of_view(lib):
    x = param(lib, M23)
    h = x - 1
    v = h[:, 1:][1]
    v += 2
    (h * lib.tensor(C23)).sum().backward()
    return h, x.grad


def view_chain_transpose_slice_pow(lib):
    x = param(lib, M23)
    h = x + 1
    v = h.transpose(0, 1)[1:]
    v.pow_(3)
    (h * lib.tensor(C23)).sum().backward()
    return h, x.grad


def write_to_leaf_without_grad_with_grad_operand(lib):
    w = param(lib, W)
    buf = lib.zeros(3)
    buf += w * 2
    buf *= w
    (buf * lib.tensor(R)).sum().backward()
    return buf, w.grad


def inplace_then_retain_graph_twice(lib):
    x = param(lib, X)
    h = x * x
    h += x
    loss = (h * lib.tensor(R)).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return x.grad


def view_of_plain_leaf_written_with_grad_operand(lib):
    w = param(lib, W)
    buf = lib.zeros(2, 3)
    v = buf[0]
    v += w
    (buf * lib.tensor(C23)).sum().backward()
    return buf, v, w.grad


def two_views_written(lib):
    x = param(lib, M)
    h = x * 2
    a = h[0]
    b = h[:, 1]
    a *= 3
    b += x[0]
    (h * h).sum().backward()
    return h, a, b, x.grad


def view_taken_after_write_then_written(lib):
    x = param(lib, M)
    h = x * 2
    h += 1
    v = h[1]
    v *= x[0]
    (h * lib.tensor(M)).sum().backward()
    return h, x.grad


def nested_views_all_alive(lib):
    x = param(lib, M23)
    h = x * 2
    a = h[1]
    b = a[1:]
    c = h.T
    b *= 2
    a += 1
    (c * c).sum().backward()
    return h, a, b, c, x.grad


def unsqueeze_view_written(lib):
    x = param(lib, X)
    h = x * 2
    u = h.unsqueeze(0)
    u *= 2
    (h * h).sum().backward()
    return h, x.grad


def flatten_view_written(lib):
    x = param(lib, M)
    h = x * 2
    u = h.flatten()
    u[1:3] += 1
    (h * h).sum().backward()
    return h, x.grad


def permute_view_written(lib):
    x = param(lib, [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])
    h = x * 2
    p = h.permute(2, 0, 1)
    p[1] *= -1
    (h * h).sum().backward()
    return h, x.grad


def gradients_accumulate_over_inplace_graphs(lib):
    x = param(lib, X)
    for _ in range(2):
        h = x * 2
        h.mul_(x)
        h[0:1] += x[1:2]
        h.sum().backward()
    return x.grad


VIEW_WRITES = [
    zeros_then_slice_assigned,
    reshape_view_written,
    reshape_method_view_written,
    other_views_see_the_write,
    other_views_and_base_used_after_write,
    transpose_view_written,
    T_view_written_then_used,
    setitem_broadcast_value,
    setitem_broadcast_scalar_tensor,
    copy_broadcast_source,
    write_through_view_of_view,
    view_chain_transpose_slice_pow,
    write_to_leaf_without_grad_with_grad_operand,
    inplace_then_retain_graph_twice,
    view_of_plain_leaf_written_with_grad_operand,
    two_views_written,
    view_taken_after_write_then_written,
    nested_views_all_alive,
    unsqueeze_view_written,
    flatten_view_written,
    permute_view_written,
    gradients_accumulate_over_inplace_graphs,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", VIEW_WRITES, ids=lambda s: s.__name__)
def test_write_through_views_like_torch(f64, scenario):
    assert_same(f64, scenario, expect="ok")


def write_through_expanded_view(lib):
    x = param(lib, X)
    h = x * 2
    e = h.expand(2, 3)
    e += 1
    return h


def backward_twice_after_inplace(lib):
    x = param(lib, X)
    h = x * 2
    h += 1
    loss = (h * h).sum()
    loss.backward()
    loss.backward()
    return x.grad


def view_made_under_no_grad_written_with_grad_operand(lib):
    x = param(lib, X)
    h = x * 2
    with lib.no_grad():
        v = h[0:2]
    v += param(lib, [1.0, 2.0])
    (h * h).sum().backward()
    return x.grad, h


@pytest.mark.torch
@pytest.mark.parametrize(
    ("scenario", "words"),
    [
        (write_through_expanded_view, "memory location"),
        (backward_twice_after_inplace, "second time"),
        (view_made_under_no_grad_written_with_grad_operand, "created in no_grad mode"),
    ],
    ids=lambda s: getattr(s, "__name__", ""),
)
def test_other_inplace_errors_like_torch(f64, scenario, words):
    _, message = assert_same(f64, scenario, expect="raise")
    assert words in message


# ---- known differences (mostly which values an op saves for backward) and known bugs


def _difference(scenario, torch_does, reason, bug=False):
    scenario.torch_does = torch_does
    kind = "package bug" if bug else "difference from PyTorch"
    return pytest.param(
        scenario,
        marks=pytest.mark.xfail(strict=True, reason=f"{kind}: {reason}"),
        id=scenario.__name__,
    )


def param_of_mul_by_constant_tensor_written(lib):
    # PyTorch's Mul saves w only if the other factor needs a gradient
    w, x = param(lib, W), lib.tensor(X)
    loss = (w * x).sum()
    with lib.no_grad():
        w -= 10
    loss.backward()
    return w.grad


def weight_of_matmul_with_constant_input_stepped(lib):
    # an optimizer step between forward and backward of a linear model on data
    w, x = param(lib, M), lib.tensor(M)
    opt = lib.optim.SGD([w], lr=0.1)
    (x @ w).sum().backward()
    loss = (x @ w).sum()
    opt.step()
    loss.backward()
    return w.grad, w


def relu_input_written(lib):
    x = param(lib, X)
    h = x * 2
    y = h.relu()
    h += 1
    y.sum().backward()
    return x.grad


def relu_output_written(lib):
    x = param(lib, X)
    y = x.relu()
    y += 1
    y.sum().backward()
    return x.grad


def dividend_written(lib):
    a, b = lib.tensor(X), param(lib, W)
    y = a / b
    a += 1
    y.sum().backward()
    return b.grad


def pow_number_base_output_written(lib):
    x = param(lib, X)
    y = 2**x
    y += 1
    y.sum().backward()
    return x.grad


def max_input_zeroed(lib):
    x = param(lib, X)
    h = x * 2
    m = h.max()
    h.zero_()
    m.backward()
    return x.grad


def self_imul(lib):
    x = param(lib, X)
    h = x * 2
    h *= h
    (h * lib.tensor(R)).sum().backward()
    return x.grad, h


def overlapping_view_operand(lib):
    x = param(lib, X)
    h = x * 2
    h[1:] += h[:2]
    (h * lib.tensor(R)).sum().backward()
    return x.grad, h


def view_made_under_no_grad_written_with_number(lib):
    x = param(lib, X)
    h = x * 2
    with lib.no_grad():
        v = h[0:2]
    v *= 2
    (h * h).sum().backward()
    return x.grad, h


def param_view_made_under_no_grad_written_with_grad_on(lib):
    w = param(lib, W)
    with lib.no_grad():
        v = w[0:2]
    v += 1
    return w


def second_backward_through_nodes_that_saved_nothing(lib):
    x = param(lib, X)
    loss = (x + 1).sum()
    loss.backward()
    loss.backward()
    return x.grad


def plain_tensor_consumed_then_given_history(lib):
    w = param(lib, [1.0, 2.0, 3.0])
    c = lib.tensor([0.5, 0.5, 0.5])
    y = w + c  # records c, which needs no gradient
    c += w  # c now has history: c = c_old + w
    (y.sum() + c.sum()).backward()
    return w.grad, c


def plain_buffer_consumed_then_setitem_with_history(lib):
    w = param(lib, [1.0, 2.0, 3.0])
    buf = lib.zeros(3)
    y = w * 2 + buf
    buf[1:] = w[1:] * 3
    (y.sum() + buf.sum()).backward()
    return w.grad, buf


def plain_buffer_consumed_then_view_written_with_history(lib):
    w = param(lib, [1.0, 2.0, 3.0])
    buf = lib.zeros(3)
    y = w * 2 + buf
    v = buf[1:]
    v += w[1:]
    (y.sum() + (v * v).sum()).backward()
    return w.grad, buf


DIFFERENCES = [
    _difference(
        relu_input_written,
        "ok",
        "Relu saves its input (PyTorch: its output), so writing the input raises",
    ),
    _difference(
        relu_output_written,
        "raise",
        "Relu saves its input, so writing its output is allowed (the gradient is right)",
    ),
    _difference(
        dividend_written,
        "raise",
        "Div saves b and the quotient (PyTorch: a and b), so writing a is allowed (the "
        "gradient is right)",
    ),
    _difference(
        pow_number_base_output_written,
        "raise",
        "2 ** x saves x (PyTorch: the output), so writing the output is allowed (the gradient is "
        "right)",
    ),
    _difference(
        max_input_zeroed,
        "raise",
        "max saves a mask (PyTorch: input and result), so writing the input is allowed (the "
        "gradient is right)",
    ),
    _difference(
        self_imul,
        "raise",
        "h *= h computes old * old out of place and keeps a copy of old: PyTorch raises on "
        "backward, ours gives the right gradient 8 x r",
    ),
    _difference(
        overlapping_view_operand,
        "raise",
        "h[1:] += h[:2] (overlapping memory): PyTorch refuses the write; ours computes the "
        "out-of-place result and its right gradient",
    ),
    _difference(
        view_made_under_no_grad_written_with_number,
        "raise",
        "a view made under no_grad and written with grad mode on is written as if under "
        "no_grad; PyTorch forbids it as ambiguous",
    ),
    _difference(
        param_view_made_under_no_grad_written_with_grad_on,
        "raise",
        "a view of a parameter made under no_grad can be written with grad mode on (unrecorded, "
        "the version ticks); PyTorch forbids it",
    ),
    _difference(
        second_backward_through_nodes_that_saved_nothing,
        "ok",
        "backward frees every node, so a second backward without retain_graph raises even when "
        "no node saved a tensor; PyTorch raises only when it needs a freed saved tensor",
    ),
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", DIFFERENCES)
def test_known_differences_from_torch(f64, scenario):
    assert_same(f64, scenario)


@pytest.mark.torch
@pytest.mark.parametrize("scenario", [p.values[0] for p in DIFFERENCES], ids=lambda s: s.__name__)
def test_what_torch_does_in_the_known_differences(f64, scenario):
    assert outcome(f64, scenario)[0] == scenario.torch_does


def test_differences_where_we_compute_give_right_gradients():
    tg.set_default_dtype(np.float64)
    x, w, r = np.array(X), np.array(W), np.array(R)
    (g,) = outcome(tg, relu_output_written)[1]
    np.testing.assert_array_equal(g, x > 0)
    (g,) = outcome(tg, dividend_written)[1]
    np.testing.assert_allclose(g, -x / w**2, rtol=RTOL)
    (g,) = outcome(tg, pow_number_base_output_written)[1]
    np.testing.assert_allclose(g, np.log(2) * 2**x, rtol=RTOL)
    (g,) = outcome(tg, max_input_zeroed)[1]
    np.testing.assert_array_equal(g, [0, 0, 2])
    g, h = outcome(tg, self_imul)[1]
    np.testing.assert_allclose(h, 4 * x**2, rtol=RTOL)
    np.testing.assert_allclose(g, 8 * x * r, rtol=RTOL)
    g, h = outcome(tg, overlapping_view_operand)[1]
    np.testing.assert_allclose(h, [2 * x[0], 2 * x[1] + 2 * x[0], 2 * x[2] + 2 * x[1]])
    np.testing.assert_allclose(g, [2 * r[0] + 2 * r[1], 2 * r[1] + 2 * r[2], 2 * r[2]])


def test_tensor_consumed_without_grad_then_given_history():
    # an op that consumed c as a constant must not see the history c gets later (this once
    # dropped the gradient through c's new history: w.grad was [1, 1, 1])
    w = tg.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    c = tg.tensor([0.5, 0.5, 0.5], dtype=np.float64)
    y = w + c
    c += w
    (y.sum() + c.sum()).backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0, 2.0])


def test_view_made_under_no_grad_written_with_grad_operand():
    x = tg.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    h = x * 2
    with tg.no_grad():
        v = h[0:2]
    # the view's history is unknown, so a recorded write refuses, as in PyTorch (it once
    # dropped the gradient of the view's old values: x.grad [0, 0, 24] instead of 4 h)
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        v += tg.tensor([1.0, 1.0], dtype=np.float64, requires_grad=True)
    np.testing.assert_array_equal(h.numpy(), [2.0, 4.0, 6.0])
    with tg.no_grad():
        v += 1  # written under no_grad, as the view was made: allowed
    np.testing.assert_array_equal(h.numpy(), [3.0, 5.0, 6.0])


def test_write_through_zero_dim_view_backward():
    # h[0] += 1 is v = h[0]; v += 1; h[0] = v: the backward of the write through the 0-d view
    # once indexed a NumPy scalar (TypeError)
    x = tg.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    h = x * 2
    v = h[0]
    v += 1
    np.testing.assert_array_equal(h.numpy(), [3.0, 4.0, 6.0])
    (h * h).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [12.0, 16.0, 24.0])


# ============================================================ leaves


def _leaf_write(op):
    def scenario(lib):
        w = param(lib, W)
        op(lib, w)
        return w

    scenario.__name__ = op.__name__
    return scenario


def leaf_iadd(lib, w):
    w += 1


def leaf_mul_(lib, w):
    w.mul_(2)


def leaf_setitem(lib, w):
    w[0] = 1.0


def leaf_zero_(lib, w):
    w.zero_()


def leaf_copy_(lib, w):
    w.copy_(lib.tensor(R))


def leaf_slice_view_iadd(lib, w):
    v = w[0:2]
    v += 1


def leaf_reshape_view_imul(lib, w):
    w.view(3, 1)[1] *= 2


def leaf_transpose_view_write(lib, w):
    w.view(3, 1).T[0, 1:] += 1


LEAF_WRITES = [
    leaf_iadd,
    leaf_mul_,
    leaf_setitem,
    leaf_zero_,
    leaf_copy_,
    leaf_slice_view_iadd,
    leaf_reshape_view_imul,
    leaf_transpose_view_write,
]


@pytest.mark.torch
@pytest.mark.parametrize("op", LEAF_WRITES, ids=lambda s: s.__name__)
def test_write_to_leaf_requiring_grad_raises_like_torch(f64, op):
    _, message = assert_same(f64, _leaf_write(op), expect="raise")
    assert "leaf" in message


@pytest.mark.torch
@pytest.mark.parametrize("op", LEAF_WRITES, ids=lambda s: s.__name__)
def test_write_to_leaf_under_no_grad_is_allowed_like_torch(f64, op):
    def scenario(lib):
        w = param(lib, W)
        with lib.no_grad():
            op(lib, w)
        assert w.requires_grad and w.is_leaf and w.grad_fn is None
        return w

    _, (w,) = assert_same(f64, scenario, expect="ok")
    assert not np.array_equal(w, W)


@pytest.mark.torch
def test_leaf_written_under_no_grad_still_trains_like_torch(f64):
    def scenario(lib):
        w = param(lib, W)
        with lib.no_grad():
            w[1:] *= 2
            w.add_(lib.tensor(R), alpha=-0.5)
        (w * w * lib.tensor(X)).sum().backward()
        return w, w.grad

    assert_same(f64, scenario, expect="ok")


@pytest.mark.torch
def test_version_counts_writes_and_is_shared_like_torch(f64):
    def scenario(lib):
        t = lib.zeros(2, 3)
        seen = [t._version]
        t += 1
        seen.append(t._version)
        t.mul_(2)
        seen.append(t._version)
        t[0] = 5.0
        seen.append(t._version)
        row = t[1]
        row += 1
        seen += [t._version, row._version]
        d = t.detach()
        d.zero_()
        seen += [t._version, d._version, row._version]
        tt = t.transpose(0, 1)
        tt[0, 0] = 3.0
        seen += [t._version, tt._version, d._version]
        t.view(6)[2:] = 4.0
        seen += [t._version, row._version]
        t[lib.tensor([0, 1]), lib.tensor([2, 0])] = 8.0
        seen.append(t._version)
        out_of_place = t * 2
        seen += [t._version, out_of_place._version]
        return lib.tensor(seen), t

    _, (versions, _t) = assert_same(f64, scenario, expect="ok", atol=0)
    assert versions.tolist() == [0, 1, 2, 3, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 8, 8, 0]


@pytest.mark.torch
def test_version_of_param_counts_optimizer_steps_like_torch(f64):
    def scenario(lib):
        w = param(lib, W)
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        seen = []
        for _ in range(3):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
            seen.append(w._version)
        return lib.tensor(seen), w

    _, (versions, _w) = assert_same(f64, scenario, expect="ok")
    assert versions.tolist() == [1, 2, 3]


# ---- .data shares the version counter in tinygrad_lite (by design; PyTorch's .data does not)


def test_data_shares_memory_and_version():
    w = tg.tensor(W, dtype=np.float64, requires_grad=True)
    d = w.data
    assert not d.requires_grad and d.grad_fn is None
    d.mul_(2)
    np.testing.assert_array_equal(w.numpy(), 2 * np.array(W))
    assert w._version == d._version == 1


def test_data_sharing_the_version_is_documented():
    assert "version" in tg.Tensor.data.__doc__ and "unlike PyTorch" in tg.Tensor.data.__doc__


def test_data_method_write_makes_backward_raise():
    w = tg.tensor(W, dtype=np.float64, requires_grad=True)
    loss = (w * w).sum()
    w.data.sub_(0.5)  # allowed even with grad mode on: .data does not require grad
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_data_write_not_saved_by_graph_is_harmless():
    w = tg.tensor(W, dtype=np.float64, requires_grad=True)
    loss = (w * 3).sum()
    w.data.add_(1.0)
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0, 3.0])


@pytest.mark.parametrize("grad_mode", [True, False], ids=["grad_on", "no_grad"])
def test_data_augmented_assignment_makes_backward_raise(grad_mode):
    # w.data -= v writes in place, then assigns the same memory back through the .data setter,
    # which must not give w a fresh version counter
    w = tg.tensor(W, dtype=np.float64, requires_grad=True)
    loss = (w * w).sum()
    with tg.enable_grad() if grad_mode else tg.no_grad():
        w.data -= 0.5
    assert w._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# ============================================================ second order


@pytest.mark.torch
def test_grad_of_x_times_detached_x_has_no_history_like_torch(f64):
    def scenario(lib):
        x = param(lib, X)
        (g,) = autograd_grad(lib, (x * x.detach()).sum(), x, create_graph=True)
        assert not g.requires_grad
        return g

    _, (g,) = assert_same(f64, scenario, expect="ok")
    np.testing.assert_array_equal(g, X)

    def second(lib):
        x = param(lib, X)
        (g,) = autograd_grad(lib, (x * x.detach()).sum(), x, create_graph=True)
        return autograd_grad(lib, g.sum(), x)

    # d2/dx2 sum(x * x.detach()) does not exist as a graph: both refuse it
    assert_same(f64, second, expect="raise")


@pytest.mark.torch
def test_second_derivative_through_detached_factor_like_torch(f64):
    def scenario(lib):
        x = param(lib, X)
        (g,) = autograd_grad(lib, (x * x * x.detach()).sum(), x, create_graph=True)
        (gg,) = autograd_grad(lib, (g * lib.tensor(R)).sum(), x)
        return g, gg

    _, (g, gg) = assert_same(f64, scenario, expect="ok")
    np.testing.assert_allclose(gg, 2 * np.array(X) * np.array(R), rtol=RTOL)


def _inplace_program(lib, x, w):
    h = x * w
    h += x.tanh()
    h[0:1] *= w[1]
    v = h[1:]
    v.mul_(x[:2])
    h = h.view(3, 1).T
    h.pow_(2)
    return (h * lib.tensor(R)).sum() + (h.exp() * x).sum()


@pytest.mark.torch
def test_second_order_through_inplace_ops_like_torch(f64):
    def scenario(lib):
        x, w = param(lib, X), param(lib, W)
        gx, gw = autograd_grad(lib, _inplace_program(lib, x, w), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw * lib.tensor(R)).sum()).backward()
        return gx, gw, x.grad, w.grad

    # the exp of squared values makes the numbers larger; still only tens of float64 ops
    assert_same(f64, scenario, expect="ok", rtol=1e-11)


def test_gradcheck_and_gradgradcheck_through_inplace_ops():
    x = tg.tensor([0.3, -0.4, 0.5], dtype=np.float64, requires_grad=True)
    w = tg.tensor([0.6, 0.2, -0.7], dtype=np.float64, requires_grad=True)
    assert tg.gradcheck(lambda a, b: _inplace_program(tg, a, b), (x, w))
    assert tg.gradgradcheck(lambda a, b: _inplace_program(tg, a, b), (x, w))


def _setitem_program(x, w):
    h = x * x.exp()
    h[1:] = w[:2] * x[0]
    t = h.reshape(3, 1).transpose(0, 1)
    t[0, 2:] += w[2] * w[0]
    h.clamp_(-2, 2)
    return h * w


def test_gradcheck_and_gradgradcheck_through_setitem_and_views():
    x = tg.tensor([0.3, -0.4, 0.5], dtype=np.float64, requires_grad=True)
    w = tg.tensor([0.6, 0.2, -0.7], dtype=np.float64, requires_grad=True)
    assert tg.gradcheck(_setitem_program, (x, w))
    assert tg.gradgradcheck(_setitem_program, (x, w))


# ============================================================ dtype and shape rules


def int_iadd_float(lib):
    a = lib.tensor([1, 2, 3])
    a += 1.5
    return a


def int_idiv(lib):
    a = lib.tensor([1, 2, 3])
    a /= 2
    return a


def int_iadd_float_tensor(lib):
    a = lib.tensor([1, 2, 3])
    a += lib.tensor([0.5, 0.5, 0.5])
    return a


def int_setitem_float_is_cast(lib):
    a = lib.tensor([1, 2, 3])
    a[0] = 7.9
    a *= 2
    return a


def float_iadd_int(lib):
    a = lib.tensor(X)
    a += lib.tensor([1, 2, 3])
    return a


def result_does_not_fit(lib):
    a = lib.tensor(X)
    a += lib.ones(2, 3)
    return a


def result_does_not_fit_recorded(lib):
    a = param(lib, X) * 1
    a.mul_(lib.ones(2, 3))
    return a


def result_broadcasts_into_place(lib):
    a = lib.zeros(2, 3)
    a += lib.tensor(X)
    return a


DTYPE_SHAPE = [
    (int_iadd_float, "raise"),
    (int_idiv, "raise"),
    (int_iadd_float_tensor, "raise"),
    (int_setitem_float_is_cast, "ok"),
    (float_iadd_int, "ok"),
    (result_does_not_fit, "raise"),
    (result_does_not_fit_recorded, "raise"),
    (result_broadcasts_into_place, "ok"),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("scenario", "expect"), DTYPE_SHAPE, ids=[s.__name__ for s, _ in DTYPE_SHAPE]
)
def test_inplace_dtype_and_shape_rules_like_torch(f64, scenario, expect):
    _, result = assert_same(f64, scenario, expect=expect, atol=0)
    if expect == "ok":
        assert result[0].dtype == to_numpy(scenario(f64)).dtype


SAVED_FOR_ONE_GRADIENT = [
    param_of_mul_by_constant_tensor_written,
    weight_of_matmul_with_constant_input_stepped,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", SAVED_FOR_ONE_GRADIENT, ids=lambda s: s.__name__)
def test_write_to_an_operand_no_gradient_reads_like_torch(f64, scenario):
    # Mul/MatMul save both operands but read w only for x's gradient, which is not needed
    assert_same(f64, scenario, expect="ok")


HISTORY_GIVEN_LATER = [
    plain_tensor_consumed_then_given_history,
    plain_buffer_consumed_then_setitem_with_history,
    plain_buffer_consumed_then_view_written_with_history,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", HISTORY_GIVEN_LATER, ids=lambda s: s.__name__)
def test_history_given_after_a_constant_use_like_torch(f64, scenario):
    assert_same(f64, scenario, expect="ok")
