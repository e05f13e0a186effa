"""Experiment 2 (pairwise vs absolute): comparisons beat ratings from miscalibrated raters,
and a difference inside its spread over seeds is called a tie, never a lead."""

import re
import time

import pytest

from workers import run_experiment
from workers.experiments.pairwise_vs_absolute import VERDICT_WORDS, Comparison

slow = pytest.mark.slow

# Seeds drawn at random once (the defaults were not tuned on them). On the default model
# comparisons lead beyond the spread at the default miscalibration 1.5 on seeds 0-4
# (workers/README.md); on the small model, seed 162 it is a tie there (difference 0.061,
# spread 0.069), so the tests ask for the lead at miscalibration 3 and the direction at 1.5.
SEEDS = (214, 162, 512)


@pytest.fixture(scope="module", params=SEEDS)
def seeded(labs_env, request):
    return run_experiment("pairwise_vs_absolute", {"seed": request.param})


@pytest.fixture(scope="module")
def pw_result(labs_env):
    calls = []
    t0 = time.perf_counter()

    def report(step, total, metrics, samples):
        calls.append(time.perf_counter() - t0)

    result = run_experiment("pairwise_vs_absolute", {"seed": SEEDS[0]}, report)
    result["_report_times"] = calls
    return result


def verdicts(result, i_column: int) -> dict[float, str]:
    """{miscalibration: verdict} at the headline label count, from the result's table."""
    table = result["tables"][0]
    col = table["columns"].index(i_column)
    n = result["params"]["labels"]
    code = {words: verdict for verdict, words in VERDICT_WORDS.items()}
    return {row[1]: code[row[col]] for row in table["rows"] if row[0] == n}


def test_a_difference_inside_its_spread_is_a_tie():
    assert Comparison(0.007, 0.02).verdict == "tie"
    assert Comparison(-0.02, 0.02).verdict == "tie"


def test_a_difference_beyond_its_spread_is_a_lead_for_that_side():
    assert Comparison(0.06, 0.03).verdict == "pairwise"
    assert Comparison(-0.04, 0.01).verdict == "ratings"


def test_one_seed_has_no_spread_so_no_lead_is_claimed():
    assert Comparison(0.2, None).verdict == "one seed"


@slow
def test_progress_comes_at_least_every_two_seconds(pw_result):
    times = pw_result["_report_times"]
    assert times[0] < 3.0
    assert max(b - a for a, b in zip(times, times[1:], strict=False)) < 2.0


@slow
def test_comparisons_lead_beyond_noise_with_miscalibrated_raters(seeded):
    f = seeded["findings"]
    assert f["accuracy_difference"] > 0
    assert f["pairwise_accuracy"] > f["absolute_accuracy"]
    # beyond the spread at the largest miscalibration tried, and from there up
    assert verdicts(seeded, "accuracy_verdict")[3.0] == "pairwise"
    assert f["pairwise_leads_accuracy_from"] is not None


@slow
def test_with_calibrated_raters_comparisons_do_not_lead(seeded):
    f = seeded["findings"]
    assert f["calibrated_accuracy_difference"] <= f["calibrated_accuracy_difference_sd"]
    assert verdicts(seeded, "accuracy_verdict")[0.0] in ("tie", "ratings")
    assert f["calibrated_correlation_difference"] < 0  # calibrated ratings correlate better
    assert "with calibrated raters (0): held-out pair accuracy" in seeded["headline"].lower()


@slow
def test_the_headline_names_every_tie_and_claims_no_lead_inside_the_noise(seeded):
    headline = seeded["headline"]
    for column, metric in (
        ("accuracy_verdict", "accuracy"),
        ("correlation_verdict", "correlation"),
    ):
        ties = sorted(m for m, v in verdicts(seeded, column).items() if v == "tie")
        if ties:
            listed = re.search(rf"{metric} at miscalibration ([0-9., ]+)", headline.split(";")[-1])
            assert listed, headline
            assert [float(x) for x in listed.group(1).strip(" .").split(",")] == ties
    if verdicts(seeded, "accuracy_verdict")[0.0] == "tie":
        calibrated = headline.split("With calibrated raters")[1]
        assert calibrated.split(";")[0].endswith("a tie within noise")
        assert "on accuracy at every miscalibration tried" not in headline


@slow
def test_the_table_shows_the_spread_over_seeds(seeded):
    table = seeded["tables"][0]
    assert len(table["labels"]) == len(table["columns"]) == len(table["formats"])
    for row in table["rows"]:
        assert len(row) == len(table["columns"])
        sd = row[table["columns"].index("accuracy_difference_sd")]
        assert sd is not None and sd >= 0


@slow
def test_calibrated_ratings_correlate_better_so_the_lines_cross(pw_result):
    lines = pw_result["series"]["correlation_vs_miscalibration"]["lines"]
    pairwise, absolute = dict(lines["pairwise"]), dict(lines["absolute"])
    assert absolute[0.0] > pairwise[0.0]
    assert pairwise[3.0] > absolute[3.0]


@slow
def test_accuracy_is_reported_against_the_number_of_labels(pw_result):
    series = pw_result["series"]["accuracy_vs_labels"]
    for kind in ("pairwise", "absolute"):
        xs = [x for x, _ in series["lines"][kind]]
        assert xs == sorted(xs) and len(xs) == 4
    pairwise = [y for _, y in series["lines"]["pairwise"]]
    assert pairwise[-1] > pairwise[0]  # more labels, better reward model


@slow
def test_samples_carry_gold_and_proxy_scores(pw_result):
    assert pw_result["samples"]
    assert all("proxy" in s and "gold" in s for s in pw_result["samples"])


@slow
def test_one_seed_says_it_cannot_tell_a_lead_from_noise(labs_env):
    result = run_experiment("pairwise_vs_absolute", {"seed": SEEDS[1], "seeds": 1})
    assert "no difference here can be told from noise" in result["headline"]
    assert "comparisons lead" not in result["headline"]
    assert result["findings"]["pairwise_leads_accuracy_from"] is None
