"""tg.save / tg.load: exact round trips without pickle, and every refusal."""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tg
from tinygrad_lite.optim import SGD, Adam
from tinygrad_lite.serialization import load, save


def _same(a, b):
    """Deep equality that also checks types, dtypes and shapes (tuples stay tuples)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and (a == b or (a != a and b != b))
    elif isinstance(a, tg.Tensor):
        assert a.requires_grad == b.requires_grad
        _same(a.numpy(), b.numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


def test_exported_as_tg_save_and_tg_load():
    assert tg.save is save and tg.load is load


def test_module_like_flat_dict_round_trips_with_dtypes(tmp_path):
    sd = {
        "0.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
        "0.bias": np.array([1e-300, -2.5]),
        "bn.num_batches_tracked": np.array(3, dtype=np.int64),
        "mask": np.array([True, False]),
        "half": np.array([0.1], dtype=np.float16),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    save(sd, tmp_path / "model.npz")
    _same(load(tmp_path / "model.npz"), sd)


def test_optimizer_state_dict_round_trips_exactly(tmp_path):
    a = tg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = tg.tensor(np.array([[3.0]], dtype=np.float32), requires_grad=True)
    opt = Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, betas=(0.8, 0.9))
    (a * a).sum().backward()
    (b * b).sum().backward()
    opt.step()
    sd = opt.state_dict()
    save(sd, str(tmp_path / "opt"))
    back = load(str(tmp_path / "opt.npz"))
    _same(back, sd)
    assert isinstance(back["param_groups"][0]["betas"], tuple)
    assert list(back["state"]) == [0, 1] and back["state"][1]["exp_avg"].dtype == np.float32


def test_training_resumes_identically_from_a_file(tmp_path):
    rng = np.random.default_rng(0)
    x, y = tg.tensor(rng.normal(size=(6, 2))), tg.tensor(rng.normal(size=(6, 1)))
    w = tg.tensor(rng.normal(size=(2, 1)), requires_grad=True)

    def train(w, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((x @ w - y) ** 2).mean().backward()
            opt.step()

    opt = SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    train(w, opt, 5)
    save({"w": w.numpy()}, tmp_path / "model")
    save(opt.state_dict(), tmp_path / "optim")
    w2 = tg.tensor(load(tmp_path / "model")["w"], requires_grad=True)
    opt2 = SGD([w2], lr=1.0)
    opt2.load_state_dict(load(tmp_path / "optim"))
    train(w, opt, 5)
    train(w2, opt2, 5)
    np.testing.assert_array_equal(w.numpy(), w2.numpy())


def test_values_of_every_supported_kind(tmp_path):
    sd = {
        "none": None,
        "flag": True,
        "count": 2**70,
        "lr": 0.1,
        "nan": float("nan"),
        "inf": -float("inf"),
        "name": "fc.weight",
        "scalar": np.float32(1.5),
        "iscalar": np.int16(-3),
        "tensor": tg.tensor(np.array([1.0, 2.0]), requires_grad=True),
        "frozen": tg.tensor(np.array([1, 2])),
        "nested": {1: [(), (1, "a")], (2, 3): {"x": [np.ones(2)]}, None: 1.0, 2.5: False},
        "tricky": {"dict": 1, "array": "a0", "tuple": [1]},  # keys that look like tags
    }
    save(sd, tmp_path / "all.npz")
    _same(load(tmp_path / "all.npz"), sd)


def test_paths_str_pathlib_and_the_npz_suffix(tmp_path):
    save({"a": np.ones(1)}, tmp_path / "ckpt")
    assert (tmp_path / "ckpt.npz").is_file() and not (tmp_path / "ckpt").exists()
    save({"a": np.ones(1)}, str(tmp_path / "other.npz"))
    assert (tmp_path / "other.npz").is_file() and not (tmp_path / "other.npz.npz").exists()
    for p in (tmp_path / "ckpt", str(tmp_path / "ckpt"), tmp_path / "ckpt.npz"):
        _same(load(p), {"a": np.ones(1)})
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz", "other.npz"]  # no temporary left


def test_a_file_is_a_plain_npz_readable_by_numpy(tmp_path):
    save({"w": np.arange(3.0)}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as f:
        assert "__tinygrad_lite__" in f.files
        assert any(np.array_equal(f[k], np.arange(3.0)) for k in f.files)


def test_save_writes_only_what_load_accepts(tmp_path):
    # tg.load refuses compressed, duplicate, non-.npy and .npy-3.0 members; tg.save never
    # writes them.
    sd = {"w": np.ones((2, 3), np.float32), "rec": np.zeros(2, [("é", "<f4")]), "n": [1, (2,)]}
    save(sd, tmp_path / "m")
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert len(set(names)) == len(names) and all(n.endswith(".npy") for n in names)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        for info in infos:
            with zf.open(info) as fh:
                assert np.lib.format.read_magic(fh) == (1, 0)
    _same(load(tmp_path / "m"), sd)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    arr=hnp.arrays(
        st.sampled_from([np.float32, np.float64, np.int8, np.int64, np.uint16, np.bool_]),
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
    ),
    key=st.text(min_size=0, max_size=8),
)
def test_any_array_round_trips(tmp_path, arr, key):
    save({key: arr, "list": [arr, arr]}, tmp_path / "h.npz")
    _same(load(tmp_path / "h.npz"), {key: arr, "list": [arr, arr]})


# ---- errors ------------------------------------------------------------------------------
def test_missing_file(tmp_path):
    missing = tmp_path / "nope.npz"
    with pytest.raises(FileNotFoundError, match=r"tg.load: no such file: .*nope.npz"):
        load(missing)


def test_truncated_and_corrupt_files(tmp_path):
    good = tmp_path / "good.npz"
    save({"w": np.ones((50, 50))}, good)
    data = good.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"truncated.npz' is not a valid tinygrad_lite file"):
        load(bad)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"hello, this is not an archive")
    with pytest.raises(ValueError, match=r"not a valid tinygrad_lite file \(it is not an .npz"):
        load(junk)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"not a valid tinygrad_lite file"):
        load(empty)
    plain = tmp_path / "plain.npz"
    np.savez(plain, w=np.ones(2))
    with pytest.raises(ValueError, match=r"not a valid tinygrad_lite file \(it has no "):
        load(plain)
    npy = tmp_path / "arr.npy"
    np.save(npy, np.ones(2))
    with pytest.raises(ValueError, match=r"not a valid tinygrad_lite file"):
        load(npy)


def test_damaged_header(tmp_path):
    def write(doc, **arrays):
        path = tmp_path / "h.npz"
        np.savez(path, __tinygrad_lite__=np.array(doc), **arrays)
        return path

    with pytest.raises(ValueError, match=r"not a valid tinygrad_lite file \(its header is not"):
        load(write("{not json"))
    with pytest.raises(ValueError, match=r"header is not a tinygrad_lite state dict"):
        load(write('{"format": "other", "tree": {}}'))

    def ours(tree):
        return json.dumps({"format": "tinygrad_lite.state_dict", "version": 1, "tree": tree})

    with pytest.raises(ValueError, match=r"refers to a missing array 'a7'"):
        load(write(ours({"dict": [["w", {"array": "a7"}]]})))
    with pytest.raises(ValueError, match=r"its structure is damaged"):
        load(write(ours({"dict": [[[1], 2]]})))
    with pytest.raises(ValueError, match=r"it does not hold a dict"):
        load(write(ours([1, 2])))
    with pytest.raises(ValueError, match=r"has format version 99; .* upgrade"):
        load(write('{"format": "tinygrad_lite.state_dict", "version": 99, "tree": 1}'))


class _SideEffect:
    """Unpickling this creates a directory: the visible effect a malicious file would have."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_pickled_objects_are_refused_and_never_run(tmp_path):
    witness = tmp_path / "pwned"
    evil = np.array([_SideEffect(witness)], dtype=object)
    plain = tmp_path / "evil_plain.npz"
    np.savez(plain, x=evil)
    header = tmp_path / "evil_header.npz"  # looks like ours, with an object array inside
    np.savez(
        header,
        __tinygrad_lite__=np.array(
            '{"format": "tinygrad_lite.state_dict", "version": 1,'
            ' "tree": {"dict": [["x", {"array": "a0"}]]}}'
        ),
        a0=evil,
    )
    raw = tmp_path / "evil.pkl"
    raw.write_bytes(pickle.dumps(_SideEffect(witness)))
    for path in (plain, header, raw):
        with pytest.raises(ValueError, match=r"refusing to load .* never unpickles"):
            load(path)
        assert not witness.exists()
    # the files really are armed: numpy with pickle allowed runs the payload
    with np.load(plain, allow_pickle=True) as f:
        f["x"]
    assert witness.is_dir()


def test_save_refuses_what_is_not_a_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"tg.save: expected a state dict .* got list"):
        save([np.ones(1)], tmp_path / "x")
    opt = SGD([tg.tensor(np.ones(1), requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match=r"got SGD; call .state_dict\(\) on it first"):
        save(opt, tmp_path / "x")
    with pytest.raises(TypeError, match=r"state_dict\['s'\] has type set"):
        save({"s": {1, 2}}, tmp_path / "x")
    with pytest.raises(TypeError, match=r"state_dict\['o'\] is an object array"):
        save({"o": np.array([None], dtype=object)}, tmp_path / "x")
    with pytest.raises(TypeError, match=r"has a key of type frozenset"):
        save({frozenset(): 1}, tmp_path / "x")
    with pytest.raises(TypeError, match=r"path must be a str or pathlib.Path, got int"):
        save({}, 3)
    with pytest.raises(TypeError, match=r"tg.load: path must be a str or pathlib.Path"):
        load(None)
    assert sorted(os.listdir(tmp_path)) == []  # nothing half-written


def test_load_accepts_a_path_subclass(tmp_path):
    save({"a": 1}, pathlib.PurePath(tmp_path / "p"))
    assert zipfile.is_zipfile(tmp_path / "p.npz")
    assert load(tmp_path / "p") == {"a": 1}


def test_scheduler_state_dicts_round_trip(tmp_path):
    from tinygrad_lite.optim import lr_scheduler

    def make():
        opt = SGD([tg.tensor(np.ones(1), requires_grad=True)], lr=0.1)
        return opt, lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)

    opt, sched = make()
    for loss in (1.0, 2.0, 0.5):
        sched.step(loss)
    save(sched.state_dict(), tmp_path / "sched")
    save(opt.state_dict(), tmp_path / "opt")
    opt2, sched2 = make()
    opt2.load_state_dict(load(tmp_path / "opt"))
    sched2.load_state_dict(load(tmp_path / "sched"))
    _same(sched2.state_dict(), sched.state_dict())
    for s in (sched, sched2):
        s.step(0.6)
    assert sched2.get_last_lr() == sched.get_last_lr() == [0.025]
    fresh = make()[1].state_dict()
    assert fresh["best"] == float("inf")
    save(fresh, tmp_path / "inf")
    assert load(tmp_path / "inf")["best"] == float("inf")
