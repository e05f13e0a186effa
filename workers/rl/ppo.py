"""PPO, a project loop (TRL 1.x ships no PPO trainer): a value head on the policy's last
hidden state, a per-token KL penalty to the reference with the reward-model score added at
the last response token, GAE, the clipped surrogate and a (clipped) value loss, several
epochs of minibatches per batch. Rollouts, scoring and reporting are the loop it shares
with RLOO (``workers.rl.loop``); the maths is in ``workers.rl.maths``."""

from __future__ import annotations

from typing import Any

from workers import world
from workers.rl.loop import Batch, RewardFn, RLConfig, optimiser_step, prepare, run_steps
from workers.rl.maths import (
    approx_kl,
    clipped_policy_loss,
    clipped_value_loss,
    gae,
    kl_penalised_rewards,
    whiten,
)
from workers.rl.rollout import token_logprobs


def train_ppo(
    policy,
    reference,
    tokenizer,
    reward_fn: RewardFn,
    prompts: list[world.PromptInfo],
    cfg: RLConfig,
    **reporting: Any,
) -> dict[str, Any]:
    """Optimise ``policy`` in place against ``reward_fn`` with PPO (Adam at ``cfg.lr``, the
    value head at ``cfg.value_lr``). ``reporting``: ``progress``, ``step_offset``,
    ``prefix``, ``label``, ``report_keys`` of ``loop.run_steps``, which says what is
    reported and returned; PPO also reports ``clip_fraction`` and ``value_loss``."""
    import torch

    rng, params = prepare(policy, reference, cfg)
    opt = torch.optim.Adam(params, lr=cfg.lr)
    value_head = new_value_head(policy)
    opt.add_param_group({"params": value_head.parameters(), "lr": cfg.value_lr})

    def update(batch: Batch):
        return ppo_update(policy, value_head, opt, params, batch, cfg)

    return run_steps(
        policy,
        reference,
        tokenizer,
        reward_fn,
        prompts,
        cfg,
        update,
        rng,
        algorithm="ppo",
        **reporting,
    )


def new_value_head(policy):
    """A linear value head on the policy's hidden size, initialised to zero (its module is
    built first, which draws from torch's generator as a new layer does)."""
    import torch

    hidden = policy.config.hidden_size if hasattr(policy.config, "hidden_size") else None
    hidden = hidden or policy.config.n_embd
    value_head = torch.nn.Linear(hidden, 1).to(next(policy.parameters()).device)
    torch.nn.init.zeros_(value_head.weight)
    torch.nn.init.zeros_(value_head.bias)
    return value_head


def ppo_update(policy, value_head, opt, params: list, batch: Batch, cfg: RLConfig):
    """Advantages by GAE over the per-token KL-penalised rewards of the batch (as sampled),
    then ``cfg.ppo_epochs`` passes over ``cfg.minibatches`` shuffled minibatches. Returns
    (the summed log-ratio of each response, clip fraction, value loss and the approximate
    KL between the policy before and after the update, ``approx_kl_k1`` and ``_k3``)."""
    import torch

    ro, mask = batch.rollout, batch.mask
    with torch.no_grad():
        old_logp, hid = token_logprobs(policy, ro, with_hidden=True)
        old_values = value_head(hid).squeeze(-1) * mask
        tok_rewards, log_ratio = kl_penalised_rewards(
            old_logp, batch.ref_logp, mask, batch.scores.to(mask.device), cfg.kl_coef
        )
        adv, returns = gae(tok_rewards, old_values, mask, cfg.gamma, cfg.lam)
        adv = whiten(adv, mask)
    clipfracs, vlosses = [], []
    for _ in range(cfg.ppo_epochs):
        order = torch.randperm(len(ro.infos))
        for mb in order.chunk(cfg.minibatches):
            logp, hid = token_logprobs(policy, ro.rows(mb), with_hidden=True)
            values = value_head(hid).squeeze(-1)
            m = mask[mb]
            pl, cf = clipped_policy_loss(logp, old_logp[mb], adv[mb], m, cfg.clip)
            vl = clipped_value_loss(values, old_values[mb], returns[mb], m, cfg.value_clip)
            optimiser_step(opt, params, pl + cfg.vf_coef * vl)
            clipfracs.append(cf.detach())
            vlosses.append(vl.detach())
    # read back once per batch, not once per minibatch
    extra = {
        "clip_fraction": float(torch.stack(clipfracs).mean()),
        "value_loss": float(torch.stack(vlosses).mean()),
    }
    with torch.no_grad():  # how far this update moved the policy, per response token
        new_logp = token_logprobs(policy, ro)
    extra["approx_kl_k1"], extra["approx_kl_k3"] = approx_kl(new_logp, old_logp, mask)
    return log_ratio.sum(1).cpu(), extra
