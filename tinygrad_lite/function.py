"""The op node (``Function`` / ctx), grad mode, and the iterative backward engine.

Every differentiable op is a ``Function`` subclass; calling it records an instance of that
class (the *ctx*) as the output's ``grad_fn``. The ctx holds its inputs in a tuple, which
flags of them need a gradient, and whatever ``forward`` saved. ``backprop`` walks these nodes
without recursion (Kahn's algorithm on dependency counts), so a graph of a million ops
backpropagates in linear time and constant Python stack.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# Set by tensor.py once the class exists (tensor.py imports this module, not the reverse).
Tensor: Any = None
# The tinygrad_lite package, handed to backward bodies as ``ctx.xp`` under create_graph.
xp_tensor: Any = None
# The anomaly checker while ``detect_anomaly`` is active, else None (a cheap check per op).
_anomaly: Any = None
# True while ``record_gradients`` is active: each op node keeps its output gradient in ``.grad``.
_record_grads = False


# ----------------------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    enabled = True


_mode = _GradMode()
# NOTE: the number of threads whose grad mode is off. While it is 0 (the usual case) the hot
# path reads one module global instead of the slower thread-local.
_threads_without_grad = 0
_mode_lock = threading.Lock()


def _set_grad_mode(flag: bool) -> bool:
    """Set this thread's grad mode, keep the global count right, and return the old mode."""
    global _threads_without_grad
    prev = _mode.enabled
    if prev != flag:
        with _mode_lock:
            _mode.enabled = flag
            _threads_without_grad += -1 if flag else 1
    return prev


def is_grad_enabled() -> bool:
    """Return whether ops record a graph in this thread.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> with tg.no_grad():
    ...     tg.is_grad_enabled()
    False
    """
    return _mode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode for this thread, then restores it."""

    enabled = True

    def __new__(cls, func: Callable | None = None) -> Any:
        self = super().__new__(cls)
        # ``@tg.no_grad`` without parentheses works too, as in PyTorch.
        return self(func) if func is not None else self

    def __enter__(self) -> None:
        self._prev = _set_grad_mode(self.enabled)

    def __exit__(self, *exc: object) -> None:
        _set_grad_mode(self._prev)

    def __call__(self, func: Callable) -> Callable:
        mode = self.enabled

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _set_grad_mode(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _set_grad_mode(prev)

        return wrapper


class no_grad(_SetGradMode):  # noqa: N801 (PyTorch's name)
    """Turn graph recording off (context manager or decorator), e.g. for updates and inference.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> w = tg.ones(2, requires_grad=True)
    >>> with tg.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    enabled = False


class enable_grad(_SetGradMode):  # noqa: N801 (PyTorch's name)
    """Turn graph recording back on inside a ``no_grad`` block (context manager or decorator).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> w = tg.ones(2, requires_grad=True)
    >>> with tg.no_grad():
    ...     with tg.enable_grad():
    ...         y = w * 2
    >>> y.requires_grad
    True
    """

    enabled = True


class record_gradients:  # noqa: N801 (a context manager named like no_grad)
    """While active, every op node keeps the gradient of its output in ``grad_fn.grad``.

    Off by default because it keeps every intermediate gradient alive; ``viz`` and ``debug`` use
    it to colour exploding gradients inside the graph, not only at the parameters.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> x = tg.ones(3, requires_grad=True)
    >>> y = x * 2
    >>> with tg.record_gradients():
    ...     y.sum().backward()
    >>> y.grad_fn.grad.tolist()
    [1.0, 1.0, 1.0]
    """

    def __enter__(self) -> None:
        global _record_grads
        self._prev = _record_grads
        _record_grads = True

    def __exit__(self, *exc: object) -> None:
        global _record_grads
        _record_grads = self._prev


# ----------------------------------------------------------------------------- Function
class Function:
    """Base class of every differentiable op; subclass it to add your own.

    ``forward(ctx, *arrays)`` receives ndarrays (and any non-Tensor arguments unchanged) and
    returns one ndarray; ``backward(ctx, grad)`` returns one gradient per input (bare for a
    single input, a tuple otherwise, ``None`` where an input needs none). Under
    ``create_graph=True`` ``backward`` receives Tensors and ``ctx.xp`` is ``tinygrad_lite``
    instead of ``numpy``, so a body written with ``ctx.xp`` serves both orders.

    Examples
    --------
    >>> import numpy as np, tinygrad_lite as tg
    >>> class Cube(tg.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         x, = ctx.saved_tensors
    ...         return 3 * g * x ** 2
    >>> x = tg.tensor([2.0], requires_grad=True)
    >>> Cube.apply(x).sum().backward()
    >>> x.grad.tolist()
    [12.0]
    """

    # Class-level defaults keep the per-op constructor down to what an op really sets.
    inputs: tuple = ()
    needs_input_grad: tuple = ()
    saved_tensors: tuple | None = ()  # None once backward has freed them
    xp: Any = np
    source: str | None = None  # the user's line that created the op (detect_anomaly only)
    grad: Any = None  # the output's gradient (record_gradients only)
    _hooks: list | None = None
    _out_pos = -1  # index in saved_tensors that holds the output, -1 if none
    _label_args: tuple[str, ...] = ()  # attributes shown in ``label``

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` (inputs, the output, masks) for ``backward`` as ``ctx.saved_tensors``."""
        self.saved_tensors = values

    @property
    def name(self) -> str:
        """The op's name, e.g. ``"Mul"``."""
        return type(self).__name__

    @property
    def label(self) -> str:
        """The op's name with its non-tensor arguments, e.g. ``"Sum(axis=1)"``."""
        args = []
        for key in self._label_args:
            value = getattr(self, key, None)
            if value is not None:
                args.append(f"{key}={value!r}")
        return f"{self.name}({', '.join(args)})" if args else self.name

    def __repr__(self) -> str:
        return f"<{self.label}>"

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError("a Function subclass must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: Function, grad: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on the arrays of ``args`` and record the op if a gradient is needed."""
        ctx = cls.__new__(cls)
        arrays = []
        needs = []
        inputs = []
        first_float = None
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                needs.append(a._requires_grad)
                inputs.append(a)
                if first_float is None and a.data.dtype.kind == "f":
                    first_float = a.data.dtype
            else:
                arrays.append(a)
                needs.append(False)
                inputs.append(None)
        out = raw = cls.forward(ctx, *arrays, **kwargs)
        if not isinstance(out, np.ndarray):
            if isinstance(out, Tensor):
                raise TypeError(
                    f"{cls.__name__}.forward returned a Tensor; it gets ndarrays and must return "
                    "one ndarray"
                )
            out = np.asarray(out, dtype=first_float)
        result = _new_tensor(out)
        if any(needs) and (_threads_without_grad == 0 or _mode.enabled):
            if out.dtype.kind != "f":
                raise TypeError(
                    f"{cls.__name__}.forward returned dtype {out.dtype} from inputs that require "
                    "grad; a differentiable op must return a floating array"
                )
            ctx.inputs = tuple(inputs)
            ctx.needs_input_grad = tuple(needs)
            saved = ctx.saved_tensors
            if saved and ctx._out_pos < 0:
                for i, s in enumerate(saved):
                    if s is raw:
                        ctx._out_pos = i
                        break
            result._requires_grad = True
            result.grad_fn = ctx
        if _anomaly is not None:
            ctx.inputs = tuple(inputs)
            _anomaly.check_forward(ctx, out)
        return result


def _new_tensor(data: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Any:
    """Wrap an ndarray in a Tensor without copying or validating it (internal hot path)."""
    t = _object_new(Tensor)
    t.data = data
    if requires_grad:
        t._requires_grad = True
        t.grad_fn = grad_fn
    return t


_object_new = object.__new__
_ndarray = np.ndarray


def apply1(cls: type[Function], x: Any, *args: Any) -> Any:
    """Record a one-tensor op (the hot path of unary ops and reductions)."""
    ctx = _object_new(cls)
    out = cls.forward(ctx, x.data, *args)
    if out.__class__ is not _ndarray:
        out = np.asarray(out)  # NumPy hands back scalars for 0-d inputs
    t = _object_new(Tensor)
    t.data = out
    if x._requires_grad and (_threads_without_grad == 0 or _mode.enabled):
        ctx.inputs = (x,)
        ctx.needs_input_grad = _ONE_INPUT
        t._requires_grad = True
        t.grad_fn = ctx
    if _anomaly is not None:
        ctx.inputs = (x,)
        _anomaly.check_forward(ctx, out)
    return t


_ONE_INPUT = (True,)


def apply2(cls: type[Function], a: Any, b: Any) -> Any:
    """Record a binary op; ``b`` may be a Python number (kept weak, as NumPy 2 does)."""
    ctx = _object_new(cls)
    ad = a.data
    t = _object_new(Tensor)
    if isinstance(b, Tensor):
        bd = b.data
        if ad.dtype is not bd.dtype:
            a, b = _promote(cls, a, b)
            ad = a.data
            bd = b.data
        try:
            out = cls.forward(ctx, ad, bd)
        except ValueError as err:
            raise _broadcast_error(cls, ad, bd, err) from None
        if out.__class__ is not _ndarray:
            out = np.asarray(out)
        t.data = out
        ra = a._requires_grad
        rb = b._requires_grad
        if (ra or rb) and (_threads_without_grad == 0 or _mode.enabled):
            ctx.inputs = (a, b)
            ctx.needs_input_grad = (ra, rb)
            t._requires_grad = True
            t.grad_fn = ctx
    else:
        if b.__class__ not in _PY_SCALARS:
            return apply2(cls, a, _constant(b, ad.dtype))
        out = cls.forward(ctx, ad, b)
        if out.__class__ is not _ndarray:
            out = np.asarray(out)
        if out.dtype is not ad.dtype and ad.dtype.kind != "f" and out.dtype.kind == "f":
            # NOTE: int tensor (op) Python float gives the default float dtype, as in PyTorch.
            out = out.astype(default_float())
        t.data = out
        if a._requires_grad and (_threads_without_grad == 0 or _mode.enabled):
            ctx.inputs = (a, None)
            ctx.needs_input_grad = _FIRST_OF_TWO
            t._requires_grad = True
            t.grad_fn = ctx
    if _anomaly is not None:
        if not ctx.inputs:
            ctx.inputs = (a, b if isinstance(b, Tensor) else None)
        _anomaly.check_forward(ctx, out)
    return t


_FIRST_OF_TWO = (True, False)


def _broadcast_error(cls: type[Function], ad: np.ndarray, bd: np.ndarray, err: Exception):
    if ad.shape == bd.shape or "broadcast" not in str(err):
        return err
    return ValueError(
        f"{cls.__name__}: shapes {ad.shape} and {bd.shape} cannot be broadcast together "
        "(NumPy rules: trailing dimensions must be equal or 1); reshape or unsqueeze one operand"
    )


def applyn(cls: type[Function], tensors: tuple, *args: Any) -> Any:
    """Record an op on several tensors (``None`` for an absent optional one) plus plain args."""
    ctx = _object_new(cls)
    out = cls.forward(ctx, *[None if t is None else t.data for t in tensors], *args)
    if out.__class__ is not _ndarray:
        out = np.asarray(out)
    t = _object_new(Tensor)
    t.data = out
    needs = tuple([x is not None and x._requires_grad for x in tensors])
    if True in needs and (_threads_without_grad == 0 or _mode.enabled):
        ctx.inputs = tensors
        ctx.needs_input_grad = needs
        t._requires_grad = True
        t.grad_fn = ctx
    if _anomaly is not None:
        ctx.inputs = tensors
        _anomaly.check_forward(ctx, out)
    return t


_PY_SCALARS = frozenset({int, float, bool})


def _constant(value: Any, like: np.dtype) -> Any:
    """A non-differentiable Tensor for a number or array operand, in a sensible dtype."""
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
    else:
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError) as err:
            raise TypeError(f"cannot use {type(value).__name__} as a Tensor operand") from err
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"cannot combine a Tensor with data of dtype {arr.dtype}; use numbers or numeric arrays"
        )
    if arr.dtype.kind == "f" and arr.dtype != like and not isinstance(value, np.ndarray):
        arr = arr.astype(like if like.kind == "f" else default_float())
    return _new_tensor(arr)


def _promote(cls: type[Function], a: Any, b: Any) -> tuple[Any, Any]:
    """Bring two tensors to one dtype with PyTorch's rule: floats win over ints and bools."""
    ak, bk = a.data.dtype.kind, b.data.dtype.kind
    if ak == "f" and bk != "f":
        return a, b.astype(a.data.dtype)
    if bk == "f" and ak != "f":
        return a.astype(b.data.dtype), b
    common = np.result_type(a.data.dtype, b.data.dtype)
    if common.kind not in "biuf":
        raise TypeError(f"{cls.__name__}: unsupported dtypes {a.data.dtype} and {b.data.dtype}")
    return (a if a.data.dtype == common else a.astype(common)), (
        b if b.data.dtype == common else b.astype(common)
    )


_default_float = [np.dtype(np.float32)]


def default_float() -> np.dtype:
    """The dtype Python floats become (float32 unless ``set_default_dtype`` changed it)."""
    return _default_float[0]


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
            if isinstance(result, Tensor):
                g = result if create_graph else result.data
            else:
                g = np.asarray(result) if not create_graph else Tensor(result)
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
    while ready:
        fn = ready.pop()
        order.append(fn)
        for t in fn.inputs:
            if t is None:
                continue
            p = t.grad_fn
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
            p = t.grad_fn
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
            if _record_grads:
                fn.grad = g.data if create_graph else g
            if wanted is not None and fn in wanted:
                captured[id(wanted[fn])] = g
            saved = fn.saved_tensors
            if saved is None:
                raise _freed_error(fn)
            if create_graph:
                gin = _backward_with_graph(fn, g, saved)
            else:
                gin = fn.backward(fn, g)
            if not retain_graph:
                fn.saved_tensors = None
            if _anomaly is not None:
                _anomaly.check_backward(fn, g, gin)
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
                    p = t.grad_fn
                    if gi is not None:
                        shape = t.data.shape
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


def _count_error(fn: Function, gin: tuple) -> RuntimeError:
    return RuntimeError(
        f"{fn.name}.backward returned {len(gin)} gradient(s) but the op has {len(fn.inputs)} "
        "input(s); return one per input (None where none is needed)"
    )


def _release(fn: Function, deps: dict, ready: list) -> None:
    for t, need in zip(fn.inputs, fn.needs_input_grad):
        if need and t.grad_fn is not None:
            p = t.grad_fn
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
                if t is not None and t.data is s:
                    s = t
                    break
            else:
                s = _new_tensor(np.asarray(s))
        as_tensors.append(s)
    fn.saved_tensors = tuple(as_tensors)
    fn.xp = xp_tensor
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
        dtype = leaf.data.dtype
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
            t = _object_new(Tensor)
            t.data = g
            leaf.grad = t
        elif old.grad_fn is None and old.data.flags.writeable and old.data.shape == g.shape:
            np.add(old.data, g, out=old.data)
        else:
            leaf.grad = _new_tensor(old.data + g)


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

    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor) or isinstance(grad_outputs, np.ndarray):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs; give one each"
        )
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t._requires_grad:
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
            result.append(_new_tensor(g.astype(t.data.dtype, copy=own)))
    return tuple(result)
