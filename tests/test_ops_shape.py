"""Table-driven tests of the shape ops: reshape/view, flatten, squeeze, unsqueeze, transpose,
permute, expand, broadcast_to, .T, tg.cat/tg.concatenate and tg.stack."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import SHAPES, Case, Row, make_tests, selection_grad

import tinygrad_lite as tg

# --------------------------------------------------------------------------- strategies


@st.composite
def reshape_cases(draw):
    """A target shape of the same size, possibly with one -1, as varargs or one tuple."""
    shape = draw(SHAPES)
    rest, dims = int(np.prod(shape, dtype=np.int64)), []
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        dims.append(d)
        rest //= d
    dims = list(draw(st.permutations([*dims, rest])))
    if draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return Case((shape,), {"shape": tuple(dims), "varargs": draw(st.booleans())})


@st.composite
def flatten_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    nd = len(shape)
    if nd == 0:
        return Case((shape,), {"start": 0, "end": -1, "form": "default"})
    start = draw(st.integers(0, nd - 1))
    end = draw(st.integers(start, nd - 1))
    start -= nd * draw(st.booleans())
    end -= nd * draw(st.booleans())
    return Case(
        (shape,),
        {
            "start": start,
            "end": end,
            "form": draw(st.sampled_from(["default", "keyword", "positional"])),
        },
    )


def _flatten_ref(x, start, end, form, **_):
    if x.ndim == 0:
        return x.reshape(1)
    if form == "default":
        start, end = 0, -1
    s, e = start % x.ndim, end % x.ndim
    return x.reshape(x.shape[:s] + (-1,) + x.shape[e + 1 :])


def _flatten(x, start, end, form):
    if form == "keyword":
        return x.flatten(start_dim=start, end_dim=end)
    return x.flatten(start, end) if form == "positional" else x.flatten()


@st.composite
def squeeze_cases(draw):
    """Shapes rich in 1s; ``dim`` None or any int (a non-1 dim is left alone, like torch)."""
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=0, max_size=4)))
    nd = len(shape)
    dim = draw(st.one_of(st.none(), st.integers(-nd, nd - 1))) if nd else None
    return Case((shape,), {"dim": dim})


def _squeeze_ref(x, dim):
    if dim is None:
        return np.squeeze(x)
    return np.squeeze(x, axis=dim) if x.shape[dim] == 1 else x


@st.composite
def unsqueeze_cases(draw):
    shape = draw(SHAPES)
    return Case((shape,), {"dim": draw(st.integers(-len(shape) - 1, len(shape)))})


@st.composite
def transpose_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    nd = len(shape)
    return Case(
        (shape,), {"d0": draw(st.integers(-nd, nd - 1)), "d1": draw(st.integers(-nd, nd - 1))}
    )


@st.composite
def permute_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    nd = len(shape)
    dims = tuple(d - nd * draw(st.booleans()) for d in draw(st.permutations(range(nd))))
    return Case((shape,), {"dims": dims, "varargs": draw(st.booleans())})


@st.composite
def expand_cases(draw, allow_minus_one: bool = True):
    """A shape with some 1s and a target that grows the 1s and adds leading axes.

    With ``allow_minus_one`` a kept size may be written as -1 (``expand`` only).
    """
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=0, max_size=3)))
    target = []
    for n in shape:
        if n == 1:
            target.append(draw(st.integers(1, 3)))
        else:
            target.append(-1 if allow_minus_one and draw(st.booleans()) else n)
    lead = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    return Case((shape,), {"shape": tuple(lead + target), "varargs": draw(st.booleans())})


def _expand_ref(x, shape, **_):
    lead = len(shape) - x.ndim
    full = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    return np.broadcast_to(x, full)


@st.composite
def cat_cases(draw):
    """1 to 3 tensors that agree except along ``axis``."""
    base = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    nd = len(base)
    axis = draw(st.integers(-nd, nd - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shapes = tuple(tuple(s if i == axis % nd else n for i, n in enumerate(base)) for s in sizes)
    return Case(shapes, {"axis": axis, "name": draw(st.sampled_from(["cat", "concatenate"]))})


@st.composite
def stack_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    nd = len(shape)
    n = draw(st.integers(1, 3))
    return Case((shape,) * n, {"axis": draw(st.integers(-nd - 1, nd))})


# --------------------------------------------------------------------------- rows


def _row(name, fn, ref, torch, cases):
    return Row(name, fn, ref, torch, cases, grad=selection_grad(ref))


def _reshape_ref(x, shape, **_):
    return np.reshape(x, shape)


SHAPE_ROWS = [
    _row(
        "reshape",
        lambda x, shape, varargs: x.reshape(*shape) if varargs else x.reshape(shape),
        _reshape_ref,
        lambda th, x, shape, **_: x.reshape(shape),
        reshape_cases(),
    ),
    _row(
        "view",
        lambda x, shape, varargs: x.view(*shape) if varargs else x.view(shape),
        _reshape_ref,
        lambda th, x, shape, **_: x.reshape(shape),
        reshape_cases(),
    ),
    _row(
        "flatten",
        _flatten,
        _flatten_ref,
        lambda th, x, start, end, form: th.flatten(x, *(() if form == "default" else (start, end))),
        flatten_cases(),
    ),
    _row(
        "squeeze",
        lambda x, dim: x.squeeze() if dim is None else x.squeeze(dim),
        _squeeze_ref,
        lambda th, x, dim: x.squeeze() if dim is None else x.squeeze(dim),
        squeeze_cases(),
    ),
    _row(
        "unsqueeze",
        lambda x, dim: x.unsqueeze(dim),
        lambda x, dim: np.expand_dims(x, dim),
        lambda th, x, dim: x.unsqueeze(dim),
        unsqueeze_cases(),
    ),
    _row(
        "transpose",
        lambda x, d0, d1: x.transpose(d0, d1),
        lambda x, d0, d1: np.swapaxes(x, d0, d1),
        lambda th, x, d0, d1: x.transpose(d0, d1),
        transpose_cases(),
    ),
    _row(
        "permute",
        lambda x, dims, varargs: x.permute(*dims) if varargs else x.permute(dims),
        lambda x, dims, **_: np.transpose(x, dims),
        lambda th, x, dims, **_: x.permute(dims),
        permute_cases(),
    ),
    _row(
        "expand",
        lambda x, shape, varargs: x.expand(*shape) if varargs else x.expand(shape),
        _expand_ref,
        lambda th, x, shape, **_: x.expand(shape),
        expand_cases(),
    ),
    _row(
        "broadcast_to",
        lambda x, shape, **_: x.broadcast_to(shape),
        _expand_ref,
        lambda th, x, shape, **_: th.broadcast_to(x, shape),
        expand_cases(False),
    ),
    _row(
        "T",
        lambda x: x.T,
        lambda x: x.T,
        lambda th, x: x.permute(tuple(reversed(range(x.ndim)))),
        hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4).map(lambda s: Case((s,))),
    ),
    _row(
        "cat",
        lambda *xs, axis, name: getattr(tg, name)(list(xs), axis),
        lambda *xs, axis, **_: np.concatenate(xs, axis),
        lambda th, *xs, axis, **_: th.cat(xs, axis),
        cat_cases(),
    ),
    _row(
        "stack",
        lambda *xs, axis: tg.stack(list(xs), axis),
        lambda *xs, axis: np.stack(xs, axis),
        lambda th, *xs, axis: th.stack(xs, axis),
        stack_cases(),
    ),
]

test_forward, test_backward, test_vs_torch, test_gradcheck, test_gradgradcheck = make_tests(
    SHAPE_ROWS
)


# --------------------------------------------------------------------------- spelled out by hand

B = np.arange(6.0).reshape(2, 3)


@pytest.mark.parametrize(
    "call,expected",
    [
        (lambda t: t.reshape(3, -1), [[0, 1], [2, 3], [4, 5]]),
        (lambda t: t.reshape((-1,)), [0, 1, 2, 3, 4, 5]),
        (lambda t: t.T, [[0, 3], [1, 4], [2, 5]]),
        (lambda t: t.transpose(0, 1), [[0, 3], [1, 4], [2, 5]]),
        (lambda t: t.unsqueeze(1).shape, (2, 1, 3)),
        (lambda t: t.unsqueeze(-1).shape, (2, 3, 1)),
        (lambda t: t[:1].squeeze(0), [0, 1, 2]),
        (lambda t: t.squeeze(0).shape, (2, 3)),
        (lambda t: t.expand(2, 2, 3).shape, (2, 2, 3)),
        (lambda t: t[:, :1].expand(-1, 2), [[0, 0], [3, 3]]),
        (lambda t: t.flatten(), [0, 1, 2, 3, 4, 5]),
        (lambda t: tg.cat([t, t[:1]], 0).shape, (3, 3)),
        (lambda t: tg.stack([t, t], -1).shape, (2, 3, 2)),
    ],
)
def test_shape_op_values_by_hand(call, expected):
    out = call(tg.Tensor(B))
    got = out if isinstance(out, tuple) else out.numpy()
    np.testing.assert_array_equal(got, expected)


def test_expand_gradient_sums_over_copies():
    t = tg.Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    t.expand(3, 2, 4).backward(tg.Tensor(np.ones((3, 2, 4))))
    np.testing.assert_array_equal(t.grad.numpy(), [[12.0], [12.0]])


def test_cat_gradient_splits():
    a = tg.Tensor(np.zeros((1, 2)), requires_grad=True)
    b = tg.Tensor(np.zeros((2, 2)), requires_grad=True)
    tg.cat([a, b], 0).backward(tg.Tensor(np.arange(6.0).reshape(3, 2)))
    np.testing.assert_array_equal(a.grad.numpy(), [[0.0, 1.0]])
    np.testing.assert_array_equal(b.grad.numpy(), [[2.0, 3.0], [4.0, 5.0]])


# --------------------------------------------------------------------------- errors

A23 = tg.Tensor(np.ones((2, 3)))


@pytest.mark.parametrize(
    "call,error,pattern",
    [
        (lambda: A23.reshape(4, 2), ValueError, r"reshape.*\(2, 3\).*6 elements.*\(4, 2\)"),
        (lambda: A23.view(7), ValueError, r"\(2, 3\).*\(7,\)"),
        (lambda: A23.reshape(-1, -1), ValueError, r"reshape: only one dimension can be -1"),
        (lambda: A23.permute(0, 0), ValueError, r"permute: \(0, 0\) is not a permutation"),
        (lambda: A23.transpose(0, 2), ValueError, r"transpose: axis 2 is out of range"),
        (lambda: A23.squeeze(3), ValueError, r"squeeze: axis 3 is out of range"),
        (lambda: A23.unsqueeze(4), ValueError, r"unsqueeze: dim 4 is out of range"),
        (lambda: A23.flatten(1, 0), ValueError, r"flatten: start_dim 1 comes after end_dim 0"),
        (lambda: A23.expand(3, 3), ValueError, r"expand.*\(2, 3\).*\(3, 3\)"),
        (lambda: A23.broadcast_to((4,)), ValueError, r"broadcast_to.*\(2, 3\).*\(4,\)"),
        (
            lambda: tg.cat([A23, tg.Tensor(np.ones((4, 5)))], 0),
            ValueError,
            r"cat: tensor 1 has shape \(4, 5\).*\(2, 3\)",
        ),
        (lambda: tg.cat([], 0), ValueError, r"cat: expected a non-empty list"),
        (
            lambda: tg.stack([A23, tg.Tensor(np.ones(3))]),
            ValueError,
            r"stack: tensor 1 has shape \(3,\).*\(2, 3\)",
        ),
    ],
    ids=[
        "reshape_size",
        "view_size",
        "reshape_two_minus_one",
        "permute_not_perm",
        "transpose_range",
        "squeeze_range",
        "unsqueeze_range",
        "flatten_order",
        "expand_shape",
        "broadcast_to_shape",
        "cat_shapes",
        "cat_empty",
        "stack_shapes",
    ],
)
def test_shape_op_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
