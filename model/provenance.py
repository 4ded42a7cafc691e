"""Where a result came from: the commit and the library versions, in one place for the training
metadata, the evaluation report and the benchmarks."""
from __future__ import annotations

import importlib.metadata as md
import platform
import subprocess

from .paths import PROJECT_ROOT

PACKAGES = ("torch", "transformers", "datasets", "accelerate", "seqeval", "opencc", "jionlp")


def git_commit() -> str | None:
    """The commit of the working tree (with ``+dirty`` when it has uncommitted changes)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in packages:
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out
