"""Run the benchmark suite: ``python benchmarks/run.py [--quick] [--only W1,W3] ...``.

Also reachable as ``python -m benchmarks``; see :func:`benchmarks.suite.main` for options.
"""

from __future__ import annotations

import os
import sys

if __package__ in (None, ""):
    # NOTE: run as a script, sys.path[0] is benchmarks/; the repo root holds the packages.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.suite import main  # noqa: E402  (after the path fix; pins BLAS threads)

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
