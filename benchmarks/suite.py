"""The suite: cross-check every implementation, time them in interleaved rounds, report."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence

import numpy as np

from benchmarks import env, workloads
from benchmarks.common import (
    IMPLS,
    NUMPY,
    TORCH,
    Case,
    CheckResult,
    ProcCase,
    compare,
    torch_available,
)
from benchmarks.report import Row, checks_text, markdown_table, text_table
from benchmarks.timing import interleaved

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT_SCALE = {"s": 1.0, "ms": 1e3, "us": 1e6}
TARGET_S = {"tiny": 0.001, "quick": 0.01, "full": 0.05}
DEFAULT_ROUNDS = {"tiny": 1, "quick": 3, "full": 7}
#: Process workloads are slow (W4 at D=1,000,000 takes most of a minute), so fewer rounds.
PROC_ROUNDS = {"tiny": 1, "quick": 1, "full": 3}
PROC_TIMEOUT_S = 3600


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; unknown workloads or implementations are a usage error.

    >>> parse_args(["--quick", "--only", "w1,W3"]).only
    ['W1', 'W3']
    """
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="tinygrad_lite vs hand-written NumPy vs PyTorch: cross-checked timings.",
    )
    p.add_argument("--quick", action="store_true", help="fewer rounds and depths (< ~60 s)")
    p.add_argument(
        "--tiny",
        action="store_true",
        help="tiny sizes, one round: a smoke run of the cross-checks (timings meaningless)",
    )
    p.add_argument(
        "--only",
        type=lambda s: [n.upper() for n in _names(s)],
        default=list(workloads.WORKLOADS),
        help=f"comma-separated workloads out of {','.join(workloads.WORKLOADS)}",
    )
    p.add_argument("--rounds", type=int, help="timing rounds (default 7; 3 with --quick)")
    p.add_argument(
        "--impls",
        type=_names,
        default=list(IMPLS),
        help="comma-separated implementations (numpy, the reference, always runs)",
    )
    p.add_argument("--json", metavar="PATH", help="also write everything to this JSON file")
    p.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    p.add_argument("--check-only", action="store_true", help="cross-check only; no timing")
    p.add_argument(
        "--profile",
        action="store_true",
        help="cProfile tinygrad_lite's side of W1 and W3 and print the costliest functions",
    )
    args = p.parse_args(argv)
    bad = [n for n in args.only if n not in workloads.WORKLOADS]
    if bad:
        p.error(f"--only: unknown workload(s) {bad}; choose from {list(workloads.WORKLOADS)}")
    bad = [n for n in args.impls if n not in IMPLS]
    if bad:
        p.error(f"--impls: unknown implementation(s) {bad}; choose from {list(IMPLS)}")
    if args.rounds is not None and args.rounds < 1:
        p.error(f"--rounds must be at least 1, got {args.rounds}")
    return args


def _fail(workload: str, case: str, impl: str, err: BaseException) -> CheckResult:
    return CheckResult(workload, case, impl, False, float("inf"), f"{type(err).__name__}: {err}")


def check_case(workload: str, case: Case, impls: list[str]) -> tuple[list[CheckResult], set]:
    """Run every implementation ``check_steps`` times from the same start; compare with NumPy.

    Returns the check results and the implementations that raised (not timed afterwards).
    """
    results, broken = {}, set()
    for impl in impls:
        try:
            runner = case.builders[impl]()
            for _ in range(case.check_steps):
                runner.step()
            results[impl] = runner.result()
        except Exception as err:  # NOTE: report and go on; the exit code says it failed
            broken.add(impl)
            results[impl] = err
    return _judge(workload, case.name, case.rtol, case.expect, results), broken


def _judge(workload, name, rtol, expect, results) -> list[CheckResult]:
    ref = results.get(NUMPY)
    if isinstance(ref, BaseException):
        return [_fail(workload, name, NUMPY, ref)]
    out = []
    if expect is not None:
        problems = expect(ref)
        out.append(CheckResult(workload, name, "expect", not problems, 0.0, "; ".join(problems)))
    for impl, res in results.items():
        if impl == NUMPY:
            continue
        if isinstance(res, BaseException):
            out.append(_fail(workload, name, impl, res))
            continue
        ok, err, msg = compare(res, ref, rtol)
        out.append(CheckResult(workload, name, impl, ok, err, msg))
    return out


def time_cases(
    workload: str, cases: list[Case], impls: list[str], rounds: int, target_s: float
) -> list[Row]:
    """Time every (case, implementation) in interleaved rounds; one Row per case."""
    steps = {}
    for i, case in enumerate(cases):
        for impl in impls:
            steps[i, impl] = case.builders[impl]().step
    samples = interleaved(steps, rounds=rounds, target_s=target_s)
    rows = []
    for i, case in enumerate(cases):
        scale = UNIT_SCALE[case.unit] / case.per
        per = " per op" if case.per > 1 else ""
        row = Row(workload, case.name, f"time{per}", case.unit)
        for impl in impls:
            if (i, impl) in samples:
                row.samples[impl] = [s * scale for s in samples[i, impl]]
        rows.append(row)
    return rows


def run_proc(workload: str, impl: str, argv: list[str]) -> dict:
    """Run one measurement in a fresh interpreter and return its JSON answer."""
    child_env = dict(os.environ)
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, child_env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "benchmarks.proc", workload, impl, *argv]
    done = subprocess.run(
        cmd, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=PROC_TIMEOUT_S
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(cmd[2:])} exited {done.returncode}: {' | '.join(tail)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_proc_case(
    case: ProcCase, impls: list[str], rounds: int
) -> tuple[list[Row], list[CheckResult]]:
    """Measure a process case ``rounds`` times per implementation, interleaved; check round 1."""
    impls = [i for i in impls if i in case.impls]
    rows = [Row(case.workload, case.name, label, unit) for label, unit in case.metrics.values()]
    first: dict = {}
    for r in range(rounds):
        shift = r % len(impls)
        for impl in impls[shift:] + impls[:shift]:
            if isinstance(first.get(impl), BaseException):
                continue
            try:
                answer = run_proc(case.workload, impl, case.argv)
            except Exception as err:
                first[impl] = err
                continue
            first.setdefault(impl, {k: np.asarray(v) for k, v in answer["result"].items()})
            for row, key in zip(rows, case.metrics):
                row.samples.setdefault(impl, []).append(float(answer[key]))
    return rows, _judge(case.workload, case.name, case.rtol, case.expect, first)


def _print(*parts: str) -> None:
    print(*parts, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; return 0 when every cross-check passed, 1 otherwise.

    >>> main(["--tiny", "--check-only", "--only", "W3", "--impls", "numpy"])  # doctest: +SKIP
    0
    """
    args = parse_args(argv)
    size = "tiny" if args.tiny else "quick" if args.quick else "full"
    rounds = args.rounds or DEFAULT_ROUNDS[size]
    impls = [i for i in IMPLS if i in args.impls or i == NUMPY]
    if TORCH in impls and not torch_available():
        impls.remove(TORCH)
        _print("note: torch is not installed; comparing with NumPy only")
    limits = contextlib.nullcontext()
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_limits

        # NOTE: the env pin only works if NumPy was not imported yet (e.g. under pytest).
        limits = threadpool_limits(limits=1)
    started = time.perf_counter()
    with limits:
        info = env.collect(with_torch=TORCH in impls)
        _print(env.describe(info) + "\n")
        rows, checks = [], []
        for name in args.only:
            module = workloads.load(name)
            cases = module.cases(size)
            _print(f"{name}: {module.TITLE} ...")
            if cases and isinstance(cases[0], ProcCase):
                proc_rounds = 1 if args.check_only else min(rounds, PROC_ROUNDS[size])
                for case in cases:
                    case_rounds = min(proc_rounds, case.max_rounds)
                    case_rows, case_checks = run_proc_case(case, impls, case_rounds)
                    checks += case_checks
                    if not args.check_only:
                        rows += case_rows
                continue
            broken: set = set()
            for case in cases:
                case_checks, case_broken = check_case(name, case, impls)
                checks += case_checks
                broken |= case_broken
            if not args.check_only:
                timed = [i for i in impls if i not in broken]
                rows += time_cases(name, cases, timed, rounds, TARGET_S[size])
        if args.profile:
            from benchmarks.profiling import profile_report

            profile = profile_report(size)
    elapsed = time.perf_counter() - started
    failed = [c for c in checks if not c.ok]
    _print("")
    if rows:
        _print(text_table(rows) + "\n")
        if args.markdown:
            _print(markdown_table(rows) + "\n")
    _print(checks_text(checks))
    if args.profile:
        _print("\n" + profile)
    _print(
        f"\n{len(checks) - len(failed)} checks passed, {len(failed)} failed "
        f"({elapsed:.1f} s, {size} sizes, {rounds} round{'s' if rounds > 1 else ''})"
    )
    if args.json:
        payload = {
            "env": info,
            "size": size,
            "rounds": rounds,
            "rows": [r.__dict__ for r in rows],
            "checks": [c.__dict__ for c in checks],
        }
        with open(args.json, "w") as f:
            json.dump(payload, f, indent=1, default=float)
    return 1 if failed else 0
