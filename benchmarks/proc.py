"""Child-process entry: ``python -m benchmarks.proc W4 IMPL ARGS...`` prints one JSON line.

Used for the workloads whose peak memory must not mix with another implementation's.
Running it as ``-m benchmarks.proc`` imports the package first, which pins the BLAS threads.
"""

from __future__ import annotations

import json
import sys

from benchmarks import workloads


def main(argv: list[str] | None = None) -> int:
    """Run ``measure(impl, *args)`` of the named workload and print its result as JSON.

    >>> main(["W4", "numpy", "3"])  # doctest: +ELLIPSIS
    {...}
    0
    """
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] not in workloads.WORKLOADS:
        print("usage: python -m benchmarks.proc W4|W5 IMPL ARGS...", file=sys.stderr)
        return 2
    module = workloads.load(argv[0])
    print(json.dumps(module.measure(*argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
