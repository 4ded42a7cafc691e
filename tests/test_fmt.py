"""The shared number formats: every report writes a missing value and an interval the same way."""
from model.fmt import pct, pct_interval, signed_ci


def test_pct_rounds_to_one_decimal_and_marks_missing_values():
    assert pct(0.95849) == "95.8"
    assert pct(1.0) == "100.0"
    assert pct(None) == "—"


def test_intervals_of_scores_and_of_differences():
    assert pct_interval([0.949, 0.975]) == "94.9–97.5"
    assert signed_ci([0.001, 0.04]) == "+0.1 to +4.0"
    assert signed_ci([-0.012, 0.003]) == "-1.2 to +0.3"
    assert pct_interval(None) == signed_ci([]) == "—"
