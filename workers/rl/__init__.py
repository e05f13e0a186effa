"""The RL core: two project loops, PPO and RLOO, on shared machinery.

- ``maths``: the pure tensor maths (whitening, KL penalties, GAE, clipped losses, the
  leave-one-out baseline, the Gao et al. curve), unit-tested in ``tests/workers/test_rl_math.py``.
- ``rollout``: sampling responses, per-token log-probs, the frozen reference copy.
- ``loop``: ``RLConfig``, the reward function over a reward model, and the step loop both
  algorithms run (stratified batch, rollout, scores, report).
- ``rloo``: ``train_rloo`` and its update. ``ppo``: ``train_ppo``, its value head and update.

Importing this package does not import torch."""

from __future__ import annotations

from typing import Any

from workers import world
from workers.rl.loop import (
    Batch,
    RewardFn,
    RLConfig,
    family_refusal_metrics,
    reward_model_fn,
    stratified_batch,
)
from workers.rl.maths import (
    approx_kl,
    clipped_policy_loss,
    clipped_value_loss,
    fit_gao_curve,
    fit_r_squared,
    gae,
    gao_curve,
    kl_penalised_rewards,
    rloo_advantages,
    sequence_kl_rewards,
    whiten,
)
from workers.rl.ppo import train_ppo
from workers.rl.rloo import train_rloo
from workers.rl.rollout import Rollout, frozen_copy, rollout, token_logprobs


def train_policy(
    policy,
    reference,
    tokenizer,
    reward_fn: RewardFn,
    prompts: list[world.PromptInfo],
    cfg: RLConfig,
    **reporting: Any,
) -> dict[str, Any]:
    """``train_ppo`` or ``train_rloo``, as ``cfg.algorithm`` says."""
    train = train_rloo if cfg.algorithm == "rloo" else train_ppo
    return train(policy, reference, tokenizer, reward_fn, prompts, cfg, **reporting)


__all__ = [
    "Batch",
    "approx_kl",
    "RLConfig",
    "RewardFn",
    "Rollout",
    "clipped_policy_loss",
    "clipped_value_loss",
    "family_refusal_metrics",
    "fit_gao_curve",
    "fit_r_squared",
    "frozen_copy",
    "gae",
    "gao_curve",
    "kl_penalised_rewards",
    "reward_model_fn",
    "rloo_advantages",
    "rollout",
    "sequence_kl_rewards",
    "stratified_batch",
    "token_logprobs",
    "train_policy",
    "train_ppo",
    "train_rloo",
    "whiten",
]
