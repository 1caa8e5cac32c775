"""What hardware this process runs on: CPU, and a GPU when one is present (never required)."""

import os
import platform
import shutil
import subprocess
from functools import cache


@cache
def gpu_names() -> tuple[str, ...]:
    """Names of the NVIDIA GPUs the driver reports; empty on a machine without one."""
    if shutil.which("nvidia-smi") is None:
        return ()
    try:
        listing = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in listing.stdout.splitlines() if line.strip())


def gpu_available() -> bool:
    return bool(gpu_names())


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict:
    return {
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "gpus": list(gpu_names()),
        "platform": platform.platform(),
    }
