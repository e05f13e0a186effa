"""Experiment 5 (over- vs under-refusal): a reward model from annotators who weigh safety
more prefers refusals on harmful and harmless borderline requests alike."""

import json

import pytest

from workers import run_experiment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(labs_env):
    return run_experiment("refusal_frontier", {"seed": 0, "seeds": 2, "scenario_rm": "probe"})


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
