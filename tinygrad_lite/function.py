"""The op node (``Function`` / ctx), grad mode, and the fast paths that record ops.

Every differentiable op is a ``Function`` subclass; calling it records an instance of that
class (the *ctx*) as the output's ``grad_fn``. The ctx holds its inputs in a tuple, which
flags of them need a gradient, and whatever ``forward`` saved; ``engine.py`` walks these
nodes backwards. ``apply1``/``apply2``/``applyn`` are the lean recording paths of the built-in
ops (every microsecond here is paid once per op of every training step).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import ShapeError

# Set by tensor.py once the class exists (tensor.py imports this module, not the reverse).
Tensor: Any = None
# The tinygrad_lite package, handed to backward bodies as ``ctx.xp`` under create_graph.
xp_tensor: Any = None
# The anomaly checker while ``detect_anomaly`` is active, else None (a cheap check per op).
_anomaly: Any = None
# True while ``record_gradients`` is active: each op node keeps its output gradient in ``.grad``.
_record_grads = False


# ----------------------------------------------------------------------------- versions
# NOTE: the write clock. Every in-place write through tinygrad_lite ticks it; every recorded op
# node notes the time it was made (``ctx._epoch``). A saved value is stale exactly when its
# memory was written after the node was made, so a backward pass compares two ints per node,
# and looks closer only at nodes older than the last write.
_writes = 0
# Set once any non-leaf tensor has had its history rebased by an in-place op (see inplace.py):
# from then on the engine asks each input which node made it *when it was consumed*.
_rebased = False


class Version:
    """The version counter of one piece of memory, shared by every tensor that views it.

    ``count`` is PyTorch's ``t._version``: the number of in-place writes so far. ``epoch`` is the
    write clock's time at the last of them.
    """

    __slots__ = ("count", "epoch")

    def __init__(self) -> None:
        self.count = 0
        self.epoch = 0


def version_of(t: Any) -> Version:
    """The version counter of ``t``'s memory, made on first use (most tensors never need one)."""
    v = t._version_counter
    if v is None:
        v = _new_counter(t)
    return v


def _new_counter(t: Any) -> Version:
    v = t._version_counter = Version()
    fn = t.grad_fn
    if fn is not None and fn._out_pos >= 0 and fn._out_version is None:
        fn._out_version = v  # the node that saved t as its output now watches t's version
    return v


def bump_version(t: Any) -> None:
    """Record one in-place write into ``t``'s memory (every view of it sees the new version).

    Call it after any write into ``t._data`` that tinygrad_lite makes (optimizers, initializers,
    ``load_state_dict``, in-place methods): a backward pass that needs the old values then raises
    instead of computing a wrong gradient.
    """
    global _writes
    _writes += 1
    v = t._version_counter
    if v is None:
        v = _new_counter(t)
    v.count += 1
    v.epoch = _writes


def parent_node(t: Any, consumer: Any) -> Any:
    """The node that made ``t`` as ``consumer`` saw it (``t.grad_fn`` unless rebased since)."""
    for epoch, old in t._history or ():
        if consumer._epoch < epoch:
            return old
    return t.grad_fn


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
    _label_args: tuple[str, ...] = ()  # attributes shown in ``label``
    # For ops whose saved value k is read only for the gradient of input _saved_for[k]
    # (e.g. Mul: (1, 0)); None means every saved value may be read.
    _saved_for: tuple | None = None
    # Filled in by the recording tail, never by an op:
    _epoch = 0  # the write clock when the node was made
    _out_pos = -1  # where saved_tensors holds the output (found by identity), -1 if nowhere
    _out_version: Version | None = None  # the output's counter, when the output is saved
    _out_seen = 0  # the output counter's epoch when an in-place op adopted it (inplace.py)
    _watch: tuple = ()  # non-input tensors whose memory backward reads (index, mask tensors)

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
                arrays.append(a._data)
                needs.append(a._requires_grad)
                inputs.append(a)
                if first_float is None and a._data.dtype.kind == "f":
                    first_float = a._data.dtype
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
            _record(ctx, result, raw, tuple(inputs), tuple(needs))
        if _anomaly is not None:
            ctx.inputs = tuple(inputs)
            _anomaly.check_forward(ctx, out)
        return result


def _record(ctx: Function, result: Any, raw: Any, inputs: tuple, needs: tuple) -> None:
    """The recording tail: make ``ctx`` the ``grad_fn`` of ``result``.

    ``raw`` is what ``forward`` returned; if ``forward`` saved it, the node notes where (so a
    second-order backward can differentiate through the output) and watches the output's
    version. ``apply1`` and ``apply2`` inline this (tests/test_recording.py checks that every
    path builds the same node).
    """
    ctx.inputs = inputs
    ctx.needs_input_grad = needs
    ctx._epoch = _writes
    saved = ctx.saved_tensors
    if saved:
        _find_saved_output(ctx, saved, raw)
    result._requires_grad = True
    result.grad_fn = ctx


def _find_saved_output(ctx: Function, saved: tuple, raw: Any) -> None:
    # The output's version counter is made only if someone views or writes the output
    # (``_new_counter``): most outputs are never written.
    i = 0
    for s in saved:
        if s is raw:
            ctx._out_pos = i
            return
        i += 1


def _new_tensor(data: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Any:
    """Wrap an ndarray in a Tensor without copying or validating it (internal hot path)."""
    t = _object_new(Tensor)
    t._data = data
    if requires_grad:
        t._requires_grad = True
        t.grad_fn = grad_fn
    return t


_object_new = object.__new__
_ndarray = np.ndarray


def apply1(cls: type[Function], x: Any, *args: Any) -> Any:
    """Record a one-tensor op (the hot path of unary ops and reductions)."""
    ctx = _object_new(cls)
    out = raw = cls.forward(ctx, x._data, *args)
    if out.__class__ is not _ndarray:
        out = np.asarray(out)  # NumPy hands back scalars for 0-d inputs
    t = _object_new(Tensor)
    t._data = out
    if x._requires_grad and (_threads_without_grad == 0 or _mode.enabled):
        # the recording tail (_record), inlined: this is the hottest path of the library
        ctx.inputs = (x,)
        ctx.needs_input_grad = _ONE_INPUT
        ctx._epoch = _writes
        saved = ctx.saved_tensors
        if saved:
            _find_saved_output(ctx, saved, raw)
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
    ad = a._data
    t = _object_new(Tensor)
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype is not bd.dtype:
            a, b = _promote(cls, a, b)
            ad = a._data
            bd = b._data
        try:
            out = raw = cls.forward(ctx, ad, bd)
        except ValueError as err:
            raise _broadcast_error(cls, ad, bd, err) from None
        if out.__class__ is not _ndarray:
            out = np.asarray(out)
        t._data = out
        ra = a._requires_grad
        rb = b._requires_grad
        if (ra or rb) and (_threads_without_grad == 0 or _mode.enabled):
            ctx.inputs = (a, b)
            ctx.needs_input_grad = (ra, rb)
            ctx._epoch = _writes
            saved = ctx.saved_tensors
            if saved:
                _find_saved_output(ctx, saved, raw)
            t._requires_grad = True
            t.grad_fn = ctx
    else:
        if b.__class__ not in _PY_SCALARS:
            return apply2(cls, a, _constant(b, ad.dtype))
        out = raw = cls.forward(ctx, ad, b)
        if out.__class__ is not _ndarray:
            out = np.asarray(out)
        if out.dtype is not ad.dtype and ad.dtype.kind != "f" and out.dtype.kind == "f":
            # NOTE: int tensor (op) Python float gives the default float dtype, as in PyTorch.
            out = out.astype(default_float())
        t._data = out
        if a._requires_grad and (_threads_without_grad == 0 or _mode.enabled):
            ctx.inputs = (a, None)
            ctx.needs_input_grad = _FIRST_OF_TWO
            ctx._epoch = _writes
            saved = ctx.saved_tensors
            if saved:
                _find_saved_output(ctx, saved, raw)
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
    return ShapeError(
        f"{cls.__name__}: shapes {ad.shape} and {bd.shape} cannot be broadcast together "
        "(NumPy rules: trailing dimensions must be equal or 1); reshape or unsqueeze one operand"
    )


def applyn(cls: type[Function], tensors: tuple, *args: Any) -> Any:
    """Record an op on several tensors (``None`` for an absent optional one) plus plain args."""
    ctx = _object_new(cls)
    out = raw = cls.forward(ctx, *[None if t is None else t._data for t in tensors], *args)
    if out.__class__ is not _ndarray:
        out = np.asarray(out)
    t = _object_new(Tensor)
    t._data = out
    needs = tuple([x is not None and x._requires_grad for x in tensors])
    if True in needs and (_threads_without_grad == 0 or _mode.enabled):
        _record(ctx, t, raw, tensors, needs)
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
    ak, bk = a._data.dtype.kind, b._data.dtype.kind
    if ak == "f" and bk != "f":
        return a, b.astype(a._data.dtype)
    if bk == "f" and ak != "f":
        return a.astype(b._data.dtype), b
    common = np.result_type(a._data.dtype, b._data.dtype)
    if common.kind not in "biuf":
        raise TypeError(f"{cls.__name__}: unsupported dtypes {a._data.dtype} and {b._data.dtype}")
    return (a if a._data.dtype == common else a.astype(common)), (
        b if b._data.dtype == common else b.astype(common)
    )


_default_float = [np.dtype(np.float32)]


def default_float() -> np.dtype:
    """The dtype Python floats become (float32 unless ``set_default_dtype`` changed it)."""
    return _default_float[0]
