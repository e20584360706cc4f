"""Optimizer base: parameter groups, per-parameter state, zero_grad and state_dict."""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite.function import _set_grad_mode, bump_version

__all__ = ["Optimizer", "ParamState", "required"]


class _Required:
    """Marker for a hyper-parameter that has no default and must be given."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class ParamState(dict):
    """Per-parameter optimizer state: ``state[p]`` is a dict, created empty on first access.

    Keyed by the parameter itself: ``Tensor`` hashes by identity (its ``==`` is elementwise,
    but a dict compares identity first and never reaches it for distinct live objects). Like
    PyTorch's ``defaultdict(dict)``, reading a missing parameter creates its empty state.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> p = tg.zeros(2, requires_grad=True)
    >>> s = ParamState(); s[p]["step"] = 1; s[p]
    {'step': 1}
    """

    __slots__ = ()

    def __missing__(self, p: Any) -> dict:
        entry = self[p] = {}
        return entry

    def __repr__(self) -> str:
        return f"ParamState({len(self)} parameters)"


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def check_real(
    opt: str,
    key: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float | None = None,
    high_open: bool = True,
) -> None:
    """Raise a clear error unless ``value`` is a real number in ``[low, high)``.

    Examples
    --------
    >>> check_real("SGD", "lr", 0.1)
    """
    if not _is_real(value):
        raise TypeError(
            f"{opt}: {key} must be a real number, got {type(value).__name__} "
            f"{value!r}; pass a float such as {key}=0.01"
        )
    ok = value >= low
    if high is not None:
        ok = ok and (value < high if high_open else value <= high)
    if not ok:
        bound = f">= {low}" if high is None else f"in [{low}, {high}{')' if high_open else ']'}"
        what = "learning rate" if key == "lr" else "value"
        raise ValueError(f"{opt}: invalid {what} {key}={value!r}; {key} must be {bound}")


def _param_list(params: Any, where: str) -> list:
    if isinstance(params, tg.Tensor):
        return [params]
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{where}: parameters must be an ordered collection, not a set (the "
            "order would change between runs); pass a list or model.parameters()"
        )
    try:
        return list(params)
    except TypeError:
        raise TypeError(
            f"{where}: params must be an iterable of Tensors, got "
            f"{type(params).__name__}; pass model.parameters()"
        ) from None


class Optimizer:
    """Base class of all optimizers: parameter groups, state, ``zero_grad`` and state dicts.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimize, or parameter groups: dicts with a ``"params"`` entry and
        hyper-parameters that override ``defaults`` for that group.
    defaults : dict
        Default hyper-parameters of every group.

    Subclasses implement ``_update_group(group)``, which changes ``p.data`` in place, and
    ``_check_group(group)``, which validates a group's hyper-parameters.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD
    >>> w = tg.ones(2, requires_grad=True)
    >>> opt = SGD([{"params": [w], "lr": 0.5}])
    >>> opt.param_groups[0]["lr"]
    0.5
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, tg.Tensor) or isinstance(params, dict):
            raise TypeError(
                f"{name}: params must be an iterable of Tensors or of dicts (param "
                f"groups), got a single {type(params).__name__}; wrap it in a list"
            )
        self.defaults = dict(defaults)
        self.state = ParamState()
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[int, np.ndarray] = {}
        groups = _param_list(params, name)
        if len(groups) == 0:
            raise ValueError(
                f"{name}: optimizer got an empty parameter list; pass "
                "model.parameters() of a model that has parameters"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- groups -------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional hyper-parameters).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD
        >>> a, b = tg.ones(1, requires_grad=True), tg.ones(1, requires_grad=True)
        >>> opt = SGD([a], lr=0.1); opt.add_param_group({"params": [b], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        name = type(self).__name__
        gi = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: parameter group {gi} must be a dict with a 'params' key, "
                f"got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(
                f"{name}: parameter group {gi} has no 'params' key; write "
                "{'params': [...], 'lr': ...}"
            )
        group = dict(param_group)
        params = _param_list(group["params"], f"{name} group {gi}")
        for i, p in enumerate(params):
            where = f"{name}: parameter {i} of group {gi}"
            if isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str):
                raise TypeError(
                    f"{where} is a (name, tensor) pair; pass model.parameters(), "
                    "not model.named_parameters()"
                )
            if not isinstance(p, tg.Tensor):
                raise TypeError(
                    f"{where} is a {type(p).__name__}, not a Tensor; pass "
                    "model.parameters() or a list of Tensors"
                )
            if not p.requires_grad:
                raise ValueError(
                    f"{where} (shape {tuple(p.shape)}) does not require grad, so "
                    "it can not be optimized; create it with requires_grad=True "
                    "(or as nn.Parameter) or leave it out"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{where} (shape {tuple(p.shape)}) is not a leaf tensor; "
                    "optimize the leaf it was computed from (or .detach() it and "
                    "call .requires_grad_())"
                )
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"{name}: parameter group {gi} lists the same tensor twice; "
                "each parameter must appear once"
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if seen.intersection(ids):
            raise ValueError(
                f"{name}: some parameters appear in more than one parameter "
                "group; put each parameter in exactly one group"
            )
        for key, default in self.defaults.items():
            if default is required and key not in group:
                raise ValueError(
                    f"{name}: parameter group {gi} does not give '{key}', which "
                    f"has no default; pass {key}=..."
                )
            group.setdefault(key, default)
        group["params"] = params
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate a group's hyper-parameters (overridden by each optimizer)."""

    # ---- the update -------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None``, or to zeros in place.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD
        >>> w = tg.ones(2, requires_grad=True); (w * w).sum().backward()
        >>> opt = SGD([w], lr=0.1); opt.zero_grad(); w.grad is None
        True
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif g.grad_fn is None and g._data.flags.writeable:
                    g._data.fill(0)
                else:
                    # NOTE: a gradient with history (create_graph) or a read-only view is
                    # replaced by plain zeros instead of being changed in place.
                    p.grad = tg.from_numpy(np.zeros_like(g._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        The closure (optional, as in PyTorch) re-evaluates the model and returns the loss;
        it runs with gradients enabled. Parameters whose ``.grad`` is ``None`` are skipped.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD
        >>> w = tg.ones(1, requires_grad=True); (2 * w).sum().backward()
        >>> SGD([w], lr=0.5).step(); w.numpy()
        array([0.], dtype=float32)
        """
        loss = None
        if closure is not None:
            with tg.enable_grad():
                loss = closure()
        # NOTE: the grad-mode switch without a context-manager object: this runs every step.
        prev = _set_grad_mode(False)
        try:
            for group in self.param_groups:
                self._update_group(group)
                for p in group["params"]:
                    if p.grad is not None:
                        bump_version(p)  # written in place: a graph that saved p must not reuse it
        finally:
            _set_grad_mode(prev)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__}: a subclass must implement _update_group")

    def _tmp(self, p: Any) -> np.ndarray:
        """A scratch array shaped like ``p.data``, reused across steps (not part of state)."""
        w = p._data
        buf = self._scratch.get(id(p))
        if buf is None or buf.shape != w.shape or buf.dtype != w.dtype:
            buf = self._scratch[id(p)] = np.empty_like(w)
        return buf

    # ---- state dicts ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Return the state in PyTorch's layout: ``{"state": {index: {...}}, "param_groups"}``.

        Parameters are named by their position across all groups (0, 1, ...); arrays are
        copies, so the snapshot does not change as training goes on.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD
        >>> w = tg.ones(1, requires_grad=True)
        >>> SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
        [0]
        """
        groups, state, index = [], {}, 0
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = list(range(index, index + len(group["params"])))
            for i, p in zip(packed["params"], group["params"]):
                if p in self.state and self.state[p]:
                    state[i] = {k: _copy_value(v) for k, v in self.state[p].items()}
            index += len(group["params"])
            groups.append(packed)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state dict made by ``state_dict()`` (possibly of another optimizer instance).

        The optimizer must have the same number of groups and of parameters per group; the
        hyper-parameters are taken from the state dict and the arrays are copied, cast to
        each parameter's dtype.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD
        >>> w = tg.ones(1, requires_grad=True)
        >>> opt = SGD([w], lr=0.1); opt.load_state_dict(SGD([w], lr=0.5).state_dict())
        >>> opt.param_groups[0]["lr"]
        0.5
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{name}.load_state_dict: expected a dict made by state_dict(), "
                f"got {type(state_dict).__name__}"
            )
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise ValueError(
                    f"{name}.load_state_dict: the state dict has no '{key}' key; "
                    "pass the dict returned by optimizer.state_dict()"
                )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {len(saved_groups)} "
                f"parameter groups but this optimizer has "
                f"{len(self.param_groups)}; build the optimizer with the same "
                "parameter groups it was saved with"
            )
        by_index: dict[int, Any] = {}
        new_groups = []
        for gi, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            ids = list(saved.get("params", []))
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {gi} has {len(ids)} "
                    f"parameters in the state dict but {len(group['params'])} in "
                    "this optimizer; build the optimizer over the same parameters"
                )
            missing = [k for k in self.defaults if k not in saved]
            if missing:
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {gi} lacks "
                    f"{missing}; was the state dict saved by another optimizer?"
                )
            by_index.update(zip(ids, group["params"]))
            new = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            self._check_group(new)
            new_groups.append(new)
        new_state = ParamState()
        for idx, pstate in state_dict["state"].items():
            if idx not in by_index:
                raise ValueError(
                    f"{name}.load_state_dict: the state dict has state for "
                    f"parameter {idx!r}, which no parameter group lists"
                )
            p = by_index[idx]
            new_state[p] = {
                k: _cast_value(v, p, f"{name}.load_state_dict: state[{idx}][{k!r}]")
                for k, v in pstate.items()
            }
        # NOTE: the groups are replaced in place so that schedulers holding the list see them.
        self.param_groups[:] = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"


def _copy_value(v: Any) -> Any:
    return v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v)


def _cast_value(v: Any, p: Any, where: str) -> Any:
    if isinstance(v, tg.Tensor):
        v = v._data
    if not isinstance(v, np.ndarray):
        return copy.deepcopy(v)
    if v.ndim and v.shape != tuple(p.shape):
        raise ValueError(
            f"{where} has shape {v.shape} but the parameter has shape "
            f"{tuple(p.shape)}; the state dict belongs to a different model"
        )
    if np.issubdtype(v.dtype, np.floating):
        return v.astype(p._data.dtype, copy=True)
    return v.copy()
