"""Experiment 3 (RLHF with PPO) at a small configuration: the proxy reward rises, and with a
positive KL coefficient the KL to the SFT model stays bounded while a run without the
penalty drifts far."""

import json

import pytest

from workers import run_experiment

pytestmark = pytest.mark.slow

# Seeds 0 and 1 checked (see the final report): kl 0.2 ends near 2 nats, no penalty > 30.
PARAMS = {"steps": 30, "prompts_per_step": 16, "compare_without_kl": "yes", "seed": 0}


@pytest.fixture(scope="module")
def result(labs_env):
    return run_experiment("ppo_rlhf", PARAMS)


def test_ppo_raises_the_proxy_reward(result):
    f = result["findings"]
    assert f["proxy_end"] > f["proxy_start"] + 0.4


def test_with_a_kl_penalty_the_kl_stays_bounded(result):
    f = result["findings"]
    assert f["kl_max"] < 4.0
    assert f["kl_end_no_kl"] > 3 * f["kl_end"]
    assert f["proxy_end_no_kl"] > f["proxy_end"]  # the penalty costs proxy reward


def test_the_ppo_diagnostics_are_charted(result):
    lines = result["series"]["ppo_diagnostics"]["lines"]
    assert len(lines["clip fraction"]) == PARAMS["steps"]
    assert all(0 <= y <= 1 for _, y in lines["clip fraction"])
    assert set(result["series"]["kl"]["lines"]) == {"KL coef 0.2", "KL coef 0"}


def test_the_headline_and_schema(result):
    json.dumps(result)
    f = result["findings"]
    assert f"{f['proxy_end']:.2f}" in result["headline"]
    assert f"{f['kl_end']:.2f}" in result["headline"]
    table = result["tables"][0]
    assert all(len(r) == len(table["columns"]) for r in table["rows"])
    assert {s["model"].split(" step")[0] for s in result["samples"]} == {"ppo kl 0.2"}
    assert result["timings"]["first_progress_s"] < 3
