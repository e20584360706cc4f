"""Exception classes that PyTorch users and NumPy users can both catch.

PyTorch raises ``IndexError`` for a dimension out of range and ``RuntimeError`` for shapes that do
not fit; NumPy (and tinygrad_lite before these classes) raise ``ValueError`` for both. Each class
below subclasses both, so ``except IndexError``, ``except RuntimeError`` and ``except ValueError``
all keep working, whichever library the calling code was written for.
"""

from __future__ import annotations

__all__ = ["DimensionError", "ShapeError"]


class DimensionError(IndexError, ValueError):
    """A dimension (``dim`` / ``axis``) out of range for the tensor.

    An ``IndexError`` because PyTorch raises one ("Dimension out of range"); a ``ValueError``
    because NumPy's ``AxisError`` is one, and so callers written for NumPy keep working.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.errors import DimensionError
    >>> try:
    ...     tg.ones(2, 3).sum(axis=2)
    ... except IndexError as err:
    ...     print(type(err).__name__, isinstance(err, ValueError))
    DimensionError True
    """


class ShapeError(RuntimeError, ValueError):
    """Shapes that do not fit together, or a size that no tensor can have.

    A ``RuntimeError`` because PyTorch raises one for a shape mismatch ("shape '[4, 2]' is
    invalid for input of size 6", "The size of tensor a (3) must match ..."); a ``ValueError``
    because NumPy raises one, and so callers written for NumPy keep working.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.errors import ShapeError
    >>> try:
    ...     tg.zeros(-1)
    ... except RuntimeError as err:
    ...     print(type(err).__name__, isinstance(err, ValueError))
    ShapeError True
    """
