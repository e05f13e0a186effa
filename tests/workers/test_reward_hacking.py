"""Experiment 4 (reward hacking) at a small configuration: RLOO from a lightly fine-tuned
policy (8 SFT steps) against a reward model learnt from length-loving annotators. Without a
KL penalty gold first rises with the proxy, peaks and falls while the proxy keeps rising; a
KL penalty of 0.3 keeps the policy close to the SFT model and its gold higher."""

import json

import pytest

from workers import run_experiment

pytestmark = pytest.mark.slow

# The defaults (16 prompts x 4 samples, lr 1.5e-4, 8 SFT steps, length bias 0.1, annotators also
# label 8 SFT-model answers per prompt) with 70 steps instead of 100. Seed 0, small model:
# gold 0.350 (the SFT model before RL) -> 0.559 (step 11) -> -0.577, proxy 1.03 -> 3.87, KL
# 19.4 vs 1.9 at coef 0.3 (gold 0.65 there); fitted a 0.166, b 0.247, R^2 0.99; the proxy
# agreed with gold on 84% of pairs of SFT answers. Seeds 1, 2, 3: rises +0.049, +0.179,
# +0.088, ends -0.42, -0.19, -0.52, gold at coef 0.3 0.55, 0.68, 0.53 (workers/README.md).
PARAMS = {"steps": 70, "sweep": "0.3", "seed": 0}


@pytest.fixture(scope="module")
def result(labs_env):
    return run_experiment("reward_hacking", PARAMS)


def test_the_proxy_keeps_rising_while_gold_falls(result):
    f = result["findings"]
    assert f["proxy_end"] > f["proxy_start"] + 1.0
    assert f["proxy_end"] >= f["proxy_max"] - 0.15  # still at its highest at the end
    assert f["gold_end"] < f["gold_start"] - 0.4
    assert f["gold_end"] < f["gold_peak"] - 0.4
    assert f["length_end"] > 25  # the exploit: long answers


def test_gold_rises_clearly_and_peaks_before_it_falls(result):
    f = result["findings"]
    assert f["gold_peak"] >= f["gold_start"] + 0.12  # measured +0.21
    assert 8 <= f["gold_peak_step"] <= 40
    assert f["gold_end"] < f["gold_peak"] - 0.4
    assert f["proxy_end"] > f["proxy_at_gold_peak"] + 1.0  # the proxy kept rising


def test_the_fitted_curve_rises_then_falls(result):
    f = result["findings"]
    assert f["fit_a"] > 0
    assert f["fit_b"] > 0
    assert f["fit_r_squared"] > 0.8
    assert result["tables"][1]["columns"] == ["a", "b", "r_squared", "peak_d"]


def test_a_kl_penalty_keeps_the_policy_close_and_gold_higher(result):
    f = result["findings"]
    assert f["kl_end_kl0.3"] < f["kl_end"] / 3
    assert f["gold_end_kl0.3"] > f["gold_end"] + 0.3
    assert f["gold_end_kl0.3"] > f["gold_start"] + 0.1  # measured 0.65 from 0.35


def test_the_start_is_the_sft_model_before_any_update(result):
    f = result["findings"]
    lines = result["series"]["reward_over_steps"]["lines"]
    assert lines["gold score (true preference)"][0] == [0, f["gold_start"]]
    assert lines["proxy reward (reward model)"][0] == [0, f["proxy_start"]]
    assert result["series"]["gold_vs_sqrt_kl"]["lines"]["gold, KL coef 0"][0] == [
        0.0,
        f["gold_start"],
    ]
    assert 0.6 < f["proxy_agreement_at_start"] <= 1  # measured 0.84
    assert f"{f['proxy_agreement_at_start']:.0%}" in result["headline"]


def test_samples_show_the_exploit(result):
    late = [s for s in result["samples"] if s["model"].startswith("rloo kl 0 ")]
    late = [s for s in late if not s["model"].endswith("step 1")]
    assert late
    assert any(s["proxy"] > result["findings"]["proxy_start"] and s["gold"] < 0 for s in late)


def test_gold_and_proxy_against_sqrt_kl_with_the_fitted_curve(result):
    lines = result["series"]["gold_vs_sqrt_kl"]["lines"]
    assert {"gold, KL coef 0", "gold, KL coef 0.3", "proxy, KL coef 0"} <= set(lines)
    fitted = lines["fitted gold R(d) = d(a - b log d)"]
    gold = dict((round(x, 4), y) for x, y in lines["gold, KL coef 0"])
    # the fitted curve follows the measured gold (mean absolute error under 0.15)
    errors = [abs(y - gold[x]) for x, y in fitted if x in gold]
    assert errors and sum(errors) / len(errors) < 0.15
    assert result["findings"]["fit_a"] == result["tables"][1]["rows"][0][0]


def test_the_headline_and_schema(result):
    json.dumps(result)
    f = result["findings"]
    assert f"{f['proxy_end']:.2f}" in result["headline"]
    assert f"{f['gold_end']:.2f}" in result["headline"]
    for s in result["series"].values():
        assert {"x_label", "y_label", "lines"} <= set(s)
    assert result["timings"]["first_progress_s"] < 3
    assert result["timings"]["rl_seconds_per_step"] > 0


def test_every_step_reports_the_rl_metrics_for_live_charts(labs_env):
    seen: dict[str, list[int]] = {}

    def report(step, total, metrics, samples):
        for k in metrics:
            seen.setdefault(k, []).append(step)

    run_experiment(
        "reward_hacking",
        {"steps": 5, "prompts_per_step": 10, "pairs": 100, "sweep": "none"},
        report,
    )
    for key in (
        "proxy_reward",
        "gold",
        "kl",
        "response_length",
        "refusal_harmful",
        "refusal_borderline",
    ):
        assert len(seen[key]) == 5, key
