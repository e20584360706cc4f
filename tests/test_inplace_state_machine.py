"""A hypothesis state machine that builds the same small program in tinygrad_lite and PyTorch.

Every program starts from two parameters, a constant and one tensor with history; then step by
step it makes leaves, non-leaf tensors (mul, add, exp, tanh, sigmoid, clone), views (slice,
reshape, transpose, unsqueeze) and detached tensors, writes in place (``+=``, ``*=``, ``mul_``,
setitem; with and without ``no_grad``), takes SGD steps and calls ``backward`` (retain_graph at
random) on a loss built from live tensors. Both libraries must agree at every step: both raised
a RuntimeError, or both computed the same values; after every backward, the same ``.grad`` for
every parameter; and after every step, the same d(sum of every live tensor)/d(parameters),
computed with ``grad(..., retain_graph=True)`` so the program is left as it was. Each step is
logged with ``note`` as the code it ran, so a failure prints a reproduction.

Left out on purpose (tests/test_inplace.py has each as a comparison marked xfail):
``.data`` writes (tracked by design in tinygrad_lite, not in PyTorch); writes whose operand
shares memory with the target (PyTorch refuses partial overlaps); views made under
``no_grad``; a second backward through a graph freed by a backward without
``retain_graph`` (after such a backward, every tensor with history is retired).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import tinygrad_lite as tg

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

LIBS = (torch, tg)
RTOL = 1e-10
ATOL = 1e-12
SHAPES = [(3,), (2, 3), (2, 2)]
# a few exact binary fractions, and any float in range: both libraries see the same values
VALUES = st.sampled_from([0.5, -1.25, 0.75, 1.5, -0.25]) | st.floats(-1.5, 1.5, width=64)


def make(lib, data, requires_grad=False):
    dtype = torch.float64 if lib is torch else np.float64
    return lib.tensor(data, dtype=dtype, requires_grad=requires_grad)


def to_numpy(t):
    return None if t is None else np.asarray(t.detach().numpy())


def assert_close(ours, theirs, what):
    if theirs is None or ours is None:
        assert ours is None and theirs is None, f"{what}: ours {ours}, PyTorch {theirs}"
        return
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, PyTorch {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


class InplaceMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.t = {torch: {}, tg: {}}  # key -> tensor, one dict per library
        self.storage = {}  # key -> id of the memory it looks into
        self.leaves = []  # keys of the tensors make_leaf made
        self.params = []  # keys of the leaves that require grad
        self.live = []  # keys the rules may use
        self.count = 0

    # ------------------------------------------------------------------ helpers
    def _run(self, code, fn):
        """Run ``fn(lib, tensors)`` in both libraries; both raise a RuntimeError or neither."""
        note(code)
        results = {}
        for lib in LIBS:
            try:
                results[lib] = ("ok", fn(lib, self.t[lib]))
            except (NotImplementedError, RecursionError):
                raise  # RuntimeError subclasses, but never the error PyTorch means
            except RuntimeError as err:
                results[lib] = ("raise", str(err))
        (theirs, ref), (ours, got) = results[torch], results[tg]
        assert ours == theirs, (
            f"{code}: PyTorch {theirs} {ref if theirs == 'raise' else ''} / "
            f"tinygrad_lite {ours} {got if ours == 'raise' else ''}"
        )
        note(f"  -> {ours}" + (f": {ref[:100]}" if ours == "raise" else ""))
        return ours == "ok", results

    def _add(self, results, storage=None):
        key = self.count
        self.count += 1
        for lib in LIBS:
            self.t[lib][key] = results[lib][1]
        self.storage[key] = key if storage is None else storage
        self.live.append(key)
        return key

    def _pick(self, data, keys=None):
        keys = self.live if keys is None else keys
        return data.draw(st.sampled_from(keys))

    def _shape(self, key):
        return tuple(self.t[torch][key].shape)

    def _requires_grad(self, key):
        return self.t[torch][key].requires_grad

    def _operand(self, lib, tensors, key, shape):
        """Tensor ``key`` as an operand for a tensor of ``shape``: as is, or its mean."""
        o = tensors[key]
        return o if tuple(o.shape) == shape else o.mean()

    def _operand_code(self, key, shape):
        return f"t{key}" if self._shape(key) == shape else f"t{key}.mean()"

    # ------------------------------------------------------------------ leaves
    @initialize(data=st.data(), op=st.sampled_from(["mul", "exp", "tanh", "sigmoid"]))
    def start(self, data, op):
        # every program starts from two parameters, a constant and one tensor with history,
        # so most steps build on a graph
        for shape in SHAPES[:2]:
            self.make_leaf(data, shape, True)
        self.make_leaf(data, SHAPES[0], False)
        self.make_nonleaf(data, op)

    # at most four live leaves: the steps go to graphs, views and writes
    @precondition(lambda self: len(set(self.leaves) & set(self.live)) < 4)
    @rule(data=st.data(), shape=st.sampled_from(SHAPES), requires_grad=st.booleans())
    def make_leaf(self, data, shape, requires_grad):
        values = data.draw(arrays(np.float64, shape, elements=VALUES)).tolist()
        key = self.count
        _, results = self._run(
            f"t{key} = tensor({values}, requires_grad={requires_grad})",
            lambda lib, T: make(lib, values, requires_grad),
        )
        self._add(results)
        self.leaves.append(key)
        if requires_grad:
            self.params.append(key)

    # ------------------------------------------------------------------ new tensors
    @precondition(lambda self: self.live)
    @rule(data=st.data(), op=st.sampled_from(["mul", "add", "exp", "tanh", "sigmoid", "clone"]))
    def make_nonleaf(self, data, op):
        a = self._pick(data)
        key = self.count
        if op in ("exp", "tanh", "sigmoid", "clone"):
            code = f"t{key} = t{a}.{op}()"

            def fn(lib, T):
                return getattr(T[a], op)()

        else:
            b = self._pick(data)
            operand = self._operand_code(b, self._shape(a))
            symbol = "*" if op == "mul" else "+"
            code = f"t{key} = t{a} {symbol} {operand}"

            def fn(lib, T):
                o = self._operand(lib, T, b, self._shape(a))
                return T[a] * o if op == "mul" else T[a] + o

        ok, results = self._run(code, fn)
        assert ok
        self._add(results)

    @precondition(lambda self: self.live)
    @rule(data=st.data(), kind=st.sampled_from(["slice", "reshape", "transpose", "detach"]))
    def take_view(self, data, kind):
        a = self._pick(data)
        if kind == "detach":
            ok, results = self._run(f"t{self.count} = t{a}.detach()", lambda lib, T: T[a].detach())
            assert ok
            self._add(results, self.storage[a])
            return
        shape = self._shape(a)
        key = self.count
        if kind == "slice":
            dim = int(np.argmax(shape))
            if shape[dim] < 2:
                return
            index = (slice(None),) * dim + (slice(1, None),)
            code = f"t{key} = t{a}[{', '.join([':'] * dim + ['1:'])}]"

            def fn(lib, T):
                return T[a][index]

        elif kind == "reshape":
            # reshape is a view only of a contiguous tensor; the layout of an op's result
            # (say, of a transposed tensor times another) is the library's business
            if not (self.t[torch][a].is_contiguous() and self.t[tg][a].numpy().flags.c_contiguous):
                return
            new = (-1,) if len(shape) > 1 else (1, -1)
            code = f"t{key} = t{a}.reshape{new}"

            def fn(lib, T):
                return T[a].reshape(*new)

        else:
            if len(shape) == 2:
                code = f"t{key} = t{a}.transpose(0, 1)"

                def fn(lib, T):
                    return T[a].transpose(0, 1)

            else:
                code = f"t{key} = t{a}.unsqueeze(0)"

                def fn(lib, T):
                    return T[a].unsqueeze(0)

        ok, results = self._run(code, fn)
        assert ok
        view_t, src_t = results[torch][1], self.t[torch][a]
        view_g, src_g = results[tg][1], self.t[tg][a]
        shares = view_t.untyped_storage().data_ptr() == src_t.untyped_storage().data_ptr()
        assert np.shares_memory(view_g.numpy(), src_g.numpy()) == shares, code
        self._add(results, self.storage[a] if shares else None)

    # ------------------------------------------------------------------ in-place writes
    WRITES = st.sampled_from(["+=", "*=", "mul_", "setitem"])

    # two rules, so writes are a larger share of the steps
    @precondition(lambda self: self.live)
    @rule(data=st.data(), op=WRITES, use_tensor=st.booleans())
    def write(self, data, op, use_tensor):
        self._write(data, op, use_tensor, no_grad=False)

    @precondition(lambda self: self.live)
    @rule(data=st.data(), op=WRITES, use_tensor=st.booleans())
    def write_under_no_grad(self, data, op, use_tensor):
        self._write(data, op, use_tensor, no_grad=True)

    def _leafy(self, key):
        """Whether ``key`` is a parameter or a view of one (a write with grad on must raise)."""
        t = self.t[torch][key]
        base = t if t._base is None else t._base
        return base.is_leaf and base.requires_grad

    def _write(self, data, op, use_tensor, no_grad):
        # a write with grad on to a parameter (or a view of one) raises in both libraries;
        # tests/test_inplace.py has those, so here they are one write in four
        keys = self.live[::-1]  # the most recent tensors first: they are the ones with history
        if not no_grad:
            leafy = [k for k in keys if self._leafy(k)]
            others = [k for k in keys if not self._leafy(k)]
            keys = leafy if not others or (leafy and data.draw(st.integers(0, 3)) == 0) else others
        target = self._pick(data, keys)
        shape = self._shape(target)
        # an operand that shares memory with the target could overlap it (PyTorch refuses)
        others = [k for k in self.live if self.storage[k] != self.storage[target]]
        others.sort(key=lambda k: not self._requires_grad(k))  # those with grad first
        src = self._pick(data, others) if use_tensor and others else None
        operand = "0.75" if src is None else self._operand_code(src, shape)
        index = slice(1, None) if shape[0] > 1 else 0
        if op == "setitem":
            operand = f"{operand}.mean()" if src is not None else operand
            stmt = f"t{target}[{'1:' if index != 0 else '0'}] = {operand}"
        elif op == "mul_":
            stmt = f"t{target}.mul_({operand})"
        else:
            stmt = f"t{target} {op} {operand}"
        code = f"with no_grad(): {stmt}" if no_grad else stmt

        def fn(lib, T):
            with lib.no_grad() if no_grad else lib.enable_grad():
                t = T[target]
                o = 0.75 if src is None else self._operand(lib, T, src, shape)
                if op == "+=":
                    t += o
                elif op in ("*=", "mul_"):
                    t.mul_(o) if op == "mul_" else t.__imul__(o)
                else:
                    t[index] = o if src is None else o.mean()
                return t

        self._run(code, fn)

    # ------------------------------------------------------------------ training
    @precondition(lambda self: self.params)
    @rule()
    def sgd_step(self):
        keys = list(self.params)

        def fn(lib, T):
            for k in keys:
                if T[k].grad is None:  # so that every step writes every parameter
                    T[k].grad = make(lib, np.full(self._shape(k), 0.5))
            lib.optim.SGD([T[k] for k in keys], lr=0.1).step()

        ok, _ = self._run(
            f"(p.grad = 0.5 where None) SGD([{', '.join(f't{k}' for k in keys)}], lr=0.1).step()",
            fn,
        )
        assert ok

    def _loss(self, keys):
        """A function building ``sum_i (t_k_i * c_i).sum()`` in a library, and its code."""
        weights = {
            k: np.linspace(0.5, 1.5, int(np.prod(self._shape(k)))).reshape(self._shape(k)) * (i + 1)
            for i, k in enumerate(keys)
        }

        def loss(lib, T):
            return sum((T[k] * make(lib, weights[k])).sum() for k in keys)

        return loss, " + ".join(f"(t{k} * c{k}).sum()" for k in keys)

    def _with_grad(self):
        return [k for k in self.live if self._requires_grad(k)]

    @precondition(lambda self: self._with_grad())
    @rule(
        data=st.data(),
        terms=st.sampled_from(["one", "two", "all"]),
        retain_graph=st.booleans(),
        zero_grad=st.booleans(),
    )
    def backward(self, data, terms, retain_graph, zero_grad):
        if zero_grad:
            note("p.grad = None for every parameter")
            for lib in LIBS:
                for k in self.params:
                    self.t[lib][k].grad = None
        # the loss depends on at least one tensor that requires grad (a loss without any is an
        # error both libraries agree on, and tests/test_inplace.py has it); "all" sums every
        # live tensor, so stale saved values anywhere in the program are found
        if terms == "all":
            keys = list(self.live)
        else:
            keys = [self._pick(data, self._with_grad()[::-1])]
            if terms == "two":
                keys.append(self._pick(data, self.live[::-1]))
        loss, code = self._loss(keys)

        def fn(lib, T):
            loss(lib, T).backward(retain_graph=retain_graph)

        ok, _ = self._run(f"({code}).backward(retain_graph={retain_graph})", fn)
        if ok:
            for k in self.params:
                assert_close(
                    to_numpy(self.t[tg][k].grad), to_numpy(self.t[torch][k].grad), f"t{k}.grad"
                )
        else:
            # PyTorch may have accumulated into some leaves before it raised
            note("p.grad = None for every parameter (after the error)")
            for lib in LIBS:
                for k in self.params:
                    self.t[lib][k].grad = None
        if not retain_graph or not ok:
            # the graph may be (partly) freed: retire every tensor with history
            self.live = [k for k in self.live if self.t[torch][k].grad_fn is None]
            note(f"  live: {', '.join(f't{k}' for k in self.live)}")

    # ------------------------------------------------------------------ invariants
    @invariant()
    def whole_program_differentiates_alike(self):
        # after every step: d(every live tensor)/d(every parameter), keeping the graph and every
        # .grad as they are, so a stale saved value anywhere in the program shows at once
        if not (self.params and self._with_grad()):
            return
        loss, code = self._loss(self.live)
        params = list(self.params)

        def fn(lib, T):
            grad = tg.grad if lib is tg else torch.autograd.grad
            inputs = [T[k] for k in params]
            return grad(loss(lib, T), inputs, retain_graph=True, allow_unused=True)

        ok, results = self._run(f"grad({code}, params, retain_graph=True)", fn)
        if ok:
            for k, ours, theirs in zip(params, results[tg][1], results[torch][1]):
                # an unused parameter: None in both (or zeros, when a node passed zeros on)
                ours = np.zeros(self._shape(k)) if ours is None else to_numpy(ours)
                theirs = np.zeros(self._shape(k)) if theirs is None else to_numpy(theirs)
                assert_close(ours, theirs, f"d/dt{k}")

    @invariant()
    def same_values_and_flags(self):
        for k in self.live:
            ours, theirs = self.t[tg][k], self.t[torch][k]
            assert_close(to_numpy(ours), to_numpy(theirs), f"t{k}")
            assert ours.requires_grad == theirs.requires_grad, f"t{k}.requires_grad"
            assert (ours.grad_fn is None) == (theirs.grad_fn is None), f"t{k} has history"


# Small enough for every run; raise TG_INPLACE_EXAMPLES (say to 2000) for a deeper search.
InplaceMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("TG_INPLACE_EXAMPLES", "60")),
    stateful_step_count=12,
    deadline=None,
)
TestInplaceMachine = InplaceMachine.TestCase
