"""Experiment 3 (RLHF with PPO; the lab of "Why RLHF generalises") on the small model: from
an SFT model with no demonstrations for some prompt kinds, PPO against a reward model from
comparisons that cover them raises gold on those kinds well beyond the noise, while gold
on the kinds SFT covered does not fall beyond it; a run without the KL penalty drifts
further; the PPO diagnostics (clip fraction, approximate KL per update) are charted.

Seeds 18 and 47 were drawn at random once (never tuned on); the default-model figures of
five seeds are in workers/README.md."""

import json

import pytest

from workers import run_experiment

pytestmark = pytest.mark.slow

PARAMS = {"steps": 30, "compare_without_kl": "no"}
SEEDS = (18, 47)


@pytest.fixture(scope="module", params=SEEDS)
def result(request, labs_env):
    return run_experiment("ppo_rlhf", {**PARAMS, "seed": request.param})


@pytest.fixture(scope="module")
def with_no_kl(labs_env):
    return run_experiment("ppo_rlhf", {"steps": 20, "compare_without_kl": "yes", "seed": 92})


def test_gold_rises_where_sft_had_no_demonstrations(result):
    f = result["findings"]
    assert f["uncovered_change"] >= 0.15
    assert f["uncovered_change"] > 2 * f["uncovered_se"]


def test_gold_where_sft_had_demonstrations_does_not_fall_beyond_the_noise(result):
    f = result["findings"]
    assert f["covered_change"] > -2 * f["covered_se"] - 0.02


def test_the_reward_model_scores_the_answers_higher_after_ppo(result):
    f = result["findings"]
    assert f["eval_proxy_after"] > f["eval_proxy_before"]


def test_the_ppo_diagnostics_are_charted_per_step(result):
    lines = result["series"]["ppo_diagnostics"]["lines"]
    assert len(lines["clip fraction"]) == PARAMS["steps"]
    assert all(0 <= y <= 1 for _, y in lines["clip fraction"])
    assert all(y >= 0 for _, y in lines["approx. KL old->new (k3)"])
    assert any(y > 0 for _, y in lines["approx. KL old->new (k3)"])
    assert len(lines["approx. KL old->new (k1)"]) == PARAMS["steps"]


def test_the_table_marks_the_groups_without_demonstrations(result):
    table = result["tables"][0]
    rows = {r[0]: r for r in table["rows"]}
    assert rows["dosage_at_risk"][1] == "no"
    assert rows["heldout_unlike"][1] == "no"
    assert rows["harmful"][1] == "yes"
    assert "fact" not in rows  # capital questions are out of the default prompt set


def test_the_headline_quotes_the_run_and_the_schema_is_json(result):
    json.dumps(result)
    f = result["findings"]
    assert f"{f['uncovered_change']:+.2f}" in result["headline"]
    assert f"{f['covered_change']:+.2f}" in result["headline"]
    assert f"{f['kl_end']:.2f}" in result["headline"]
    for table in result["tables"]:
        assert all(len(r) == len(table["columns"]) for r in table["rows"])
    assert result["timings"]["first_progress_s"] < 3


def test_without_the_kl_penalty_the_policy_drifts_further(with_no_kl):
    f = with_no_kl["findings"]
    assert f["kl_end_no_kl"] > 1.5 * f["kl_end"]
    assert set(with_no_kl["series"]["kl"]["lines"]) == {"KL coef 0.2", "KL coef 0"}
    assert "Without the penalty" in with_no_kl["headline"]
