"""Side-by-side benchmarks of tinygrad_lite, hand-written NumPy and PyTorch.

Importing this package pins every BLAS/OpenMP pool to one thread *before* NumPy is imported
(when it has not been imported yet), so that all implementations get the same single core.
Run the suite with ``python -m benchmarks`` or ``python benchmarks/run.py``.

>>> import benchmarks, os
>>> os.environ["OPENBLAS_NUM_THREADS"]
'1'
"""

from __future__ import annotations

import os

#: Thread-count variables read by OpenBLAS, OpenMP, MKL, Accelerate and numexpr at load time.
THREAD_VARS = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

# NOTE: forced, not setdefault: a benchmark is only fair if every side runs on one thread,
# whatever the caller's shell exports. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are left alone
# (recorded by benchmarks.env), as the environment notes ask.
for _var in THREAD_VARS:
    os.environ[_var] = "1"
