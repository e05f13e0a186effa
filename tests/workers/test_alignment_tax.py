"""The alignment tax: safety training on refusals raises refusal of harmful requests and
costs capability on benign tasks (capital cities, how-to requests), more as the training
grows; mixing benign demonstrations into the safety batches shrinks the tax."""

import json

import pytest

from workers import LabInputError, run_experiment
from workers.experiments import validate_params
from workers.experiments.alignment_tax import Tax

slow = pytest.mark.slow

# Seeds drawn at random once (the defaults were tuned on the default model's seed 0 only);
# small model, defaults (16 steps, 3 seeds per run). workers/README.md has the default
# model's figures on seeds 0-4.
SEEDS = (714, 169, 815)


_runs: dict[int, dict] = {}


def plain(seed: int) -> dict:
    """The run at the defaults for ``seed``, once per session."""
    if seed not in _runs:
        _runs[seed] = run_experiment("alignment_tax", {"seed": seed})
    return _runs[seed]


@pytest.fixture(scope="module", params=SEEDS[:2])
def seeded(labs_env, request):
    return plain(request.param)


@pytest.fixture(scope="module")
def mixed(labs_env):
    return run_experiment("alignment_tax", {"seed": SEEDS[0], "mix": 0.5})


def test_a_capability_change_inside_its_spread_is_within_noise():
    assert Tax(-0.05, 0.1).verdict == "within noise"
    assert Tax(-0.5, 0.1).verdict == "fell"
    assert Tax(0.3, 0.1).verdict == "rose"
    assert Tax(-0.5, None).verdict == "one seed"


def test_a_mix_of_only_benign_demonstrations_is_refused_with_a_clear_message():
    with pytest.raises(LabInputError, match="mix"):
        validate_params("alignment_tax", {"mix": 1.0})


@slow
def test_safety_training_raises_refusal_of_harmful_requests(seeded):
    f = seeded["findings"]
    assert f["harmful_refusal_s16"] >= f["harmful_refusal_s0"] + 0.1
    stalking = [row[-1] for row in seeded["tables"][0]["rows"]]
    assert stalking[-1] >= stalking[0] + 0.5  # the held-out category the SFT set missed


@slow
def test_capability_falls_beyond_noise_as_safety_training_grows(seeded):
    f = seeded["findings"]
    assert f["tax"] < -f["tax_sd"] < 0
    assert f["tax"] <= -0.2
    capability = [f[f"capability_s{s}"] for s in (0, 4, 8, 16)]
    assert capability == sorted(capability, reverse=True)
    assert f["howto_refusal_s16"] >= f["howto_refusal_s0"] + 0.3  # harmless how-to refused
    assert "an alignment tax of" in seeded["headline"]
    assert f"{-f['tax']:.2f}" in seeded["headline"]


@slow
def test_the_page_shows_the_spread_and_every_seed(seeded):
    json.dumps(seeded)
    table, by_seed = seeded["tables"]
    assert len(table["labels"]) == len(table["columns"]) == len(table["formats"])
    assert [row[0] for row in table["rows"]] == [0, 4, 8, 16]
    assert all(row[2] is not None for row in table["rows"])  # capability's SD
    assert table["rows"][0][3:6] == [None, None, None]  # the SFT model: no change to judge
    assert table["rows"][-1][5] == "fell: a tax"
    seed = seeded["params"]["seed"]
    assert [row[0] for row in by_seed["rows"]] == [seed, seed + 1, seed + 2]
    taxes = [row[3] for row in by_seed["rows"]]
    assert abs(sum(taxes) / len(taxes) - seeded["findings"]["tax"]) < 0.002
    lines = seeded["series"]["capability_vs_safety_training"]["lines"]
    assert [x for x, _ in lines["capability (facts and how-to)"]] == [0, 4, 8, 16]
    assert seeded["samples"]


@slow
def test_mixing_benign_demonstrations_into_the_safety_batches_shrinks_the_tax(mixed):
    f, unmixed = mixed["findings"], plain(SEEDS[0])["findings"]
    assert f["tax"] > unmixed["tax"] + 0.2
    assert f["harmful_refusal_s16"] >= unmixed["harmful_refusal_s0"] + 0.1
    assert "benign demonstrations" in mixed["headline"]


@slow
def test_one_seed_says_it_has_no_spread_to_judge_noise_by(labs_env):
    res = run_experiment("alignment_tax", {"seed": SEEDS[2], "seeds": 1, "steps": 8})
    assert res["findings"]["tax_sd"] is None
    assert "one seed: no spread to judge noise by" in res["headline"]
