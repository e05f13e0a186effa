"""The shared RL core: rollouts from a policy, per-token log-probs, the KL to a frozen
reference, rewards from a reward model, refusal rates by family, and two project loops:

- RLOO (REINFORCE leave-one-out): k samples per prompt, each sample's baseline the mean
  reward of the others, whitened advantages, one gradient step per batch. The KL penalty is
  ``kl_coef`` times the summed log-ratio to the reference, subtracted from the reward.
- PPO: a value head on the policy's last hidden state, a per-token KL penalty to the
  reference with the reward-model score added at the last response token, GAE, the clipped
  surrogate and a (clipped) value loss, several epochs of minibatches per batch.

TRL 1.x ships no PPO trainer; its RLOO/GRPO trainers are built around a dataset of prompts
and reward *functions* and regenerate through their own generation path (see the README's
trainer decisions for the measurement that kept these loops in the project).

The pure functions (``gae``, ``kl_penalised_rewards``, ``clipped_policy_loss``,
``clipped_value_loss``, ``whiten``) take plain tensors and are unit-tested on hand-computed
numbers in ``tests/workers/test_rl_math.py``.
"""

from __future__ import annotations

import copy
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workers import world
from workers.generation import encode_prompt
from workers.runtime import Progress, autocast


# ---------------------------------------------------------------------------------------
# Pure maths (unit-tested on hand-computed numbers)
# ---------------------------------------------------------------------------------------
def whiten(x, mask=None, eps: float = 1e-8):
    """(x - mean) / std over the masked entries (all entries without a mask)."""
    import torch

    if mask is None:
        return (x - x.mean()) / (x.std(unbiased=False) + eps)
    m = mask.to(x.dtype)
    n = m.sum()
    mean = (x * m).sum() / n
    var = (((x - mean) ** 2) * m).sum() / n
    return ((x - mean) / torch.sqrt(var + eps)) * m


def kl_penalised_rewards(logp, ref_logp, mask, scores, kl_coef: float):
    """Per-token rewards for PPO: ``-kl_coef * (logp - ref_logp)`` on every response token,
    plus the reward model's score on the last response token. Shapes (B, T), (B, T), (B, T),
    (B,). Returns (rewards (B, T), per-token log-ratio (B, T))."""
    m = mask.to(logp.dtype)
    log_ratio = (logp - ref_logp) * m
    rewards = -kl_coef * log_ratio
    last = (m.cumsum(1) == m.sum(1, keepdim=True)) & (m > 0)
    rewards = rewards + last.to(logp.dtype) * scores.unsqueeze(1)
    return rewards, log_ratio


def gae(rewards, values, mask, gamma: float = 1.0, lam: float = 0.95):
    """Generalised advantage estimation over the masked (response) tokens of each row.

    ``delta_t = r_t + gamma * V_{t+1} - V_t`` (V past the last response token is 0),
    ``A_t = delta_t + gamma * lam * A_{t+1}``; returns = A + V. Shapes (B, T)."""
    import torch

    m = mask.to(values.dtype)
    values = values * m
    rewards = rewards * m
    adv = torch.zeros_like(values)
    last = torch.zeros(values.shape[0], dtype=values.dtype, device=values.device)
    next_value = torch.zeros_like(last)
    for t in reversed(range(values.shape[1])):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        last = delta + gamma * lam * last
        last = last * m[:, t]
        adv[:, t] = last
        next_value = values[:, t] * m[:, t]
    return adv, (adv + values) * m


def clipped_policy_loss(logp, old_logp, advantages, mask, clip: float = 0.2):
    """PPO's clipped surrogate, averaged over masked tokens. Returns (loss, clip fraction)."""
    import torch

    m = mask.to(logp.dtype)
    ratio = torch.exp(logp - old_logp)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1 - clip, 1 + clip)
    per_token = torch.maximum(unclipped, clipped)
    n = m.sum().clamp(min=1)
    frac = ((clipped > unclipped).to(logp.dtype) * m).sum() / n
    return (per_token * m).sum() / n, frac


def clipped_value_loss(values, old_values, returns, mask, clip: float = 0.2):
    """0.5 * max((V - R)^2, (clip(V, V_old +- clip) - R)^2), averaged over masked tokens."""
    import torch

    m = mask.to(values.dtype)
    v_clip = old_values + torch.clamp(values - old_values, -clip, clip)
    loss = 0.5 * torch.maximum((values - returns) ** 2, (v_clip - returns) ** 2)
    return (loss * m).sum() / m.sum().clamp(min=1)


def sequence_kl_rewards(scores, logp, ref_logp, mask, kl_coef: float):
    """RLOO's penalised reward: the score minus ``kl_coef`` times the log-ratio to the
    reference summed over each response. Returns (rewards (B,), summed log-ratio (B,))."""
    log_ratio = ((logp - ref_logp) * mask.to(logp.dtype)).sum(1)
    return scores - kl_coef * log_ratio, log_ratio


def rloo_advantages(rewards, k: int):
    """Leave-one-out baseline: rewards (B*k,) grouped as k consecutive samples per prompt;
    each sample's advantage is its reward minus the mean of the other k-1."""
    r = rewards.view(-1, k)
    baseline = (r.sum(1, keepdim=True) - r) / (k - 1)
    return (r - baseline).view(-1)


# ---------------------------------------------------------------------------------------
# Rollouts and log-probs
# ---------------------------------------------------------------------------------------
@dataclass
class Rollout:
    infos: list[world.PromptInfo]
    responses: list[str]
    ids: Any  # (B, T) left-padded prompt, then response, then pad
    attention: Any  # (B, T)
    positions: Any  # (B, T)
    response_mask: Any  # (B, T-1): 1 where token t+1 is a generated response token
    lengths: list[int] = field(default_factory=list)  # response tokens (with eos)


def rollout(
    model, tokenizer, infos: list[world.PromptInfo], *, max_new_tokens: int, temperature: float
) -> Rollout:
    """Sample one response per entry of ``infos`` (repeat entries for several samples)."""
    import torch

    dev = next(model.parameters()).device
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    chunk = [encode_prompt(i.prompt, tokenizer) for i in infos]
    width = max(len(c) for c in chunk)
    ids = torch.full((len(chunk), width), pad, dtype=torch.long)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    for j, c in enumerate(chunk):
        ids[j, width - len(c) :] = torch.tensor(c)
        mask[j, width - len(c) :] = 1
    was_training = model.training
    model.eval()
    with torch.no_grad(), autocast(dev.type):
        gen = model.generate(
            input_ids=ids.to(dev),
            attention_mask=mask.to(dev),
            do_sample=True,
            temperature=temperature,
            top_k=0,
            top_p=1.0,
            max_new_tokens=max_new_tokens,
            pad_token_id=pad,
            eos_token_id=eos,
        )
    if was_training:
        model.train()
    gen = gen.cpu()
    resp = gen[:, width:]
    is_eos = resp == eos
    # tokens up to and including the first eos
    after_eos = (is_eos.cumsum(1) - is_eos.long()) > 0
    resp_mask = (~after_eos).long()
    resp = torch.where(resp_mask.bool(), resp, torch.full_like(resp, pad))
    full = torch.cat([ids, resp], 1)
    attention = torch.cat([mask, resp_mask], 1)
    positions = (attention.cumsum(1) - 1).clamp(min=0)
    target_mask = torch.cat([torch.zeros_like(mask), resp_mask], 1)[:, 1:]
    responses, lengths = [], []
    for row, m in zip(resp.tolist(), resp_mask.tolist(), strict=True):
        n = sum(m)
        toks = row[:n]
        lengths.append(n)
        if toks and toks[-1] == eos:
            toks = toks[:-1]
        responses.append(tokenizer.decode(toks, skip_special_tokens=True).strip())
    return Rollout(infos, responses, full.to(dev), attention.to(dev), positions.to(dev),
                   target_mask.to(dev), lengths)  # fmt: skip


def token_logprobs(model, ro: Rollout, *, with_hidden: bool = False):
    """Log-prob of each next token (B, T-1) under ``model`` (and the last hidden state)."""
    import torch

    with autocast(ro.ids.device.type):
        out = model(
            input_ids=ro.ids,
            attention_mask=ro.attention,
            position_ids=ro.positions,
            output_hidden_states=with_hidden,
        )
    logits = out.logits[:, :-1].float()
    logp = torch.log_softmax(logits, -1).gather(-1, ro.ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    if with_hidden:
        return logp, out.hidden_states[-1][:, :-1].float()
    return logp


def refusal_rates(infos: list[world.PromptInfo], responses: list[str]) -> dict[str, float]:
    """Share of responses that refuse, per group (``world.PromptInfo.group``)."""
    acc: dict[str, list[bool]] = defaultdict(list)
    for info, r in zip(infos, responses, strict=True):
        acc[info.group].append(world.is_refusal(r))
    return {g: sum(v) / len(v) for g, v in acc.items()}


def family_refusal_metrics(infos, responses) -> dict[str, float]:
    """``refusal_<family>`` for every family (harmful = all harmful categories)."""
    acc: dict[str, list[bool]] = defaultdict(list)
    for info, r in zip(infos, responses, strict=True):
        acc[info.family].append(world.is_refusal(r))
    return {f"refusal_{f}": sum(v) / len(v) for f, v in sorted(acc.items())}


# ---------------------------------------------------------------------------------------
# The training loops
# ---------------------------------------------------------------------------------------
@dataclass
class RLConfig:
    algorithm: str = "rloo"  # "rloo" | "ppo"
    steps: int = 100
    prompts_per_step: int = 32
    samples_per_prompt: int = 2
    max_new_tokens: int = 40
    temperature: float = 1.0
    lr: float = 1e-4
    kl_coef: float = 0.0
    seed: int = 0
    # PPO only
    ppo_epochs: int = 2
    minibatches: int = 2
    clip: float = 0.2
    value_clip: float = 0.2
    vf_coef: float = 0.5
    gamma: float = 1.0
    lam: float = 0.95
    value_lr: float = 1e-3
    sample_every: int = 10


RewardFn = Callable[[list[world.PromptInfo], list[str]], list[float]]


def reward_model_fn(rm_model, rm_tokenizer) -> RewardFn:
    from workers.reward_model import score

    def fn(infos, responses):
        return score(
            rm_model, rm_tokenizer, [(i.prompt, r) for i, r in zip(infos, responses, strict=True)]
        )

    return fn


def train_policy(
    policy,
    reference,
    tokenizer,
    reward_fn: RewardFn,
    prompts: list[world.PromptInfo],
    cfg: RLConfig,
    *,
    progress: Progress | None = None,
    step_offset: int = 0,
    prefix: str = "",
    label: str = "",
    report_keys: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Optimise ``policy`` in place against ``reward_fn`` with RLOO or PPO.

    Each step reports (through ``progress``) ``proxy_reward``, ``gold``, ``kl`` (mean summed
    log-ratio to the reference, sequence level), ``response_length`` (tokens with eos) and
    ``refusal_<family>`` rates, names prefixed by ``prefix``; samples every
    ``cfg.sample_every`` steps (only ``report_keys`` when given). Returns the history (one
    dict per step), samples and timings.
    """
    import torch

    progress = progress or Progress(None, cfg.steps)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    reference.eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    policy.train()
    # dropout is off in the world's base model; make sure for other models too
    for mod in policy.modules():
        if isinstance(mod, torch.nn.Dropout):
            mod.p = 0.0
    params = [p for p in policy.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=cfg.lr)
    value_head = None
    if cfg.algorithm == "ppo":
        hidden = policy.config.hidden_size if hasattr(policy.config, "hidden_size") else None
        hidden = hidden or policy.config.n_embd
        value_head = torch.nn.Linear(hidden, 1).to(next(policy.parameters()).device)
        torch.nn.init.zeros_(value_head.weight)
        torch.nn.init.zeros_(value_head.bias)
        opt.add_param_group({"params": value_head.parameters(), "lr": cfg.value_lr})
    k = cfg.samples_per_prompt
    by_group: dict[str, list[world.PromptInfo]] = defaultdict(list)
    for info in prompts:
        by_group[info.group].append(info)
    history: list[dict[str, float]] = []
    samples: list[dict[str, Any]] = []
    t_start = time.perf_counter()
    t_rollout = t_update = 0.0
    for step in range(1, cfg.steps + 1):
        t0 = time.perf_counter()
        batch = stratified_batch(by_group, cfg.prompts_per_step, step, rng)
        infos = [i for i in batch for _ in range(k)]
        ro = rollout(policy, tokenizer, infos, max_new_tokens=cfg.max_new_tokens,
                     temperature=cfg.temperature)  # fmt: skip
        scores = torch.tensor(reward_fn(infos, ro.responses), dtype=torch.float32)
        golds = [world.gold_score(i, r) for i, r in zip(infos, ro.responses, strict=True)]
        mask = ro.response_mask.float()
        with torch.no_grad():
            ref_logp = token_logprobs(reference, ro)
        t_rollout += time.perf_counter() - t0
        t1 = time.perf_counter()
        if cfg.algorithm == "rloo":
            logp = token_logprobs(policy, ro)
            rewards, log_ratio = sequence_kl_rewards(
                scores, logp.detach().cpu(), ref_logp.cpu(), mask.cpu(), cfg.kl_coef
            )
            adv = whiten(rloo_advantages(rewards, k)) if k > 1 else whiten(rewards)
            seq_logp = (logp * mask).sum(1)
            loss = -(adv.to(seq_logp.device) * seq_logp).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            kl_seq = log_ratio
            extra = {}
        else:
            with torch.no_grad():
                old_logp, hid = token_logprobs(policy, ro, with_hidden=True)
                old_values = value_head(hid).squeeze(-1) * mask
                tok_rewards, log_ratio_t = kl_penalised_rewards(
                    old_logp, ref_logp, mask, scores.to(mask.device), cfg.kl_coef
                )
                adv, returns = gae(tok_rewards, old_values, mask, cfg.gamma, cfg.lam)
                adv = whiten(adv, mask)
            kl_seq = log_ratio_t.sum(1).cpu()
            n = len(infos)
            clipfracs, vlosses = [], []
            for _ in range(cfg.ppo_epochs):
                order = torch.randperm(n)
                for mb in order.chunk(cfg.minibatches):
                    sub = Rollout(
                        [], [], ro.ids[mb], ro.attention[mb], ro.positions[mb],
                        ro.response_mask[mb],
                    )  # fmt: skip
                    logp, hid = token_logprobs(policy, sub, with_hidden=True)
                    values = value_head(hid).squeeze(-1)
                    m = mask[mb]
                    pl, cf = clipped_policy_loss(logp, old_logp[mb], adv[mb], m, cfg.clip)
                    vl = clipped_value_loss(values, old_values[mb], returns[mb], m,
                                            cfg.value_clip)  # fmt: skip
                    loss = pl + cfg.vf_coef * vl
                    opt.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(params, 1.0)
                    opt.step()
                    clipfracs.append(float(cf.detach()))
                    vlosses.append(float(vl.detach()))
            extra = {"clip_fraction": sum(clipfracs) / len(clipfracs),
                     "value_loss": sum(vlosses) / len(vlosses)}  # fmt: skip
        t_update += time.perf_counter() - t1
        point = {
            "proxy_reward": float(scores.mean()),
            "gold": sum(golds) / len(golds),
            "kl": float(kl_seq.mean()),
            "response_length": sum(ro.lengths) / len(ro.lengths),
        }
        point.update(family_refusal_metrics(infos, ro.responses))
        point.update(extra)
        history.append(point)
        live = []
        if step == 1 or step % cfg.sample_every == 0 or step == cfg.steps:
            for j in rng.sample(range(len(infos)), min(3, len(infos))):
                live.append({
                    "prompt": infos[j].prompt, "response": ro.responses[j],
                    "family": infos[j].group, "gold": round(golds[j], 3),
                    "proxy": round(float(scores[j]), 3),
                    "model": f"{label or cfg.algorithm} step {step}",
                })  # fmt: skip
            samples.extend(live)
        reported = {
            f"{prefix}{key}": v
            for key, v in point.items()
            if report_keys is None or key in report_keys
        }
        progress.tick(step_offset + step, reported, samples=live)
    policy.eval()
    total = time.perf_counter() - t_start
    return {
        "history": history,
        "samples": samples,
        "seconds": total,
        "seconds_per_step": total / max(1, cfg.steps),
        "rollout_s": t_rollout,
        "update_s": t_update,
    }


def stratified_batch(
    by_group: dict[str, list[world.PromptInfo]], n: int, step: int, rng: random.Random
) -> list[world.PromptInfo]:
    """``n`` prompts spread evenly over the groups (the remainder rotates with ``step``), so
    a step's gold and refusal rates are not swayed by which families the batch drew."""
    groups = sorted(by_group)
    out = []
    for j in range(n):
        g = groups[(j + step * n) % len(groups)]
        out.append(rng.choice(by_group[g]))
    return out


def frozen_copy(model):
    """An independent, frozen copy of ``model``. A plain ``deepcopy`` is not enough after a
    transformers ``Trainer`` ran: accelerate replaces the instance's ``forward`` with a
    wrapper bound to the original, so the copy would run the original's weights."""
    ref = copy.deepcopy(model)
    if "forward" in ref.__dict__:
        del ref.forward
    ref.eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref


def fit_gao_curve(ds: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares fit of ``R(d) = d * (a - b * log d)`` (Gao, Schulman and Hilton 2022,
    the RL form) to points (d, y), d = sqrt(KL) > 0. Returns (a, b)."""
    import math

    rows = [(d, -d * math.log(d), y) for d, y in zip(ds, ys, strict=True) if d > 1e-6]
    if len(rows) < 2:
        return 0.0, 0.0
    s11 = sum(x1 * x1 for x1, _, _ in rows)
    s12 = sum(x1 * x2 for x1, x2, _ in rows)
    s22 = sum(x2 * x2 for _, x2, _ in rows)
    t1 = sum(x1 * y for x1, _, y in rows)
    t2 = sum(x2 * y for _, x2, y in rows)
    det = s11 * s22 - s12 * s12
    if abs(det) < 1e-12:
        return (t1 / s11 if s11 else 0.0), 0.0
    return (t1 * s22 - t2 * s12) / det, (s11 * t2 - s12 * t1) / det


def gao_curve(a: float, b: float, d: float) -> float:
    import math

    return 0.0 if d <= 0 else d * (a - b * math.log(d))
