"""The class reward-model experiment: labels on the world's pairs, checked against gold."""

import json

import pytest

from workers import LabInputError, run_experiment
from workers.class_labels import labelling_pairs


def _write(path, rows) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


def _labels(pairs, *, follow_gold: bool) -> list[dict]:
    rows = []
    for pair in pairs:
        a_better = pair["gold_a"] > pair["gold_b"]
        if not follow_gold:
            a_better = not a_better
        chosen, rejected = (
            ("response_a", "response_b") if a_better else ("response_b", "response_a")
        )
        rows.append({"prompt": pair["prompt"], "chosen": pair[chosen], "rejected": pair[rejected]})
    return rows


def test_labelling_pairs_differ_in_gold_and_cover_the_families():
    pairs = labelling_pairs(30, seed=3)
    assert len(pairs) == 30
    assert all(abs(p["gold_a"] - p["gold_b"]) >= 0.3 for p in pairs)
    assert len({p["family"] for p in pairs}) >= 8


@pytest.mark.slow
def test_labels_that_follow_gold_train_a_better_reward_model_than_reversed_ones(labs_env, tmp_path):
    pairs = labelling_pairs(40, seed=0)
    good = run_experiment(
        "class_reward_model",
        {"labels": _write(tmp_path / "good.jsonl", _labels(pairs, follow_gold=True))},
        lambda *a: None,
    )
    bad = run_experiment(
        "class_reward_model",
        {"labels": _write(tmp_path / "bad.jsonl", _labels(pairs, follow_gold=False))},
        lambda *a: None,
    )
    assert good["findings"]["class_gold_agreement"] == 1.0
    assert bad["findings"]["class_gold_agreement"] == 0.0
    assert good["findings"]["class_rm_accuracy"] > 0.6 > bad["findings"]["class_rm_accuracy"]
    assert "labels agree with the gold score on 100%" in good["headline"]


def test_labels_on_prompts_outside_the_world_are_refused_by_line(tmp_path):
    path = _write(
        tmp_path / "x.jsonl", [{"prompt": "what is love ?", "chosen": "a", "rejected": "b"}]
    )
    with pytest.raises(LabInputError, match=r"x.jsonl:1: the prompt is not one of the lab world's"):
        run_experiment("class_reward_model", {"labels": path}, lambda *a: None)


def test_it_needs_a_labels_file():
    with pytest.raises(LabInputError, match="labels .* is required"):
        run_experiment("class_reward_model", {}, lambda *a: None)
