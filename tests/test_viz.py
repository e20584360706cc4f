"""viz: DOT text checked through Graphviz's own parser (dot -Tjson), real SVG/PNG renders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_lite as tg
from tinygrad_lite import nn, viz
from tinygrad_lite.viz import COLORS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
SVG = "{http://www.w3.org/2000/svg}"
LEGEND = {"legend_exploding", "legend_vanishing", "legend_non_finite"}


def parse(dot_text: str) -> dict:
    """Nodes (name -> attrs with the label split in lines), edges and clusters, as `dot` sees
    them."""
    out = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    data = json.loads(out.stdout)
    objects = data.get("objects", [])
    by_id = {o["_gvid"]: o for o in objects}
    nodes = {o["name"]: o for o in objects if "nodes" not in o and "subgraphs" not in o}
    for attrs in nodes.values():
        attrs["lines"] = attrs.get("label", "").split("\\n")
    clusters = {}
    children = {}
    for o in objects:
        if o["name"].startswith("cluster_"):
            clusters[o["name"]] = {by_id[i]["name"] for i in o.get("nodes", [])}
            children[o["name"]] = {by_id[i]["name"] for i in o.get("subgraphs", [])}
    edges = [(by_id[e["tail"]]["name"], by_id[e["head"]]["name"]) for e in data.get("edges", [])]
    return {"nodes": nodes, "edges": edges, "clusters": clusters, "children": children}


def story(x: np.ndarray, trace: bool = True, record: bool = False):
    """The story network's MSE loss on ``x`` (y = x + 1) after one backward."""
    model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))
    X, Y = tg.tensor(x), tg.tensor(x + 1)
    if trace:
        with viz.trace_modules(model) as tr:
            loss = nn.MSELoss()(model(X), Y)
    else:
        tr = None
        loss = nn.MSELoss()(model(X), Y)
    if record:
        with tg.record_gradients():
            loss.backward()
    else:
        loss.backward()
    return loss, model, tr


def raw_x(n: int = 100, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 100, size=(n, 1)).astype(dtype)


def ops_and_leaves(loss):
    ops = tg.graph_nodes([loss])
    leaves = {id(t): t for fn in ops for t in fn.inputs if t is not None and t.grad_fn is None}
    return ops, leaves


def names_of(parsed, prefix):
    return {n for n in parsed["nodes"] if n.startswith(prefix)}


# ----------------------------------------------------------------------------- structure
@needs_dot
def test_structure_of_the_story_graph_matches_the_engine():
    # float64 data and float32 weights: the graph holds Cast nodes, whose labels carry quotes.
    loss, model, trace = story(raw_x(8, np.float64), record=True)
    ops, leaves = ops_and_leaves(loss)
    g = parse(viz.to_dot(loss, model=model, trace=trace))
    assert len(names_of(g, "op")) == len(ops)
    assert len(names_of(g, "t")) == len(leaves) == 6  # 4 parameters, x and y
    assert set(g["nodes"]) == names_of(g, "op") | names_of(g, "t") | {"out0"} | LEGEND
    # Every graph edge, each input slot once (x * x style repeats count twice); plus the output.
    n_inputs = sum(t is not None for fn in ops for t in fn.inputs)
    assert len(g["edges"]) == n_inputs + 1 + 2  # + 2 invisible legend edges
    labels = [g["nodes"][n]["lines"][0] for n in names_of(g, "op")]
    assert sorted(labels) == sorted(fn.label for fn in ops)
    assert any(label.startswith("Cast(dtype=") for label in labels)
    tensor_names = {g["nodes"][n]["lines"][0] for n in names_of(g, "t")}
    assert tensor_names == {"0.weight", "0.bias", "2.weight", "2.bias", "input"}
    # The output node hangs below the op that made the loss.
    (src,) = [t for t, h in g["edges"] if h == "out0"]
    assert g["nodes"][src]["lines"][0] == loss.grad_fn.label


@needs_dot
def test_edges_run_from_producer_to_consumer():
    x = tg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    w = tg.ones(3, 2, requires_grad=True)
    loss = (x @ w).relu().sum()
    g = parse(viz.to_dot(loss, params={"x": x, "w": w}))
    label = {n: a["lines"][0] for n, a in g["nodes"].items()}
    named = {(label[t], label[h]) for t, h in g["edges"]}
    assert named == {
        ("x", "MatMul"),
        ("w", "MatMul"),
        ("MatMul", "Relu"),
        ("Relu", "Sum(keepdims=False)"),
        ("Sum(keepdims=False)", "output"),
    }
    # Shapes by hand: (1, 3) @ (3, 2) -> (1, 2); the sum is 0-d; the value 2 * (1 + 2 + 3) = 12.
    by_label = {a["lines"][0]: a["lines"] for a in g["nodes"].values()}
    assert by_label["MatMul"][1] == "(1, 2) float32"
    assert by_label["w"][1] == "(3, 2) float32"
    assert by_label["output"][1:] == ["() float32", "value 12"]


@needs_dot
def test_shapes_and_grads_can_be_hidden():
    loss, model, _ = story(raw_x(8), trace=False)
    g = parse(viz.to_dot(loss, model=model, show_shapes=False, show_grads=False))
    assert not LEGEND & set(g["nodes"])
    for name, attrs in g["nodes"].items():
        if name != "out0":
            assert len(attrs["lines"]) == 1, attrs["lines"]


# ----------------------------------------------------------------------------- gradients
@needs_dot
def test_gradient_statistics_are_printed():
    w = tg.tensor([3.0, -4.0], requires_grad=True)
    (w * tg.tensor([6.0, -8.0])).sum().backward()  # grad = [6, -8]: norm 10, max |grad| 8
    g = parse(viz.to_dot((w * 1.0).sum(), params={"w": w}))
    lines = [a["lines"] for a in g["nodes"].values() if a["lines"][0] == "w"][0]
    assert lines[2:] == ["grad norm 10", "max |grad| 8"]


def _fill(w_grad: np.ndarray, **kw) -> str:
    w = tg.tensor(np.ones_like(w_grad), requires_grad=True)
    loss = (w * 2.0).sum()
    w.grad = tg.tensor(w_grad)
    g = parse(viz.to_dot(loss, params={"w": w}, **kw))
    (node,) = [a for a in g["nodes"].values() if a["lines"][0] == "w"]
    return node["fillcolor"]


@needs_dot
@pytest.mark.parametrize(
    "grad, kw, colour",
    [
        ([1.0, -2.0], {}, COLORS["param"]),
        ([1.0, -1001.0], {}, COLORS["exploding"]),  # max |grad| > 1e3
        ([1.0, -1000.0], {}, COLORS["param"]),  # the boundary itself is fine
        ([1e-8, 0.0], {}, COLORS["vanishing"]),  # every |grad| < 1e-7
        ([0.0, 0.0], {}, COLORS["vanishing"]),
        ([1.0, np.nan], {}, COLORS["non-finite"]),
        ([np.inf, 1.0], {}, COLORS["non-finite"]),
        ([1.0, -1001.0], {"explode": 1e4}, COLORS["param"]),  # thresholds are parameters
        ([1e-3, 0.0], {"vanish": 1e-2}, COLORS["vanishing"]),
    ],
)
def test_colours_follow_the_thresholds(grad, kw, colour):
    assert _fill(np.array(grad), **kw) == colour


@needs_dot
def test_exploding_intermediate_gradients_are_coloured_under_record_gradients():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1.0
    loss = (h * 1e4).sum()  # d loss / d h = 1e4 (exploding); d loss / d (h * 1e4) = 1
    with tg.record_gradients():
        loss.backward()
    g = parse(viz.to_dot(loss, params={"w": w}))
    fills = {}
    for attrs in g["nodes"].values():
        fills.setdefault(attrs["lines"][0], []).append(attrs["fillcolor"])
    # Ops: Sum (grad 1), Mul by 1e4 (its output grad is 1), Mul by 1 (its output grad is 1e4).
    assert sorted(fills["Mul"]) == sorted([COLORS["op"], COLORS["exploding"]])
    assert fills["Sum(keepdims=False)"] == [COLORS["op"]]
    assert fills["w"] == [COLORS["exploding"]]
    # Without record_gradients, ops carry no gradient figures.
    w2 = tg.tensor([1.0, 2.0], requires_grad=True)
    loss2 = (w2 * 1e4).sum()
    loss2.backward()
    g2 = parse(viz.to_dot(loss2))
    assert all(len(a["lines"]) == 2 for n, a in g2["nodes"].items() if n.startswith("op"))


@needs_dot
def test_the_legend_states_the_thresholds():
    g = parse(viz.to_dot(_graph_with_grad(), explode=50.0, vanish=1e-3))
    assert g["clusters"]["cluster_legend"] == LEGEND
    assert g["nodes"]["legend_exploding"]["lines"][1] == "max |grad| > 50"
    assert g["nodes"]["legend_vanishing"]["lines"][1] == "max |grad| < 0.001"
    assert g["nodes"]["legend_non_finite"]["fillcolor"] == COLORS["non-finite"]


def _graph_with_grad():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * 3.0).sum()
    loss.backward(retain_graph=True)
    return loss


# ----------------------------------------------------------------------------- clusters
class Affine(nn.Module):
    """A hand-written linear layer, so the ops it makes are known: Permute, MatMul, Add."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.weight = nn.Parameter(np.full((n_out, n_in), 0.5, dtype=np.float32))
        self.bias = nn.Parameter(np.zeros(n_out, dtype=np.float32))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class Act(nn.Module):
    def forward(self, x):
        return x.relu()


def labels_between(h_in, h_out) -> list[str]:
    """The labels of the ops that made ``h_out`` from ``h_in``, found by the engine's walk."""
    before = {id(fn) for fn in tg.graph_nodes([h_in])}
    return sorted(fn.label for fn in tg.graph_nodes([h_out]) if id(fn) not in before)


@needs_dot
def test_traced_clusters_match_the_sub_modules():
    model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))
    x = raw_x(8, np.float64)
    with viz.trace_modules(model) as trace:
        out = model(tg.tensor(x))
        loss = nn.MSELoss()(out, tg.tensor(x + 1))
    loss.backward()
    # What each layer made, found independently: run the layers one by one, untraced.
    hs = [tg.tensor(x)]
    for layer in model:
        hs.append(layer(hs[-1]))
    made = [labels_between(a, b) for a, b in zip(hs, hs[1:])]
    g = parse(viz.to_dot(loss, model=model, trace=trace))
    assert set(g["clusters"]) == {"cluster_0", "cluster_1", "cluster_2", "cluster_legend"}
    label = {n: a["lines"][0] for n, a in g["nodes"].items()}
    content = {c: sorted(label[n] for n in names) for c, names in g["clusters"].items()}
    assert content["cluster_0"] == sorted(made[0] + ["0.weight", "0.bias"])
    assert content["cluster_1"] == made[1] == ["LeakyRelu(negative_slope=0.01)"]
    assert content["cluster_2"] == sorted(made[2] + ["2.weight", "2.bias"])
    clustered = set().union(*g["clusters"].values())
    outside = sorted(label[n] for n in g["nodes"] if n not in clustered)
    # The loss ops (whatever MSELoss is made of), the data x and y and the output stay outside.
    assert outside == sorted(labels_between(out, loss) + ["input", "input", "output"])
    objs = json.loads(
        subprocess.run(
            ["dot", "-Tjson"],
            input=viz.to_dot(loss, model=model, trace=trace).encode(),
            capture_output=True,
            check=True,
        ).stdout
    )["objects"]
    titles = {o["name"]: o.get("label") for o in objs if o["name"].startswith("cluster_")}
    assert titles["cluster_1"] == "1: LeakyReLU" and titles["cluster_0"] == "0: Linear"


@needs_dot
def test_without_a_trace_clusters_follow_parameter_ownership():
    model = nn.Sequential(Affine(1, 3), Act(), Affine(3, 1))
    x = tg.tensor(raw_x(8, np.float64))  # float64 data, float32 weights: Casts appear
    out = model(x)
    loss = ((out - x) ** 2).sum()
    loss.backward()
    g = parse(viz.to_dot(loss, model=model))
    # Act has no parameter, so without a trace it gets no cluster.
    assert set(g["clusters"]) == {"cluster_0", "cluster_2", "cluster_legend"}
    label = {n: a["lines"][0] for n, a in g["nodes"].items()}
    w = model[0].weight
    transpose = w.T.grad_fn.label
    cast = w.astype(np.float64).grad_fn.label
    # Ops that compute only from the layer's parameters (transpose, casts) and the ops that
    # read them (MatMul, Add) join the layer; the activation and the loss do not.
    c0 = sorted(label[n] for n in g["clusters"]["cluster_0"])
    assert c0 == sorted(["0.weight", "0.bias", transpose, cast, cast, "MatMul", "Add"])
    clustered = set().union(*g["clusters"].values())
    outside = sorted(label[n] for n in g["nodes"] if n not in clustered)
    assert outside == sorted(labels_between(out, loss) + ["Relu", "input", "output"])


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        self.head = nn.Linear(2, 1)
        self.scale = nn.Parameter(np.array([2.0], dtype=np.float32))

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


@needs_dot
def test_nested_modules_give_nested_clusters():
    model = Block()
    with viz.trace_modules(model) as trace:
        loss = model(tg.ones(4, 2)).sum()
    loss.backward()
    g = parse(viz.to_dot(loss, model=model, trace=trace))
    assert g["children"]["cluster_body"] == {"cluster_body.0", "cluster_body.1"}
    label = {n: a["lines"][0] for n, a in g["nodes"].items()}
    assert sorted(label[n] for n in g["clusters"]["cluster_body.1"]) == ["Relu"]
    # A parent's cluster holds its children's nodes.
    assert g["clusters"]["cluster_body.0"] < g["clusters"]["cluster_body"]
    # `scale` belongs to the model itself, which is the whole picture, not a cluster.
    clustered = set().union(*g["clusters"].values())
    top = {label[n] for n in g["nodes"] if n not in clustered}
    assert {"scale", "Mul", "Sum(keepdims=False)", "input", "output"} <= top
    # The trace's hooks are gone after the block.
    assert all(not m._forward_hooks for m in model.modules())


def test_trace_keeps_op_nodes_weakly():
    model = nn.Sequential(Affine(1, 1), Act())
    with viz.trace_modules(model) as trace:
        out = model(tg.ones(2, 1))
    # Affine made Permute (of the weight), MatMul and Add; Act made Relu.
    assert sorted(trace.owner.values()) == ["0", "0", "0", "1"]
    assert trace.owner[out.grad_fn] == "1"
    del out
    assert len(trace.owner) == 0


def test_trace_does_not_claim_ops_made_before_the_module_ran():
    model = nn.Sequential(Affine(1, 1))
    with viz.trace_modules(model) as trace:
        pre = tg.ones(2, 1, requires_grad=True) * 2.0  # made outside any module
        out = model(pre).relu()  # the relu too
    assert pre.grad_fn not in trace.owner and out.grad_fn not in trace.owner
    assert sorted(trace.owner.values()) == ["0", "0", "0"]


# ----------------------------------------------------------------------------- size
@needs_dot
def test_max_nodes_caps_the_graph_and_says_what_it_left_out():
    loss, model, trace = story(raw_x(8), trace=True)
    ops, leaves = ops_and_leaves(loss)
    total = len(ops) + len(leaves)
    for cap in (1, 5, 9, total - 1):
        g = parse(viz.to_dot(loss, model=model, trace=trace, max_nodes=cap, show_grads=False))
        drawn = names_of(g, "op") | names_of(g, "t")
        assert 1 <= len(drawn) <= cap
        note = g["nodes"]["omitted"]["lines"]
        n_ops = len(ops) - len(names_of(g, "op"))
        n_leaves = len(leaves) - len(names_of(g, "t"))
        assert note[0] == f"{n_ops} more op nodes and {n_leaves} more tensors not drawn"
        assert note[1] == f"(max_nodes={cap}; raise it to see them)"
        assert any(t == "omitted" for t, _ in g["edges"])
    g = parse(viz.to_dot(loss, max_nodes=total))
    assert "omitted" not in g["nodes"]


def test_a_100000_node_graph_is_drawn_without_recursion():
    x = tg.ones(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # any recursion over the graph would fail at once
    try:
        text = viz.to_dot(y)
    finally:
        sys.setrecursionlimit(limit)
    lines = text.splitlines()
    assert sum(line.startswith("\top") and "[" in line for line in lines) == 100_000
    assert sum("->" in line for line in lines) == 100_000 + 1
    head = viz.to_dot(y, max_nodes=50)
    assert "99950 more op nodes and 1 more tensors not drawn" in head


@settings(max_examples=15, deadline=None)
@given(depth=st.integers(1, 4), width=st.integers(1, 4), batch=st.integers(1, 3))
def test_node_count_equals_the_graph_for_random_mlps(depth, width, batch):
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.ReLU()]
    model = nn.Sequential(*layers)
    loss = model(tg.ones(batch, width)).sum()
    ops, leaves = ops_and_leaves(loss)
    text = viz.to_dot(loss, model=model)
    body = [line.strip() for line in text.splitlines()]
    assert sum(line.startswith("op") and "->" not in line for line in body) == len(ops)
    assert sum(line.startswith("t") and "->" not in line for line in body) == len(leaves)
    assert len(leaves) == 2 * depth + 1
    assert text.count("subgraph") == depth  # one cluster per Linear (no grads: no legend)


# ----------------------------------------------------------------------------- rendering
@needs_dot
def test_mlp_loss_renders_to_svg_and_png(tmp_path):
    graphviz = pytest.importorskip("graphviz")
    loss, model, trace = story(raw_x(), record=True)
    ops, leaves = ops_and_leaves(loss)
    graph = viz.draw_graph(loss, model=model, trace=trace)
    assert isinstance(graph, graphviz.Digraph)
    svg_path = graph.render(tmp_path / "g", format="svg")
    png = graph.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    root = ET.parse(svg_path).getroot()
    groups = root.iter(f"{SVG}g")
    nodes, clusters = [], []
    for el in groups:
        if el.get("class") in ("node", "cluster"):
            title = el.find(f"{SVG}title").text
            text = "\n".join(t.text or "" for t in el.iter(f"{SVG}text"))
            (nodes if el.get("class") == "node" else clusters).append((title, text))
    assert len(nodes) == len(ops) + len(leaves) + 1 + len(LEGEND)
    assert sorted(t for t, _ in clusters) == [
        "cluster_0",
        "cluster_1",
        "cluster_2",
        "cluster_legend",
    ]
    texts = "\n".join(text for _, text in nodes)
    for fn in ops:
        assert fn.label in texts
    for name, _ in model.named_parameters():
        assert name in texts
    # The raw-data gradients of the weights explode: drawn in the exploding colour.
    weight_fill = [
        el.find(f"{SVG}ellipse").get("fill")
        for el in root.iter(f"{SVG}g")
        if el.get("class") == "node" and "0.weight" in "".join(t.text or "" for t in el.iter())
    ]
    assert weight_fill == [COLORS["exploding"]]


def test_draw_graph_is_a_jupyter_displayable_digraph():
    pytest.importorskip("graphviz")
    graph = viz.draw_graph(_graph_with_grad())
    assert "digraph {" in graph.source and "op0" in graph.source
    if shutil.which("dot"):
        bundle = graph._repr_mimebundle_()
        assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_to_dot_needs_no_graphviz_package():
    code = (
        "import sys; sys.modules['graphviz'] = None\n"
        "import tinygrad_lite as tg\nfrom tinygrad_lite import viz\n"
        "w = tg.ones(2, requires_grad=True)\n"
        "print(viz.to_dot((w * 2).sum()).count('->'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "3"  # w -> Mul -> Sum -> output


# ----------------------------------------------------------------------------- errors
def test_draw_graph_without_the_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(viz, "_digraph_class", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad-lite\[viz\]"'):
        viz.draw_graph(_graph_with_grad())


def test_rendering_without_dot_says_how_to_install_graphviz(monkeypatch, tmp_path):
    pytest.importorskip("graphviz")
    graph = viz.draw_graph(_graph_with_grad())
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz"):
        graph.pipe(format="svg")
    with pytest.raises(viz.GraphvizNotFoundError, match="`dot` program was not found"):
        graph.render(tmp_path / "g", format="png")
    assert issubclass(viz.GraphvizNotFoundError, RuntimeError)


def test_bad_arguments_are_clear_errors():
    loss = _graph_with_grad()
    with pytest.raises(TypeError, match="to_dot: root must be a Tensor"):
        viz.to_dot(np.ones(2))
    with pytest.raises(TypeError, match="to_dot: root 1 is a int"):
        viz.to_dot([loss, 3])
    with pytest.raises(ValueError, match="to_dot: max_nodes must be >= 1, got 0"):
        viz.to_dot(loss, max_nodes=0)
    with pytest.raises(TypeError, match="to_dot: max_nodes must be an int"):
        viz.to_dot(loss, max_nodes=2.5)
    with pytest.raises(TypeError, match=r"to_dot: params\['w'\] is a ndarray, not a Tensor"):
        viz.to_dot(loss, params={"w": np.ones(2)})
    with pytest.raises(TypeError, match="to_dot: model must be an nn.Module"):
        viz.to_dot(loss, model={"w": loss})
    with pytest.raises(TypeError, match="trace must be the ModuleTrace"):
        viz.to_dot(loss, trace={})
    with pytest.raises(ValueError, match="to_dot: need 0 <= vanish < explode"):
        viz.to_dot(loss, explode=1e-9)
    with pytest.raises(TypeError, match="trace_modules: model must be an nn.Module"):
        with viz.trace_modules(loss):
            pass


def test_leaf_and_multiple_roots():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    text = viz.to_dot(a, params={"a": a})
    assert "t0" in text and "t0 -> out0" in text
    b = a * 2.0
    c = b.sum()
    text = viz.to_dot([b, c])
    assert "output 0" in text and "output 1" in text
    assert text.count(" -> out") == 2


@needs_dot
def test_the_example_writes_a_readable_svg_and_png(tmp_path):
    pytest.importorskip("graphviz")
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "visualize_graph.py"
    spec = importlib.util.spec_from_file_location("visualize_graph", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    svg, png = example.main(str(tmp_path))
    assert png.read_bytes()[:4] == b"\x89PNG"
    root = ET.parse(svg).getroot()
    fills = {}
    for el in root.iter(f"{SVG}g"):
        if el.get("class") == "node":
            text = [t.text for t in el.iter(f"{SVG}text")]
            shape = el.find(f"{SVG}ellipse")
            if shape is None:
                shape = el.find(f"{SVG}path")
            if shape is None:
                shape = el.find(f"{SVG}polygon")
            fills[text[0]] = shape.get("fill")
    # Raw data makes both weight gradients explode; the data leaves are named.
    assert fills["0.weight"] == fills["2.weight"] == COLORS["exploding"]
    assert fills["x (raw, 0..99)"] == COLORS["leaf"]
    clusters = {
        el.find(f"{SVG}title").text for el in root.iter(f"{SVG}g") if el.get("class") == "cluster"
    }
    assert clusters == {"cluster_0", "cluster_1", "cluster_2", "cluster_legend"}
