"""The primitive ops, by family: one ``Function`` subclass each, ``forward`` beside ``backward``.

Backward bodies use only what NumPy and tinygrad_lite share (operators, ``.sum(axis=,
keepdims=)``, ``.reshape``, ``ctx.xp.where`` ...), so the same lines compute first-order
gradients on ndarrays and, under ``create_graph=True``, build a graph on Tensors. The engine
undoes broadcasting, so a backward may return a gradient in the broadcast output's shape.
Everything not here is a short composition in ``tensor.py``.

NOTE: these ops assign ``ctx.saved_tensors`` directly instead of calling ``save_for_backward``:
one attribute store instead of a method call on the hottest path of the library.
"""

from .arithmetic import Add, Div, Linear, MatMul, Mul, Neg, Pow, SquaredError, Sub
from .elementwise import (
    Abs,
    Cast,
    Cos,
    Exp,
    LeakyRelu,
    Log,
    Maximum,
    Minimum,
    Relu,
    Sigmoid,
    Sign,
    Sin,
    Sqrt,
    Tanh,
    Where,
)
from .inplace import CopySlices, IndexPut, Overwrite, view_of
from .reductions import LogSoftmax, Max, Mean, Median, Min, Softmax, Sum, stable_max
from .shape import Cat, Expand, GetItem, Permute, Reshape, ScatterAdd
