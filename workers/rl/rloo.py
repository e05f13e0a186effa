"""RLOO (REINFORCE leave-one-out), a project loop: k samples per prompt, each sample's
baseline the mean reward of the other k-1, whitened advantages, one gradient step per
batch. The KL penalty is ``kl_coef`` times the summed log-ratio to the reference,
subtracted from the reward-model score.

TRL's ``RLOOTrainer``/``GRPOTrainer`` take reward *functions* over a prompt dataset and
generate through their own path; this loop shares rollouts, log-probs, the KL and the
stratified batches with PPO (``workers.rl.loop``), so the two are compared on identical
machinery (the measurements are in ``workers/DESIGN.md``)."""

from __future__ import annotations

from typing import Any

from workers import world
from workers.rl.loop import Batch, RewardFn, RLConfig, optimiser_step, prepare, run_steps
from workers.rl.maths import rloo_advantages, sequence_kl_rewards, whiten
from workers.rl.rollout import token_logprobs


def train_rloo(
    policy,
    reference,
    tokenizer,
    reward_fn: RewardFn,
    prompts: list[world.PromptInfo],
    cfg: RLConfig,
    **reporting: Any,
) -> dict[str, Any]:
    """Optimise ``policy`` in place against ``reward_fn`` with RLOO (Adam at ``cfg.lr``).
    ``reporting``: ``progress``, ``step_offset``, ``prefix``, ``label``, ``report_keys`` of
    ``loop.run_steps``, which says what is reported and returned."""
    import torch

    rng, params = prepare(policy, reference, cfg)
    opt = torch.optim.Adam(params, lr=cfg.lr)

    def update(batch: Batch):
        return rloo_update(policy, opt, params, batch, cfg)

    return run_steps(
        policy,
        reference,
        tokenizer,
        reward_fn,
        prompts,
        cfg,
        update,
        rng,
        algorithm="rloo",
        **reporting,
    )


def rloo_update(policy, opt, params: list, batch: Batch, cfg: RLConfig):
    """One gradient step on ``-advantage * log p(response)``, the advantages leave-one-out
    (``cfg.samples_per_prompt`` consecutive samples per prompt) and whitened. Returns (the
    summed log-ratio of each response, no extra metrics)."""
    k = cfg.samples_per_prompt
    logp = token_logprobs(policy, batch.rollout)
    # the KL and advantage arithmetic in float32 on the policy's device (no host round trip)
    rewards, log_ratio = sequence_kl_rewards(
        batch.scores.to(logp.device), logp.detach(), batch.ref_logp, batch.mask, cfg.kl_coef
    )
    adv = whiten(rloo_advantages(rewards, k)) if k > 1 else whiten(rewards)
    seq_logp = (logp * batch.mask).sum(1)
    loss = -(adv * seq_logp).mean()
    optimiser_step(opt, params, loss)
    return log_ratio.cpu(), {}
