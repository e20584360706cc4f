"""Module, Parameter and Sequential: the containers every layer, loss and model is built from."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from tinygrad_lite.function import bump_version
from tinygrad_lite.tensor import Tensor, get_default_dtype

__all__ = ["Module", "Parameter", "RemovableHandle", "StateDictError"]


class Parameter(Tensor):
    """A Tensor that a Module registers as a trainable weight (a leaf with ``requires_grad``).

    A Tensor argument shares its array with the Parameter (as in PyTorch); an array or a list
    is copied, like ``Tensor(data)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinygrad_lite import nn
    >>> w = nn.Parameter(np.ones((2, 3)))
    >>> w.requires_grad, w.is_leaf, w.shape
    (True, True, tg.Size([2, 3]))
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=get_default_dtype())
        super().__init__(data, requires_grad=requires_grad)
        if isinstance(data, Tensor):
            # NOTE: share the Tensor's array, as torch.nn.Parameter(t) shares t's storage.
            self._data = data._data

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class RemovableHandle:
    """The handle that ``register_forward_hook`` returns; ``.remove()`` unregisters the hook.

    Examples
    --------
    >>> from tinygrad_lite import nn
    >>> m = nn.Identity()
    >>> h = m.register_forward_hook(lambda mod, inp, out: None)
    >>> h.remove(); len(m._forward_hooks)
    0
    """

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable[..., Any]]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class StateDictError(RuntimeError, ValueError):
    """``load_state_dict`` found missing, unexpected or wrong-shape keys.

    It is a ``RuntimeError`` (what PyTorch raises) and a ``ValueError`` (a bad value).

    Examples
    --------
    >>> issubclass(StateDictError, RuntimeError) and issubclass(StateDictError, ValueError)
    True
    """


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it did not find and the keys it did not use.

    Examples
    --------
    >>> IncompatibleKeys([], ["extra"]).unexpected_keys
    ['extra']
    """

    missing_keys: list[str]
    unexpected_keys: list[str]


def _check_name(kind: str, name: object, owner: Module) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a str, got {type(name).__name__} ({name!r})")
    if not name or "." in name:
        raise ValueError(
            f"{kind} name {name!r} is invalid for {type(owner).__name__}: it must be non-empty "
            'and contain no "." (dots separate nested names in state_dict keys)'
        )


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


_KIND_NAMES = {
    "b": "booleans",
    "i": "integers",
    "u": "unsigned integers",
    "f": "floats",
    "c": "complex numbers",
    "U": "strings",
    "S": "bytes",
    "V": "raw bytes or records",
    "M": "datetimes",
    "m": "timedeltas",
}


def _fits_integers(value: np.ndarray, target: np.dtype) -> bool:
    """Whether every element is a whole number in ``target``'s range (no NaN, no wrap-around)."""
    if value.size == 0 or value.dtype.kind == "b":
        return True
    if value.dtype.kind == "f" and not np.array_equal(value, np.trunc(value)):
        return False
    limits = np.iinfo(target)
    return bool(limits.min <= value.min() and value.max() <= limits.max)


def _dtype_problem(value: np.ndarray, target: np.dtype, owner: str) -> str | None:
    """Why ``value`` can not be copied into ``owner`` of dtype ``target``; None when it can."""
    kind = value.dtype.kind
    if target.kind in "iu" and kind in "biuf":
        if _fits_integers(value, target):
            return None
        limits = np.iinfo(target)
        return (
            f"holds numbers that {owner} ({target}) can not hold exactly; it takes whole "
            f"numbers from {limits.min} to {limits.max}"
        )
    if target.kind == "f":
        fits = kind in "biuf"
    elif target.kind == "b":
        fits = kind == "b"
    else:
        fits = bool(np.can_cast(value.dtype, target, "same_kind"))
    if fits:
        return None
    what = _KIND_NAMES.get(kind, "values")
    return f"has dtype {value.dtype} ({what}), which can not be copied into {owner} ({target})"


def _source_array(key: str, value: Any, target: Tensor) -> np.ndarray:
    """The array that ``load_state_dict`` copies into ``target`` for ``key``.

    Raises a TypeError naming ``key`` for a value that is not numeric data of a kind
    ``target`` can hold (strings, Python objects, complex into float, ...).
    """
    if isinstance(value, Tensor):
        value = value._data
    elif not isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        raise TypeError(
            f"load_state_dict: value for {key!r} must be an ndarray or a Tensor, got "
            f"{type(value).__name__}"
        )
    value = np.asarray(value)
    owner = "the parameter" if isinstance(target, Parameter) else "the buffer"
    if value.dtype.hasobject:
        raise TypeError(
            f"load_state_dict: value for {key!r} is an object array (Python objects such as "
            f"None, not numbers), which would load into {owner} as NaN or garbage; "
            "pass a numeric array"
        )
    problem = _dtype_problem(value, target._data.dtype, owner)
    if problem is not None:
        raise TypeError(f"load_state_dict: value for {key!r} {problem}")
    return value


def _copy_into(tensor: Tensor, value: np.ndarray) -> None:
    """Write ``value`` into ``tensor``'s array in place, keeping its dtype.

    The one place ``load_state_dict`` writes into parameters and buffers; the version ticks,
    so a graph that saved the old values raises on backward.
    """
    np.copyto(tensor._data, value, casting="unsafe")
    bump_version(tensor)


class Module:
    """Base class of every layer and model: holds Parameters, buffers and sub-modules.

    Assigning a ``Parameter``, a ``Module`` or (after ``register_buffer``) a buffer Tensor as an
    attribute registers it, so ``parameters()``, ``state_dict()`` and ``train()`` find it.

    Examples
    --------
    >>> from tinygrad_lite import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.fc(x)
    >>> [name for name, _ in Net().named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    training: bool

    def __init__(self) -> None:
        # NOTE: object.__setattr__ skips our routing, which needs these dicts to exist.
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", OrderedDict())
        setattr_(self, "_buffers", OrderedDict())
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", OrderedDict())
        setattr_(self, "_forward_hooks", OrderedDict())

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines it.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> nn.ReLU().forward(tg.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
        """
        name = type(self).__name__
        raise NotImplementedError(f"{name} has no forward(); define it in the subclass")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in tuple(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward; a non-None return replaces
        the output.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> seen = []
        >>> m = nn.Identity()
        >>> h = m.register_forward_hook(lambda mod, inp, out: seen.append(out))
        >>> _ = m(1.0); h.remove(); _ = m(2.0); seen
        [1.0]
        """
        if not callable(hook):
            raise TypeError(
                f"register_forward_hook: hook must be callable as hook(module, inputs, output), "
                f"got {type(hook).__name__}"
            )
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # --------------------------------------------------------- attribute routing
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                self._raise_before_init("parameter", name)
            self._discard(name)
            params[name] = value
        elif isinstance(value, Module):
            modules = d.get("_modules")
            if modules is None:
                self._raise_before_init("sub-module", name)
            self._discard(name)
            modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} of "
                    f"{type(self).__name__} (nn.Parameter or None expected); wrap it: "
                    f"nn.Parameter(value)"
                )
            params[name] = None
        elif name in d.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as sub-module {name!r} of "
                    f"{type(self).__name__} (nn.Module or None expected)"
                )
            d["_modules"][name] = None
        elif name in d.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer {name!r} of "
                    f"{type(self).__name__} (Tensor or None expected)"
                )
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _raise_before_init(self, kind: str, name: str) -> None:
        cls = type(self).__name__
        raise RuntimeError(
            f"cannot assign {kind} {name!r} to {cls} before Module.__init__() has run; "
            f"call super().__init__() first thing in {cls}.__init__"
        )

    def _discard(self, name: str) -> None:
        """Forget ``name`` wherever it lives, before it is re-registered under another kind."""
        d = self.__dict__
        d.pop(name, None)
        d["_parameters"].pop(name, None)
        d["_modules"].pop(name, None)
        if d["_buffers"].pop(name, None) is not None or name in d["_non_persistent_buffers_set"]:
            d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # NOTE: only called when normal lookup fails; read __dict__ directly so a half-built
        # object (copy.deepcopy, pickling) never recurses.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            table = d.get(store)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()):
            del d["_parameters"][name]
        elif name in d.get("_buffers", ()):
            del d["_buffers"][name]
            d["_non_persistent_buffers_set"].discard(name)
        elif name in d.get("_modules", ()):
            del d["_modules"][name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        extra = [*self._parameters, *self._buffers, *self._modules]
        return sorted(set(super().__dir__()) | set(extra))

    # ------------------------------------------------------------- registration
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a non-trainable Tensor (e.g. running statistics) saved in ``state_dict``
        unless ``persistent=False``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> m = nn.Module(); m.register_buffer("count", tg.zeros(1))
        >>> list(m.state_dict())
        ['count']
        """
        if "_buffers" not in self.__dict__:
            self._raise_before_init("buffer", name)
        _check_name("buffer", name, self)
        if hasattr(self, name) and name not in self._buffers:
            raise ValueError(
                f"register_buffer: attribute {name!r} already exists on {type(self).__name__}; "
                "pick another name or delete the attribute first"
            )
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: buffer {name!r} must be a Tensor or None, got "
                f"{type(tensor).__name__}; wrap an array with tg.from_numpy(arr)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None, a placeholder) under ``name``.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> m = nn.Module(); m.register_parameter("bias", None)
        >>> m.bias is None
        True
        """
        if "_parameters" not in self.__dict__:
            self._raise_before_init("parameter", name)
        _check_name("parameter", name, self)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be an nn.Parameter or None, got "
                f"{type(param).__name__}; wrap it: nn.Parameter(value)"
            )
        if hasattr(self, name) and name not in self._parameters:
            raise ValueError(
                f"register_parameter: attribute {name!r} already exists on "
                f"{type(self).__name__}; pick another name or delete the attribute first"
            )
        self._parameters[name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` (or None) as a child under ``name``.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> m = nn.Module(); m.add_module("act", nn.ReLU())
        >>> [n for n, _ in m.named_children()]
        ['act']
        """
        if "_modules" not in self.__dict__:
            self._raise_before_init("sub-module", name)
        _check_name("module", name, self)
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"add_module: {name!r} must be an nn.Module or None, got {type(module).__name__}"
            )
        if hasattr(self, name) and name not in self._modules:
            raise ValueError(
                f"add_module: attribute {name!r} already exists on {type(self).__name__}; "
                "pick another name or delete the attribute first"
            )
        self._modules[name] = module

    register_module = add_module

    # ---------------------------------------------------------------- traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted_name, module)`` for this module and all below it, depth first.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> [n for n, _ in nn.Sequential(nn.Linear(1, 1), nn.ReLU()).named_modules()]
        ['', '0', '1']
        """
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is None:
                continue
            sub = prefix + "." + name if prefix else name
            yield from child.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Yield this module and every module below it (each once).

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> len(list(nn.Sequential(nn.Linear(1, 1), nn.ReLU()).modules()))
        3
        """
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct sub-modules.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> [n for n, _ in nn.Sequential(nn.ReLU(), nn.Tanh()).named_children()]
        ['0', '1']
        """
        seen: set[int] = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """Yield the direct sub-modules.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> [type(m).__name__ for m in nn.Sequential(nn.ReLU(), nn.Tanh()).children()]
        ['ReLU', 'Tanh']
        """
        for _, child in self.named_children():
            yield child

    def _named_members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        if recurse:
            walk = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            walk = iter([(prefix, self)])
        for mod_prefix, module in walk:
            for name, value in getattr(module, store).items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield (mod_prefix + "." + name if mod_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)`` in PyTorch's order; a shared Parameter comes once.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> [n for n, _ in nn.Sequential(nn.Linear(2, 3)).named_parameters()]
        ['0.weight', '0.bias']
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every Parameter (each once), e.g. to hand to an optimizer.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> sum(p.numel() for p in nn.Linear(2, 3).parameters())
        9
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(dotted_name, buffer)`` for every registered buffer (persistent or not).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> m = nn.Module(); m.register_buffer("n", tg.zeros(1))
        >>> [n for n, _ in m.named_buffers()]
        ['n']
        """
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every buffer Tensor.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> m = nn.Module(); m.register_buffer("n", tg.zeros(1))
        >>> len(list(m.buffers()))
        1
        """
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and then on this module.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> names = []
        >>> _ = nn.Sequential(nn.ReLU()).apply(lambda m: names.append(type(m).__name__))
        >>> names
        ['ReLU', 'Sequential']
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ training mode
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all below it.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> m = nn.Sequential(nn.Dropout(0.5)).train(False)
        >>> m[0].training
        False
        """
        if not isinstance(mode, bool):
            raise TypeError(
                f"train: mode must be a bool, got {type(mode).__name__}; use .train() or .eval()"
            )
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (dropout off, batch norm uses running statistics).

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> nn.Dropout(0.5).eval().training
        False
        """
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (default) or to zeros in place.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> m = nn.Linear(2, 1); m.zero_grad(); m.weight.grad is None
        True
        """
        for param in self.parameters():
            grad = param.grad
            if grad is None:
                continue
            if set_to_none:
                param.grad = None
            elif grad.grad_fn is not None:
                # NOTE: a grad with history (create_graph) is shared with that graph; detach it.
                param.grad = Tensor(np.zeros_like(grad._data))
            else:
                grad._data.fill(0)

    # -------------------------------------------------------------- dtype casts
    def to(self, dtype: Any) -> Module:
        """Cast every floating-point parameter and buffer (and its grad) to ``dtype`` in place.

        The Parameter objects stay the same, so optimizers that hold them keep working;
        integer buffers such as ``num_batches_tracked`` are left alone, as in PyTorch.

        Examples
        --------
        >>> import numpy as np
        >>> from tinygrad_lite import nn
        >>> nn.Linear(2, 1).to(np.float64).weight.dtype
        dtype('float64')
        """
        try:
            target = np.dtype(dtype)
        except TypeError:
            raise TypeError(
                f"Module.to: expected a floating dtype such as np.float64, got {dtype!r}"
            ) from None
        if target.kind != "f":
            raise TypeError(
                f"Module.to: can only cast to a floating dtype (np.float32, np.float64), "
                f"got {target}"
            )
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for tensor in store.values():
                    if tensor is None or tensor._data.dtype.kind != "f":
                        continue
                    if tensor._data.dtype != target:
                        tensor._data = tensor._data.astype(target)
                    grad = tensor.grad if tensor.requires_grad else None
                    if grad is not None and grad._data.dtype != target:
                        tensor.grad = Tensor(grad._data.astype(target))
        return self

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> nn.Linear(2, 1).double().bias.dtype
        dtype('float64')
        """
        return self.to(np.float64)

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> nn.Linear(2, 1).double().float().bias.dtype
        dtype('float32')
        """
        return self.to(np.float32)

    # -------------------------------------------------------------- state dicts
    def _state_items(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Params then persistent buffers of each module, children after, as PyTorch orders."""
        d = self.__dict__
        for name, param in d["_parameters"].items():
            if param is not None:
                yield prefix + name, param
        skip = d["_non_persistent_buffers_set"]
        for name, buf in d["_buffers"].items():
            if buf is not None and name not in skip:
                yield prefix + name, buf
        for name, child in d["_modules"].items():
            if child is not None:
                yield from child._state_items(prefix + name + ".")

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Any]:
        """Return ``name -> ndarray`` copies of parameters and persistent buffers.

        ``keep_vars=True`` returns the Tensors themselves instead of array copies.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> {k: v.shape for k, v in nn.Linear(2, 3).state_dict().items()}
        {'weight': (3, 2), 'bias': (3,)}
        """
        if keep_vars:
            return OrderedDict(self._state_items(prefix))
        return OrderedDict((k, t._data.copy()) for k, t in self._state_items(prefix))

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy arrays (or Tensors) from ``state_dict`` into this module's parameters and
        buffers, in place and keeping their dtypes.

        Missing and unexpected keys are an error when ``strict`` (else they are returned);
        a shape mismatch is always an error. All problems are listed in one message. A value
        the target can not hold (strings, Python objects, complex numbers into floats, or
        numbers that an integer buffer would change) is a ``TypeError`` naming its key.
        Every entry is checked before any is copied, so a failed load changes nothing.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> a, b = nn.Linear(2, 3), nn.Linear(2, 3)
        >>> b.load_state_dict(a.state_dict())
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of name -> array, got "
                f"{type(state_dict).__name__}"
            )
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        sources: list[tuple[Tensor, np.ndarray]] = []
        # NOTE: every entry is checked before anything is copied, so a failed load (a wrong
        # key, shape or dtype) leaves the model as it was.
        for key, tensor in own.items():
            if key not in state_dict:
                continue
            value = _source_array(key, state_dict[key], tensor)
            if value.shape != tensor._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {tensor._data.shape}."
                )
            else:
                sources.append((tensor, value))
        if strict:
            if unexpected:
                listed = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {listed}.")
            if missing:
                listed = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {listed}.")
        if errors:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        for tensor, value in sources:
            _copy_into(tensor, value)
        return IncompatibleKeys(missing, unexpected)

    # -------------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """Return the text shown inside this module's parentheses in ``repr``; layers override.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> nn.Linear(2, 3).extra_repr()
        'in_features=2, out_features=3, bias=True'
        """
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(child), 2) for name, child in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"
