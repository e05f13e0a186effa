"""``python -m workers``: bad input is one line on stderr, exit code 2, nothing written."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workers.cli import main

REPO = Path(__file__).resolve().parents[2]


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    return err


def test_an_unknown_experiment_exits_2_in_a_real_process(tmp_path):
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "-m", "workers", "run", "no_such_lab", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: unknown experiment 'no_such_lab' (known: ")
    assert "pairwise_vs_absolute" in lines[0] and "sft" in lines[0]
    assert not out.exists()


def test_a_parameter_out_of_its_limits_exits_2(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert main(["run", "sft", "--set", "steps=100000", "--out", str(out)]) == 2
    assert "steps must be at most 400" in _one_line_error(capsys)
    assert not out.exists()


def test_a_parameter_of_the_wrong_type_or_name_exits_2(capsys):
    assert main(["run", "sft", "--set", "lr=fast"]) == 2
    assert "lr must be a number, not 'fast'" in _one_line_error(capsys)
    assert main(["run", "sft", "--set", "colour=red"]) == 2
    assert "unknown parameter 'colour'" in _one_line_error(capsys)
    assert main(["run", "sft", "--set", "steps"]) == 2
    assert "is not KEY=VALUE" in _one_line_error(capsys)


def test_a_malformed_jsonl_line_exits_2_and_names_the_line(capsys, tmp_path):
    data = tmp_path / "sft.jsonl"
    data.write_text('{"prompt": "hi", "completion": "hello"}\n{"prompt": "oops"\n')
    out = tmp_path / "r.json"
    assert main(["run", "sft", "--set", f"dataset={data}", "--out", str(out)]) == 2
    assert f"{data}:2: malformed JSON" in _one_line_error(capsys)
    assert not out.exists()


def test_a_jsonl_line_without_the_needed_fields_exits_2(capsys, tmp_path):
    data = tmp_path / "pairs.jsonl"
    data.write_text('{"prompt": "hi", "chosen": "hello"}\n')
    assert main(["run", "pairwise_vs_absolute", "--set", f"dataset={data}"]) == 2
    assert f"{data}:1: missing string field(s) rejected" in _one_line_error(capsys)


def test_a_missing_dataset_exits_2(capsys, tmp_path):
    assert main(["run", "sft", "--set", f"dataset={tmp_path / 'none.jsonl'}"]) == 2
    assert "does not exist" in _one_line_error(capsys)


@pytest.mark.slow
def test_a_model_directory_that_is_not_a_causal_lm_exits_2(capsys, tmp_path, monkeypatch):
    from transformers import BertConfig, BertModel

    BertModel(
        BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    ).save_pretrained(tmp_path / "bert")
    monkeypatch.setenv("LABS_BASE_MODEL", str(tmp_path / "bert"))
    capsys.readouterr()  # the save's progress bar
    out = tmp_path / "r.json"
    assert main(["run", "sft", "--out", str(out)]) == 2
    assert "is not a causal language model (BertModel)" in _one_line_error(capsys)
    assert not out.exists()


def test_list_shows_every_experiment_with_its_limits(capsys):
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert "sft: SFT shifts behaviour" in text
    assert "pairwise_vs_absolute: Pairwise beats absolute" in text
    assert "[1, 400]" in text
    assert main(["list", "--json"]) == 0
    specs = json.loads(capsys.readouterr().out)
    assert {"sft", "pairwise_vs_absolute"} <= {s["name"] for s in specs}


@pytest.mark.slow
def test_run_prints_progress_and_writes_the_result(labs_env, capsys, tmp_path):
    out = tmp_path / "result.json"
    args = ["run", "sft", "--set", "steps=4", "--set", "samples_per_prompt=1", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "/6 " in printed and "headline: " in printed
    result = json.loads(out.read_text())
    assert result["experiment"] == "sft" and result["params"]["steps"] == 4
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


@pytest.mark.slow
def test_build_base_is_a_no_op_when_built(labs_env, capsys):
    assert main(["build-base"]) == 0
    assert f"already built: {labs_env['base']}" in capsys.readouterr().out
