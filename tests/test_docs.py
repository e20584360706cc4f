"""The documentation runs: every ```python block of README.md and docs/*.md, and every example
in the tables of docs/api.md; and every public name of the API contract is documented."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPTIONAL = ("torch", "graphviz", "matplotlib", "sklearn")
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _row_examples(text: str) -> list[str]:
    """The Example cells (inline code in the last column) of the API tables in ``text``."""
    examples = []
    for line in text.splitlines():
        if not line.startswith("| `") and not line.startswith("| "):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) != 3 or not (cells[2].startswith("`") and cells[2].endswith("`")):
            continue
        examples.append(cells[2][1:-1].replace("\\|", "|"))
    return examples


def _snippets() -> list:
    """One case per python block: (file, line, code, the table examples that follow it)."""
    cases = []
    for path in DOCS:
        if not path.exists():
            continue
        text = path.read_text()
        matches = list(FENCE.finditer(text))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            rows = _row_examples(text[match.end() : end])
            line = text.count("\n", 0, match.start()) + 1
            cases.append(pytest.param(match.group(1), rows, id=f"{path.relative_to(ROOT)}:{line}"))
    return cases


def _run_row(code: str, namespace: dict) -> None:
    """Evaluate an expression (a bool result must be True) or execute statements."""
    try:
        compiled = compile(code, "<api table>", "eval")
    except SyntaxError:
        exec(compile(code, "<api table>", "exec"), namespace)
        return
    result = eval(compiled, namespace)
    if isinstance(result, (bool, np.bool_)):
        assert result, f"the example is False: {code}"


@pytest.mark.parametrize("code, rows", _snippets())
def test_snippet_runs(code, rows, tmp_path, monkeypatch):
    for module in OPTIONAL:
        if re.search(rf"^\s*(import|from) {module}\b", code, re.M):
            pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)  # snippets that write files write them here
    namespace: dict = {"__name__": "__docs__"}
    exec(compile(code, "<snippet>", "exec"), namespace)
    for row in rows:
        try:
            _run_row(row, namespace)
        except ImportError as err:
            # NOTE: viz wraps a missing graphviz in its own ImportError (the cause names it)
            names = {getattr(err, "name", None), getattr(err.__cause__, "name", None)}
            if names & set(OPTIONAL):
                pytest.skip(f"needs one of {sorted(n for n in names if n)}")
            raise
        except Exception as err:
            raise AssertionError(f"table example failed: {row}\n{err!r}") from err


def test_docs_have_snippets_and_table_rows():
    cases = _snippets()
    assert len(cases) >= 20
    assert sum(len(c.values[1]) for c in cases) >= 100  # the API tables were found


def test_row_parser_handles_escaped_pipes():
    text = "| `a` | max \\|grad\\| | `x == 1` |\n| Name | What | Example |\n|---|---|---|\n"
    assert _row_examples(text) == ["x == 1"]


# Every public name of API.md (kept here, so the suite does not depend on ../shared).
PUBLIC_NAMES = """
Tensor tg.tensor from_numpy .numpy() .shape .ndim .size .dtype .T .requires_grad .is_leaf .grad
.grad_fn .numpy() .item() .tolist() .detach() requires_grad_ .backward( retain_graph create_graph
set_default_dtype get_default_dtype
tg.zeros tg.ones tg.full tg.arange tg.eye tg.rand tg.randn tg.zeros_like tg.ones_like
tg.manual_seed
matmul exp log sqrt abs sin cos tanh sigmoid relu leaky_relu clip maximum minimum tg.where
sum mean var std max min logsumexp argmax argmin softmax log_softmax reshape view flatten
squeeze unsqueeze transpose permute expand broadcast_to tg.cat tg.concatenate tg.stack
keepdims keepdim correction
.data tg.Size .numel() .nelement() .dim() ._version amax amin sort argsort topk median
tg.return_types tg.ShapeError tg.DimensionError
add_ sub_ mul_ div_ pow_ clamp_ copy_ fill_ zero_ normal_ uniform_
tg.no_grad tg.enable_grad tg.is_grad_enabled tg.grad grad_outputs tg.Function save_for_backward
saved_tensors ctx.xp .apply tg.gradcheck tg.GradcheckError tg.detect_anomaly tg.AnomalyError
register_hook
nn.Module forward parameters() named_parameters() children() modules() train() eval() .training
zero_grad state_dict load_state_dict register_buffer register_forward_hook nn.Parameter
nn.Linear nn.Sequential nn.ReLU nn.LeakyReLU nn.Sigmoid nn.Tanh nn.Softmax nn.Identity
nn.Flatten nn.Dropout nn.BatchNorm1d running_mean running_var num_batches_tracked nn.LayerNorm
nn.MSELoss nn.L1Loss nn.HuberLoss nn.CrossEntropyLoss nn.BCELoss nn.BCEWithLogitsLoss reduction
F.relu F.leaky_relu F.sigmoid F.tanh F.softmax F.log_softmax F.linear F.dropout F.batch_norm
F.layer_norm F.mse_loss F.l1_loss F.huber_loss F.cross_entropy F.binary_cross_entropy
F.binary_cross_entropy_with_logits
nn.init.kaiming_uniform_ nn.init.kaiming_normal_ nn.init.xavier_uniform_ nn.init.xavier_normal_
nn.init.uniform_ nn.init.normal_ nn.init.zeros_ nn.init.ones_ nn.init.constant_
nn.utils.clip_grad_norm_ nn.utils.clip_grad_value_ error_if_nonfinite tg.save tg.load
optim.Optimizer param_groups optim.SGD optim.Adam optim.AdamW optim.RMSprop
lr_scheduler.StepLR lr_scheduler.ExponentialLR lr_scheduler.CosineAnnealingLR
lr_scheduler.ReduceLROnPlateau
StandardScaler MinMaxScaler fit transform fit_transform inverse_transform mean_ var_ scale_
data_min_ data_max_ min_ TensorDataset DataLoader
tg.debug.grad_report tg.debug.TrainingMonitor record(
to_dot draw_graph
""".split()


def test_every_public_name_is_documented():
    text = "\n".join(p.read_text() for p in DOCS if p.exists())
    missing = [name for name in PUBLIC_NAMES if name not in text]
    assert not missing, f"not in README.md or docs/*.md: {missing}"


def test_name_check_can_fail():
    assert "tg.not_a_function" not in "\n".join(p.read_text() for p in DOCS if p.exists())


def test_readme_keeps_its_promises():
    readme = (ROOT / "README.md").read_text()
    assert "python examples/fit_x_plus_1.py" in readme
    assert "python -m pytest -q" in readme
    assert "<!-- BENCHMARK TABLE -->" in readme or "| workload" in readme.lower()
    assert 'pip install -e ".[test,viz]"' in readme
    assert "docs/graph.svg" in readme
    for page in ("docs/api.md", "docs/tutorial.md", "docs/why_my_network_explodes.md"):
        assert page in readme and (ROOT / page).exists()
    # relative links in the docs point at files that exist
    for path in DOCS:
        for target in re.findall(r"\]\(((?:\.\./|docs/|examples/)[^)#]+)", path.read_text()):
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
