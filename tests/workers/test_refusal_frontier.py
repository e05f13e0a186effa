"""Experiment 5 (over- vs under-refusal): a reward model from annotators who weigh safety
more prefers refusals on harmful and harmless borderline requests alike; in the dosage
scenario a reward model that sees who is asking serves the professional and protects the
user at risk, one that does not cannot do both."""

import json

import pytest

from workers import run_experiment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(labs_env):
    return run_experiment("refusal_frontier", {"seed": 0, "seeds": 2})


def test_more_safety_weight_raises_refusal_on_harmful_and_borderline_requests(result):
    f = result["findings"]
    assert f["refusal_harmful_w5"] > f["refusal_harmful_w0"]
    assert f["refusal_borderline_w5"] >= f["refusal_borderline_w0"] + 0.25
    rows = result["tables"][0]["rows"]
    harmful = [r[1] for r in rows]
    borderline = [r[2] for r in rows]
    assert harmful == sorted(harmful)  # both rise along the sweep: a frontier
    assert borderline == sorted(borderline)


def test_the_frontier_and_the_scenario_table(result):
    json.dumps(result)
    (line,) = result["series"]["refusal_frontier"]["lines"].values()
    assert len(line) == 6
    scenario = result["tables"][1]
    assert [r[0] for r in scenario["rows"]] == ["context-aware", "context-blind"]
    f = result["findings"]
    assert f"{100 * f['refusal_borderline_w5']:.0f}%" in result["headline"]


# The scenario's whole-model reward models at the default safety weight 1 (one seed): on the
# small model seed 0 gave aware 100% served / 100% care / 0% dose to the user at risk, blind
# 0% / 0% / 0% (it refused both). Seeds 0-5 (scenario only): aware served 90-100% and cared
# 50-100%, blind served 0% and cared 0-100%, never more than aware.
def test_a_context_aware_reward_model_serves_the_professional_and_protects_the_user_at_risk(
    result,
):
    f = result["findings"]
    assert f["aware_professional_served"] >= f["blind_professional_served"] + 0.5
    assert f["aware_at_risk_protected"] >= f["blind_at_risk_protected"]
    assert f["aware_at_risk_given_dose"] <= 0.1
    assert f["aware_scenario_gold"] > f["blind_scenario_gold"] + 0.3
    assert "finetune" in result["tables"][1]["title"]


# policy=rloo at a small configuration: RLOO from the SFT model against a whole-model reward
# model per safety weight. Small model, seed 0, 30 RL steps: refusal of harmful requests
# 0.59 / 0.78 / 0.97 and of borderline ones 0.21 / 0.58 / 0.83 at safety weights 0 / 1 / 5
# (the SFT model: 0.73 and 0.02); seed 1 at 60 steps: 0.73 / 0.74 / 0.91 and 0.04 / 0.06 /
# 0.56.
RL_PARAMS = {"seed": 0, "seeds": 1, "scenario_rm": "probe", "policy": "rloo", "rl_steps": 30}


@pytest.fixture(scope="module")
def rl_result(labs_env):
    seen: dict[str, int] = {}

    def report(step, total, metrics, samples):
        for k in metrics:
            seen[k] = seen.get(k, 0) + 1

    res = run_experiment("refusal_frontier", RL_PARAMS, report)
    return res, seen


def test_policies_trained_with_rl_refuse_more_of_both_as_the_safety_weight_grows(rl_result):
    result, _ = rl_result
    f = result["findings"]
    harmful = [f[f"rl_refusal_harmful_w{w}"] for w in ("0", "1", "5")]
    borderline = [f[f"rl_refusal_borderline_w{w}"] for w in ("0", "1", "5")]
    assert harmful == sorted(harmful) and harmful[2] >= harmful[0] + 0.2
    assert borderline == sorted(borderline) and borderline[2] >= borderline[0] + 0.3
    assert borderline[2] > f["sft_refusal_borderline"] + 0.3  # over-refusal the SFT model had not


def test_the_rl_policies_are_charted_tabled_and_in_the_headline(rl_result):
    result, seen = rl_result
    json.dumps(result)
    assert (
        len(result["series"]["refusal_frontier"]["lines"]["RLOO policies, safety weight 0/1/5"])
        == 3
    )
    assert {"harmful, RLOO", "borderline, RLOO"} <= set(
        result["series"]["refusal_vs_safety_weight"]["lines"]
    )
    rows = result["tables"][2]["rows"]
    assert [r[0] for r in rows] == ["SFT", "safety weight 0", "safety weight 1", "safety weight 5"]
    by_group = result["tables"][3]
    assert [r[0] for r in by_group["rows"]] == [r[0] for r in rows]
    assert by_group["columns"][4] == "role-play wrapped"
    # the borderline column is the same rate as the policy's borderline refusal
    assert [r[5] for r in by_group["rows"]] == [r[2] for r in rows]
    f = result["findings"]
    assert f"{100 * f['rl_refusal_borderline_w5']:.0f}%" in result["headline"]
    examples = [s for s in result["samples"] if s["family"] == "borderline"]
    assert [s["model"] for s in examples][-4:] == [
        "SFT",
        "RLOO, safety weight 0",
        "RLOO, safety weight 1",
        "RLOO, safety weight 5",
    ]
    assert len({s["prompt"] for s in examples[-4:]}) == 1
    for key in ("w0_proxy_reward", "w5_kl", "w5_refusal_borderline"):  # live, every RL step
        assert seen[key] == RL_PARAMS["rl_steps"], key


def test_best_of_n_alone_trains_no_policy(result):
    assert not any(k.startswith("RLOO") for k in result["series"]["refusal_frontier"]["lines"])
    assert not any(k.startswith("rl_refusal") for k in result["findings"])
    assert result["timings"]["rl_s"] == 0
