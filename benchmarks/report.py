"""Summaries and tables: medians, minimums, and ratios to NumPy and to PyTorch."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from benchmarks.common import NUMPY, TG, TORCH, CheckResult


@dataclass
class Row:
    """One measured quantity of one case: samples (already in ``unit``) per implementation.

    >>> Row("W1", "train step", "time", "us", {"numpy": [2.0, 1.0, 3.0]}).median("numpy")
    2.0
    """

    workload: str
    case: str
    metric: str
    unit: str
    samples: dict[str, list[float]] = field(default_factory=dict)

    def median(self, impl: str) -> float | None:
        """Median sample of ``impl``, or None when it was not measured."""
        values = self.samples.get(impl)
        return statistics.median(values) if values else None

    def minimum(self, impl: str) -> float | None:
        """Smallest sample of ``impl``, or None when it was not measured."""
        values = self.samples.get(impl)
        return min(values) if values else None

    def ratio(self, impl: str, base: str) -> float | None:
        """Median of ``impl`` over median of ``base`` (None if either is missing or zero)."""
        a, b = self.median(impl), self.median(base)
        if a is None or b is None or b <= 0:
            return None
        return a / b


def fmt(value: float | None) -> str:
    """A number with 3-4 significant digits, '-' for a missing value.

    >>> fmt(1234.5), fmt(0.01234), fmt(None)
    ('1,234', '0.0123', '-')
    """
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


HEADER = (
    "workload",
    "case",
    "metric",
    "unit",
    "numpy med (min)",
    "tinygrad_lite med (min)",
    "torch med (min)",
    "tg/numpy",
    "tg/torch",
)


def table_cells(rows: list[Row]) -> list[tuple[str, ...]]:
    """The table body as strings, one tuple per row, in :data:`HEADER`'s order.

    >>> table_cells([Row("W1", "s", "time", "us", {"numpy": [1.0], "tinygrad_lite": [3.0]})])[0]
    ('W1', 's', 'time', 'us', '1.00 (1.00)', '3.00 (3.00)', '-', '3.00x', '-')
    """
    body = []
    for row in rows:

        def cell(impl: str, row: Row = row) -> str:
            if row.median(impl) is None:
                return "-"
            return f"{fmt(row.median(impl))} ({fmt(row.minimum(impl))})"

        body.append(
            (
                row.workload,
                row.case,
                row.metric,
                row.unit,
                cell(NUMPY),
                cell(TG),
                cell(TORCH),
                _ratio(row.ratio(TG, NUMPY)),
                _ratio(row.ratio(TG, TORCH)),
            )
        )
    return body


def text_table(rows: list[Row]) -> str:
    """An aligned plain-text table (numbers right-aligned).

    >>> text_table([Row("W1", "s", "time", "us", {"numpy": [1.0]})]).splitlines()[2].split()
    ['W1', 's', 'time', 'us', '1.00', '(1.00)', '-', '-', '-', '-']
    """
    body = table_cells(rows)
    widths = [max(len(r[i]) for r in [HEADER, *body]) for i in range(len(HEADER))]
    left = 4  # workload, case, metric and unit are text; the rest numbers

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(HEADER), rule, *(line(r) for r in body)])


def markdown_table(rows: list[Row]) -> str:
    """A GitHub Markdown table (numeric columns right-aligned) for the README.

    >>> print(markdown_table([Row("W1", "s", "time", "us", {"numpy": [1.0]})]).splitlines()[1])
    |---|---|---|---|--:|--:|--:|--:|--:|
    """
    body = table_cells(rows)
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|---|---|--:|--:|--:|--:|--:|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def checks_text(checks: list[CheckResult]) -> str:
    """One line per cross-check: PASS/FAIL, what was compared, and the worst relative error.

    >>> print(checks_text([CheckResult("W1", "step", "torch", True, 1e-7, "")]))
    PASS  W1  step  torch vs numpy  max rel err 1e-07
    """
    out = []
    for c in checks:
        what = "numpy vs hand-computed" if c.impl == "expect" else f"{c.impl} vs numpy"
        line = f"{'PASS' if c.ok else 'FAIL'}  {c.workload}  {c.case}  {what}"
        if c.impl != "expect":
            line += f"  max rel err {c.max_err:.3g}"
        if c.message:
            line += f"  -- {c.message}"
        out.append(line)
    return "\n".join(out)
