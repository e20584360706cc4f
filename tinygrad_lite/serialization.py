"""save / load of state dicts as ``.npz`` files, without pickle.

File layout: every array (and NumPy scalar) is stored under a key ``a0``, ``a1``, ...;
the structure around them (dicts, lists, tuples, ints, floats, strings, bools, None) is one
JSON document stored as a unicode array under ``__tinygrad_lite__``. Every JSON object in
the document is a tag (``{"dict": [[key, value], ...]}``, ``{"tuple": [...]}``,
``{"array": "a0"}``, ``{"scalar": "a1"}``, ``{"tensor": "a2", "requires_grad": true}``), so
int dict keys, tuples and dtypes come back exactly.

Loading trusts nothing in the file: every member must be an uncompressed, unencrypted ``.npy``
whose header (read by ``numpy.lib.format``) declares a non-object array exactly as large as
the bytes the member stores, and the members together can not claim more bytes than the file
has. Only then is anything allocated, with ``allow_pickle=False``: a file can not run code,
and a small file can not demand a large allocation.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO, Any

import numpy as np

import tinygrad_lite as tg

__all__ = ["save", "load"]

_MARKER = "__tinygrad_lite__"
_FORMAT = "tinygrad_lite.state_dict"
_VERSION = 1


def _npz_path(path: str | os.PathLike) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"tg.save: path must be a str or pathlib.Path, got {type(path).__name__}")
    p = Path(path)
    return p if p.suffix == ".npz" else p.with_name(p.name + ".npz")


def _needs_npy_3(dtype: np.dtype) -> bool:
    """True when ``np.save`` would write .npy format 3.0: non-latin-1 structured field names."""
    try:
        repr(np.lib.format.dtype_to_descr(dtype)).encode("latin-1")
    except UnicodeEncodeError:
        return True
    return False


class _Encoder:
    """Turns a nested state dict into a JSON tree plus a dict of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _store(self, arr: np.ndarray, where: str) -> str:
        if arr.dtype.hasobject:
            raise TypeError(
                f"tg.save: {where} is an object array, which can only be stored "
                "with pickle; convert it to a numeric array"
            )
        if _needs_npy_3(arr.dtype):
            raise TypeError(
                f"tg.save: {where} has field names that are not latin-1 ({arr.dtype}); NumPy "
                "would store it in .npy format 3.0, which tg.load does not read; rename the fields"
            )
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr
        return key

    def encode(self, obj: Any, where: str) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, np.ndarray):
            return {"array": self._store(obj, where)}
        if isinstance(obj, np.generic):
            return {"scalar": self._store(np.asarray(obj), where)}
        if isinstance(obj, (int, float)):
            return obj
        if isinstance(obj, tg.Tensor):
            return {"tensor": self._store(obj._data, where), "requires_grad": obj.requires_grad}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not (k is None or isinstance(k, (bool, int, float, str, tuple))):
                    raise TypeError(
                        f"tg.save: {where} has a key of type {type(k).__name__}; "
                        "keys must be str, int, float, bool, None or tuples"
                    )
                items.append([self.encode(k, where), self.encode(v, f"{where}[{k!r}]")])
            return {"dict": items}
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        raise TypeError(
            f"tg.save: {where} has type {type(obj).__name__}, which a state dict "
            "can not hold; use arrays, Tensors, numbers, strings, None and "
            "dicts/lists/tuples of them"
        )


def save(obj: dict[str, Any], path: str | os.PathLike) -> None:
    """Save a state dict (a module's or an optimizer's) to an ``.npz`` file, without pickle.

    ``.npz`` is appended to ``path`` when it does not end with it (like ``np.savez``). The
    file is written to a temporary name first and then moved into place, so a crash never
    leaves a half-written checkpoint under ``path``.

    Parameters
    ----------
    obj : dict
        ``model.state_dict()``, ``optimizer.state_dict()`` or any dict of arrays, Tensors,
        numbers, strings, None and nested dicts/lists/tuples of them.
    path : str or pathlib.Path
        Where to write.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> import tinygrad_lite as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt")
    >>> tg.save({"w": np.ones(2)}, path)
    >>> tg.load(path + ".npz")["w"]
    array([1., 1.])
    """
    if not isinstance(obj, dict):
        hint = ""
        if hasattr(obj, "state_dict"):
            hint = "; call .state_dict() on it first"
        raise TypeError(
            f"tg.save: expected a state dict (a dict such as model.state_dict() or "
            f"optimizer.state_dict()), got {type(obj).__name__}{hint}"
        )
    target = _npz_path(path)
    enc = _Encoder()
    tree = enc.encode(obj, "state_dict")
    doc = json.dumps({"format": _FORMAT, "version": _VERSION, "tree": tree}, allow_nan=True)
    arrays = dict(enc.arrays)
    arrays[_MARKER] = np.array(doc)
    tmp = target.with_name(target.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _invalid(path: Path, why: str) -> ValueError:
    return ValueError(
        f"tg.load: {str(path)!r} is not a valid tinygrad_lite file ({why}); "
        "load only files written by tg.save"
    )


def _decode(node: Any, arrays: dict[str, np.ndarray], path: Path) -> Any:
    if isinstance(node, list):
        return [_decode(v, arrays, path) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and "dict" in node:
        return {_decode(k, arrays, path): _decode(v, arrays, path) for k, v in node["dict"]}
    if len(node) == 1 and "tuple" in node:
        return tuple(_decode(v, arrays, path) for v in node["tuple"])
    for tag in ("array", "scalar", "tensor"):
        if tag in node:
            key = node[tag]
            if not isinstance(key, str) or key not in arrays:
                raise _invalid(path, f"it refers to a missing array {key!r}")
            arr = arrays[key]
            if tag == "array":
                return arr
            if tag == "scalar":
                return arr[()]
            return tg.from_numpy(arr).requires_grad_(bool(node.get("requires_grad", False)))
    raise _invalid(path, f"unknown entry {sorted(node)}")


def _resolve(path: str | os.PathLike) -> Path:
    """The existing file ``path`` names, with the ``.npz`` that :func:`save` appends."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"tg.load: path must be a str or pathlib.Path, got {type(path).__name__}")
    p = Path(path)
    if not p.exists() and p.suffix != ".npz" and p.with_name(p.name + ".npz").exists():
        p = p.with_name(p.name + ".npz")
    if not p.is_file():
        raise FileNotFoundError(f"tg.load: no such file: {str(path)!r}")
    return p


def _refuse_pickle(path: Path, what: str) -> ValueError:
    return ValueError(
        f"tg.load: refusing to load {str(path)!r}: {what}, which could run code; "
        "tg.load never unpickles"
    )


def _check_archive(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse duplicate members, and members that together claim more bytes than the file."""
    twice = [name for name, n in Counter(info.filename for info in infos).items() if n > 1]
    if twice:
        raise _invalid(path, f"member {twice[0]!r} appears more than once")
    claimed, size = sum(info.compress_size for info in infos), path.stat().st_size
    if claimed > size:
        # NOTE: stored members can not overlap in a file tg.save wrote; overlapping ones let a
        # small file expand to many times its size (a non-recursive zip bomb).
        raise _invalid(
            path,
            f"its members claim {claimed:,} bytes but the file has only {size:,}; "
            "they overlap or their sizes are false",
        )


def _check_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> str:
    """Check one member from its zip entry and .npy header only; return its key.

    Nothing is allocated from the header's word: the array it declares must fill the
    member's stored bytes exactly, and those bytes are in the file (``_check_archive``).
    """
    name = info.filename
    if not name.endswith(".npy"):
        raise _invalid(path, f"member {name!r} is not an .npy array")
    if info.compress_type != zipfile.ZIP_STORED:
        raise _invalid(
            path,
            f"member {name!r} is compressed (zip method {info.compress_type}); tg.save never "
            "compresses, and a compressed member can expand far beyond the file (a zip bomb)",
        )
    if info.flag_bits & 0x1:
        raise _invalid(path, f"member {name!r} is encrypted")
    if info.file_size != info.compress_size:
        raise _invalid(path, f"member {name!r} has two different sizes in the zip directory")
    with zf.open(info) as fh:
        shape, dtype = _read_npy_header(fh, name, path)
        stored = info.file_size - fh.tell()
    if dtype.hasobject:
        raise _refuse_pickle(path, f"member {name!r} holds pickled Python objects ({dtype})")
    declared = math.prod(shape) * dtype.itemsize
    if declared != stored:
        raise _invalid(
            path,
            f"member {name!r} declares an array of shape {shape} and dtype {dtype} "
            f"({declared:,} bytes) but holds {stored:,} bytes of data",
        )
    return name[: -len(".npy")]


_NPY_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _read_npy_header(fh: IO[bytes], name: str, path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from an .npy header, read by NumPy's own (public) readers."""
    try:
        version = np.lib.format.read_magic(fh)
        read = _NPY_HEADER_READERS.get(version)
        if read is None:
            raise _invalid(
                path, f"member {name!r} uses .npy format {version}, which tg.save never writes"
            )
        shape, _, dtype = read(fh)
    except ValueError as e:
        if str(e).startswith("tg.load"):
            raise
        raise _invalid(path, f"member {name!r} has a bad .npy header: {e}") from None
    return shape, dtype


def _read_archive(path: Path) -> dict[str, np.ndarray]:
    """Check every member (sizes, compression, dtypes) first, then read the arrays."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_archive(path, infos)
            keys = [_check_member(zf, info, path) for info in infos]
            if _MARKER not in keys:
                raise _invalid(path, "it has no tinygrad_lite header; was it written by np.savez?")
            arrays = {}
            for key, info in zip(keys, infos):
                with zf.open(info) as fh:
                    arrays[key] = np.lib.format.read_array(fh, allow_pickle=False)
            return arrays
    except ValueError as e:
        if str(e).startswith("tg.load"):
            raise
        raise _invalid(path, str(e)) from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise _invalid(path, f"{type(e).__name__}: {e}") from None


def load(path: str | os.PathLike) -> dict[str, Any]:
    """Load a state dict written by :func:`save`; never unpickles anything.

    ``path`` may omit the ``.npz`` that :func:`save` appended. A hostile file is refused with
    a ``ValueError`` before anything it declares is allocated: compressed or encrypted
    members, object arrays, and arrays larger than the bytes the file really holds.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> import tinygrad_lite as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "opt.npz")
    >>> tg.save({"state": {0: {"step": 3}}, "betas": (0.9, 0.99)}, path)
    >>> tg.load(path)
    {'state': {0: {'step': 3}}, 'betas': (0.9, 0.99)}
    """
    p = _resolve(path)
    with open(p, "rb") as fh:
        magic = fh.read(6)
    if magic.startswith(b"\x80"):
        raise _refuse_pickle(p, "it is a pickle")
    if not magic.startswith(b"PK"):
        raise _invalid(p, "it is not an .npz (zip) archive")
    arrays = _read_archive(p)
    try:
        doc = json.loads(str(arrays.pop(_MARKER)[()]))
    except (json.JSONDecodeError, TypeError, RecursionError) as e:
        raise _invalid(p, f"its header is not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT or "tree" not in doc:
        raise _invalid(p, "its header is not a tinygrad_lite state dict")
    if doc.get("version") != _VERSION:
        raise ValueError(
            f"tg.load: {str(p)!r} has format version {doc.get('version')!r}; "
            f"this tinygrad_lite reads version {_VERSION}, upgrade it"
        )
    try:
        obj = _decode(doc["tree"], arrays, p)
    except (TypeError, ValueError, AttributeError, RecursionError) as e:
        if str(e).startswith("tg.load"):
            raise
        raise _invalid(p, f"its structure is damaged: {e}") from None
    if not isinstance(obj, dict):
        raise _invalid(p, "it does not hold a dict")
    return obj
