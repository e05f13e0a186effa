"""Experiment 3 (RLHF with PPO; the lab of "Why RLHF generalises") on the small model: from
an SFT model with no demonstrations for some prompt kinds, PPO against a reward model from
comparisons that cover them raises gold on those kinds well beyond the noise, while gold
on the kinds SFT covered does not fall beyond it; the run without the KL penalty (on by
default) drifts further and hacks the reward model: its score of the answers rises while
gold on the covered kinds falls, both beyond the noise; the PPO diagnostics (clip
fraction, approximate KL per update) are charted.

Seeds 18 and 26 were drawn at random once (never tuned on); seed 26 runs at the defaults
(both runs), seed 18 without the no-KL run. The default-model figures of ten seeds are in
workers/README.md."""

import json

import pytest

from workers import run_experiment
from workers.experiments import ppo_rlhf

pytestmark = pytest.mark.slow

PARAMS = {"steps": 30, "compare_without_kl": "no"}
SEED_NO_KL = 26
RUNS = {18: PARAMS, SEED_NO_KL: {}}  # {}: the defaults, the no-KL run beside the KL run
_results: dict[int, dict] = {}


def _run(seed: int) -> dict:
    if seed not in _results:
        _results[seed] = run_experiment("ppo_rlhf", {**RUNS[seed], "seed": seed})
    return _results[seed]


@pytest.fixture(scope="module", params=sorted(RUNS))
def result(request, labs_env):
    return _run(request.param)


@pytest.fixture(scope="module")
def with_no_kl(labs_env):
    return _run(SEED_NO_KL)


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
        for key in ("labels", "formats"):
            assert len(table.get(key, table["columns"])) == len(table["columns"])
    assert result["timings"]["first_progress_s"] < 3


def test_without_the_kl_penalty_the_run_drifts_further_and_hacks(with_no_kl):
    f = with_no_kl["findings"]
    assert f["kl_end_no_kl"] > 1.5 * f["kl_end"]
    assert set(with_no_kl["series"]["kl"]["lines"]) == {"KL coef 0.3", "KL coef 0"}
    # the lab's rule, from the run's own numbers: the reward model's score up and covered
    # gold down, both beyond 2 standard errors
    assert f["proxy_change_no_kl"] > 2 * f["proxy_se_no_kl"]
    assert f["covered_change_no_kl"] < -2 * f["covered_se_no_kl"]
    assert f["hacked_no_kl"] == 1.0
    assert "Without the penalty" in with_no_kl["headline"]
    assert "it hacked the reward model" in with_no_kl["headline"]
    hack = next(t for t in with_no_kl["tables"] if t["title"].startswith("Did the run hack"))
    assert [r[-1] for r in hack["rows"]] == ["no" if f["hacked"] == 0 else "yes", "yes"]


def test_the_hack_rule_needs_both_the_score_up_and_covered_gold_down():
    up = {"change": 1.0, "se": 0.2}
    down = {"change": -0.2, "se": 0.05}
    flat = {"change": -0.05, "se": 0.05}
    assert ppo_rlhf.hacked({"proxy": up, "covered": down})
    assert not ppo_rlhf.hacked({"proxy": up, "covered": flat})
    assert not ppo_rlhf.hacked({"proxy": flat, "covered": down})
    assert ppo_rlhf.group_z(1) == pytest.approx(1.96, abs=0.01)
    assert ppo_rlhf.group_z(5) == pytest.approx(2.58, abs=0.01)
