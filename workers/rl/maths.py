"""The RL maths on plain tensors, unit-tested on hand-computed numbers in
``tests/workers/test_rl_math.py``: whitening, the two KL penalties (per token for PPO,
summed over the response for RLOO), GAE, PPO's clipped surrogate and value loss, RLOO's
leave-one-out baseline, and the curve that gold follows against the distance from the
reference (Gao, Schulman and Hilton 2022)."""

from __future__ import annotations

import math


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


# ---------------------------------------------------------------------------------------
# PPO
# ---------------------------------------------------------------------------------------
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


def approx_kl(new_logp, old_logp, mask) -> tuple[float, float]:
    """How far one PPO update moved the policy: KL(old || new) per response token, from
    the tokens the old policy sampled, by Schulman's estimators k1 = -log r (unbiased, can
    be negative on a batch) and k3 = (r - 1) - log r (unbiased, never negative), where
    r = p_new / p_old. Returns (k1, k3) averaged over the masked tokens."""
    import torch

    m = mask.to(new_logp.dtype)
    log_r = (new_logp - old_logp) * m
    n = m.sum().clamp(min=1)
    k1 = (-log_r * m).sum() / n
    k3 = ((torch.exp(log_r) - 1 - log_r) * m).sum() / n
    return float(k1), float(k3)


def clipped_value_loss(values, old_values, returns, mask, clip: float = 0.2):
    """0.5 * max((V - R)^2, (clip(V, V_old +- clip) - R)^2), averaged over masked tokens."""
    import torch

    m = mask.to(values.dtype)
    v_clip = old_values + torch.clamp(values - old_values, -clip, clip)
    loss = 0.5 * torch.maximum((values - returns) ** 2, (v_clip - returns) ** 2)
    return (loss * m).sum() / m.sum().clamp(min=1)


# ---------------------------------------------------------------------------------------
# RLOO
# ---------------------------------------------------------------------------------------
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
# Gold against the distance from the reference (reward hacking)
# ---------------------------------------------------------------------------------------
def fit_gao_curve(ds: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares fit of ``R(d) = d * (a - b * log d)`` (Gao, Schulman and Hilton 2022,
    the RL form) to points (d, y), d = sqrt(KL) > 0. Returns (a, b)."""
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
    return 0.0 if d <= 0 else d * (a - b * math.log(d))


def fit_r_squared(a: float, b: float, ds: list[float], ys: list[float]) -> float:
    """Share of the variance of ``ys`` that the fitted ``R(d)`` explains."""
    if not ys:
        return 0.0
    mean = sum(ys) / len(ys)
    total = sum((y - mean) ** 2 for y in ys)
    resid = sum((y - gao_curve(a, b, d)) ** 2 for d, y in zip(ds, ys, strict=True))
    return 1 - resid / total if total > 0 else 0.0
