"""tg.load on hostile files: each is refused with a ValueError before anything large is made.

Every file here is crafted in ``tmp_path``: an .npy header that declares a huge array, a zip
directory that lies about sizes, members that overlap, a deflate bomb, encrypted, duplicate,
foreign and pickled members. ``_small_peak`` reads tracemalloc, which sees NumPy's array
allocations, to show that nothing the file declares was allocated.
"""

from __future__ import annotations

import contextlib
import io
import json
import struct
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pytest

import tinygrad_lite as tg

_MARKER = "__tinygrad_lite__.npy"
_PEAK_LIMIT = 16 * 2**20  # bytes; every file here declares far more than this


@contextlib.contextmanager
def _small_peak(limit: int = _PEAK_LIMIT):
    """Fail when the block's peak traced allocation (NumPy arrays included) reaches ``limit``."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if started:
            tracemalloc.stop()
    assert peak < limit, f"peak allocation {peak:,} bytes"


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """An .npy header (format 1.0) declaring ``shape`` and ``descr``, with no data after it."""
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def _marker(*keys: str) -> bytes:
    """Our JSON header member's bytes, for a state dict ``{key: array key}``."""
    tree = {"dict": [[k, {"array": k}] for k in keys]}
    return _npy(
        np.array(json.dumps({"format": "tinygrad_lite.state_dict", "version": 1, "tree": tree}))
    )


def _write(path, members, compress_type=zipfile.ZIP_STORED):
    """A zip of ``{name: bytes}`` written by zipfile (sizes honest); return ``path``."""
    with zipfile.ZipFile(path, "w", compression=compress_type) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# -- a zip written by hand, so that its directory can lie ----------------------------------
def _local_header(name: str, data: bytes) -> bytes:
    raw = name.encode()
    crc, size = zlib.crc32(data), len(data)
    return (
        struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 33, crc, size, size, len(raw), 0) + raw
    )


def _directory_record(name: str, data: bytes, offset: int, size=None, flags=0) -> bytes:
    raw = name.encode()
    crc, size = zlib.crc32(data), len(data) if size is None else size
    fields = (b"PK\x01\x02", 20, 20, flags, 0, 0, 33, crc, size, size, len(raw), 0, 0, 0, 0, 0)
    return struct.pack("<4s6H3L5H2L", *fields, offset) + raw


def _finish(body: bytes, records: list[bytes]) -> bytes:
    directory = b"".join(records)
    n = len(records)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), len(body), 0)
    return body + directory + end


def _hand_zip(members: dict[str, bytes], sizes=None, flags=None) -> bytes:
    """Stored members one after another; ``sizes``/``flags`` override the directory's word."""
    body, records = b"", []
    for name, data in members.items():
        size = (sizes or {}).get(name)
        records.append(_directory_record(name, data, len(body), size, (flags or {}).get(name, 0)))
        body += _local_header(name, data) + data
    return _finish(body, records)


def test_the_hand_written_zip_is_valid_when_it_does_not_lie(tmp_path):
    path = tmp_path / "honest.npz"
    path.write_bytes(_hand_zip({_MARKER: _marker("a0"), "a0.npy": _npy(np.arange(3.0))}))
    np.testing.assert_array_equal(tg.load(path)["a0"], np.arange(3.0))


# -- sizes ---------------------------------------------------------------------------------
def test_a_header_declaring_a_tebibyte_is_refused_before_allocating(tmp_path):
    path = _write(tmp_path / "tib.npz", {_MARKER: _marker("a0"), "a0.npy": _npy_header((2**37,))})
    assert path.stat().st_size < 1000  # the file is tiny, the array it declares is 1 TiB
    with _small_peak(), pytest.raises(ValueError) as info:
        tg.load(path)
    assert str(info.value) == (
        f"tg.load: {str(path)!r} is not a valid tinygrad_lite file (member 'a0.npy' declares "
        "an array of shape (137438953472,) and dtype float64 (1,099,511,627,776 bytes) but "
        "holds 0 bytes of data); load only files written by tg.save"
    )


@pytest.mark.parametrize(
    ("shape", "descr", "extra", "declared"),
    [
        ((2**62, 4), "<f8", 0, "(147,573,952,589,676,412,928 bytes)"),  # int64 product wraps
        ((3,), "<f4", 4, "(12 bytes) but holds 16 bytes"),  # trailing bytes
        ((4,), "<f4", -4, "(16 bytes) but holds 12 bytes"),  # short data
        ((-1, 8), "<f8", 0, "(-64 bytes) but holds 0 bytes"),
    ],
)
def test_the_declared_size_must_match_the_stored_bytes_exactly(
    tmp_path, shape, descr, extra, declared
):
    count = max(int(np.prod(shape, dtype=object)), 0) * np.dtype(descr).itemsize
    data = _npy_header(shape, descr) + bytes(min(count + extra, 64))
    path = _write(tmp_path / "size.npz", {_MARKER: _marker("a0"), "a0.npy": data})
    with _small_peak(), pytest.raises(ValueError, match=r"member 'a0.npy' declares an array"):
        tg.load(path)
    with pytest.raises(ValueError, match=declared.replace("(", r"\(").replace(")", r"\)")):
        tg.load(path)


def test_a_zip_directory_that_lies_about_sizes_is_refused(tmp_path):
    # The directory says a0.npy holds 2 GiB and its .npy header agrees; the file holds 1 KiB.
    size = 2**31
    head = _npy_header((size - 128,), "|u1")
    assert len(head) == 128
    members = {_MARKER: _marker("a0"), "a0.npy": head + bytes(1024)}
    path = tmp_path / "liar.npz"
    path.write_bytes(_hand_zip(members, sizes={"a0.npy": size}))
    with _small_peak(), pytest.raises(ValueError) as info:
        tg.load(path)
    msg = str(info.value)
    assert "is not a valid tinygrad_lite file (its members claim 2,147,48" in msg
    assert f"bytes but the file has only {path.stat().st_size:,}; they overlap or" in msg


def test_overlapping_members_a_non_recursive_zip_bomb_are_refused(tmp_path):
    # Each member's data holds the next member whole (Fifield's overlapping-files bomb, stored):
    # 20 members each claim about the whole file, so reading all of them costs 20 times its size.
    names = [f"a{i}" for i in range(20)]
    tail = _npy(np.zeros(50_000, dtype=np.uint8))
    datas = [tail]
    for name in reversed(names[1:]):
        entry = _local_header(name + ".npy", datas[0]) + datas[0]
        datas.insert(0, _npy_header((len(entry),), "|u1") + entry)
    first = {_MARKER: _marker(*names)}
    body = _local_header(_MARKER, first[_MARKER]) + first[_MARKER]
    body += _local_header(names[0] + ".npy", datas[0]) + datas[0]
    records = [_directory_record(_MARKER, first[_MARKER], 0)]
    for name, data in zip(names, datas):
        records.append(
            _directory_record(name + ".npy", data, body.find(_local_header(name + ".npy", data)))
        )
    path = tmp_path / "overlap.npz"
    path.write_bytes(_finish(body, records))
    with zipfile.ZipFile(path) as zf:  # a well-formed zip: every member reads back
        assert all(zf.read(f"{n}.npy") == d for n, d in zip(names, datas))
    with _small_peak(), pytest.raises(ValueError, match=r"its members claim [\d,]+ bytes but"):
        tg.load(path)


# -- compression, encryption, names ---------------------------------------------------------
def test_a_deflate_bomb_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bomb.npz"
    size = 64 * 2**20  # 64 MiB of zeros, about 64 KiB deflated
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(_MARKER, _marker("a0"))
        info = zipfile.ZipInfo("a0.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as fh:
            fh.write(_npy_header((size,), "|u1"))
            chunk = bytes(2**20)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    assert path.stat().st_size < size // 100
    with _small_peak(), pytest.raises(ValueError) as info:
        tg.load(path)
    assert "(member 'a0.npy' is compressed (zip method 8); tg.save never compresses" in str(
        info.value
    )
    assert "a zip bomb" in str(info.value)


def test_np_savez_compressed_files_are_refused(tmp_path):
    path = tmp_path / "small.npz"
    header = json.dumps({"format": "tinygrad_lite.state_dict", "version": 1, "tree": {"dict": []}})
    np.savez_compressed(path, __tinygrad_lite__=np.array(header))
    with pytest.raises(ValueError, match=r"member '__tinygrad_lite__.npy' is compressed"):
        tg.load(path)


def test_encrypted_members_are_refused(tmp_path):
    members = {_MARKER: _marker("a0"), "a0.npy": _npy(np.ones(2))}
    path = tmp_path / "locked.npz"
    path.write_bytes(_hand_zip(members, flags={"a0.npy": 0x1}))
    with pytest.raises(ValueError, match=r"member 'a0.npy' is encrypted"):
        tg.load(path)


def test_duplicate_and_foreign_members_are_refused(tmp_path):
    dup = tmp_path / "dup.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        with zipfile.ZipFile(dup, "w") as zf:
            zf.writestr(_MARKER, _marker("a0"))
            zf.writestr("a0.npy", _npy(np.ones(2)))
            zf.writestr("a0.npy", _npy(np.zeros(2)))
    with pytest.raises(ValueError, match=r"member 'a0.npy' appears more than once"):
        tg.load(dup)
    foreign = _write(tmp_path / "foreign.npz", {_MARKER: _marker(), "notes.txt": b"hello"})
    with pytest.raises(ValueError, match=r"member 'notes.txt' is not an .npy array"):
        tg.load(foreign)


def test_damaged_npy_headers_name_the_member(tmp_path):
    path = _write(tmp_path / "bad.npz", {_MARKER: _marker("a0"), "a0.npy": b"\x93NUMPY\x01\x00"})
    with pytest.raises(ValueError, match=r"member 'a0.npy' has a bad .npy header: EOF"):
        tg.load(path)
    path = _write(tmp_path / "bad.npz", {_MARKER: _marker("a0"), "a0.npy": b"not numpy"})
    with pytest.raises(ValueError, match=r"member 'a0.npy' has a bad .npy header"):
        tg.load(path)


# -- dtypes ---------------------------------------------------------------------------------
def test_an_object_dtype_is_refused_from_its_header_without_unpickling(tmp_path):
    # The header says object and a vast shape; the payload is a pickle that would create a
    # directory. Neither the shape nor the pickle is ever acted on.
    witness = tmp_path / "pwned"
    payload = b"cos\nmkdir\n(V" + str(witness).encode() + b"\ntR."
    data = _npy_header((2**40,), "|O") + payload
    path = _write(tmp_path / "evil.npz", {_MARKER: _marker("a0"), "a0.npy": data})
    with _small_peak(), pytest.raises(ValueError) as info:
        tg.load(path)
    assert str(info.value) == (
        f"tg.load: refusing to load {str(path)!r}: member 'a0.npy' holds pickled Python "
        "objects (object), which could run code; tg.load never unpickles"
    )
    assert not witness.exists()


def test_npy_format_3_is_refused_on_load_and_never_written_by_save(tmp_path):
    arr = np.zeros(2, dtype=[("π→", "<f4")])  # non-latin-1 field names: NumPy writes format 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        data = _npy(arr)
    assert data[6:8] == b"\x03\x00"
    path = _write(tmp_path / "v3.npz", {_MARKER: _marker("a0"), "a0.npy": data})
    with pytest.raises(ValueError, match=r"member 'a0.npy' uses .npy format \(3, 0\), which"):
        tg.load(path)
    with pytest.raises(TypeError, match=r"state_dict\['s'\] has field names that are not latin-1"):
        tg.save({"s": arr}, tmp_path / "never")
    assert not (tmp_path / "never.npz").exists()
    latin = np.zeros(2, dtype=[("é", "<f4")])  # latin-1 names stay in format 1.0 and round trip
    tg.save({"s": latin}, tmp_path / "latin")
    assert tg.load(tmp_path / "latin")["s"].dtype == latin.dtype


def test_a_real_checkpoint_still_loads_with_no_extra_copies(tmp_path):
    sd = {"w": np.arange(2**20, dtype=np.float64), "b": np.ones(3, dtype=np.float32)}
    tg.save(sd, tmp_path / "real")
    with _small_peak(3 * sd["w"].nbytes):
        back = tg.load(tmp_path / "real")
    np.testing.assert_array_equal(back["w"], sd["w"])
    assert back["b"].dtype == np.float32
