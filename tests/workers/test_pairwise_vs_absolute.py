import time

import pytest

from workers import run_experiment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pw_result(labs_env):
    calls = []
    t0 = time.perf_counter()

    def report(step, total, metrics, samples):
        calls.append(time.perf_counter() - t0)

    result = run_experiment("pairwise_vs_absolute", {"seed": 0}, report)
    result["_report_times"] = calls
    return result


def test_progress_comes_at_least_every_two_seconds(pw_result):
    times = pw_result["_report_times"]
    assert times[0] < 3.0
    assert max(b - a for a, b in zip(times, times[1:], strict=False)) < 2.0


def test_comparisons_beat_miscalibrated_ratings_at_the_same_number_of_labels(pw_result):
    f = pw_result["findings"]
    assert f["pairwise_accuracy"] > f["absolute_accuracy"]
    assert f["pairwise_correlation"] > f["absolute_correlation"]


def test_calibrated_ratings_correlate_better_so_the_lines_cross(pw_result):
    lines = pw_result["series"]["correlation_vs_miscalibration"]["lines"]
    pairwise, absolute = dict(lines["pairwise"]), dict(lines["absolute"])
    assert absolute[0.0] > pairwise[0.0]
    assert pairwise[3.0] > absolute[3.0]


def test_accuracy_is_reported_against_the_number_of_labels(pw_result):
    series = pw_result["series"]["accuracy_vs_labels"]
    for kind in ("pairwise", "absolute"):
        xs = [x for x, _ in series["lines"][kind]]
        assert xs == sorted(xs) and len(xs) == 4
    pairwise = [y for _, y in series["lines"]["pairwise"]]
    assert pairwise[-1] > pairwise[0]  # more labels, better reward model


def test_samples_carry_gold_and_proxy_scores(pw_result):
    assert pw_result["samples"]
    assert all("proxy" in s and "gold" in s for s in pw_result["samples"])
