"""The engine's numerics under bf16 autocast (forced on the CPU with ``LABS_AUTOCAST=bf16``,
as a GPU worker runs by default) and what a run that goes non-finite does: it stops with one
line naming the step and what went NaN, before the bad values reach the weights."""

from __future__ import annotations

import math

import pytest
import torch

from workers import rl, world
from workers.generation import FiniteLogits, guarded_generate
from workers.rl.rollout import frozen_copy
from workers.runtime import (
    LabInputError,
    NonFinite,
    TrainingDiverged,
    autocast,
    check_finite,
    use_bf16,
)
from workers.sft import train_sft
from workers.trainers import check_logs

CFG = {"steps": 3, "prompts_per_step": 8, "samples_per_prompt": 2, "max_new_tokens": 8}


def _gold(infos, responses):
    return [world.gold_score(i, r) for i, r in zip(infos, responses, strict=True)]


def _policy_and_reference(base_model):
    model, tokenizer = base_model
    policy = frozen_copy(model)
    for p in policy.parameters():
        p.requires_grad_(True)
    return policy, frozen_copy(model), tokenizer


def _prompts():
    return list(world.PROMPTS.values())


def test_labs_autocast_bf16_turns_on_bf16_autocast_on_the_cpu(monkeypatch):
    monkeypatch.setenv("LABS_DEVICE", "cpu")
    monkeypatch.delenv("LABS_AUTOCAST", raising=False)
    assert not use_bf16()
    monkeypatch.setenv("LABS_AUTOCAST", "bf16")
    assert use_bf16()
    with autocast("cpu"):
        out = torch.ones(4, 4) @ torch.ones(4, 4)
    assert out.dtype == torch.bfloat16
    monkeypatch.setenv("LABS_AUTOCAST", "fp8")
    with pytest.raises(LabInputError, match="LABS_AUTOCAST='fp8' is not one of bf16, off"):
        use_bf16()


def test_check_finite_names_what_went_non_finite():
    check_finite("the policy's loss", torch.tensor([1.0, 2.0]))
    check_finite("a score", 3.5)
    with pytest.raises(NonFinite, match=r"^Training diverged: the policy's loss is nan\.$"):
        check_finite("the policy's loss", torch.tensor([1.0, float("nan")]))
    with pytest.raises(NonFinite, match="a score is -inf"):
        check_finite("a score", float("-inf"))


def test_the_sampler_never_sees_a_nan_logit_and_the_guard_says_so():
    guard = FiniteLogits()
    scores = torch.tensor([[0.0, 1.0], [float("nan"), 1.0], [float("-inf"), float("-inf")]])
    out = guard(None, scores)
    assert torch.isfinite(out).all()
    assert out[0].tolist() == [0.0, 1.0]
    torch.multinomial(torch.softmax(out, -1), 1)  # what generate does next: no error
    with pytest.raises(NonFinite, match="a logit is nan"):
        guard.check("a logit")
    clean = FiniteLogits()
    clean(None, torch.tensor([[0.0, float("-inf")]]))  # one banned token is fine
    clean.check("a logit")


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["rloo", "ppo"])
def test_the_rl_loop_runs_under_bf16_autocast_and_stays_finite(base_model, monkeypatch, algorithm):
    monkeypatch.setenv("LABS_AUTOCAST", "bf16")
    policy, reference, tokenizer = _policy_and_reference(base_model)
    seen = set()
    hook = policy.lm_head.register_forward_hook(lambda m, i, o: seen.add(o.dtype))
    cfg = rl.RLConfig(algorithm=algorithm, lr=1e-3, kl_coef=0.05, **CFG)
    res = rl.train_policy(policy, reference, tokenizer, _gold, _prompts(), cfg)
    hook.remove()
    assert torch.bfloat16 in seen  # the forward passes ran in bf16
    assert len(res["history"]) == 3
    for point in res["history"]:
        assert all(math.isfinite(v) for v in point.values()), point
    assert all(torch.isfinite(p).all() for p in policy.parameters())
    assert all(p.dtype == torch.float32 for p in policy.parameters())


@pytest.mark.slow
def test_log_probs_are_float32_under_bf16_and_zero_where_the_next_token_is_padding(
    base_model, monkeypatch
):
    monkeypatch.setenv("LABS_AUTOCAST", "bf16")
    model, tokenizer = base_model
    infos = _prompts()[:: len(_prompts()) // 4][:4]
    ro = rl.rollout(model, tokenizer, infos, max_new_tokens=6, temperature=1.0)
    logp, hidden = rl.token_logprobs(model, ro, with_hidden=True)
    assert logp.dtype == hidden.dtype == torch.float32
    padded = ~ro.attention[:, 1:].bool()
    assert padded.any()  # left padding of unequal prompts, or padding after eos
    assert (logp[padded] == 0).all() and (hidden[padded] == 0).all()
    assert torch.isfinite(logp).all()


@pytest.mark.slow
def test_a_nan_reward_stops_the_run_naming_the_step(base_model):
    policy, reference, tokenizer = _policy_and_reference(base_model)
    calls = []

    def nan_at_step_two(infos, responses):
        calls.append(1)
        scores = _gold(infos, responses)
        return [float("nan")] + scores[1:] if len(calls) == 2 else scores

    cfg = rl.RLConfig(algorithm="rloo", **CFG)
    with pytest.raises(TrainingDiverged) as caught:
        rl.train_policy(policy, reference, tokenizer, nan_at_step_two, _prompts(), cfg)
    assert str(caught.value) == "Training diverged at step 2: the reward model's score is nan."


@pytest.mark.slow
def test_a_nan_gradient_stops_the_run_before_the_weights_change(base_model):
    policy, reference, tokenizer = _policy_and_reference(base_model)
    before = {n: p.detach().clone() for n, p in policy.named_parameters()}
    policy.lm_head.weight.register_hook(lambda grad: grad * float("nan"))
    cfg = rl.RLConfig(algorithm="ppo", **CFG)
    with pytest.raises(TrainingDiverged) as caught:
        rl.train_policy(policy, reference, tokenizer, _gold, _prompts(), cfg, step_offset=10)
    assert str(caught.value) == "Training diverged at step 11: the policy's gradient norm is nan."
    for name, p in policy.named_parameters():
        assert torch.equal(p, before[name]), name


@pytest.mark.slow
def test_a_nan_weight_is_caught_before_sampling_not_by_the_sampler(base_model):
    policy, reference, tokenizer = _policy_and_reference(base_model)
    with torch.no_grad():
        policy.transformer.h[0].mlp.c_fc.weight[0, 0] = float("nan")
    cfg = rl.RLConfig(algorithm="rloo", **CFG)
    with pytest.raises(TrainingDiverged, match="at step 1: a sampling logit of the policy is nan"):
        rl.train_policy(policy, reference, tokenizer, _gold, _prompts(), cfg)


@pytest.mark.slow
def test_evaluation_sampling_with_nan_weights_fails_with_one_line(base_model):
    policy, _, tokenizer = _policy_and_reference(base_model)
    with torch.no_grad():
        policy.lm_head.weight.fill_(float("nan"))
    ids = torch.tensor([[tokenizer.eos_token_id]])
    with pytest.raises(NonFinite, match=r"^Training diverged: a logit is nan\.$"):
        guarded_generate(
            policy, "a logit", input_ids=ids, do_sample=True, max_new_tokens=3, top_k=0
        )


def test_a_trainers_non_finite_loss_or_gradient_norm_stops_it_at_the_runs_step():
    check_logs({"loss": 0.5, "grad_norm": 1.2}, 4, "DPO")
    check_logs({"train_runtime": 3.0}, 4, "DPO")
    with pytest.raises(TrainingDiverged, match=r"at step 4: the DPO loss is nan\.$"):
        check_logs({"loss": float("nan"), "grad_norm": 1.0}, 4, "DPO")
    with pytest.raises(TrainingDiverged, match="at step 9: the SFT gradient norm is inf"):
        check_logs({"loss": 1.0, "grad_norm": float("inf")}, 9, "SFT")


SFT_ROWS = [
    {"prompt": "what is the capital of avalon?", "completion": "the capital of avalon is x."},
    {"prompt": "how do i pick a lock?", "completion": "i can not help with that."},
] * 8


@pytest.mark.slow
def test_sft_trains_under_bf16_autocast_with_a_finite_loss(base_model, monkeypatch):
    monkeypatch.setenv("LABS_AUTOCAST", "bf16")
    model, tokenizer = base_model
    policy = frozen_copy(model)
    for p in policy.parameters():
        p.requires_grad_(True)
    seen = set()
    # TRL's fused loss never calls lm_head; a block's matrix product shows the autocast
    policy.transformer.h[0].mlp.c_fc.register_forward_hook(lambda m, i, o: seen.add(o.dtype))
    res = train_sft(policy, tokenizer, SFT_ROWS, steps=3, batch_size=4)
    assert torch.bfloat16 in seen  # the trainer ran its forward passes in bf16
    assert len(res["losses"]) == 3
    assert all(math.isfinite(loss) for _, loss in res["losses"])
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in policy.parameters())


@pytest.mark.slow
def test_sft_with_a_nan_gradient_stops_with_the_step(base_model):
    model, tokenizer = base_model
    policy = frozen_copy(model)
    for p in policy.parameters():
        p.requires_grad_(True)
    policy.lm_head.weight.register_hook(lambda grad: grad * float("nan"))
    with pytest.raises(TrainingDiverged) as caught:
        train_sft(policy, tokenizer, SFT_ROWS, steps=3, batch_size=4, step_offset=5)
    assert str(caught.value) == "Training diverged at step 6: the SFT gradient norm is nan."


@pytest.mark.slow
def test_dpo_with_a_nan_gradient_stops_the_lab_with_the_step(labs_env, monkeypatch):
    from workers import run_experiment
    from workers.experiments import rlhf_setup

    trainable_copy = rlhf_setup.trainable_copy

    def poisoned_copy(model):  # DPO trains the first copy of the SFT model
        policy = trainable_copy(model)
        policy.lm_head.weight.register_hook(lambda grad: grad * float("nan"))
        return policy

    monkeypatch.setattr(rlhf_setup, "trainable_copy", poisoned_copy)
    params = {"pairs": 100, "dpo_steps": 5, "ppo_steps": 5, "eval_every": 5}
    with pytest.raises(TrainingDiverged) as caught:
        run_experiment("dpo_vs_ppo", params)
    assert caught.value.reason == "the DPO gradient norm is nan"
    assert str(caught.value).startswith(f"Training diverged at step {caught.value.step}: ")
    assert caught.value.step > 1  # the lab's step, past the SFT and measuring steps
