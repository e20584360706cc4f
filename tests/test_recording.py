"""Every recording path (``apply1``, ``apply2``, ``applyn``, ``Function.apply``) builds the same
node: the inlined copies of the recording tail in the two hot paths must not drift from it."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import function, ops
from tinygrad_lite.function import apply1, apply2, applyn

FIELDS = ("inputs", "needs_input_grad", "_epoch", "_out_pos", "_out_version", "_watch")


def _node_fields(t):
    fn = t.grad_fn
    return {k: getattr(fn, k) for k in FIELDS}, type(fn), t.requires_grad


PATHS = {
    "exp (saves its output)": lambda x, y: (
        apply1(ops.Exp, x),
        applyn(ops.Exp, (x,)),
        ops.Exp.apply(x),
    ),
    "mul (saves its inputs)": lambda x, y: (
        apply2(ops.Mul, x, y),
        applyn(ops.Mul, (x, y)),
        ops.Mul.apply(x, y),
    ),
    "div (saves the output second)": lambda x, y: (
        apply2(ops.Div, x, y),
        applyn(ops.Div, (x, y)),
        ops.Div.apply(x, y),
    ),
    "add (saves nothing)": lambda x, y: (
        apply2(ops.Add, x, y),
        applyn(ops.Add, (x, y)),
        ops.Add.apply(x, y),
    ),
}


@pytest.mark.parametrize("name", PATHS)
def test_every_path_builds_the_same_node(name):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.tensor([3.0, 4.0])
    with tg.no_grad():
        y += 1  # tick the write clock, so _epoch is not trivially 0
    results = PATHS[name](x, y)
    first = _node_fields(results[0])
    for other in results[1:]:
        assert _node_fields(other)[1:] == first[1:]
        fields = _node_fields(other)[0]
        for key in FIELDS:
            a, b = fields[key], first[0][key]
            assert a == b if not isinstance(a, tuple) else all(p is q for p, q in zip(a, b))
    assert first[0]["_epoch"] == function._writes
    np.testing.assert_array_equal(results[0].numpy(), results[-1].numpy())


def test_saved_output_is_found_without_a_flag():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert x.exp().grad_fn._out_pos == 0
    assert (x / 2).grad_fn._out_pos == 1
    assert (x * 2).grad_fn._out_pos == -1
