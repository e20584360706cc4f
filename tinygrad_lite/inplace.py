"""In-place writes with PyTorch's semantics: ``x += y``, ``x.mul_(y)``, ``x[i] = v`` ...

Three cases, as in PyTorch:

- a leaf that requires grad (a parameter), with grad mode on: refused, since its old values
  may be needed by the graph and it has no history to rebase;
- nothing to record (grad mode off, or no operand requires grad): the values are written
  into the tensor's memory and its version counter ticks, so any backward that saved the old
  values raises instead of computing a wrong gradient;
- otherwise the write is recorded: ``new = op(t_old, y)`` is computed out of place, stored in
  ``t``'s memory, and ``t``'s history is *rebased* onto the new node. Ops recorded before the
  write keep seeing ``t``'s old history (``function.parent_node``). A write through a view
  rebases the view's base onto a ``CopySlices`` node, and every other view of that base onto
  a fresh view of the new base.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import function as _function
from .function import bump_version, is_grad_enabled, no_grad, version_of
from .ops import CopySlices, view_of


def write(t: Any, name: str, compute: Callable, *operands: Any) -> Any:
    """Make ``t`` hold ``compute(t, *operands)`` (a Tensor op), in its own memory; return ``t``.

    ``compute`` must build its result with one final op whose inputs include its first
    argument (``old + y``, ``Overwrite(old, src)`` ...).
    """
    recording = is_grad_enabled() and (
        t._requires_grad or any(getattr(o, "_requires_grad", False) for o in operands)
    )
    if recording:
        _refuse_leaf(t, name)
        if t._view_without_grad:
            raise RuntimeError(
                f"{name}: a view was created in no_grad mode and is being modified inplace with "
                "grad mode enabled; take the view outside tg.no_grad(), or write under it."
            )
    if not t._data.flags.writeable:
        raise RuntimeError(
            f"{name}: this tensor is a broadcast (expanded) view: more than one element of it "
            "refers to a single memory location. Call .clone() before writing to it."
        )
    if not recording:
        with no_grad():
            new = compute(t, *operands)
        _store(t, new._data, name)
        bump_version(t)
        return t
    old = _object_new_tensor(t)
    new = compute(old, *[old if o is t else o for o in operands])
    node = new.grad_fn
    _keep_old_values(node, old, t._data)
    _store(t, new._data, name)
    bump_version(t)
    _adopt_output(node, t)
    root = t._base
    if root is None:
        rebase(t, node)
        _refresh_views(t, None)
    else:
        husk = _object_new_tensor(root)
        rebase(root, _function.applyn(CopySlices, (husk, new), t._view_steps).grad_fn)
        _refresh_views(root, None)
    return t


def _refuse_leaf(t: Any, name: str) -> None:
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Its old values may be needed for backward; update parameters under tg.no_grad() "
            "(as optimizers do) or build a new tensor (x = x + y)."
        )
    base = t._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            f"{name}: a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. Write under tg.no_grad(), or clone() the leaf first."
        )


def _object_new_tensor(t: Any) -> Any:
    """A stand-in for ``t`` as it is now: same memory and history, a distinct object."""
    old = object.__new__(type(t))
    old._data = t._data
    if t._requires_grad:
        old._requires_grad = True
        old.grad_fn = t.grad_fn
    return old


def _keep_old_values(node: Any, old: Any, memory: np.ndarray) -> None:
    """If ``node`` saved the memory about to be overwritten, give it (and ``old``) a copy."""
    saved = node.saved_tensors
    if saved and any(s is memory for s in saved):
        copy = memory.copy()
        old._data = copy
        node.saved_tensors = tuple(copy if s is memory else s for s in saved)


def _store(t: Any, values: np.ndarray, name: str) -> None:
    dst = t._data
    if values.shape != dst.shape and np.broadcast_shapes(values.shape, dst.shape) != dst.shape:
        raise RuntimeError(
            f"{name}: the result has shape {values.shape}, which does not fit in place into the "
            f"tensor of shape {dst.shape}; use the out-of-place form (x = x + y)"
        )
    try:
        np.copyto(dst, values, casting="same_kind")
    except TypeError:
        raise RuntimeError(
            f"{name}: result type {values.dtype} can't be cast to the desired output type "
            f"{dst.dtype} in place; use the out-of-place form or convert first (.float())"
        ) from None


def _adopt_output(node: Any, t: Any) -> None:
    """A node that saved its output now finds it in ``t``'s memory, at ``t``'s version."""
    if node._out_pos >= 0:
        saved = list(node.saved_tensors)
        saved[node._out_pos] = t._data
        node.saved_tensors = tuple(saved)
        node._out_version = version_of(t)
        node._out_seen = node._out_version.epoch


def rebase(t: Any, node: Any) -> None:
    """Make ``node`` the history of ``t``; ops recorded before keep seeing the old one."""
    _function._writes += 1
    # NOTE: kept even for a tensor without history (grad_fn None): ops that consumed it as a
    # constant must not find the new node behind it.
    t._history = (t._history or ()) + ((_function._writes, t.grad_fn),)
    _function._rebased = True
    t.grad_fn = node
    t._requires_grad = True


def _refresh_views(root: Any, skip: Any) -> None:
    """Give every live view of ``root`` a history that starts from ``root``'s new one."""
    for view in list(root._views or ()):
        if view is not skip:
            rebase(view, view_of(root, view._view_steps).grad_fn)


def as_view(out: Any, src: Any, op: Any, arg: Any) -> Any:
    """Mark ``out`` (made by view op ``op`` from ``src``) as a view of ``src``'s memory."""
    root = src._base if src._base is not None else src
    out._base = root
    if not is_grad_enabled():
        out._view_without_grad = True  # its history is unknown: a recorded write must refuse
    out._view_steps = src._view_steps + ((op, arg),)
    out._version_counter = version_of(root)
    views = root._views
    if views is None:
        views = root._views = weakref.WeakSet()
    views.add(out)
    return out
