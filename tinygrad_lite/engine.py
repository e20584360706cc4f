"""The backward engine: iterative graph traversal, ``backprop`` and ``tg.grad``.

It walks the op nodes that ``function.py`` records without recursion (Kahn's algorithm on
dependency counts), so a graph of a million ops backpropagates in linear time and constant
Python stack. ``Tensor.backward`` and ``tg.grad`` both call ``backprop``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import function as _function
from .function import Function, _new_tensor, _object_new, _set_grad_mode, parent_node

_ndarray = np.ndarray


# ----------------------------------------------------------------------------- hooks
class RemovableHandle:
    """Returned by ``register_hook`` and ``register_forward_hook``; ``remove()`` undoes it."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        try:
            self._hooks.remove(self._hook)
        except ValueError:
            pass


def _run_hooks(hooks: list, g: Any, create_graph: bool) -> Any:
    for hook in list(hooks):
        wrapped = g if create_graph else _new_tensor(g)
        result = hook(wrapped)
        if result is not None:
            if isinstance(result, _function.Tensor):
                g = result if create_graph else result._data
            else:
                g = np.asarray(result) if not create_graph else _function.Tensor(result)
    return g


# ----------------------------------------------------------------------------- traversal
def graph_nodes(roots: Sequence[Any]) -> list[Function]:
    """Return the op nodes reachable from ``roots`` in topological order, consumers first.

    Iterative (no recursion), so a graph of any depth works. Used by the engine, ``viz``
    and ``debug``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> x = tg.ones(2, requires_grad=True)
    >>> [n.name for n in tg.graph_nodes([(x * 2).sum()])]
    ['Sum', 'Mul']
    """
    deps, order_roots = _count_dependencies(roots)
    order = []
    ready = list(order_roots)
    rebased = _function._rebased
    while ready:
        fn = ready.pop()
        order.append(fn)
        for t in fn.inputs:
            if t is None:
                continue
            p = parent_node(t, fn) if rebased else t.grad_fn
            if p is not None:
                c = deps[p] - 1
                deps[p] = c
                if c == 0:
                    ready.append(p)
    return order


def _count_dependencies(roots: Sequence[Any]) -> tuple[dict, list]:
    """Number of consumers of each reachable op node, and the root nodes nobody consumes."""
    deps: dict = {}
    stack = []
    rebased = _function._rebased
    for r in roots:
        fn = r.grad_fn
        if fn is not None and fn not in deps:
            deps[fn] = 0
            stack.append(fn)
    while stack:
        fn = stack.pop()
        for t in fn.inputs:
            if t is None:
                continue
            p = parent_node(t, fn) if rebased else t.grad_fn
            if p is not None:
                c = deps.get(p)
                if c is None:
                    deps[p] = 1
                    stack.append(p)
                else:
                    deps[p] = c + 1
    ready = []
    seen = set()
    for r in roots:
        fn = r.grad_fn
        if fn is not None and deps[fn] == 0 and fn not in seen:
            seen.add(fn)
            ready.append(fn)
    return deps, ready


# ----------------------------------------------------------------------------- the engine
def _unbroadcast(g: Any, shape: tuple, fn: Function, index: int) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, to ``shape``."""
    gshape = g.shape
    nd = len(gshape) - len(shape)
    if nd < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[nd:])):
        raise RuntimeError(
            f"{fn.name}.backward returned a gradient of shape {tuple(gshape)} for input {index}, "
            f"whose shape is {tuple(shape)}; a backward must return one gradient per input with "
            "that input's shape (or a shape that broadcasts to it)"
        )
    axes = tuple(range(nd)) + tuple(
        i + nd for i, s in enumerate(shape) if s == 1 and gshape[i + nd] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if nd:
        g = g.reshape(shape)
    return g


def _freed_error(fn: Function) -> RuntimeError:
    where = f" (created at {fn.source})" if fn.source else ""
    return RuntimeError(
        f"Trying to backward through the graph a second time: the values that {fn.name}{where} "
        "saved for backward were freed by the first backward() call. Pass retain_graph=True to "
        "the first backward() (or tg.grad) if you need to backward through the graph again."
    )


def backprop(
    roots: Sequence[Any],
    root_grads: Sequence[Any],
    inputs: Sequence[Any] | None = None,
    retain_graph: bool = False,
    create_graph: bool = False,
) -> dict | None:
    """Propagate ``root_grads`` from ``roots`` back through the graph, iteratively.

    Without ``inputs`` the gradients accumulate into ``.grad`` of every leaf that requires
    grad (``Tensor.backward``); with ``inputs`` they are returned as ``{id(tensor): grad}`` and no
    ``.grad`` is touched (``tg.grad``). Under ``create_graph`` gradients are Tensors with a graph.
    """
    deps, ready = _count_dependencies(roots)
    # Snapshots of the switches that anomaly.py and record_gradients set on function.py.
    anomaly, record = _function._anomaly, _function._record_grads
    rebased = _function._rebased
    grads: dict = {}  # op node -> gradient of its output
    leaf_grads: dict = {}  # leaf tensor -> gradient
    wanted = None
    captured: dict = {}
    if inputs is not None:
        wanted = {}
        for t in inputs:
            wanted[t.grad_fn if t.grad_fn is not None else t] = t
    for r, g in zip(roots, root_grads):
        fn = r.grad_fn
        if fn is None:
            prev = leaf_grads.get(r)
            leaf_grads[r] = g if prev is None else prev + g
        else:
            prev = grads.get(fn)
            grads[fn] = g if prev is None else prev + g

    # NOTE: first-order backward bodies see only ndarrays, so grad mode matters only when the
    # backward pass itself is recorded.
    prev_mode = _set_grad_mode(True) if create_graph else None
    try:
        while ready:
            fn = ready.pop()
            g = grads.pop(fn, None)
            if g is None:
                # Nothing flowed into this node (every consumer returned None): pass "no grad" on.
                _release(fn, deps, ready)
                continue
            if fn._hooks:
                g = _run_hooks(fn._hooks, g, create_graph)
            if record:
                fn.grad = g._data if create_graph else g
            if wanted is not None and fn in wanted:
                captured[id(wanted[fn])] = g
            saved = fn.saved_tensors
            if saved is None:
                raise _freed_error(fn)
            if fn._epoch != _function._writes:
                check_versions(fn)  # something was written in place since fn was made
            if create_graph:
                gin = _backward_with_graph(fn, g, saved)
            else:
                gin = fn.backward(fn, g)
            if not retain_graph:
                fn.saved_tensors = None
            if anomaly is not None:
                anomaly.check_backward(fn, g, gin)
            inputs = fn.inputs
            if gin.__class__ is not tuple:
                gin = (gin,)
            if len(gin) != len(inputs):
                raise _count_error(fn, gin)
            i = 0
            for need in fn.needs_input_grad:
                if need:
                    t = inputs[i]
                    gi = gin[i]
                    p = parent_node(t, fn) if rebased else t.grad_fn
                    if gi is not None:
                        shape = t._data.shape
                        if gi.shape != shape:
                            gi = _unbroadcast(gi, shape, fn, i)
                        if p is None:
                            prev = leaf_grads.get(t)
                            leaf_grads[t] = gi if prev is None else prev + gi
                        else:
                            prev = grads.get(p)
                            grads[p] = gi if prev is None else prev + gi
                    if p is not None:
                        c = deps[p] - 1
                        deps[p] = c
                        if c == 0:
                            ready.append(p)
                i += 1
        if wanted is None:
            _accumulate_into_leaves(leaf_grads, create_graph, root_grads)
            return None
        for leaf, g in leaf_grads.items():
            if leaf in wanted:
                if leaf._hooks:
                    g = _run_hooks(leaf._hooks, g, create_graph)
                captured[id(leaf)] = g
        return captured
    finally:
        if create_graph:
            _set_grad_mode(prev_mode)


def check_versions(fn: Function) -> None:
    """Raise PyTorch's error if a value ``fn`` saved for backward was written in place since."""
    saved = fn.saved_tensors
    for t in fn.inputs:
        v = None if t is None else t._version_counter
        if v is not None and v.epoch > fn._epoch and _needs_old(fn, saved, t._data):
            raise _modified_error(fn, t._data, v, "")
    for t in fn._watch:  # an index or mask the backward reads
        v = t._version_counter
        if v is not None and v.epoch > fn._epoch:
            raise _modified_error(fn, t._data, v, f", which {fn.name} reads as an index or mask,")
    v = fn._out_version
    if v is not None and v.epoch > fn._epoch and v.epoch > fn._out_seen:
        raise _modified_error(fn, saved[fn._out_pos], v, f", which is output 0 of {fn.name},")


def _needs_old(fn: Function, saved: tuple, array: np.ndarray) -> bool:
    """Whether this backward reads a saved value that is ``array`` (or views its memory).

    An op whose saved values each serve one input's gradient says so in ``_saved_for``
    (``Mul``: ``a`` serves ``b``'s gradient); a value serving an input that needs no gradient
    is not read, so writing it is fine, as in PyTorch (``x @ w``, then an optimizer step on
    ``w``, then backward: only ``x`` is read).
    """
    serves = fn._saved_for
    for k, s in enumerate(saved):
        if s is array or (s.__class__ is _ndarray and np.may_share_memory(s, array)):
            if serves is None or fn.needs_input_grad[serves[k]]:
                return True
    return False


def _modified_error(fn: Function, array: Any, v: Any, what: str) -> RuntimeError:
    where = (
        f" The op was created at {fn.source}."
        if fn.source
        else " Run the forward pass under tg.detect_anomaly() to see the line that created it."
    )
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{np.asarray(array).dtype} tensor of shape {tuple(np.shape(array))}]{what} "
        f"is at version {v.count}, written after {fn.name} saved it for backward.{where} Fix: "
        "do the in-place change after backward(), or use the out-of-place form (x = x + y "
        "instead of x += y, or .clone() before writing)."
    )


def _count_error(fn: Function, gin: tuple) -> RuntimeError:
    return RuntimeError(
        f"{fn.name}.backward returned {len(gin)} gradient(s) but the op has {len(fn.inputs)} "
        "input(s); return one per input (None where none is needed)"
    )


def _release(fn: Function, deps: dict, ready: list) -> None:
    for t, need in zip(fn.inputs, fn.needs_input_grad):
        p = parent_node(t, fn) if need else None
        if p is not None:
            deps[p] -= 1
            if deps[p] == 0:
                ready.append(p)


def _backward_with_graph(fn: Function, g: Any, saved: tuple) -> Any:
    """Run ``fn.backward`` on Tensors with ``ctx.xp = tinygrad_lite`` so it records a graph."""
    inputs = fn.inputs
    as_tensors = []
    for i, s in enumerate(saved):
        if i == fn._out_pos:
            # The output: a tensor whose grad_fn is this very node, so second-order gradients
            # flow back through it.
            s = _new_tensor(np.asarray(s), True, fn)
        elif isinstance(s, (np.ndarray, np.generic)):
            for t in inputs:
                if t is not None and t._data is s:
                    s = t
                    break
            else:
                s = _new_tensor(np.asarray(s))
        as_tensors.append(s)
    fn.saved_tensors = tuple(as_tensors)
    fn.xp = _function.xp_tensor
    try:
        return fn.backward(fn, g)
    finally:
        fn.saved_tensors = saved
        del fn.xp


def _accumulate_into_leaves(leaf_grads: dict, create: bool, root_grads: Sequence[Any]) -> None:
    # The caller's root gradients are not ours: they are copied if they reach a .grad as is.
    stored = {id(g) for g in root_grads}
    for leaf, g in leaf_grads.items():
        if leaf._hooks:
            g = _run_hooks(leaf._hooks, g, create)
        old = leaf.grad
        if create:
            leaf.grad = g if old is None else old + g
            continue
        dtype = leaf._data.dtype
        if g.__class__ is not _ndarray:
            g = np.asarray(g, dtype=dtype)
        elif g.dtype is not dtype:
            g = g.astype(dtype)
        if old is None:
            # NOTE: a gradient may be shared (``a + b`` hands one array to both) or be a view;
            # .grad must own its array because optimizers and clipping update it in place.
            if g.base is not None or not g.flags.writeable or id(g) in stored:
                g = g.copy()
            stored.add(id(g))
            t = _object_new(_function.Tensor)
            t._data = g
            leaf.grad = t
        elif old.grad_fn is None and old._data.flags.writeable and old._data.shape == g.shape:
            np.add(old._data, g, out=old._data)
        else:
            leaf.grad = _new_tensor(old._data + g)


# ----------------------------------------------------------------------------- tg.grad
def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Return d(outputs)/d(inputs) without touching any ``.grad``.

    Parameters
    ----------
    outputs, inputs : Tensor or sequence of Tensors
    grad_outputs : the gradients of something w.r.t. ``outputs``; may be omitted for
        one-element outputs.
    create_graph : record the backward pass, so the result can be differentiated again.
    allow_unused : return None for an input the outputs do not depend on, instead of raising.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> (g,) = tg.grad(x ** 3, x, create_graph=True)
    >>> g.item(), tg.grad(g, x)[0].item()
    (27.0, 18.0)
    """
    from .tensor import _root_gradient

    outputs = [outputs] if isinstance(outputs, _function.Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, _function.Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, _function.Tensor) or isinstance(grad_outputs, np.ndarray):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs; give one each"
        )
    for i, t in enumerate(inputs):
        if not isinstance(t, _function.Tensor) or not t._requires_grad:
            raise RuntimeError(
                f"grad: input {i} does not require grad, so it has no gradient; create it with "
                "requires_grad=True"
            )
    roots, root_grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(
                f"grad: output {i} does not require grad: it does not depend on any tensor with "
                "requires_grad=True (or it was computed under tg.no_grad())"
            )
        g = _root_gradient(out, g, "grad()")
        roots.append(out)
        root_grads.append(_new_tensor(g) if create_graph else g)
    if retain_graph is None:
        retain_graph = create_graph
    captured = backprop(roots, root_grads, inputs, retain_graph, create_graph)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; pass "
                    "allow_unused=True to get None for it"
                )
            result.append(None)
        elif create_graph:
            result.append(g)
        else:
            if not isinstance(g, np.ndarray):
                g = np.asarray(g)
            # A gradient that is one of the caller's grad_outputs as is must not alias it.
            own = any(g is r for r in root_grads)
            result.append(_new_tensor(g.astype(t._data.dtype, copy=own)))
    return tuple(result)
