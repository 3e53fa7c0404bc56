#!/usr/bin/env python3
"""bench_torch_platform.py: what bench_torch.py and bench_torch_training.py share with `diptych bench`:
the machine record (CPU model from /proc/cpuinfo, kernel from uname, core count, torch's BLAS/oneDNN
configuration), pinning n threads to n cores (os.sched_setaffinity: one thread on --pin-core, n threads
on it and the next n-1, as the Swift bench does), and CPU time (time.process_time) beside wall time.
"""
import os
import platform
import time


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def platform_info(torch):
    u = platform.uname()
    cfg = torch.__config__.show()
    blas = next((l.strip() for l in cfg.splitlines() if "BLAS_INFO" in l or "LAPACK_INFO" in l), "unknown")
    return dict(cpu=cpu_model(), kernel=f"{u.system} {u.release} {u.machine}", cores=os.cpu_count(),
                torch=torch.__version__, blas=blas, mkldnn=torch.backends.mkldnn.is_available(),
                cpu_capability=torch.backends.cpu.get_cpu_capability(),
                openblas_coretype=os.environ.get("OPENBLAS_CORETYPE"))


def print_platform(info):
    print(f"cpu {info['cpu']}, {info['cores']} cores; kernel {info['kernel']}")
    print(f"torch {info['torch']}, {info['blas']}, oneDNN {info['mkldnn']}, cpu capability {info['cpu_capability']}"
          + (f", OPENBLAS_CORETYPE={info['openblas_coretype']}" if info["openblas_coretype"] else ""))


def pin(threads, first=1, enabled=True):
    """Pins the process to `threads` cores starting at `first` (wrapping); returns them ([] = not pinned)."""
    if not enabled or not hasattr(os, "sched_setaffinity"):
        return []
    n = os.cpu_count() or 1
    cores = sorted({(first + i) % n for i in range(min(threads, n))})
    os.sched_setaffinity(0, cores)
    return cores


def measure(seconds, body):
    """Calls/s of body by wall time (after one warm-up call) and process CPU seconds per wall second."""
    body()
    calls, start, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        body()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed, (time.process_time() - cpu0) / elapsed
