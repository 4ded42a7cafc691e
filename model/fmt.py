"""Number formatting shared by every report (evaluation, values, seeds, experiments), so that a
missing value and an interval read the same in all of them. A leaf module: it imports nothing of
the package, so the renderers can share it without importing each other."""
from __future__ import annotations


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal; a missing value as an em dash."""
    return "—" if x is None else f"{100 * x:.1f}"


def pct_interval(pair: list[float] | None) -> str:
    """A bootstrap interval of a score: ``94.9–97.5``."""
    return "—" if not pair else f"{pct(pair[0])}–{pct(pair[1])}"


def signed_ci(pair: list[float] | None) -> str:
    """A bootstrap interval of a difference, signed: ``+0.1 to +4.0``."""
    return "—" if not pair else f"{100 * pair[0]:+.1f} to {100 * pair[1]:+.1f}"
