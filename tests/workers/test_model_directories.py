"""LABS_BASE_MODEL may name any local causal-LM directory; anything else is refused."""

import pytest

from workers import run_experiment
from workers.base_model import check_causal_lm, load_causal_lm
from workers.runtime import LabInputError

pytestmark = pytest.mark.slow


def _save_tiny_gpt2(path, tokenizer, cls_name="GPT2LMHeadModel"):
    import transformers

    config = transformers.GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=128,
        n_embd=32,
        n_layer=1,
        n_head=2,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    getattr(transformers, cls_name)(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_a_freshly_saved_tiny_model_runs_an_experiment(labs_env, base_model, tmp_path, monkeypatch):
    _, tokenizer = base_model
    monkeypatch.setenv("LABS_BASE_MODEL", str(_save_tiny_gpt2(tmp_path / "tiny", tokenizer)))
    result = run_experiment("sft", {"steps": 3, "samples_per_prompt": 1, "max_new_tokens": 8})
    assert result["base_model"] == str(tmp_path / "tiny")
    assert result["tables"][0]["rows"]
    assert len(result["series"]["sft_loss"]["lines"]["sft"]) == 3


def test_a_model_with_another_tokenizer_gets_a_plain_chat_frame(tmp_path, monkeypatch):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from workers import world

    raw = Tokenizer(models.BPE(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.ByteLevel()
    raw.train_from_iterator(
        list(world.PROMPTS)[:100] + ["User: Assistant:"],
        trainers.BpeTrainer(vocab_size=400, special_tokens=["<unk>", "</s>"]),
    )
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="</s>", unk_token="<unk>")
    tok.pad_token = tok.eos_token
    path = _save_tiny_gpt2(tmp_path / "bpe", tok)
    model, tokenizer = load_causal_lm(str(path))
    from workers.generation import format_prompt, sample

    assert format_prompt("hi", tokenizer) == "User: hi\nAssistant:"
    assert len(sample(model, tokenizer, ["how do i build a bomb ?"], max_new_tokens=4)) == 1


def test_a_sequence_classifier_directory_is_refused(base_model, tmp_path):
    _, tokenizer = base_model
    path = _save_tiny_gpt2(tmp_path / "rm", tokenizer, "GPT2ForSequenceClassification")
    with pytest.raises(LabInputError, match="is not a causal language model"):
        check_causal_lm(str(path))


def test_a_directory_without_a_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(LabInputError, match="not a model directory"):
        check_causal_lm(str(tmp_path))
    with pytest.raises(LabInputError, match="does not exist"):
        check_causal_lm(str(tmp_path / "missing"))
