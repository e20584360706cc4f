"""Resident-memory readings for the process workloads (Linux ``/proc``, else ``resource``)."""

from __future__ import annotations

import os
import resource
import sys

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss_mb() -> float:
    """Current resident set size of this process, in MiB (peak RSS where /proc is missing).

    >>> current_rss_mb() > 0
    True
    """
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    >>> peak_rss_mb() >= 0
    True
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # NOTE: ru_maxrss is in KiB on Linux but in bytes on macOS.
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux >= 4.0); True if it worked.

    Without it, a peak reached while importing or building would hide a smaller one later.

    >>> isinstance(reset_peak(), bool)
    True
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_since_reset_mb() -> float:
    """Peak RSS since :func:`reset_peak` (``VmHWM``), in MiB; ``ru_maxrss`` as a fallback.

    >>> peak_since_reset_mb() > 0
    True
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    return peak_rss_mb()
