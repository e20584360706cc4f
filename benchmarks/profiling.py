"""cProfile of tinygrad_lite's side of W1 and W3: which functions cost the most per op."""

from __future__ import annotations

import cProfile
import io
import pstats

from benchmarks.common import TG
from benchmarks.workloads import w1_story, w3_overhead

#: (workload, module, steps to profile)
TARGETS = (("W1", w1_story, 2000), ("W3", w3_overhead, 200))


def profile_step(step, steps: int, top: int = 15) -> str:
    """Profile ``steps`` calls of ``step`` and return pstats' top entries by own time.

    >>> "function calls" in profile_step(lambda: sum(range(10)), 5, top=3)
    True
    """
    step()  # NOTE: warm-up, so that first-call imports are not profiled
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    return buf.getvalue()


def profile_report(size: str, top: int = 15) -> str:
    """The top entries for W1 and W3 (tinygrad_lite only), with the step counts profiled.

    >>> "W3" in profile_report("tiny", top=2)  # doctest: +SKIP
    True
    """
    parts = []
    for name, module, steps in TARGETS:
        case = module.cases(size)[0]
        n = max(1, steps // (10 if size == "tiny" else 1))
        try:
            text = profile_step(case.builders[TG]().step, n, top)
        except Exception as err:  # NOTE: the cross-checks already report the failure
            parts.append(f"cProfile, tinygrad_lite, {name}: failed ({type(err).__name__}: {err})")
            continue
        body = text[text.find("function calls") - 12 :].strip("\n")
        parts.append(f"cProfile, tinygrad_lite, {name} ({n} steps of {case.name}):\n{body}")
    return "\n\n".join(parts)
