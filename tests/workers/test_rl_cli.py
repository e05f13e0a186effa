"""Bad input to the RL experiments: one line on stderr, exit code 2, nothing written."""

import pytest

from workers.cli import main

RL_EXPERIMENTS = [
    "reward_hacking",
    "ppo_rlhf",
    "surface_vs_deep",
    "dpo_vs_ppo",
    "refusal_frontier",
    "dosage_tradeoff",
]


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    return err


@pytest.mark.parametrize("name", RL_EXPERIMENTS)
def test_an_out_of_range_parameter_exits_2(name, capsys, tmp_path):
    out = tmp_path / "r.json"
    assert main(["run", name, "--set", "seed=-1", "--out", str(out)]) == 2
    assert "seed must be at least 0" in _one_line_error(capsys)
    assert not out.exists()


def test_rl_specific_limits_and_choices(capsys):
    assert main(["run", "reward_hacking", "--set", "lr=0.5"]) == 2
    assert "lr must be at most 0.001" in _one_line_error(capsys)
    assert main(["run", "reward_hacking", "--set", "sweep=0.7"]) == 2
    assert "sweep must be one of none, 0.3" in _one_line_error(capsys)
    assert main(["run", "ppo_rlhf", "--set", "compare_without_kl=maybe"]) == 2
    assert "compare_without_kl must be one of yes, no, not 'maybe'" in _one_line_error(capsys)


@pytest.mark.slow
@pytest.mark.parametrize("name", RL_EXPERIMENTS)
def test_a_model_that_is_not_a_causal_lm_exits_2(name, capsys, tmp_path, monkeypatch):
    from transformers import BertConfig, BertModel

    BertModel(
        BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    ).save_pretrained(tmp_path / "bert")
    monkeypatch.setenv("LABS_BASE_MODEL", str(tmp_path / "bert"))
    capsys.readouterr()
    out = tmp_path / "r.json"
    assert main(["run", name, "--out", str(out)]) == 2
    assert "is not a causal language model (BertModel)" in _one_line_error(capsys)
    assert not out.exists()
