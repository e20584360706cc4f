"""nn.Module, nn.Parameter and nn.Sequential: registration, traversal, modes, hooks, state."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import nn


class Block(nn.Module):
    """A module with its own parameter, a buffer, a non-persistent buffer and children."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.register_buffer("steps", tg.tensor(np.zeros((), dtype=np.int64)))
        self.register_buffer("cache", tg.zeros(2), persistent=False)
        self.fc = nn.Linear(2, 3)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 2), nn.Tanh())
        self.block = Block()
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.block(self.encoder(x)))


# ---------------------------------------------------------------------------- Parameter


def test_parameter_is_a_leaf_tensor_requiring_grad():
    p = nn.Parameter(np.arange(6.0).reshape(2, 3))
    assert isinstance(p, tg.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert p.shape == (2, 3) and p.dtype == np.float64
    assert repr(p).startswith("Parameter containing:\n")


def test_parameter_copies_an_array_but_shares_a_tensor():
    arr = np.zeros(3)
    p = nn.Parameter(arr)
    arr[0] = 5.0
    assert p.numpy()[0] == 0.0
    t = tg.zeros(3)
    q = nn.Parameter(t)
    t.numpy()[1] = 7.0
    assert q.numpy()[1] == 7.0 and q.dtype == np.float32


def test_parameter_requires_grad_false_and_empty_default():
    assert not nn.Parameter(np.ones(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_gets_gradients():
    p = nn.Parameter(np.array([1.0, 2.0]))
    (p * p).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), [2.0, 4.0])


# ------------------------------------------------------------------------- registration


def test_attributes_route_into_ordered_dicts():
    b = Block()
    assert list(b._parameters) == ["scale"]
    assert list(b._buffers) == ["steps", "cache"]
    assert list(b._modules) == ["fc", "act"]
    assert "scale" not in b.__dict__ and "fc" not in b.__dict__
    assert b.scale is b._parameters["scale"] and b.fc is b._modules["fc"]
    assert b.steps is b._buffers["steps"]


def test_reassignment_moves_between_kinds_and_none_keeps_slot():
    b = Block()
    b.fc = nn.Parameter(np.ones(1))  # a module name re-used for a parameter
    assert "fc" not in b._modules and "fc" in b._parameters
    b.fc = None
    assert b.fc is None and "fc" in b._parameters
    b.act = None
    assert b.act is None and "act" in b._modules
    b.steps = tg.tensor(np.ones((), dtype=np.int64))
    assert int(b._buffers["steps"].item()) == 1
    b.plain = 3
    assert b.__dict__["plain"] == 3


def test_assigning_a_plain_tensor_to_a_parameter_is_a_type_error():
    lin = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"cannot assign Tensor as parameter 'weight'.*Parameter"):
        lin.weight = tg.zeros(1, 2)
    with pytest.raises(TypeError, match=r"sub-module 'fc'.*nn.Module or None"):
        Block().fc = 3
    with pytest.raises(TypeError, match=r"buffer 'steps'.*Tensor or None"):
        Block().steps = np.zeros(1)


def test_assigning_before_super_init_is_a_clear_error():
    class Forgetful(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(1))
            super().__init__()

    class Forgetful2(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(RuntimeError, match=r"parameter 'w' to Forgetful before Module.__init__"):
        Forgetful()
    with pytest.raises(RuntimeError, match=r"call super\(\).__init__\(\) first.*Forgetful2"):
        Forgetful2()


def test_getattr_and_delattr():
    b = Block()
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'nope'"):
        b.nope
    assert not hasattr(b, "nope")
    del b.scale, b.steps, b.fc
    assert [n for n, _ in b.named_parameters()] == []
    assert list(b.state_dict()) == []
    assert not hasattr(b, "scale")
    b.x = 1
    del b.x
    assert not hasattr(b, "x")
    assert "scale" not in dir(b) and "act" in dir(b)


def test_register_buffer_errors():
    m = nn.Module()
    with pytest.raises(ValueError, match=r"buffer name 'a.b' is invalid.*no \".\""):
        m.register_buffer("a.b", tg.zeros(1))
    with pytest.raises(ValueError, match="buffer name '' is invalid"):
        m.register_buffer("", tg.zeros(1))
    with pytest.raises(TypeError, match="buffer name must be a str"):
        m.register_buffer(3, tg.zeros(1))
    with pytest.raises(TypeError, match=r"buffer 'x' must be a Tensor or None.*from_numpy"):
        m.register_buffer("x", np.zeros(1))
    m.y = 1
    with pytest.raises(ValueError, match="attribute 'y' already exists on Module"):
        m.register_buffer("y", tg.zeros(1))
    m.register_buffer("z", None)
    assert list(m.state_dict()) == [] and list(m.buffers()) == []


def test_register_parameter_and_add_module_errors():
    m = nn.Module()
    with pytest.raises(TypeError, match=r"'w' must be an nn.Parameter or None.*nn.Parameter\("):
        m.register_parameter("w", tg.zeros(1))
    with pytest.raises(TypeError, match="'c' must be an nn.Module or None, got int"):
        m.add_module("c", 1)
    with pytest.raises(ValueError, match="module name 'a.b' is invalid"):
        m.add_module("a.b", nn.ReLU())
    m.register_parameter("w", nn.Parameter(np.ones(1)))
    m.add_module("c", nn.ReLU())
    assert [n for n, _ in m.named_parameters()] == ["w"]
    assert [n for n, _ in m.named_children()] == ["c"]


def test_forward_missing_is_not_implemented():
    with pytest.raises(NotImplementedError, match="Module has no forward"):
        nn.Module()(1)


# ---------------------------------------------------------------------------- traversal


def test_named_parameters_dotted_names_in_registration_order():
    names = [n for n, _ in Net().named_parameters()]
    assert names == [
        "encoder.0.weight",
        "encoder.0.bias",
        "block.scale",
        "block.fc.weight",
        "block.fc.bias",
        "head.weight",
        "head.bias",
    ]
    net = Net()
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert [n for n, _ in net.block.named_parameters(prefix="b", recurse=False)] == ["b.scale"]


def test_shared_modules_and_parameters_come_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert len(list(model.children())) == 2
    all_names = [n for n, _ in model.named_parameters(remove_duplicate=False)]
    assert all_names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    # NOTE: state_dict lists a shared tensor under every name, as PyTorch does.
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    tied = nn.Module()
    tied.a, tied.b = nn.Linear(2, 2), nn.Linear(2, 2)
    tied.b.weight = tied.a.weight
    assert [n for n, _ in tied.named_parameters()] == ["a.weight", "a.bias", "b.bias"]


def test_modules_children_and_buffers():
    net = Net()
    names = [n for n, _ in net.named_modules()]
    assert names == [
        "",
        "encoder",
        "encoder.0",
        "encoder.1",
        "block",
        "block.fc",
        "block.act",
        "head",
    ]
    assert [type(m).__name__ for m in net.modules()][:3] == ["Net", "Sequential", "Linear"]
    assert [n for n, _ in net.named_children()] == ["encoder", "block", "head"]
    assert [n for n, _ in net.named_buffers()] == ["block.steps", "block.cache"]
    assert len(list(net.buffers())) == 2


def test_apply_visits_children_first():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Tanh", "Sequential", "Linear", "ReLU", "Block", "Linear", "Net"]


# ------------------------------------------------------------------------ modes, grads


def test_train_eval_propagate_to_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.block.train()
    assert net.block.fc.training and not net.training and not net.encoder[0].training
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(TypeError, match=r"mode must be a bool.*\.eval\(\)"):
        net.train("no")


def _give_grads(model):
    for p in model.parameters():
        p.grad = tg.Tensor(np.ones_like(p.numpy()))


def test_zero_grad_to_none_and_in_place():
    net = Net()
    _give_grads(net)
    arrays = [p.grad.numpy() for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    for p, arr in zip(net.parameters(), arrays):
        assert p.grad.numpy() is arr and not arr.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.zero_grad()  # no grads at all is fine


def test_zero_grad_after_real_backward():
    lin = nn.Linear(3, 2)
    lin(tg.ones(4, 3)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(lin.weight.grad.numpy(), np.zeros((2, 3)))
    lin(tg.ones(4, 3)).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), np.full((2, 3), 4.0))


# ---------------------------------------------------------------------------- hooks


def test_forward_hook_sees_inputs_and_output_and_can_replace_it():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_hook(lambda m, inp, out: calls.append((m, inp, out)))
    h2 = lin.register_forward_hook(lambda m, inp, out: out * 0.0)
    x = tg.ones(1, 2)
    y = lin(x)
    ((m, inp, out),) = calls
    assert m is lin and inp == (x,) and isinstance(out, tg.Tensor)
    assert not y.numpy().any()
    h2.remove()
    h2.remove()  # removing twice is harmless
    y = lin(x)
    np.testing.assert_allclose(y.numpy(), out.numpy())
    h1.remove()
    lin(x)
    assert len(calls) == 2


def test_forward_hook_handle_as_context_manager_and_in_sequential():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    shapes = []
    with model[1].register_forward_hook(lambda m, i, o: shapes.append(o.shape)):
        model(tg.ones(5, 2))
    model(tg.ones(5, 2))
    assert shapes == [(5, 3)]
    with pytest.raises(TypeError, match="hook must be callable"):
        model.register_forward_hook(3)


# ---------------------------------------------------------------------------- dtypes


def test_to_double_float_casts_params_grads_and_float_buffers_in_place():
    net = Net()
    params_before = list(net.parameters())
    _give_grads(net)
    assert net.double() is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params_before]
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in net.parameters())
    assert net.block.cache.dtype == np.float64
    assert net.block.steps.dtype == np.int64  # integer buffers stay integer
    out = net(tg.tensor(np.ones((2, 4))))
    assert out.dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    net.to("float64")
    assert net.head.weight.dtype == np.float64
    with pytest.raises(TypeError, match="can only cast to a floating dtype.*got int32"):
        net.to(np.int32)
    with pytest.raises(TypeError, match="expected a floating dtype"):
        net.to(object())


# ------------------------------------------------------------------------------- repr


def test_repr_nested_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1, bias=False)))
    expected = (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=1, bias=False)\n"
        "  )\n"
        ")"
    )
    assert repr(model) == expected
    assert repr(nn.Module()) == "Module()"


def test_repr_with_multi_line_extra_repr_and_children():
    class Odd(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.act = nn.Tanh()

        def extra_repr(self) -> str:
            return "k=1\nj=2"

    assert repr(Odd()) == "Odd(\n  k=1\n  j=2\n  (act): Tanh()\n)"


@pytest.mark.torch
def test_repr_equals_pytorch(torch):
    ours = nn.Sequential(
        nn.Linear(2, 3), nn.LeakyReLU(), nn.Sequential(nn.Tanh(), nn.Sigmoid()), nn.Flatten()
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3),
        torch.nn.LeakyReLU(),
        torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Sigmoid()),
        torch.nn.Flatten(),
    )
    assert repr(ours) == repr(theirs)


# -------------------------------------------------------------------------- Sequential


def test_sequential_runs_in_order():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    x = tg.tensor([[1.0, -2.0]])
    lin = model[0]
    expected = np.maximum(x.numpy() @ lin.weight.numpy().T + lin.bias.numpy(), 0)
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-6)
    assert nn.Sequential()(x) is x


def test_sequential_indexing_len_iter_append():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)
    model = nn.Sequential(a, b)
    assert len(model) == 2 and model[0] is a and model[-1] is b and model[-2] is a
    assert list(model) == [a, b]
    assert model.append(c) is model and model[2] is c
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c]
    assert list(tail._modules) == ["1", "2"]  # keys kept, as in PyTorch
    assert list(model[::-1]) == [c, b, a]
    with pytest.raises(IndexError, match="index 3 is out of range for Sequential of length 3"):
        model[3]
    with pytest.raises(IndexError, match="index -4 is out of range"):
        model[-4]
    with pytest.raises(TypeError, match="indices must be integers or slices, not str"):
        model["0"]
    d = nn.Tanh()
    model[1] = d
    assert model[1] is d
    del model[0]
    assert list(model._modules) == ["0", "1"] and model[0] is d


def test_sequential_from_ordered_dict_and_bad_arguments():
    model = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 1)), ("act", nn.Sigmoid())]))
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]
    assert model.fc is model[0]
    with pytest.raises(TypeError, match="Sequential: argument 1 is a int, not an nn.Module"):
        nn.Sequential(nn.ReLU(), 3)
    with pytest.raises(TypeError, match="expected an nn.Module, got function"):
        nn.Sequential().append(lambda x: x)


def test_deepcopy_gives_independent_module():
    net = Net()
    twin = copy.deepcopy(net)
    twin.head.weight.data += 1.0
    assert not np.allclose(twin.head.weight.numpy(), net.head.weight.numpy())
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in net.named_parameters()]


# ------------------------------------------------------------------------- state dicts


def test_state_dict_order_keys_and_copies():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == [
        "encoder.0.weight",
        "encoder.0.bias",
        "block.scale",
        "block.steps",
        "block.fc.weight",
        "block.fc.bias",
        "head.weight",
        "head.bias",
    ]
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    sd["head.bias"][...] = 123.0
    assert not (net.head.bias.numpy() == 123.0).any()
    kept = net.state_dict(keep_vars=True)
    assert kept["head.bias"] is net.head.bias


def test_load_state_dict_round_trip_in_place_keeping_dtype():
    src, dst = Net(), Net()
    weight_array = dst.head.weight.numpy()
    sd = {
        k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in src.state_dict().items()
    }
    sd["block.steps"] = np.array(7)
    sd["head.bias"] = tg.Tensor(sd["head.bias"])  # Tensors are accepted too
    result = dst.load_state_dict(sd)
    assert result == ([], []) and result.missing_keys == [] and result.unexpected_keys == []
    assert dst.head.weight.numpy() is weight_array and weight_array.dtype == np.float32
    for key, value in src.state_dict().items():
        if key != "block.steps":
            np.testing.assert_array_equal(dst.state_dict()[key], value)
    assert dst.block.steps.dtype == np.int64 and int(dst.block.steps.item()) == 7
    x = tg.ones(3, 4)
    np.testing.assert_allclose(dst(x).numpy(), src(x).numpy())


def test_load_state_dict_lists_all_three_kinds_of_error_in_one_message():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    before = model.state_dict()
    bad = model.state_dict()
    bad["0.weight"] = np.zeros((3, 1))
    del bad["2.bias"]
    bad["extra"] = np.zeros(2)
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(bad)
    msg = str(info.value)
    assert msg == (
        "Error(s) in loading state_dict for Sequential:\n"
        '\tMissing key(s) in state_dict: "2.bias".\n'
        '\tUnexpected key(s) in state_dict: "extra".\n'
        "\tsize mismatch for 0.weight: copying a param with shape (3, 1) from checkpoint, "
        "the shape in current model is (3, 2)."
    )
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)
    # nothing was copied
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_load_state_dict_not_strict_returns_keys_but_refuses_shapes():
    model = nn.Sequential(nn.Linear(2, 3))
    sd = {"0.weight": np.ones((3, 2)), "junk": np.ones(1), "more": np.ones(1)}
    result = model.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["junk", "more"]
    np.testing.assert_array_equal(model[0].weight.numpy(), np.ones((3, 2)))
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*shape \(2, 3\) from"):
        model.load_state_dict({"0.weight": np.ones((2, 3))}, strict=False)
    with pytest.raises(ValueError, match=r'Missing key\(s\) in state_dict: "0.weight", "0.bias"'):
        model.load_state_dict({})


def test_load_state_dict_type_errors():
    model = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="expected a mapping of name -> array, got list"):
        model.load_state_dict([("weight", np.ones((1, 2)))])
    with pytest.raises(TypeError, match="value for 'bias' must be an ndarray or a Tensor, got str"):
        model.load_state_dict({"weight": np.ones((1, 2)), "bias": "x"})


def test_load_state_dict_bad_dtype_is_refused_before_anything_is_copied():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    before = model.state_dict()
    sd = {k: np.full_like(v, 5.0) for k, v in before.items()}
    sd["2.weight"] = np.array([["a", "b", "c"]])  # the last entry but one is strings
    with pytest.raises(TypeError) as info:
        model.load_state_dict(sd)
    assert str(info.value) == (
        "load_state_dict: value for '2.weight' has dtype <U1 (strings), which can not be "
        "copied into the parameter (float32)"
    )
    for key, value in model.state_dict().items():  # nothing was copied, not even 0.weight
        np.testing.assert_array_equal(value, before[key])
    with pytest.raises(TypeError, match=r"value for '2.weight' has dtype <U1"):
        model.load_state_dict(sd, strict=False)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_load_state_dict_refuses_an_object_array_instead_of_loading_nan():
    model = nn.Linear(2, 1)
    before = model.state_dict()
    sd = {"weight": np.array([[None, None]], dtype=object), "bias": np.zeros(1)}
    with pytest.raises(TypeError) as info:
        model.load_state_dict(sd)
    assert str(info.value) == (
        "load_state_dict: value for 'weight' is an object array (Python objects such as None, "
        "not numbers), which would load into the parameter as NaN or garbage; pass a numeric "
        "array"
    )
    np.testing.assert_array_equal(model.weight.numpy(), before["weight"])
    np.testing.assert_array_equal(model.bias.numpy(), before["bias"])
    # an int too large for any NumPy integer becomes an object array too
    b = Block()
    with pytest.raises(TypeError, match=r"value for 'steps' is an object array"):
        b.load_state_dict({**Block().state_dict(), "steps": 2**70})


@pytest.mark.parametrize(
    ("value", "what"),
    [
        (np.ones(3, dtype=np.complex128), "complex128 (complex numbers)"),
        (np.array([b"1", b"2", b"3"]), "|S1 (bytes)"),
        (np.zeros(3, dtype="datetime64[s]"), "datetime64[s] (datetimes)"),
    ],
)
def test_load_state_dict_refuses_kinds_a_float_parameter_can_not_hold(value, what):
    b = Block()
    sd = Block().state_dict()
    sd["scale"] = value
    with pytest.raises(TypeError) as info:
        b.load_state_dict(sd)
    assert str(info.value) == (
        f"load_state_dict: value for 'scale' has dtype {what}, which can not be copied into "
        "the parameter (float32)"
    )


def test_load_state_dict_integer_buffers_take_only_whole_numbers_in_range():
    b = Block()
    sd = Block().state_dict()
    for bad in (np.array(2.5), np.array(np.nan), np.array(-1.0e19), np.array(2**63, np.uint64)):
        with pytest.raises(TypeError) as info:
            b.load_state_dict({**sd, "steps": bad})
        assert str(info.value) == (
            "load_state_dict: value for 'steps' holds numbers that the buffer (int64) can not "
            "hold exactly; it takes whole numbers from -9223372036854775808 to "
            "9223372036854775807"
        )
        assert int(b.steps.item()) == 0
    for good, expected in ((np.array(3.0), 3), (np.array(True), 1), (np.uint8(9), 9)):
        b.load_state_dict({**sd, "steps": good})
        assert b.steps.dtype == np.int64 and int(b.steps.item()) == expected


def test_load_state_dict_writes_through_one_helper(monkeypatch):
    # NOTE: the version-counter bump for in-place writes lives in _copy_into; keep it the only
    # writer.
    from tinygrad_lite.nn import module

    written = []
    original = module._copy_into

    def spy(tensor, value):
        written.append(tensor)
        original(tensor, value)

    monkeypatch.setattr(module, "_copy_into", spy)
    net = Net()
    net.load_state_dict(Net().state_dict())
    assert [id(t) for t in written] == [id(t) for _, t in net.state_dict(keep_vars=True).items()]


def test_non_persistent_buffers_are_not_saved_or_expected():
    b = Block()
    assert "cache" not in b.state_dict()
    b.load_state_dict(Block().state_dict())
    assert [n for n, _ in b.named_buffers()] == ["steps", "cache"]
