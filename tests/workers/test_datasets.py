"""SFT and reward-model runs take JSONL datasets instead of the world's own data."""

import json
import random

import pytest

from workers import run_experiment, world
from workers.runtime import LabInputError
from workers.sft import read_jsonl

pytestmark = pytest.mark.slow


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_read_jsonl_names_the_file_and_line_of_a_bad_row(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "a", "completion": "b"}\n\n[1, 2]\n')
    with pytest.raises(LabInputError, match=r"d.jsonl:3: expected a JSON object"):
        read_jsonl(data, ("prompt", "completion"))


def test_sft_trains_on_a_jsonl_dataset(labs_env, tmp_path):
    rows = [
        {"prompt": info.prompt, "completion": world.ideal_response(info, random.Random(0))}
        for info in list(world.PROMPTS.values())[:40]
    ]
    data = _write(tmp_path / "sft.jsonl", rows)
    result = run_experiment(
        "sft", {"dataset": str(data), "steps": 5, "samples_per_prompt": 1, "max_new_tokens": 8}
    )
    assert "SFT on 40 examples" in result["headline"]
    assert result["notes"]


def test_a_pairwise_reward_model_trains_on_a_jsonl_dataset(labs_env, tmp_path):
    rows = []
    for info in list(world.PROMPTS.values())[:60]:
        good = world.ideal_response(info, random.Random(0))
        rows.append({"prompt": info.prompt, "chosen": good, "rejected": "i like turtles ."})
    data = _write(tmp_path / "pairs.jsonl", rows)
    result = run_experiment("pairwise_vs_absolute", {"dataset": str(data)})
    assert result["findings"]["pairwise_accuracy"] >= 0.75  # an easy, consistent preference
    assert result["timings"]["trainer"] == "trl.RewardTrainer"
    assert "needs the world's gold score" in result["notes"][0]
