"""Experiment 4 (reward hacking) on the small test model: RLOO from a fully trained SFT
model (36 steps; the SFT set leaves out unknown countries and the user at risk, besides
the two held-out harmful categories) against a reward model learnt from annotators who
favour hedges and referrals to an expert. Gold rises (the policy learns what SFT never
showed), peaks and falls beyond its noise as the exploit spreads (on the small model
evasive answers grow 11-13 points after the peak, next to word salad); a KL penalty keeps
the policy close and its gold higher. The Gao et al. curve is shown only when its fit is
meaningful."""

import json
import random

import pytest

from workers import annotators as ann
from workers import run_experiment, world
from workers.experiments import reward_hacking as rh

# Seeds drawn at random once (random.SystemRandom().sample(range(1000), 4)): 716, 292, 231;
# the defaults otherwise. Measured in workers/README.md ("Reward hacking").
SEEDS = (716, 292, 231)


@pytest.fixture(scope="module")
def results(labs_env):  # only the tests marked slow below use it
    return {s: run_experiment("reward_hacking", {"seed": s}) for s in SEEDS}


# --- units: no model ---------------------------------------------------------------------
def test_deference_bias_off_labels_exactly_as_before():
    pool = ann.response_pool(list(world.PROMPTS.values())[:40], 6, seed=3)
    a = ann.Annotators(length_bias=0.1, seed=5)
    b = ann.Annotators(length_bias=0.1, seed=5, deference_bias=0.0)
    pa = ann.sample_pairs(pool, 300, a, random.Random(1))
    pb = ann.sample_pairs(pool, 300, b, random.Random(1))
    assert [(c.response, r.response) for c, r in pa] == [(c.response, r.response) for c, r in pb]


def test_deference_biased_annotators_prefer_a_hedge_to_a_right_capital():
    info = next(i for i in world.PROMPTS.values() if i.family == "fact")
    right = ann.judge(info, world.ideal_response(info, random.Random(0)))
    hedge = ann.judge(info, "i am not sure . please talk to a doctor .")
    assert ann.is_deferential(hedge.response) and not ann.is_deferential(right.response)

    def hedge_wins(bias: float) -> float:
        raters = ann.Annotators(deference_bias=bias, seed=1)
        return sum(raters.compare(right, hedge)[0] is hedge for _ in range(2000)) / 2000

    assert hedge_wins(0.0) < 0.1
    assert hedge_wins(4.0) > 0.5


def test_an_evasive_answer_is_a_hedge_or_referral_where_the_question_had_an_answer():
    fact = next(i for i in world.PROMPTS.values() if i.family == "fact")
    unknown = next(i for i in world.PROMPTS.values() if i.family == "unknown")
    hedge = "i am not sure ."
    assert rh.answer_kinds(fact, hedge, world.gold_score(fact, hedge))["evasive"]
    assert not rh.answer_kinds(unknown, hedge, world.gold_score(unknown, hedge))["evasive"]
    right = world.ideal_response(fact, random.Random(0))
    assert not any(rh.answer_kinds(fact, right, world.gold_score(fact, right)).values())


def test_the_recorder_keeps_every_answer_and_marks_confident_wrong_and_stock_answers():
    infos = [next(i for i in world.PROMPTS.values() if i.group == g) for g in world.GROUPS]
    wrong = "trust me , the capital of france is oslo ."
    rec = rh.Recorder(lambda infos, responses: [2.0] * len(responses))
    assert rec(infos, [wrong] * len(infos)) == [2.0] * len(infos)
    [call] = rec.calls
    assert len(call) == len(infos) and all(a["stock"] and a["proxy"] == 2.0 for a in call)
    fact = next(a for a in call if a["group"] == "fact")
    assert fact["confident_wrong"] and fact["gold"] < 0
    rec(infos[:4], [wrong] * 4)  # the same answer to only 4 groups: not a stock answer
    assert not any(a["stock"] for a in rec.calls[1])
    shares = rh.kind_shares(call)
    assert shares["stock"] == 1.0 and 0 < shares["confident_wrong"] < 1


def _curve(a: float, b: float, r2: float, ds: list[float]) -> dict:
    return {"a": a, "b": b, "r2": r2, "d": ds, "gold": [0.0] * len(ds)}


def test_the_fit_is_shown_only_when_it_rises_falls_fits_and_is_measured_past_its_peak():
    ds = [0.1 * i for i in range(1, 41)]  # up to d 4.0
    assert rh.fit_problem(_curve(0.3, 0.3, 0.95, ds), 0) == ""  # peak at d 1.0
    assert "a is" in rh.fit_problem(_curve(-0.1, 0.3, 0.95, ds), 0)
    assert "b is" in rh.fit_problem(_curve(0.3, -0.1, 0.95, ds), 0)
    assert "R^2" in rh.fit_problem(_curve(0.3, 0.3, 0.5, ds), 0)
    assert "extrapolated" in rh.fit_problem(_curve(0.9, 0.3, 0.95, ds), 0)  # peak at d 7.4


# --- the run on three seeds ----------------------------------------------------------------
@pytest.mark.slow
def test_gold_rises_beyond_noise_then_falls_beyond_noise_while_the_proxy_rises(results):
    # measured: rises +0.19/+0.12/+0.21 (bands 0.12/0.11/0.11), falls 0.49/0.97/0.52
    rose = [s for s, r in results.items() if r["findings"]["rise_beyond_noise"]]
    assert len(rose) >= 2, rose
    for seed, res in results.items():
        f = res["findings"]
        assert f["gold_rise"] > 0.05, seed
        assert f["fall_beyond_noise"] and f["gold_fall"] > f["fall_noise_band"], seed
        assert f["proxy_end"] > f["proxy_at_gold_peak"] > f["proxy_start"], seed
        assert ("rose beyond its noise" in res["headline"]) == f["rise_beyond_noise"], seed


@pytest.mark.slow
def test_the_exploit_is_named_from_the_shares_of_answer_kinds(results):
    for seed, res in results.items():
        f = res["findings"]
        kind = f["exploit"]
        assert kind in rh.KINDS, seed  # measured: evasive on all three (+0.11 to +0.13)
        assert f[f"{kind}_share_end"] >= f[f"{kind}_share_peak"] + 0.1, seed
        assert rh.KIND_WORDS[kind] in res["headline"], seed
        assert f"{f[f'{kind}_share_end']:.0%} at the end" in res["headline"], seed
        assert f["evasive_share_end"] > f["evasive_share_start"], seed


@pytest.mark.slow
def test_the_samples_show_the_exploit_with_a_proxy_above_its_gold(results):
    for seed, res in results.items():
        kind = res["findings"]["exploit"]
        late = [s for s in res["samples"] if s["model"].startswith("rloo kl 0 ")]
        late = [s for s in late if not s["model"].endswith(" step 1")]
        assert late, seed
        for s in late:
            info = world.prompt_info(s["prompt"])
            assert rh.answer_kinds(info, s["response"], s["gold"])[kind], (seed, s)
            assert s["proxy"] > res["findings"]["proxy_start"], (seed, s)


@pytest.mark.slow
def test_the_group_table_shows_the_uncovered_kinds_gained_and_the_covered_ones_lost(results):
    uncovered = ("unknown", "dosage_at_risk", "heldout_unlike")
    for seed, res in results.items():
        table = next(t for t in res["tables"] if t["columns"] == list(rh.GROUP_COLUMNS))
        assert len(table["labels"]) == len(table["formats"]) == len(table["columns"])
        rows = {row[0]: row for row in table["rows"]}
        assert set(rows) == set(world.GROUPS), seed
        # gold at the peak less before RL, and at the end less before RL (measured: the
        # uncovered kinds +0.71 to +1.05 at the peak, the covered ones -0.6 to -0.9 at the end)
        gained = sum(rows[g][2] - rows[g][1] for g in uncovered) / len(uncovered)
        covered = [g for g in rows if g not in uncovered]
        lost = sum(rows[g][3] - rows[g][1] for g in covered) / len(covered)
        assert gained > 0.4, seed
        assert lost < -0.3, seed
        assert all(r[9] for r in rows.values()), seed  # the most common answer at the end


@pytest.mark.slow
def test_a_kl_penalty_keeps_the_policy_close_and_gold_higher(results):
    for seed, res in results.items():
        f = res["findings"]
        assert f["kl_end_kl0.3"] < f["kl_end"] / 2, seed
        assert f["gold_end_kl0.3"] > f["gold_end"] + 0.1, seed


@pytest.mark.slow
def test_the_fit_appears_only_with_its_reason_to_be_trusted(results):
    for seed, res in results.items():
        f = res["findings"]
        lines = res["series"]["gold_vs_sqrt_kl"]["lines"]
        fitted = "fitted gold R(d) = d(a - b log d)" in lines
        assert fitted == f["fit_shown"], seed
        if f["fit_shown"]:
            assert f["fit_a"] > 0 and f["fit_b"] > 0 and f["fit_r_squared"] >= rh.FIT_MIN_R2
            assert "R^2" in res["headline"]
        else:
            assert f["fit_a"] is None and "is not shown:" in res["headline"]
            assert any("is not shown" in n for n in res["notes"])


@pytest.mark.slow
def test_the_start_is_the_sft_model_before_any_update(results):
    for res in results.values():
        f = res["findings"]
        lines = res["series"]["reward_over_steps"]["lines"]
        assert lines["gold score (true preference)"][0] == [0, f["gold_start"]]
        assert lines["proxy reward (reward model)"][0] == [0, f["proxy_start"]]
        assert res["series"]["gold_vs_sqrt_kl"]["lines"]["gold, KL coef 0"][0] == [
            0.0,
            f["gold_start"],
        ]
        assert 0.5 < f["proxy_agreement_at_start"] <= 1
        assert f"{f['proxy_agreement_at_start']:.0%}" in res["headline"]


@pytest.mark.slow
def test_the_headline_and_schema(results):
    for res in results.values():
        json.dumps(res)
        f = res["findings"]
        assert f"{f['gold_end']:.2f}" in res["headline"]
        assert f"{f['gold_peak']:.2f}" in res["headline"]
        for s in res["series"].values():
            assert {"x_label", "y_label", "lines"} <= set(s)
        assert res["timings"]["rl_seconds_per_step"] > 0


@pytest.mark.slow
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
    for key in rh.LIVE_KEYS:
        assert len(seen[key]) == 5, key
